"""End-to-end tests of `stepcheck coverage`."""

import json
from pathlib import Path

import pytest
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


EXAMPLE = "tests/fixtures/specs/valid/example.yaml"
DIGESTS = "tests/fixtures/digests"


def test_an_authority_with_no_inventory_is_not_checked_and_exits_two():
    """The shipped digest has no EV rules: never "0 of 0 ... complete", exit 2."""
    result = _run(EXAMPLE)

    assert result.exit_code == 2
    assert "examplevale/ev: the rule inventory has no rules with prefix EV" in result.output
    assert "NOT CHECKED" in result.output
    assert "complete" not in result.output.splitlines()[-1].split(":")[-1]


def test_a_spec_with_no_rule_prefix_is_not_checked(tmp_path):
    text = Path(EXAMPLE).read_text(encoding="utf-8").replace("    rule_prefix: EV\n", "")
    spec = tmp_path / "example.yaml"
    spec.write_text(text, encoding="utf-8")

    result = _run("--format", "json", str(spec))

    assert result.exit_code == 2
    report = json.loads(result.output)
    assert (report["checked"], report["complete"]) == (False, False)


@pytest.mark.parametrize("form", ["md", "csv", "json"])
def test_a_users_inventory_in_each_form_gives_real_counts(form):
    """Markdown (with a rule the spec misses), CSV and JSON inventories are read alike."""
    result = _run("--format", "json", "--digest", f"{DIGESTS}/examplevale.{form}", EXAMPLE)

    report = json.loads(result.output)
    (document,) = report["documents"]
    assert document["encoded"] == [f"EV-0{n}" for n in range(1, 8)]
    assert document["out_of_scope"] == ["EV-08"]
    if form == "md":
        assert (result.exit_code, document["missing"]) == (1, ["EV-09"])
    else:
        assert (result.exit_code, document["missing"]) == (0, [])
    assert report["not_encoded"] == {}


def test_a_bad_inventory_is_one_located_error():
    result = _run("--digest", f"{DIGESTS}/bad_id.csv", EXAMPLE)

    assert result.exit_code == 2
    assert "bad_id.csv:3: 'not an id' is not a rule id" in result.output


def test_a_rule_listed_twice_across_inventories_is_refused():
    args = ["--digest", f"{DIGESTS}/examplevale.csv", "--digest", f"{DIGESTS}/examplevale.json"]

    result = _run(*args, EXAMPLE)

    assert result.exit_code == 2
    assert "rule EV-01 is listed twice" in result.output
