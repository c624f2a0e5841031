"""Pseudonymous case ids: a keyed hash, so a report can be shared without the real ids.

HMAC-SHA-256 of the case id under a secret key, cut to 16 hex digits: the same id gives
the same pseudonym under the same key (so reports of one log can be joined), and no
one without the key can go back or test a guessed id. There is no default key: a
pseudonym from a known key would be no pseudonym at all.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final

from stepcheck.oracle.replay_rows import LogError

__all__ = ["KEY_ENV", "pseudonymiser", "read_key"]

KEY_ENV: Final = "STEPCHECK_PSEUDONYM_KEY"
_MIN_KEY_BYTES: Final = 16


def read_key(key_file: Path | None, environ: Mapping[str, str]) -> bytes:
    """The key from `key_file` (its bytes, one trailing newline dropped), else `KEY_ENV`.

    Raises `LogError` when there is none, or it is shorter than 16 bytes.
    """
    if key_file is not None:
        try:
            key = key_file.read_bytes()
        except OSError as error:
            raise LogError(f"{key_file}: cannot read the key ({error.strerror})") from None
        key = key.removesuffix(b"\n").removesuffix(b"\r")
        where = str(key_file)
    elif environ.get(KEY_ENV):
        key = environ[KEY_ENV].encode()
        where = KEY_ENV
    else:
        raise LogError(
            f"--pseudonymise needs a key: --key-file FILE or the environment variable {KEY_ENV}"
        )
    if len(key) < _MIN_KEY_BYTES:
        raise LogError(f"the key in {where} is shorter than {_MIN_KEY_BYTES} bytes")
    return key


def pseudonymiser(key: bytes) -> Callable[[str], str]:
    """A function from case id to pseudonym under `key`: `p-` and 16 hex digits."""

    def pseudonym(case: str) -> str:
        digest = hmac.new(key, case.encode("utf-8", "surrogateescape"), hashlib.sha256)
        return "p-" + digest.hexdigest()[:16]

    return pseudonym
