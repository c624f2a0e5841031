"""`stepcheck replay` and `stepcheck simulate` end to end: exit codes, every output format
against its schema, privacy (canaries in unmapped columns never come out), fuzzed logs."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemas import sarif_schema

from stepcheck import cli_replay
from stepcheck.cli import cli
from stepcheck.oracle.replay_formats import replay_schema
from stepcheck.oracle.replay_privacy import KEY_ENV

SPEC = "tests/fixtures/specs/valid/example.yaml"
MAP = "case=case_id,time=timestamp,event=activity"
CANARIES = ("CANARY-NAME-7f3a", "CANARY-NHS-9b21", "CANARY-NOTE-c4d8")
KEY = "k" * 32


def _run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="stepcheck", env=env)


def _log(tmp_path: Path, rows: list[str], name: str = "log.csv") -> Path:
    path = tmp_path / name
    header = "case_id,timestamp,activity,child_name,nhs_number,note\n"
    path.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _violating_log(tmp_path: Path) -> Path:
    """Every kind of row: accepted, violating (from, guard, deadline), malformed; the last
    two hold a canary in a mapped column too (a misplaced value), never quoted either."""
    a, b, c = CANARIES
    return _log(
        tmp_path,
        [
            f"case-001,2026-12-01T09:00,urgent_step_up,{a},{b},{c}",
            f"case-001,2026-12-01T10:00,give_consent,{a},{b},{c}",
            f"case-001,2026-12-02T10:00,step_down,{a},{b},{c}",
            f"case-002,2026-12-01T09:00,request_step_up,{a},{b},{c}",
            f"case-002,2026-12-02T14:00,tam_accepts,{a},{b},{c}",
            f"case-002,2026-12-09T09:00,allocate,{a},{b},{c}",
            f"case-003,2026-12-01T09:00,allocate,{a},{b},{c}",
            f"case-003,not-a-time,allocate,{a},{b},{c}",
            f"case-003,2026-12-01T11:00,{a},{a},{b},{c}",
            f"case-003,{b},allocate,{a},{b},{c}",
        ],
    )


def test_clean_log_exits_0(tmp_path):
    log = _log(tmp_path, ["c1,2026-12-01T09:00,request_step_up,x,y,z"])
    result = _run("replay", SPEC, str(log), "--map", MAP)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("stepcheck replay: clean: 1 row in 1 log, 1 case")


def test_violations_exit_1_and_lead_the_text(tmp_path):
    result = _run("replay", SPEC, str(_violating_log(tmp_path)), "--map", MAP)
    assert result.exit_code == 1, result.output
    first, *_ = result.output.splitlines()
    assert first.startswith("stepcheck replay: 3 violations on 3 rows; 3 malformed rows: 10 rows")
    assert "row 3, case case-001: [should] EV-06 (guard)" in result.output
    assert '"a handover meeting should take place first"' in result.output
    assert "Rows: 10 = 4 accepted + 3 violating + 3 malformed." in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("missing.csv",), "missing.csv: no such log"),
        (("LOG", "--map", "case=nope"), "no column 'nope' (mapped to case)"),
        (("LOG", "--map", "colour=x"), "unknown column 'colour'"),
        (
            ("LOG", "--pseudonymise"),
            f"--pseudonymise needs a key: --key-file FILE or the environment variable {KEY_ENV}",
        ),
        (("LOG", "--as-of", "soon"), "--as-of: time is not an ISO 8601"),
        (("LOG", "--key-file", "k"), "--key-file is only used with --pseudonymise"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, message):
    log = _log(tmp_path, ["c1,2026-12-01T09:00,request_step_up,x,y,z"])
    argv = [
        str(log) if arg == "LOG" else str(tmp_path / arg) if arg == "missing.csv" else arg
        for arg in args
    ]
    if "--map" not in argv:
        argv += ["--map", MAP]
    result = _run("replay", SPEC, *argv, env={KEY_ENV: ""})
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert message in lines[0]


def test_invalid_spec_exits_2_with_diagnostics(tmp_path):
    spec = tmp_path / "bad.yaml"
    spec.write_text("stepcheck: 1\n")
    result = _run("replay", str(spec), str(_log(tmp_path, [])))
    assert result.exit_code == 2
    assert "bad.yaml" in result.output
    assert "Traceback" not in result.output


def test_json_output_matches_its_schema_and_adds_up(tmp_path):
    result = _run("replay", SPEC, str(_violating_log(tmp_path)), "--map", MAP, "--format", "json")
    body = json.loads(result.output)
    jsonschema.Draft202012Validator(replay_schema()).validate(body)
    totals = body["totals"]
    assert totals["rows"] == totals["accepted"] + totals["violation"] + totals["malformed"] == 10
    kinds = sorted((f["place"]["row"], f["kind"]) for f in body["findings"])
    assert kinds == [(3, "guard"), (6, "deadline"), (7, "from")]


def test_sarif_puts_results_on_rule_lines_with_rows_related(tmp_path):
    log = _violating_log(tmp_path)
    result = _run("replay", SPEC, str(log), "--map", MAP, "--format", "sarif")
    body = json.loads(result.output)
    jsonschema.Draft7Validator(sarif_schema()).validate(body)
    results = body["runs"][0]["results"]
    guard = next(r for r in results if r["ruleId"] == "EV-06")
    location = guard["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == SPEC
    assert location["region"]["startLine"] == 91
    related = guard["relatedLocations"][0]["physicalLocation"]
    assert related["region"]["startLine"] == 4  # row 3 is on line 4, after the header
    assert guard["level"] == "warning"
    malformed = [r for r in results if r["ruleId"] == "malformed-row"]
    assert len(malformed) == 3


def test_violations_csv_has_every_finding(tmp_path):
    out = tmp_path / "violations.csv"
    result = _run(
        "replay", SPEC, str(_violating_log(tmp_path)), "--map", MAP, "--violations-csv", str(out)
    )
    assert result.exit_code == 1
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [(row["row"], row["rule"]) for row in rows][:2] == [("3", "EV-06"), ("6", "EV-07")]


@pytest.mark.parametrize("output_format", ["text", "json", "markdown", "sarif"])
@pytest.mark.parametrize(
    ("pseudonymise", "engine"), [(False, "auto"), (True, "auto"), (True, "vector")]
)
def test_canaries_in_unmapped_columns_never_come_out(tmp_path, output_format, pseudonymise, engine):
    """Values planted in unmapped columns (and, pseudonymised, the case ids) appear in no
    output: not the report, not the violations CSV, not stderr; with the vector engine
    too, which streams this log (its malformed rows read by the row reader)."""
    out = tmp_path / "violations.csv"
    extra = ["--pseudonymise", "--engine", engine] if pseudonymise else ["--engine", engine]
    result = _run(
        "replay",
        SPEC,
        str(_violating_log(tmp_path)),
        "--map",
        MAP,
        "--format",
        output_format,
        "--violations-csv",
        str(out),
        *extra,
        env={KEY_ENV: KEY},
    )
    assert result.exit_code == 1, result.output
    everything = result.output + out.read_text()
    for canary in CANARIES:
        assert canary not in everything
    if pseudonymise:
        assert "case-00" not in everything
        assert "p-" in everything


def test_pseudonyms_are_keyed_and_stable(tmp_path):
    log = _log(tmp_path, ["case-001,2026-12-01T09:00,allocate,x,y,z"])
    key_file = tmp_path / "key"
    key_file.write_text(KEY + "\n")

    def case_ids(*args: str, env: dict[str, str] | None = None) -> list[str]:
        result = _run("replay", SPEC, str(log), "--map", MAP, "--format", "json", *args, env=env)
        return [case["case"] for case in json.loads(result.output)["cases"]]

    by_file = case_ids("--pseudonymise", "--key-file", str(key_file))
    assert by_file == case_ids("--pseudonymise", env={KEY_ENV: KEY})
    assert by_file != case_ids("--pseudonymise", env={KEY_ENV: "another key, long enough"})
    assert by_file[0].startswith("p-")
    assert len(by_file[0]) == 18
    short = _run("replay", SPEC, str(log), "--map", MAP, "--pseudonymise", env={KEY_ENV: "short"})
    assert short.exit_code == 2


def test_map_file_and_jsonl(tmp_path):
    mapping = tmp_path / "map.txt"
    mapping.write_text("# our system's names\ncase = id\ntime = at\nevent = what\n")
    log = tmp_path / "log.jsonl"
    log.write_text('{"id": "c1", "at": "2026-12-01T09:00:00Z", "what": "request_step_up"}\n')
    result = _run("replay", SPEC, str(log), "--map-file", str(mapping))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("log_format", ["csv", "jsonl", "parquet", "xes"])
def test_simulate_then_replay_finds_exactly_the_plants(tmp_path, log_format):
    """In every format replay reads; XES groups rows by case, and the sidecar's rows
    follow (it once wrote CSV text whatever the format asked)."""
    log = tmp_path / f"sim.{log_format}"
    result = _run(
        "simulate", SPEC, "--cases", "12", "--seed", "5", "--plant", "from", "--plant", "guard",
        "--log-format", log_format, "-o", str(log),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (log.read_bytes()[:4] == b"PAR1") is (log_format == "parquet")
    plants = json.loads((tmp_path / f"sim.{log_format}.plants.json").read_text())["plants"]
    assert plants
    replayed = _run(
        "replay", SPEC, str(log), "--format", "json", "--map", "owner=owner,status=status"
    )
    findings = json.loads(replayed.output)["findings"]
    assert sorted((f["place"]["row"], f["kind"]) for f in findings) == sorted(
        (p["row"], p["kind"]) for p in plants
    )


def test_simulate_parquet_needs_a_file():
    result = _run("simulate", SPEC, "--cases", "2", "--log-format", "parquet")
    assert result.exit_code == 2
    assert "give --output" in result.output


def test_simulate_with_plants_needs_somewhere_to_list_them():
    result = _run("simulate", SPEC, "--plant", "from")
    assert result.exit_code == 2
    assert "sidecar" in result.output


_CELLS = st.one_of(
    st.sampled_from(
        [
            "c1",
            "c2",
            "request_step_up",
            "tam_accepts",
            "allocate",
            "step_down",
            "2026-12-01T09:00",
            "2026-03-29T01:30",
            "2026-10-25T01:30",
            "2026-12-02T14:00+00:00",
            "",
            '"',
            "escalate:allocation_dispute",
        ]
    ),
    st.text(max_size=6),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(st.lists(_CELLS, min_size=0, max_size=5), max_size=12),
    junk=st.binary(max_size=20),
)
def test_fuzzed_logs_never_crash_and_every_row_is_counted(tmp_path, rows, junk):
    """Random cells, ragged rows, quotes, bad bytes: exit 0 or 1, totals add up."""
    text = "case,time,event\n" + "\n".join(",".join(row) for row in rows) + "\n"
    log = tmp_path / "fuzz.csv"
    log.write_bytes(text.encode("utf-8", "surrogatepass") + junk)
    result = _run("replay", SPEC, str(log), "--format", "json")
    assert result.exit_code in (0, 1), result.output
    totals = json.loads(result.output)["totals"]
    assert totals["rows"] == totals["accepted"] + totals["violation"] + totals["malformed"]


@pytest.mark.parametrize(
    "data",
    [b"", b"case,time,event\n", b"\xff\xfe\x00garbage", b"case,time,event\n\x00\x00\x00\n"],
)
def test_odd_files_do_not_crash(tmp_path, data):
    log = tmp_path / "odd.csv"
    log.write_bytes(data)
    result = _run("replay", SPEC, str(log), "--format", "json")
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(
    ("output_format", "suffix"),
    [("text", "txt"), ("markdown", "md"), ("json", "json"), ("text --timelines", "timelines.txt")],
)
def test_report_golden(golden, output_format, suffix):
    """The report a person reads on a small audit log with every kind of row: a should
    breach, a missed deadline, a step its status does not allow, out of order, a
    duplicate, a bad time, and an obligation still open when the log ends."""
    log = "tests/fixtures/logs/example_audit.csv"
    result = _run("replay", SPEC, log, "--map", MAP, "--format", *output_format.split())
    assert result.exit_code == 1
    assert "CANARY" not in result.output
    golden.check(f"tests/golden/cli/replay_example.{suffix}", result.output)


@pytest.mark.parametrize("output_format", ["text", "json", "markdown", "sarif"])
def test_xes_canaries_never_come_out(tmp_path, output_format):
    """XES: unmapped trace and event attributes (and nested ones) reach no output."""
    a, b, c = CANARIES
    log = tmp_path / "log.xes"
    log.write_text(
        f"""<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0">
  <trace>
    <string key="concept:name" value="case-001"/>
    <string key="child_name" value="{a}"/>
    <event>
      <string key="concept:name" value="allocate"/>
      <date key="time:timestamp" value="2026-12-01T09:00:00.000+00:00"/>
      <string key="org:resource" value="{b}"/>
      <list key="notes"><string key="text" value="{c}"/></list>
    </event>
  </trace>
