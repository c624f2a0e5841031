"""End-to-end tests of `stepcheck coverage`."""

import json

from click.testing import CliRunner

from stepcheck.cli import cli

PARTIAL = "tests/fixtures/specs/coverage/partial_somerset.yaml"


def _run(*args: str):
    return CliRunner().invoke(cli, ["coverage", *args])


def test_shipped_authorities_account_for_every_digest_rule():
    """Every one of the 230 digest rules is cited or declared out of scope by the shipped specs."""
    result = _run("--all", "spec/authorities")

    assert result.exit_code == 0, result.output
    assert "230 of 230 digest rules accounted for: complete" in result.output


def test_missing_rules_are_listed_and_exit_one():
    """A spec that leaves rules unaccounted for lists them and exits 1."""
    result = _run(PARTIAL)

    assert result.exit_code == 1
    assert "partial/st: missing (neither cited nor out of scope): ST-03, ST-04" in result.output
    assert "3 of 29 digest rules accounted for: INCOMPLETE" in result.output


def test_json_report_separates_encoded_out_of_scope_and_missing():
    """The JSON report lists the encoded, out-of-scope and missing ids of each document."""
    result = _run("--format", "json", PARTIAL)

    report = json.loads(result.output)
    (document,) = report["documents"]
    assert report["complete"] is False
    assert document["encoded"] == ["ST-01", "ST-02"]
    assert document["out_of_scope"] == ["ST-11"]
    assert len(document["missing"]) == 26
    assert report["not_encoded"] == {"BK": 45, "DV": 34, "HT": 86, "SP": 36}


def test_all_flag_fails_when_a_digest_document_is_not_encoded():
    """With --all, a digest document that no given spec encodes makes the run fail."""
    result = _run("--all", "spec/authorities/devon.yaml")

    assert result.exit_code == 1
    assert "not encoded by these specs: ST (29 rules)" in result.output


def test_invalid_spec_exits_two_with_located_diagnostics():
    """An invalid spec stops coverage with its diagnostics and exit code 2."""
    result = _run("tests/fixtures/specs/invalid/spec102_unknown_status.yaml")

    assert result.exit_code == 2
    assert "error[SPEC102]" in result.output
