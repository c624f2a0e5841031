"""The decision cache: exact round trips, keys that ignore where a spec's text sits, and
entries it must not trust."""

from __future__ import annotations

from pathlib import Path

from stepcheck.checker import cache as cache_module
from stepcheck.checker.cache import DecisionCache, decision_key
from stepcheck.checker.engines import Limits
from stepcheck.checker.properties import Outcome
from stepcheck.checker.results import Verdict
from stepcheck.checker.verify import Decision, decide_property
from stepcheck.spec.loader import load_spec, load_spec_text
from stepcheck.spec.timing import timing

EXAMPLE = Path("tests/fixtures/specs/valid/example.yaml")


def test_a_decision_comes_back_exactly(tmp_path):
    spec = load_spec(EXAMPLE)
    cache = DecisionCache(tmp_path)
    for prop in spec.properties:
        decision = decide_property(spec, prop)
        key = decision_key(spec, prop, timing(spec), Limits())
        cache.put(key, decision)
        assert cache.get(key) == decision


def test_comments_and_moved_lines_keep_the_key_and_a_changed_rule_does_not():
    text = EXAMPLE.read_text(encoding="utf-8")
    spec = load_spec_text(text, "example.yaml")
    moved = load_spec_text("# a new comment\n\n" + text, "elsewhere/example.yaml")
    changed = load_spec_text(text.replace("2 working days", "3 working days", 1), "example.yaml")
    prop = spec.property_by_id("allocated_soon")

    def key(of):
        return decision_key(of, of.property_by_id(prop.id), timing(of), Limits())

    assert key(moved) == key(spec)
    assert key(changed) != key(spec)
    assert decision_key(spec, prop, timing(spec), Limits(rlimit=7)) != key(spec)


def test_a_wall_clock_limit_does_not_change_the_key():
    spec = load_spec(EXAMPLE)
    prop = spec.properties[0]
    times = timing(spec)
    assert decision_key(spec, prop, times, Limits(timeout_ms=5)) == decision_key(
        spec, prop, times, Limits()
    )


def test_corrupt_or_foreign_entries_are_ignored(tmp_path):
    cache = DecisionCache(tmp_path)
    (tmp_path / "abc.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "def.json").write_text('{"format": 1, "key": "other"}', encoding="utf-8")
    assert cache.get("abc") is None
    assert cache.get("def") is None
    assert cache.get("missing") is None


def test_a_decision_stopped_by_the_clock_is_not_kept(tmp_path):
    cache = DecisionCache(tmp_path)
    timed_out = Decision(
        outcome=Outcome(verdict=Verdict.UNKNOWN, reason="ran out of time (--timeout)")
    )
    cache.put("k", timed_out)
    assert cache.get("k") is None


def test_an_unwritable_cache_folder_is_not_an_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    cache = DecisionCache(blocker / "cache")
    cache.put("k", Decision(outcome=Outcome(verdict=Verdict.PROVED)))
    assert cache.get("k") is None


def test_the_key_changes_with_the_checkers_code(monkeypatch):
    """An edited checker under the same version number never reads an older decision."""
    spec = load_spec(Path("tests/fixtures/specs/derived/panel.yaml"))
    prop = spec.properties[0]
    before = decision_key(spec, prop, timing(spec), Limits())
    monkeypatch.setattr(cache_module, "code_digest", lambda: "another checker")

    assert decision_key(spec, prop, timing(spec), Limits()) != before