</log>
""",
        encoding="utf-8",
    )
    out = tmp_path / "violations.csv"
    result = _run("replay", SPEC, str(log), "--format", output_format, "--violations-csv", str(out))
    assert result.exit_code == 1, result.output
    everything = result.output + out.read_text()
    assert "case-001" in everything
    for canary in CANARIES:
        assert canary not in everything


def _parquet(tmp_path: Path) -> Path:
    import pyarrow as pa  # noqa: PLC0415 - only these tests need it
    import pyarrow.parquet as pq  # noqa: PLC0415

    a, b, _ = CANARIES
    table = pa.table(
        {
            "case_id": ["case-001", "case-001", "case-002"],
            "timestamp": pa.array(
                [datetime(2026, 7, 1, 8, tzinfo=UTC), datetime(2026, 7, 1, 9, tzinfo=UTC), None],
                pa.timestamp("us", tz="UTC"),
            ),
            "activity": ["request_step_up", "allocate", "allocate"],
            "child_name": [a, a, a],
            "nhs_number": [b, b, b],
        }
    )
    path = tmp_path / "log.parquet"
    pq.write_table(table, path)
    return path


@pytest.mark.parametrize("output_format", ["text", "json", "markdown", "sarif"])
def test_parquet_rows_and_canaries(tmp_path, output_format):
    """Parquet: only mapped columns are read; UTC timestamps become London time (BST)."""
    out = tmp_path / "violations.csv"
    result = _run(
        "replay", SPEC, str(_parquet(tmp_path)), "--map", MAP, "--format", output_format,
        "--violations-csv", str(out),
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    everything = result.output + out.read_text()
    for canary in CANARIES:
        assert canary not in everything
    if output_format == "json":
        body = json.loads(result.output)
        assert body["totals"] == {
            "rows": 3, "accepted": 1, "violation": 1, "malformed": 1, "findings": 1, "cases": 1,
        }  # fmt: skip
        assert body["cases"][0]["timeline"][0]["at"] == "2026-07-01T09:00:00"


def test_parquet_bad_file_and_missing_column(tmp_path):
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"not parquet at all")
    result = _run("replay", SPEC, str(bad))
    assert result.exit_code == 2
    assert "not a Parquet file" in result.output
    missing = _run(
        "replay", SPEC, str(_parquet(tmp_path)), "--map", "case=case_id,time=timestamp,event=nope"
    )
    assert missing.exit_code == 2
    assert "no column 'nope' (mapped to event)" in missing.output


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _CELLS,
    lambda inner: (
        st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=3), inner, max_size=2)
    ),
    max_leaves=4,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    objects=st.lists(
        st.dictionaries(st.sampled_from(["case", "time", "event", "x"]), _JSON_VALUES, max_size=4)
        | _JSON_VALUES,
        max_size=10,
    ),
    junk=st.sampled_from([b"", b"{", b"\xff\n", b"\n\n", b"[]\n"]),
)
def test_fuzzed_json_lines_never_crash(tmp_path, objects, junk):
    """Any JSON value per line, plus broken lines: exit 0, 1 or 2, never a traceback, and
    when it runs, every line is counted."""
    lines = [json.dumps(value) for value in objects]
    log = tmp_path / "fuzz.jsonl"
    log.write_bytes("\n".join(lines).encode() + b"\n" + junk)
    result = _run("replay", SPEC, str(log), "--format", "json")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    if result.exit_code == 2:
        assert "no row has the key" in result.output
        return
    totals = json.loads(result.output)["totals"]
    assert totals["rows"] == totals["accepted"] + totals["violation"] + totals["malformed"]
    assert totals["rows"] == len(lines) + (junk.strip() != b"")


def test_simulated_json_lines_replay_clean_into_a_file(tmp_path):
    log = tmp_path / "sim.jsonl"
    made = _run(
        "simulate", SPEC, "--cases", "5", "--seed", "2", "--log-format", "jsonl", "-o", str(log)
    )
    assert made.exit_code == 0, made.output
    report = tmp_path / "out" / "replay.sarif"
    result = _run("replay", SPEC, str(log), "--format", "sarif", "-o", str(report))
    assert result.exit_code == 0, result.output
    assert result.output == ""
    assert json.loads(report.read_text())["runs"][0]["results"] == []


def test_event_map_translates_the_log_names(tmp_path):
    names = tmp_path / "events.txt"
    names.write_text(
        "# our system's activity names\nStep-up requested = request_step_up\n"
        "TAM: accepted=tam_accepts\n"
    )
    log = tmp_path / "log.csv"
    log.write_text(
        "case,time,event\nc1,2026-12-01T09:00,Step-up requested\n"
        "c1,2026-12-02T14:00,TAM: accepted\nc1,2026-12-02T15:00,allocate\n"
    )
    result = _run("replay", SPEC, str(log), "--event-map", str(names), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["cases"][0]["status"] == "child_in_need"
    names.write_text("Step-up requested = request_stepup\n")
    bad = _run("replay", SPEC, str(log), "--event-map", str(names))
    assert bad.exit_code == 2
    assert "event map entry 1: 'request_stepup' is not a step of the spec" in bad.output


def test_facts_are_checked_against_the_spec(tmp_path):
    """fact.<variable> columns: a recorded value the spec does not give is a finding; a
    value not of the variable's type is malformed; an unknown variable is exit 2."""
    log = tmp_path / "log.csv"
    log.write_text(
        "case,time,event,consent_given,refs\n"
        "c1,2026-12-01T09:00,give_consent,Yes,0\n"
        "c1,2026-12-01T10:00,request_step_up,true,0\n"
        "c1,2026-12-01T11:00,tam_declines,maybe,1\n"
    )
    mapping = "fact.consent=consent_given,fact.referrals=refs"
    result = _run("replay", SPEC, str(log), "--map", mapping, "--format", "json")
    body = json.loads(result.output)
    jsonschema.Draft202012Validator(replay_schema()).validate(body)
    (finding,) = body["findings"]
    assert (finding["kind"], finding["element"], finding["place"]["row"]) == (
        "fact",
        "referrals",
        2,
    )
    assert finding["message"] == (
        "the log records referrals 0 after 'request_step_up'; the spec gives 1"
    )
    (malformed,) = body["malformed"]
    assert malformed["reason"] == "fact consent is not a value of its type (bool)"
    unknown = _run("replay", SPEC, str(log), "--map", "fact.mood=refs")
    assert unknown.exit_code == 2
    assert "the spec has no variable 'mood'" in unknown.output


