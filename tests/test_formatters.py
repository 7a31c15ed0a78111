"""`--formatter ruff` gives the same bytes as black, the formatter of record.

ruff's formatter is black-compatible but not identical: the templates and the docstring
filter emit code on which the two agree (no redundant parentheses, closing quotes of a
long docstring on a line of their own, no docstring ending in a quote), and these tests
hold them to it on every golden tree and on the whole upstream snapshot.
"""

from __future__ import annotations

import dataclasses
import shutil
import sys
from pathlib import Path

import pytest

from generator.errors import UsageError
from generator.format import Formatter
from generator.load import load
from generator.lower import lower
from generator.output import read_tree
from generator.pipeline import Options, build
from generator.render import render
from tests import golden
from tests.snapshot import SNAPSHOT

ROOT = Path(__file__).resolve().parent.parent
HAVE_RUFF = (Path(sys.executable).parent / "ruff").is_file() or shutil.which("ruff") is not None
needs_ruff = pytest.mark.skipif(not HAVE_RUFF, reason="ruff is not installed (the dev extra)")

TREES = [(golden.fragment(),
          ROOT / "generated" / "fine_tuning_client")] + [
    (golden.options(f), f / "golden" / golden.package_name(f)) for f in golden.features()
]


@needs_ruff
@pytest.mark.parametrize("options,tree", TREES, ids=lambda x: getattr(x, "name", ""))
def test_ruff_gives_the_golden_bytes(options: Options, tree: Path, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAS_DATACLASSES_CACHE_DIR", str(tmp_path / "cache"))
    assert build(dataclasses.replace(options, formatter="ruff")) == read_tree(tree)


@pytest.fixture(scope="module")
def snapshot_modules() -> dict[str, str]:
    """The snapshot's modules that go through the formatter, as rendered."""
    if not SNAPSHOT.is_file():
        pytest.skip(f"the upstream snapshot is absent ({SNAPSHOT})")
    rendered = render(lower(load(SNAPSHOT), "openai_snapshot", "OPENAI"), Formatter(use_cache=False).label)
    return {name: text for name, (text, needs_formatting) in rendered.items() if needs_formatting}


@pytest.mark.slow
@needs_ruff
def test_ruff_and_black_agree_on_the_whole_snapshot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   snapshot_modules: dict[str, str]) -> None:
    """The whole package, models and client, as generate makes it: black in pieces with
    worker processes (a minute or more on its 223,000 lines), ruff whole (seconds); and
    ruff in pieces."""
    monkeypatch.setenv("OAS_DATACLASSES_CACHE_DIR", str(tmp_path / "cache"))
    options = Options(SNAPSHOT, tmp_path / "out", "openai_snapshot", use_cache=False)
    ruff = build(dataclasses.replace(options, formatter="ruff"))
    black = build(options)
    assert ruff.keys() == black.keys()
    assert {"models.py", "client.py", "_base_client.py"} <= {Path(name).name for name in black}
    for name in black:
        assert ruff[name] == black[name], name
    for name, text in snapshot_modules.items():
        in_pieces = Formatter(use_cache=False, name="ruff", piecewise=True)._format_in_pieces(text)
        assert in_pieces is not None and in_pieces.encode("utf-8") == black[name], name


@pytest.mark.slow
def test_black_whole_is_black_in_pieces_on_the_whole_snapshot(snapshot_modules: dict[str, str]) -> None:
    """black on each module whole (minutes: models.py is 170,000 lines) gives what
    black gives in pieces."""
    for name, text in snapshot_modules.items():
        whole = Formatter(use_cache=False, piecewise=False).format(text)
        assert Formatter(use_cache=False).format(text) == whole, name


def test_the_cache_key_names_the_formatter_and_its_version() -> None:
    black = Formatter(use_cache=False)
    assert black._key("x = 1\n") == Formatter(use_cache=False)._key("x = 1\n")
    if HAVE_RUFF:
        ruff = Formatter(use_cache=False, name="ruff")
        assert ruff._key("x = 1\n") != black._key("x = 1\n")
        assert ruff.label == black.label  # the header is the same whichever ran


def test_missing_ruff_is_a_clean_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """Chosen by configuration, never by what is installed: no fallback to black."""
    from generator.cli import main

    (tmp_path / "pyproject.toml").write_text('[tool.oas-dataclasses]\nformatter = "ruff"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))  # no ruff on PATH
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))  # nor beside this Python
    code = main(["generate", "--schema", str(ROOT / "tests/features/enums/spec.yaml"), "--out", "out",
                 "--package", "enums_client", "--no-cache"])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: the ruff formatter is configured but ruff is not installed"), err
    assert not (tmp_path / "out").exists()


def test_unknown_formatter_is_refused() -> None:
    with pytest.raises(UsageError):
        Formatter(name="yapf")


def test_a_large_yaml_spec_is_parsed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import load as load_module

    monkeypatch.setenv("OAS_DATACLASSES_CACHE_DIR", str(tmp_path / "cache" / "format"))
    schemas = "".join(f"    S{i}:\n      type: object\n      description: {'x' * 200}\n" for i in range(1200))
    spec = tmp_path / "big.yaml"
    spec.write_text("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n" + schemas)
    first = load_module.load(spec, use_cache=True).data
    parsed: list[str] = []
    real_load = load_module.yaml.load
    monkeypatch.setattr(load_module.yaml, "load", lambda text, Loader: parsed.append(text) or real_load(text, Loader))
    assert load_module.load(spec, use_cache=True).data == first
    assert not parsed
    spec.write_text(spec.read_text().replace("S0:", "T0:"))  # new text: only its piece is parsed again
    assert list(load_module.load(spec, use_cache=True).data["components"]["schemas"])[:2] == ["T0", "S1"]
    assert parsed and len(parsed) < 200 and not any("S600:" in text for text in parsed)


def test_long_union_parameters_get_their_parentheses_from_the_generator() -> None:
    from generator.render import parameter

    long_union = "str | Literal[" + ", ".join(f'"value_{i}"' for i in range(8)) + "]"
    assert parameter("model", long_union) == f"model: ({long_union})"
    assert parameter("model", long_union, "None") == f"model: ({long_union}) = None"
    assert parameter("model", "str | None", "None") == "model: str | None = None"  # fits: as it is
    not_a_union = "list[Literal[" + ", ".join(f'"value_{i}"' for i in range(8)) + "]]"
    assert parameter("tags", not_a_union, "None") == f"tags: {not_a_union} = None"
    # a "|" or a bracket inside a string literal is not a union at the top
    quoted = 'Literal["a|b", "c]|d", \'e\\\'|\', ' + ", ".join(f'"v{i}"' for i in range(12)) + "]"
    assert parameter("q", quoted, "None") == f"q: {quoted} = None"
