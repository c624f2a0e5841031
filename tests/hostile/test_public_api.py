"""`stepcheck list`, shipped authorities by name, and the public `validate`/`verify`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from corpus import TINY, in_process, tiny_with

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


README = Path(__file__).resolve().parents[2] / "README.md"


def readme_api_example() -> str:
    """The Python block of the README's "Python API" section."""
    section = README.read_text(encoding="utf-8").split("## Python API", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert len(blocks) == 1, "the section has one example"
    return blocks[0]


def test_the_readme_example_runs_as_written(tmp_path, monkeypatch, capsys):
    (tmp_path / "my_specs").mkdir()
    (tmp_path / "last_year").mkdir()
    (tmp_path / "my_specs" / "returnvale.yaml").write_text(TINY, encoding="utf-8")
    last_year = tiny_with("window: 2 working days", "window: 5 working days")  # changed since
    (tmp_path / "last_year" / "returnvale.yaml").write_text(last_year, encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    exec(compile(readme_api_example(), "README.md", "exec"), {"__name__": "readme"})

    printed = capsys.readouterr().out
    assert "devon.yaml ok" in printed
    assert "returnvale.yaml ok" in printed
    assert "no_unowned_case violated" in printed
    assert "returnvale re-referral window 'Quick return' changed" in printed
    assert printed.rstrip().endswith("True closed")
    assert (tmp_path / "out" / "report.html").read_text(encoding="utf-8").startswith("<!")


def test_the_api_is_small_and_documented():
    names = stepcheck.__all__

    assert set(names) >= {"validate", "verify", "diff", "report", "Executor", "load_spec"}
    assert len(names) <= 16
    for name in names:
        if name != "__version__":
            assert getattr(stepcheck, name).__doc__, name


def test_an_invalid_spec_raises_every_diagnostic_from_each_function(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(tiny_with("anchor: close_case", "anchor: close_cas"), encoding="utf-8")

    for call in (
        lambda: stepcheck.verify(broken),
        lambda: stepcheck.diff(broken, broken),
        lambda: stepcheck.report(broken),
    ):
        with pytest.raises(stepcheck.SpecInvalid) as raised:
            call()
        assert [d.code for d in raised.value.diagnostics] == ["SPEC103"]
