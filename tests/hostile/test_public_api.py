"""`stepcheck list`, shipped authorities by name, and the public `validate`/`verify`."""

from __future__ import annotations

from corpus import in_process

import stepcheck
from stepcheck.spec.loader import shipped_names


def test_list_names_every_shipped_authority():
    outcome = in_process(["list"])

    assert outcome.code == 0
    names = [line.split()[0] for line in outcome.stdout.splitlines()]
    assert names == shipped_names()
    assert "devon" in names


def test_a_shipped_authority_is_accepted_by_name():
    outcome = in_process(["validate", "devon"])

    assert outcome.code == 0, outcome.output
    assert "devon.yaml" in outcome.output


def test_an_unknown_name_is_a_missing_path_naming_the_shipped_ones():
    outcome = in_process(["validate", "nowhere"])

    assert outcome.code == 2
    assert "nowhere:1:1: error[SPEC009]: no such file or folder" in outcome.output
    assert "devon" in outcome.output


def test_the_public_validate_and_verify(tmp_path):
    (valid,) = stepcheck.validate("devon")
    broken = tmp_path / "broken.yaml"
    broken.write_text("stepcheck: [", encoding="utf-8")
    (invalid,) = stepcheck.validate(broken)
    report = stepcheck.verify("tests/fixtures/specs/explore/rereferral.yaml")

    assert valid.ok
    assert not invalid.ok
    assert invalid.diagnostics[0].code == "SPEC001"
    assert [(r.property, r.verdict.value) for r in report.results] == [
        ("no_unowned_case", "violated")
    ]
