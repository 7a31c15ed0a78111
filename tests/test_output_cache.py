"""The whole output kept under what it was made from (generator/output_cache.py): a run
where nothing changed skips lowering, rendering and formatting and gives the same bytes
and the same warnings; a change to any input (a file a $ref reaches, an option, a
template, the generator itself) is a miss; a damaged entry, or one naming a module the
cache dropped, is a miss and is written again."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from generator import output_cache, pipeline
from generator.cache import Store
from generator.errors import SpecError
from generator.pipeline import Options, build

SPEC = """openapi: 3.1.0
info: {title: T, version: '1'}
paths:
  /things/{id}:
    get:
      operationId: getThing
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: 'other.yaml#/components/schemas/Thing'}
  /quiet:
    delete:
      operationId: quiet
components:
  schemas:
    Local:
      type: object
      properties:
        a: {type: string}
"""

OTHER = """components:
  schemas:
    Thing:
      type: object
      properties:
        name: {type: string, description: The name.}
"""


@pytest.fixture
def spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OAS_DATACLASSES_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "spec"
    folder.mkdir()
    (folder / "other.yaml").write_text(OTHER, encoding="utf-8")
    path = folder / "spec.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


@pytest.fixture
def lowered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The package name of every lowering."""
    calls: list[str] = []
    real = pipeline.lower

    def lower(spec: Any, package: str, *args: Any) -> Any:
        calls.append(package)
        return real(spec, package, *args)

    monkeypatch.setattr(pipeline, "lower", lower)
    return calls


def options(spec: Path, **changes: Any) -> Options:
    return Options(**{"schema": spec, "out": spec.parent / "out", "package": "pkg", "formatter": "ruff", **changes})


def test_nothing_changed_gives_the_same_bytes_without_lowering(spec: Path, lowered: list[str]) -> None:
    first = build(options(spec))
    assert lowered == ["pkg"]
    assert build(options(spec)) == first
    assert lowered == ["pkg"]
    assert build(options(spec, use_cache=False)) == first  # what a run without the cache makes


def test_a_change_to_a_file_a_ref_reaches_is_a_miss(spec: Path, lowered: list[str]) -> None:
    first = build(options(spec))
    other = spec.parent / "other.yaml"
    other.write_text(OTHER.replace("The name.", "The thing's name."), encoding="utf-8")
    second = build(options(spec))
    assert len(lowered) == 2 and second != first
    assert b"The thing's name." in second["models.py"]
    assert second == build(options(spec, use_cache=False))
    other.unlink()
    with pytest.raises(SpecError, match="does not exist"):
        build(options(spec))


@pytest.mark.parametrize("change", [
    {"package": "other"},
    {"env_prefix": "THING"},
    {"client_options": (("org", "X-Org", "THING_ORG"),)},
    {"strict_spec": True},
])
def test_an_option_that_reaches_the_output_is_in_the_key(spec: Path, lowered: list[str],
                                                         change: dict[str, Any]) -> None:
    build(options(spec))
    try:
        build(options(spec, **change))
    except SpecError:
        pass  # --strict-spec: the warning is an error, and nothing is kept
    assert len(lowered) == 2
    build(options(spec, jobs=1, out=spec.parent / "elsewhere", cache_max_mb=100))  # these do not
    assert len(lowered) == 2


def test_every_option_is_in_the_key_or_said_not_to_reach_the_output(spec: Path) -> None:
    # an option added to Options without a word here would let a kept output go stale
    import dataclasses

    in_key = set(pipeline._output_inputs(options(spec)))
    elsewhere = {"schema"}  # its text, resolved path and name are keyed on their own
    not_output = {"out", "use_cache", "jobs", "cache_max_mb"}  # where it goes and how it is made
    assert {f.name for f in dataclasses.fields(Options)} == in_key | elsewhere | not_output


def test_a_template_override_and_the_generator_are_in_the_key(spec: Path, lowered: list[str], tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "README.md").write_text("one\n", encoding="utf-8")
    assert build(options(spec, templates=templates))["README.md"] == b"one\n"
    (templates / "README.md").write_text("two\n", encoding="utf-8")
    assert build(options(spec, templates=templates))["README.md"] == b"two\n"
    assert len(lowered) == 2
    monkeypatch.setattr(output_cache, "_FINGERPRINT", ["an edited generator"])
    build(options(spec, templates=templates))
    assert len(lowered) == 3


def test_the_warnings_of_a_kept_output_are_given_again(spec: Path, lowered: list[str],
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    build(options(spec))
    first = capsys.readouterr().err
    assert "the operation has no responses" in first
    build(options(spec))
    assert capsys.readouterr().err == first and len(lowered) == 1


def _entries(spec: Path, namespace: str) -> list[Path]:
    return [p for p in (spec.parent.parent / "cache" / namespace).rglob("*") if p.is_file()]


def test_a_damaged_entry_is_a_miss_and_is_written_again(spec: Path, lowered: list[str]) -> None:
    first = build(options(spec))
    (entry,) = _entries(spec, output_cache.NAMESPACE)
    data = entry.read_bytes()
    for damaged in (data[: len(data) // 2], data.replace(b'"read"', b'"rea"'), b""):
        entry.write_bytes(damaged)
        assert build(options(spec)) == first
    assert len(lowered) == 4
    assert build(options(spec)) == first
    assert len(lowered) == 4  # written again whole
    # checksummed, yet not the shape an entry has
    store = Store(spec.parent.parent / "cache")
    store.put(output_cache.NAMESPACE, entry.name, {"read": [], "files": [["models.py", "elsewhere", 0]],
                                                   "warnings": []}, b"")
    assert build(options(spec)) == first
    assert len(lowered) == 5


def test_an_entry_whose_modules_the_cache_dropped_is_a_miss(spec: Path, lowered: list[str]) -> None:
    first = build(options(spec))
    shutil.rmtree(spec.parent.parent / "cache" / "format")
    assert build(options(spec)) == first
    assert len(lowered) == 2


def test_a_build_leaves_the_collector_as_it_found_it(spec: Path) -> None:
    """The spec is kept out of full collections during the run (gc.freeze), and let go
    after; a caller that froze objects itself keeps them frozen."""
    import gc

    assert gc.get_freeze_count() == 0
    build(options(spec, use_cache=False))
    assert gc.get_freeze_count() == 0
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        build(options(spec, use_cache=False))
        assert gc.get_freeze_count() > frozen // 2  # still frozen (a few may have been freed)
    finally:
        gc.unfreeze()


def test_a_ref_through_a_link_that_now_points_elsewhere_is_a_miss(spec: Path, lowered: list[str]) -> None:
    other = spec.parent / "other.yaml"
    for version, text in (("v1", OTHER), ("v2", OTHER.replace("The name.", "The second name."))):
        (spec.parent / version).mkdir()
        (spec.parent / version / "other.yaml").write_text(text, encoding="utf-8")
    other.unlink()
    other.symlink_to(spec.parent / "v1" / "other.yaml")
    assert b"The name." in build(options(spec))["models.py"]
    other.unlink()
    other.symlink_to(spec.parent / "v2" / "other.yaml")  # v1 is still there, unchanged
    assert b"The second name." in build(options(spec))["models.py"]
    assert len(lowered) == 2


def test_what_the_renderer_cannot_read_in_a_template_folder_does_not_stop_a_kept_run(
        spec: Path, lowered: list[str], tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "README.md").write_text("one\n", encoding="utf-8")
    (templates / "notes.txt").symlink_to(tmp_path / "nowhere")  # a dangling link
    first = build(options(spec, templates=templates))
    assert build(options(spec, templates=templates)) == first and len(lowered) == 1