@pytest.mark.parametrize("output_format", ["text", "json", "markdown", "sarif"])
def test_compiled_vector_and_executor_engines_print_the_same_bytes(tmp_path, output_format):
    """The default engine (auto: compiled for a log this small), `--engine vector` and
    `--engine executor`, every format and the violations CSV, on a log with every
    kind of row."""
    log = str(_violating_log(tmp_path))
    outputs = []
    for engine in ("auto", "vector", "executor"):
        csv_path = tmp_path / f"{engine}.csv"
        result = _run(
            "replay", SPEC, log, "--map", MAP, "--format", output_format, "--timelines",
            "--engine", engine, "--violations-csv", str(csv_path),
        )  # fmt: skip
        assert result.exit_code == 1, result.output
        outputs.append((result.output, csv_path.read_text(encoding="utf-8")))
    assert outputs[0] == outputs[1] == outputs[2]


def test_the_default_engine_is_vector_for_large_logs_only(tmp_path, monkeypatch):
    """`--engine auto` (the default) takes the vector engine past `VECTOR_ABOVE` bytes
    of logs in all, the compiled one below; the output is the same either way."""
    log = str(_violating_log(tmp_path))
    chosen: list[str] = []
    real = cli_replay._vector

    def vector(*args: object) -> object:
        chosen.append("vector")
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(cli_replay, "_vector", vector)
    small = _run("replay", SPEC, log, "--map", MAP, "--format", "json")
    assert chosen == []
    monkeypatch.setattr(cli_replay, "VECTOR_ABOVE", Path(log).stat().st_size - 1)
    large = _run("replay", SPEC, log, "--map", MAP, "--format", "json")
    assert chosen == ["vector"]
    assert small.exit_code == large.exit_code == 1
    assert small.output == large.output
    missing = _run("replay", SPEC, str(tmp_path / "missing.csv"), "--map", MAP)
    assert missing.exit_code == 2
    assert "no such log" in missing.output


