"""The benchmark script's own logic (never its times): the codec table has a row per
example with ratios, and the snapshot goals are read off the rows correctly."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module
    spec.loader.exec_module(module)
    return module


def test_codec_rows_cover_every_example(bench: ModuleType) -> None:
    rows = bench.codec(0.01, [])
    assert [r["payload"] for r in rows] == [p.stem for p in bench.EXAMPLES]
    for row in rows:
        for key in ("strict", "lenient", "to_json"):
            assert isinstance(row[key], float) and row[key] > 0, (row["payload"], key)


def test_best_times_each_function(bench: ModuleType) -> None:
    calls = {"a": 0, "b": 0}

    def a() -> None:
        calls["a"] += 1

    def b() -> None:
        calls["b"] += 1
        sum(range(200))

    found = bench.best({"a": a, "b": b}, 0.01)
    assert found.keys() == {"a", "b"} and calls["a"] > 0 and calls["b"] > 0
    assert found["b"] > found["a"] > 0


def _rows(ruff_cold: Any, peak: str, ruff_warm: Any, black_warm: Any, opc: Any) -> list[dict[str, Any]]:
    return [
        {"tool": "oas-dataclasses --formatter ruff", "run": "cold", "seconds": ruff_cold, "peak memory": peak},
        {"tool": "oas-dataclasses --formatter ruff", "run": "warm", "seconds": ruff_warm, "peak memory": "90 MB"},
        {"tool": "oas-dataclasses --formatter black", "run": "cold", "seconds": "200.00", "peak memory": "900 MB"},
        {"tool": "oas-dataclasses --formatter black", "run": "warm", "seconds": black_warm, "peak memory": "90 MB"},
        {"tool": "openapi-python-client", "run": "cold", "seconds": opc, "peak memory": "300 MB"},
    ]


def test_snapshot_goals_met(bench: ModuleType) -> None:
    lines = bench.snapshot_goals(_rows("3.00", "160 MB", "1.00", "0.80", "10.00"))
    assert lines == [
        "ruff cold / openapi-python-client: 0.30 (goal <= 0.5: met)",
        "ruff cold peak memory: 160 MB (goal <= 500 MB: met)",
        "ruff with nothing changed: 1.00 s (goal <= 1.5 s: met)",
        "black with nothing changed: 0.80 s (goal <= 1.5 s: met)",
        "ruff, nothing changed / ruff cold: 0.333x (goal <= 0.5x: met)",
        "black, nothing changed / ruff cold: 0.267x (goal <= 0.5x: met)",
    ]


def test_snapshot_goals_not_met_and_missing_figures(bench: ModuleType) -> None:
    lines = bench.snapshot_goals(_rows("6.00", "600 MB", "1.60", "timeout (> 600 s)", "not installed"))
    assert lines == [
        "ruff cold peak memory: 600 MB (goal <= 500 MB: NOT met)",
        "ruff with nothing changed: 1.60 s (goal <= 1.5 s: NOT met)",
        "black with nothing changed: timeout (> 600 s) (goal <= 1.5 s: NOT met)",
        "ruff, nothing changed / ruff cold: 0.267x (goal <= 0.5x: met)",
        "black, nothing changed / ruff cold: timeout (> 600 s) (goal <= 0.5x: NOT met)",
    ]


def test_snapshot_goals_a_failed_cold_run_meets_nothing(bench: ModuleType) -> None:
    rows = [{"tool": "oas-dataclasses --formatter ruff", "run": "cold", "seconds": "failed: boom", "peak memory": ""},
            {"tool": "openapi-python-client", "run": "cold", "seconds": "9.00", "peak memory": "100 MB"}]
    assert bench.snapshot_goals(rows) == ["ruff cold: failed: boom (goals NOT met)"]


def test_the_edited_snapshot_differs_by_one_enum_value(bench: ModuleType, tmp_path: Path) -> None:
    # `changes` is timed on the snapshot against this copy: one response enum widened
    import difflib

    edited = bench.edited_snapshot(tmp_path).read_text(encoding="utf-8").splitlines()
    original = bench.SNAPSHOT.read_text(encoding="utf-8").splitlines()
    added = [line for line in difflib.unified_diff(original, edited, lineterm="", n=0)
             if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))]
    assert [line.replace(" ", "") for line in added] == ["+-max"]
    enum = edited.index("    ReasoningEffort:")
    assert edited[enum:].index(added[0][1:]) < 8


def test_make_bench_fails_when_a_goal_is_missed(bench: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    met = bench.snapshot_goals(_rows("3.00", "160 MB", "1.00", "0.80", "10.00"))
    assert met and all("NOT met" not in line for line in met)
    assert bench.exit_code(met) == 0
    assert capsys.readouterr().out.strip() == f"{len(met)} of {len(met)} goals met"
    missed = bench.snapshot_goals(_rows("6.00", "600 MB", "1.60", "0.80", "10.00"))
    lines = ["goal resume-page: decode <= 2.0 x, encode <= 1.5 x: met", *missed]
    n_missed = sum("NOT met" in line for line in lines)
    assert n_missed >= 3
    assert bench.exit_code(lines) == 1
    out = capsys.readouterr().out
    assert f"{len(lines) - n_missed} of {len(lines)} goals met" in out
    assert "missed: ruff cold peak memory: 600 MB" in out


def test_snapshot_goals_after_a_change_and_with_one_job(bench: ModuleType) -> None:
    rows = _rows("3.00", "160 MB", "1.00", "1.40", "10.00") + [
        {"tool": bench.BLACK, "run": bench.CHANGED, "seconds": "5.00"},
        {"tool": bench.BLACK, "run": bench.ADDED, "seconds": "12.00"},
        {"tool": bench.BLACK, "run": bench.COLD_ONE_JOB, "seconds": "300.00", "CPU seconds": "290.00"},
    ]
    rows[2]["CPU seconds"] = "380.00"  # black cold
    assert bench.snapshot_goals(rows)[-5:] == [
        "black, one description changed / black cold: 0.025x (goal <= 0.03x: met)",
        "black, a schema and an operation added / black cold: 0.060x (goal <= 0.05x: NOT met)",
        "black cold, every core / black cold, --jobs 1: 0.667x (goal <= 0.6x: NOT met)",
        "ruff, nothing changed / ruff cold: 0.333x (goal <= 0.5x: met)",
        "black, nothing changed / ruff cold: 0.467x (goal <= 0.5x: met)",
    ]
    assert bench.cores_busy(rows) == (  # not a goal: what the cold runs could use
        f"black kept 1.90 cores busy (cold), 0.97 cores busy (cold, --jobs 1), of {os.cpu_count()} on this machine")


@pytest.fixture(scope="module")
def snapshot_text(bench: ModuleType) -> str:
    if not bench.SNAPSHOT.is_file():
        pytest.skip("the snapshot is absent")
    return str(bench.SNAPSHOT.read_text(encoding="utf-8"))


def test_the_description_edit_changes_one_line(bench: ModuleType, snapshot_text: str) -> None:
    edited = bench.edit_description(snapshot_text, 7).splitlines()
    before = snapshot_text.splitlines()
    assert len(edited) == len(before)
    changed = [(a, b) for a, b in zip(before, edited) if a != b]
    assert changed == [(bench.EDITED_DESCRIPTION.rstrip("\n"),
                        bench.EDITED_DESCRIPTION.rstrip("\n").replace("endpoints.", "endpoints (revision 7)."))]


def test_the_added_schema_and_operation_parse_into_place(bench: ModuleType, snapshot_text: str) -> None:
    from generator.load import parse
    from tests.snapshot import models_only

    text = bench.add_schema_and_operation(snapshot_text, 3)
    data = parse(text, bench.SNAPSHOT)
    assert data["components"]["schemas"]["BenchAdded3"]["required"] == ["id"]
    get = data["paths"]["/bench_added_3/{thing_id}"]["get"]
    assert get["operationId"] == "getBenchAdded3"
    assert get["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/BenchAdded3"}
    assert models_only(text) != models_only(snapshot_text)  # the schema is among the components
