"""Progress on stderr for long runs, only on a terminal, never with --quiet; and the
options that go with formatting in pieces: --jobs, jobs and cache_max_mb."""

from __future__ import annotations

import io
import os
import select
import sys
from pathlib import Path

import pytest

from generator import cli, progress
from generator.progress import Progress

ROOT = Path(__file__).resolve().parent.parent
FEATURE = ROOT / "tests" / "features" / "enums"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_nothing_shows_before_the_delay_then_one_line_rewritten_in_place() -> None:
    stream, clock = Terminal(), Clock()
    p = Progress(stream, clock=clock)
    p.stage("loading the spec")
    p.pieces(1, 10, 0)
    clock.now += 1.9
    p.stage("formatting models.py")
    assert stream.getvalue() == ""  # a run shorter than the delay prints nothing
    clock.now += 0.2
    p.pieces(3, 10, 2)
    clock.now += 0.01
    p.pieces(4, 10, 2)  # too soon after the last line: skipped
    clock.now += 0.2
    p.pieces(5, 10, 2)
    p.done()
    assert stream.getvalue() == (
        "\r\x1b[Koas-dataclasses: formatting models.py: 3 of 10 pieces (2 from the cache)"
        "\r\x1b[Koas-dataclasses: formatting models.py: 5 of 10 pieces (2 from the cache)"
        "\r\x1b[K"
    )


def test_nothing_when_stderr_is_not_a_terminal_or_with_quiet() -> None:
    for stream, quiet in ((io.StringIO(), False), (Terminal(), True)):
        clock = Clock()
        p = Progress(stream, quiet=quiet, clock=clock)
        clock.now += 10
        p.stage("formatting models.py")
        p.pieces(1, 2, 0)
        p.done()
        assert stream.getvalue() == ""


GENERATE = ["generate", "--schema", str(FEATURE / "spec.yaml"), "--package", "enums_client", "--jobs", "1"]


def _generate_on_a_pty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *extra: str) -> bytes:
    """Run generate in this process with stderr on a pseudo-terminal; what it showed."""
    monkeypatch.setenv("OAS_DATACLASSES_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(progress, "DELAY", 0.0)  # as if the run had taken long
    monkeypatch.setattr(progress, "INTERVAL", 0.0)  # and formatting too long to skip a redraw
    leader, follower = os.openpty()
    terminal = os.fdopen(follower, "w", encoding="utf-8")
    monkeypatch.setattr(sys, "stderr", terminal)
    try:
        assert cli.main([*GENERATE, "--out", str(tmp_path / "out"), *extra]) == 0
        terminal.flush()
        shown = b""
        while select.select([leader], [], [], 0.2)[0]:
            chunk = os.read(leader, 65536)
            if not chunk:
                break
            shown += chunk
        return shown
    finally:
        terminal.close()
        os.close(leader)


def test_a_long_generation_on_a_terminal_shows_its_stages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shown = _generate_on_a_pty(tmp_path, monkeypatch)
    for stage in (b"loading the spec", b"lowering", b"rendering", b"formatting models.py", b"writing"):
        assert b"\r\x1b[Koas-dataclasses: " + stage in shown, shown
    assert b"of" in shown and b"pieces (" in shown
    assert shown.endswith(b"\r\x1b[K")  # the line is cleared at the end


def test_quiet_silences_it_on_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _generate_on_a_pty(tmp_path, monkeypatch, "--quiet") == b""


def test_nothing_on_stderr_that_is_not_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("OAS_DATACLASSES_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(progress, "DELAY", 0.0)
    assert cli.main([*GENERATE, "--out", str(tmp_path / "out")]) == 0
    assert cli.main(["check", *GENERATE[1:], "--out", str(tmp_path / "out")]) == 0
    assert capsys.readouterr() == ("", "")


# ----- --jobs, jobs, cache_max_mb -----------------------------------------------------------


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5", ""])
def test_jobs_must_be_a_positive_integer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str], value: str) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.main([*GENERATE[:-2], "--out", "out", "--jobs", value]) == 2
    assert capsys.readouterr().err == f"error: --jobs {value!r} must be a positive integer\n"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("key", ["jobs", "cache_max_mb"])
@pytest.mark.parametrize("value", ['"2"', "true", "0", "-3", "1.5", "[1]"])
def test_config_integers_are_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str], key: str, value: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.oas-dataclasses]\n{key} = {value}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert cli.main([*GENERATE[:-2], "--out", "out"]) == 2
    err = capsys.readouterr().err
    assert err == f"error: {tmp_path / 'pyproject.toml'}: [tool.oas-dataclasses].{key} must be a positive integer\n"
    assert not (tmp_path / "out").exists()


def test_config_integers_reach_the_options_and_the_flag_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.oas-dataclasses]\njobs = 3\ncache_max_mb = 64\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    options = cli._options(cli._parser().parse_args(["generate"]))
    assert (options.jobs, options.cache_max_mb) == (3, 64)
    options = cli._options(cli._parser().parse_args(["generate", "--jobs", "1"]))
    assert (options.jobs, options.cache_max_mb) == (1, 64)
    (tmp_path / "pyproject.toml").write_text("[tool.oas-dataclasses]\n", encoding="utf-8")
    options = cli._options(cli._parser().parse_args(["check", "-q"]))
    assert (options.jobs, options.cache_max_mb) == (None, 512)  # one per core; 512 MB