@pytest.mark.parametrize("output_format", ["text", "json", "sarif"])
def test_vector_engine_reads_a_plain_log_as_columns_with_the_same_bytes(tmp_path, output_format):
    """A simulated log with plants is plain CSV, so `--engine vector` reads it with
    pyarrow; with pseudonyms too, it prints what the compiled engine prints."""
    log = tmp_path / "sim.csv"
    made = _run(
        "simulate", SPEC, "--cases", "30", "--seed", "4", "--plant", "from",
        "--plant", "deadline", "-o", str(log),
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    key = tmp_path / "key"
    key.write_bytes(b"k" * 32)
    outputs = []
    for engine in ("compiled", "vector"):
        result = _run(
            "replay", SPEC, str(log), "--format", output_format, "--timelines",
            "--pseudonymise", "--key-file", str(key), "--engine", engine,
        )  # fmt: skip
        assert result.exit_code == 1, result.output
        outputs.append(result.output)
    assert outputs[0] == outputs[1]
    assert "p-" in outputs[1]


@pytest.mark.parametrize("log_format", ["csv", "parquet"])
def test_a_log_past_the_streaming_size_prints_the_same_bytes(tmp_path, monkeypatch, log_format):
    """Past `STREAM_ABOVE` bytes `--engine vector` replays in blocks and shares; with
    pseudonyms and an event map it prints what the compiled engine prints."""
    import pyarrow as pa  # noqa: PLC0415 - only these tests need it

    import stepcheck.oracle.replay_stream as stream  # noqa: PLC0415 - the size to lower

    log = tmp_path / "sim.csv"
    made = _run(
        "simulate", SPEC, "--cases", "30", "--seed", "5", "--plant", "guard",
        "--plant", "deadline", "-o", str(log),
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    if log_format == "parquet":  # `simulate --log-format parquet` writes CSV text
        import pyarrow.csv as pacsv  # noqa: PLC0415 - only these tests need it
        import pyarrow.parquet as pq  # noqa: PLC0415

        as_text = pacsv.ConvertOptions(column_types=dict.fromkeys(_CANONICAL, pa.string()))
        pq.write_table(pacsv.read_csv(log, convert_options=as_text), tmp_path / "sim.parquet")
        log = tmp_path / "sim.parquet"
    key = tmp_path / "key"
    key.write_bytes(b"k" * 32)
    monkeypatch.setattr(stream, "STREAM_ABOVE", 0)
    streamed = []
    original = stream.replay_streamed
    monkeypatch.setattr(
        stream,
        "replay_streamed",
        lambda *a, **k: streamed.append(original(*a, **k)) or streamed[-1],
    )
    outputs = []
    for engine in ("compiled", "vector"):
        result = _run(
            "replay", SPEC, str(log), "--format", "json", "--pseudonymise", "--key-file",
            str(key), "--engine", engine,
        )  # fmt: skip
        assert result.exit_code == 1, result.output
        outputs.append(result.output)
    assert outputs[0] == outputs[1]
    assert len(streamed) == 1
    assert streamed[0] is not None


_CANONICAL = ("case", "time", "event", "status", "owner")
