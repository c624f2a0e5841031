"""What a CI job needs from `stepcheck verify` and `validate`: every input reported in
every format, baselines of accepted problems, annotations, a comment that fits, and
runs that reproduce."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from io import StringIO
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from schemas import junit_valid, sarif_schema

from stepcheck.checker.baseline import entries
from stepcheck.checker.results import Report
from stepcheck.checker.structure import check_structure
from stepcheck.checker.writers.github import annotation
from stepcheck.cli import cli
from stepcheck.spec.diagnostics import SourceSpan
from stepcheck.spec.loader import load_spec, load_spec_text

EXAMPLE = Path("tests/fixtures/specs/valid/example.yaml")
BROKEN = Path("tests/fixtures/specs/invalid/spec102_several_problems.yaml")
DEVON = Path("spec/authorities/devon.yaml")
OUTPUT_SCHEMA = json.loads(
    Path("checker/writers/verify-output.schema.json").read_text(encoding="utf-8")
)


def _run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), prog_name="stepcheck", env=env)


def _verify(*args: str, env: dict[str, str] | None = None):
    return _run("verify", "--no-timings", "--no-cache", "-j", "1", *args, env=env)


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """A folder with a good spec and a broken one."""
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "example.yaml").write_bytes(EXAMPLE.read_bytes())
    (folder / "broken.yaml").write_bytes(BROKEN.read_bytes())
    return folder


def test_one_broken_spec_does_not_stop_the_others_and_is_in_every_format(mixed, tmp_path):
    """The good spec is verified; the broken one's problems are a SARIF result at their
    line, a JUnit error test case and JSON diagnostics; the run exits 2; every file of
    --out-dir is written and valid."""
    out = tmp_path / "out"

    result = _verify("--start-date", "2026-12-21", "--out-dir", str(out), str(mixed))

    assert result.exit_code == 2, result.output
    assert "could not check 1 spec" in result.output
    assert "VIOLATED examplevale: escalation_terminates" in result.output
    report = json.loads((out / "verify.json").read_text(encoding="utf-8"))
    jsonschema.validate(report, OUTPUT_SCHEMA)
    assert report["exit_code"] == 2
    assert {r["authority"] for r in report["results"]} == {"examplevale"}
    codes = [(d["code"], Path(d["file"]).name, d["line"]) for d in report["diagnostics"]]
    assert ("SPEC105", "broken.yaml", 9) in codes
    sarif = json.loads((out / "verify.sarif").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(sarif_schema()).validate(sarif)
    invalid = [r for r in sarif["runs"][0]["results"] if r["properties"].get("invalidSpec")]
    assert {r["ruleId"] for r in invalid} >= {"SPEC105", "SPEC104", "SPEC102"}
    region = invalid[0]["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] >= 1
    assert invalid[0]["level"] == "error"
    junit = (out / "verify.xml").read_text(encoding="utf-8")
    junit_valid(junit)
    root = ET.fromstring(junit)
    errors = [case for case in root.iter("testcase") if case.find("error") is not None]
    assert len(errors) == 1
    assert errors[0].get("name") == "load"
    assert root.get("errors") == "1"
    assert "SPEC105" in (out / "verify.md").read_text(encoding="utf-8")


def test_a_missing_path_is_reported_and_the_rest_is_checked(tmp_path):
    result = _verify("--start-date", "2026-12-21", "--format", "github", str(EXAMPLE), "nope.yaml")

    assert result.exit_code == 2
    assert "::error file=nope.yaml,line=1,col=1,title=SPEC009" in result.output
    assert "examplevale%3A escalation_terminates" in result.output


@pytest.mark.parametrize("fmt", ["sarif", "junit", "github", "json"])
def test_validate_reports_every_spec_in_the_machine_formats(mixed, fmt):
    """Each problem of the broken spec at its line, in each format, and the good spec too."""
    expected = _run("validate", "--format", "json", str(mixed))
    problems = json.loads(expected.output)["files"][0]["diagnostics"]

    result = _run("validate", "--format", fmt, str(mixed))

    assert result.exit_code == 2
    match fmt:
        case "sarif":
            log = json.loads(result.output)
            jsonschema.Draft7Validator(sarif_schema()).validate(log)
            lines = [
                r["locations"][0]["physicalLocation"]["region"]["startLine"]
                for r in log["runs"][0]["results"]
                if r["properties"].get("invalidSpec")
            ]
            assert lines == [p["line"] for p in problems]
        case "junit":
            junit_valid(result.output)
            cases = list(ET.fromstring(result.output).iter("testcase"))
            assert [case.find("error") is not None for case in cases] == [True, False]
        case "github":
            broken = [line for line in result.output.splitlines() if "broken.yaml" in line]
            assert len(broken) == len(problems) >= 3
            assert all(line.startswith("::error file=") for line in broken)
        case "json":
            assert [f["valid"] for f in json.loads(result.output)["files"]] == [False, True]


def _fingerprints(text: str, name: str) -> list[str]:
    spec = load_spec_text(text, name)
    report = Report(results=(), findings=tuple(check_structure(spec)))
    return sorted(entry.fingerprint for entry in entries(report, {name: spec}))


def _shuffled(text: str) -> str:
    """The same spec with every top-level section and every mapping of elements in
    reverse order, comments added and quotes reworded."""
    yaml = YAML()
    data = yaml.load(text)
    flipped = CommentedMap()
    for key in reversed(list(data)):
        value = data[key]
        if isinstance(value, dict) and key not in {"authority", "stepcheck"}:
            value = CommentedMap((k, value[k]) for k in reversed(list(value)))
        flipped[key] = value
    out = StringIO()
    yaml.dump(flipped, out)
    moved = "# moved about, recommented\n\n" + out.getvalue()
    return moved.replace('quote: "', 'quote: "(reworded) ')


def test_fingerprints_survive_reordering_moved_lines_comments_and_quotes():
    """Every finding of a shipped spec keeps its fingerprint when the YAML is reordered,
    recommented and its quotes reworded; so a baseline still accepts them."""
    text = DEVON.read_text(encoding="utf-8")
    shuffled = _shuffled(text)
    assert shuffled != text

    assert _fingerprints(shuffled, str(DEVON)) == _fingerprints(text, str(DEVON))


def test_baseline_round_trip_accepts_todays_problems_and_fails_on_a_new_one(tmp_path):
    """Write a baseline, verify against it (exit 0, all unchanged); an equivalent edit
    keeps it at 0; a removed final authority is new, named, and exits 1."""
    spec = tmp_path / "example.yaml"
    spec.write_bytes(EXAMPLE.read_bytes())
    baseline = tmp_path / "baseline.json"
    first = _verify("--start-date", "2026-12-21", "--write-baseline", str(baseline), str(spec))
    assert first.exit_code == 1
    accepted = json.loads(baseline.read_text(encoding="utf-8"))["problems"]
    assert {p["kind"] for p in accepted} == {"violated", "finding"}

    same = _verify(
        "--start-date", "2026-12-21", "--baseline", str(baseline), "--format", "json", str(spec)
    )
    assert same.exit_code == 0, same.output
    report = json.loads(same.output)
    jsonschema.validate(report, OUTPUT_SCHEMA)
    assert report["baseline"]["counts"] == {"new": 0, "unchanged": len(accepted), "absent": 0}
    problems = [r for r in report["results"] if r["verdict"] != "proved"] + report["findings"]
    assert {p["baseline_state"] for p in problems} == {"unchanged"}

    spec.write_text(_shuffled(EXAMPLE.read_text(encoding="utf-8")), encoding="utf-8")
    moved = _verify("--start-date", "2026-12-21", "--baseline", str(baseline), str(spec))
    assert moved.exit_code == 0, moved.output
    assert "0 new, " in moved.output
    assert ", 0 absent" in moved.output

    worse = EXAMPLE.read_text(encoding="utf-8").replace(
        "final_authority: head_decides", "final_authority: unspecified"
    )
    spec.write_text(worse, encoding="utf-8")
    gated = _verify(
        "--start-date", "2026-12-21", "--baseline", str(baseline), "--format", "sarif", str(spec)
    )
    assert gated.exit_code == 1
    states = {
        r["ruleId"]: r.get("baselineState") for r in json.loads(gated.output)["runs"][0]["results"]
    }
    assert states["SPEC210"] == "new"
    assert states["SPEC207"] == "unchanged"


def test_a_bad_baseline_file_is_one_clear_error(tmp_path):
    bad = tmp_path / "baseline.json"
    bad.write_text('{"format": "stepcheck-baseline",\n "version": 1, "problems": [}', "utf-8")

    result = _verify("--baseline", str(bad), str(EXAMPLE))

    assert result.exit_code == 2
    assert f"{bad}:2:" in result.output
    assert "Traceback" not in result.output


def test_annotations_cannot_be_ended_early_or_inject_a_command():
    """Messages escape %, CR and LF; properties also ':' and ','."""
    line = annotation(
        "error",
        SourceSpan(file="a,b:c.yaml", line=3, column=4),
        "a,b:c.yaml",
        "title: with, commas",
        "50% done\n::error::injected\r",
    )

    assert line == (
        "::error file=a%2Cb%3Ac.yaml,line=3,col=4,title=title%3A with%2C commas"
        "::50%25 done%0A::error::injected%0D"
    )
    assert "\n" not in line


def test_reproduce_repeats_the_limits_and_gives_the_same_verdict():
    """A violation found under non-default limits is reproduced with those limits."""
    first = _verify(
        "--start-date",
        "2026-12-21",
        "--rlimit",
        "3000000",
        "--depth",
        "40",
        "--format",
        "json",
        str(EXAMPLE),
    )
    results = json.loads(first.output)["results"]
    violated = next(r for r in results if r["verdict"] == "violated")
    command = violated["reproduce"]
    assert "--rlimit 3000000" in command
    assert "--depth 40" in command

    again = _run(*command.split()[1:], "--no-cache", "--format", "json")
    (repeated,) = json.loads(again.output)["results"]
    assert repeated["verdict"] == "violated"
    assert repeated["reproduce"] == command


def test_source_date_epoch_pins_the_start_date(tmp_path):
    """Without --start-date, SOURCE_DATE_EPOCH (reproducible builds) gives the date, so
    machine outputs do not change from one day to the next; a bad value is exit 2."""
    env = {"SOURCE_DATE_EPOCH": "1798070400"}  # 2026-12-24 00:00 UTC

    result = _verify("--format", "json", str(EXAMPLE), env=env)
    bad = _verify(str(EXAMPLE), env={"SOURCE_DATE_EPOCH": "yesterday"})

    assert json.loads(result.output)["start_date"] == "2026-12-24"
    assert "--start-date 2026-12-24" in result.output
    assert bad.exit_code == 2
    assert "SOURCE_DATE_EPOCH" in bad.output


def test_job_summary_appends_the_pull_request_comment(tmp_path):
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")

    result = _verify(
        "--start-date",
        "2026-12-21",
        "--job-summary",
        str(EXAMPLE),
        env={"GITHUB_STEP_SUMMARY": str(summary)},
    )
    unset = _verify("--job-summary", str(EXAMPLE), env={"GITHUB_STEP_SUMMARY": ""})

    assert result.exit_code == 1
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n## stepcheck verify")
    assert "<details" in text
    assert unset.exit_code == 2
    assert "GITHUB_STEP_SUMMARY" in unset.output


def test_fingerprints_differ_between_problems_of_one_spec():
    spec = load_spec(DEVON)
    report = Report(results=(), findings=tuple(check_structure(spec)))
    prints = [entry.fingerprint for entry in entries(report, {spec.path: spec})]

    assert len(prints) == len(set(prints)) == len(report.findings)


@pytest.mark.slow
def test_a_shipped_authority_verified_against_its_own_baseline_exits_0(tmp_path):
    """Devon's known violations and findings, once accepted, no longer fail the run."""
    baseline = tmp_path / "devon-baseline.json"
    cache = ["--cache-dir", str(tmp_path / "cache")]
    args = ["verify", "--start-date", "2026-12-21", "-q", *cache, str(DEVON)]

    first = _run(*args, "--write-baseline", str(baseline))
    again = _run(*args, "--baseline", str(baseline))

    assert first.exit_code == 1
    assert again.exit_code == 0, again.output
    assert "0 new, " in again.output
