"""Loading a system under test from `python:module:factory`, and the System protocol."""

from __future__ import annotations

import sys
from datetime import datetime

import pytest

from examples.casework.app import InProcessCasework, factory
from stepcheck.oracle.system import System, SystemUnavailable, load_factory

AT = datetime(2026, 1, 5, 9, 0)


def test_example_app_is_a_system():
    """The example's in-process adapter meets the System protocol."""
    assert isinstance(factory(), System)


def test_python_target_loads_the_factory():
    """`python:module:factory` names a factory that makes a working system."""
    system = load_factory("python:examples.casework.app:factory")()

    assert isinstance(system, InProcessCasework)
    assert system.start(status="cin", at=AT).owner == "childrens_social_care_worker"


def test_loader_puts_the_current_directory_on_sys_path(tmp_path, monkeypatch):
    """A module in the directory stepcheck runs from is found, as uvicorn finds an app."""
    (tmp_path / "my_sut_module.py").write_text(
        "from examples.casework.app import factory\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])

    made = load_factory("python:my_sut_module:factory")

    assert callable(made)


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("python:examples.casework.app", "expected python:module:factory"),
        ("python:no_such_module_here:factory", "cannot import 'no_such_module_here'"),
        ("python:examples.casework.app:missing", "has no callable 'missing'"),
        ("python:examples.casework.service:BUGS", "has no callable 'BUGS'"),
    ],
    ids=["no_attribute", "no_module", "missing_attribute", "not_callable"],
)
def test_bad_target_is_unavailable_with_a_hint(target, message):
    """A malformed or missing target raises SystemUnavailable saying what is wrong."""
    with pytest.raises(SystemUnavailable, match=message):
        load_factory(target)


def test_factory_returning_something_else_is_unavailable():
    """A factory whose product lacks start/apply/close is reported, not called blindly."""
    made = load_factory("python:examples.casework.service:Casework")

    with pytest.raises(SystemUnavailable, match="has no start"):
        made()
