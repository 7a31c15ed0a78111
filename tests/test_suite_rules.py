"""How the suite itself behaves: under CI a skip the README does not list fails the run,
and every run says how many tests it skipped; the parsed-YAML cache survives a corrupt
entry and a cache folder it cannot write."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SAMPLE = '''
import pytest

def test_missing_tool():
    pytest.skip("prism is not installed")

def test_listed():
    pytest.skip("renameat2 is Linux only")

@pytest.mark.xfail(reason="owned elsewhere", strict=True)
def test_expected_failure():
    assert False
'''


def _run(tmp_path: Path, ci: bool) -> subprocess.CompletedProcess[str]:
    (tmp_path / "tests").mkdir(exist_ok=True)
    (tmp_path / "tests" / "conftest.py").write_text((ROOT / "tests" / "conftest.py").read_text(), encoding="utf-8")
    (tmp_path / "tests" / "test_sample.py").write_text(SAMPLE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci:
        env["CI"] = "true"
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)


def test_outside_ci_skips_are_counted(tmp_path: Path) -> None:
    result = _run(tmp_path, ci=False)
    assert result.returncode == 0, result.stdout
    assert "skipped: 2 (1 the README lists, 1 others)" in result.stdout


def test_under_ci_an_unlisted_skip_fails(tmp_path: Path) -> None:
    result = _run(tmp_path, ci=True)
    assert result.returncode == 1, result.stdout
    assert "FAILED tests/test_sample.py::test_missing_tool - skipped under CI" in result.stdout
    assert "1 failed, 1 skipped, 1 xfailed" in result.stdout


def _big_spec(tmp_path: Path) -> Path:
    schemas = "".join(f"    S{i}:\n      type: object\n      description: {'x' * 200}\n" for i in range(1200))
    spec = tmp_path / "big.yaml"
    spec.write_text("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n" + schemas)
    return spec


def test_a_corrupt_parse_cache_entry_is_parsed_again_and_replaced(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import load as load_module

    monkeypatch.setenv("OAS_DATACLASSES_CACHE_DIR", str(tmp_path / "cache"))  # the cache's root
    spec = _big_spec(tmp_path)
    first = load_module.load(spec, use_cache=True).data
    entries = [p for p in (tmp_path / "cache" / "parsed").rglob("*") if p.is_file()]
    assert entries  # kept in pieces (generator/yaml_chunks.py)
    for entry in entries:
        entry.write_text('{"openapi": "3.1.0", "cut sh', encoding="utf-8")
    parsed: list[str] = []
    real_load = load_module.yaml.load
    monkeypatch.setattr(load_module.yaml, "load", lambda text, Loader: parsed.append(text) or real_load(text, Loader))
    assert load_module.load(spec, use_cache=True).data == first
    assert parsed  # parsed again
    parsed.clear()
    assert load_module.load(spec, use_cache=True).data == first
    assert not parsed  # and the entries were replaced


def test_a_cache_that_cannot_be_written_only_costs_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import load as load_module

    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv("OAS_DATACLASSES_CACHE_DIR", str(blocker / "format"))
    spec = _big_spec(tmp_path)
    assert load_module.load(spec, use_cache=True).data == load_module.load(spec).data
