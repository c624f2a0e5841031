"""One encoding per spec and timing, built once per process and shared by its properties.

Encodings live in contexts of their own and are never changed by the questions asked of
them (each question translates what it needs into a fresh context), so sharing one
cannot make an answer depend on which properties were checked before.
"""

from __future__ import annotations

from collections import OrderedDict

from stepcheck.checker.encode import Encoding
from stepcheck.spec.model import ProtocolSpec
from stepcheck.spec.timing import Timing

__all__ = ["encoding_of"]

_KEEP = 16
_CACHE: OrderedDict[tuple[int, str], tuple[ProtocolSpec, Encoding]] = OrderedDict()


def encoding_of(spec: ProtocolSpec, times: Timing) -> Encoding:
    """The encoding of `spec` with the constants `times` (a slice keeps fewer timers)."""
    key = (id(spec), repr(times))
    found = _CACHE.get(key)
    if found is not None and found[0] is spec:
        _CACHE.move_to_end(key)
        return found[1]
    encoding = Encoding(spec, times)
    _CACHE[key] = (spec, encoding)
    while len(_CACHE) > _KEEP:
        _CACHE.popitem(last=False)
    return encoding
