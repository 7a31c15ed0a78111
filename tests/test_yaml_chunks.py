"""A large YAML spec parsed in pieces, each cached by its text (generator/yaml_chunks.py),
gives exactly what parsing it whole gives (values and key order), re-parses only the
pieces that changed, and falls back to a whole parse wherever a cut could be wrong."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import load as load_module
from generator import yaml_chunks
from generator.cache import Store
from tests.snapshot import CORPUS, SNAPSHOT

FILE = Path("spec.yaml")


def whole(text: str) -> Any:
    return load_module.parse(text, FILE)


def in_pieces(text: str, store: Store) -> Any:
    return load_module._parse_in_pieces(text, FILE, store)


def same(a: Any, b: Any) -> bool:
    """Equal, key order included."""
    return json.dumps(a) == json.dumps(b)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "cache")


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text the item parser hands to yaml."""
    seen: list[str] = []
    real = yaml.load

    def load(text: str, Loader: Any) -> Any:  # noqa: N803 - yaml's own name
        seen.append(text)
        return real(text, Loader=Loader)

    monkeypatch.setattr(load_module.yaml, "load", load)
    return seen


@pytest.fixture
def cut_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cut every entry, however small, so that small documents exercise every cut."""
    monkeypatch.setattr(yaml_chunks, "CUT_MIN_CHARS", 0)


SPECS = [SNAPSHOT, *sorted(p for p in CORPUS.rglob("*") if p.suffix in (".yaml", ".yml"))]


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name)
def test_every_real_spec_comes_out_as_parsed_whole(path: Path, store: Store) -> None:
    text = load_module.read_text(path)
    expected = whole(text)
    got = in_pieces(text, store)
    if got is None:  # a file of one top-level key has nothing to cut
        assert len(text) < 50_000 and len(yaml_chunks.cut(text) or ()) < 2
        return
    assert same(got, expected)
    assert same(in_pieces(text, store), expected)  # from the cache


def test_the_snapshot_is_cut_into_its_schemas_and_paths() -> None:
    items = yaml_chunks.cut(SNAPSHOT.read_text(encoding="utf-8"))
    assert items is not None
    heads = [text.strip() for kind, _, text in items if kind == yaml_chunks.HEAD]
    assert "paths:" in heads and "components:" in heads and "schemas:" in heads
    assert any(text.startswith("    FineTuningJob:\n") for _, _, text in items)
    assert len(items) > 1000


def test_a_change_parses_only_the_bundle_it_is_in(store: Store, counted: list[str]) -> None:
    text = SNAPSHOT.read_text(encoding="utf-8")
    in_pieces(text, store)
    counted.clear()
    assert same(in_pieces(text, store), whole(text))
    assert len(counted) == 1  # only the whole parse of the comparison: no item parsed
    counted.clear()
    changed = text.replace("The object identifier, which can be referenced in the API endpoints.",
                           "The object identifier, changed.", 1)
    assert changed != text
    got = in_pieces(changed, store)
    parsed = len(counted)
    assert 1 <= parsed <= 6 * yaml_chunks.BUNDLE
    assert sum(len(t) for t in counted) < len(text) // 20
    assert same(got, whole(changed))


def test_an_alias_to_an_anchor_in_another_item_follows_the_anchor(store: Store, cut_everything: None,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The item that uses an alias is cached under the anchor's item too: a change to
    the anchored value reaches it (each item a bundle of its own here)."""
    monkeypatch.setattr(yaml_chunks, "BUNDLE", 1)
    text = ("openapi: 3.1.0\ncomponents:\n  schemas:\n    A:\n      required: &req\n        - id\n"
            "    B:\n      type: object\n    C:\n      required: *req\n")
    assert same(in_pieces(text, store), whole(text))
    changed = text.replace("        - id\n", "        - name\n")
    got = in_pieces(changed, store)
    assert got is not None and got["components"]["schemas"]["C"]["required"] == ["name"]
    assert same(got, whole(changed))


TRICKY = {
    "comments at the margin": "# top\nopenapi: 3.1.0\n# between\npaths:\n  /a:\n    get: {}\n# inside\n  /b:\n    get: {}\n",
    "block scalars, kept and stripped": ("info:\n  description: |+\n    text\n\n\n  title: >-\n    folded\n"
                                          "    text\n\npaths:\n  /a: {}\n"),
    "a plain scalar over lines": "info:\n  description: one\n    two\n  title: t\npaths: {}\n",
    "a quoted scalar over lines, a key inside": 'info:\n  description: "one\n  title: two"\n  x: 1\n',
    "a flow mapping over lines, a key inside": "info:\n  x: {a: 1,\n  b: 2}\n  y: 3\n",
    "a flow sequence at the margin": "a: [1,\nb, 2]\nc: 3\n",
    "a sequence at its key's indentation": "tags:\n- name: a\n- name: b\npaths:\n  /a:\n  - 1\n  /b: {}\n",
    "a repeated key": "a:\n  x: 1\na:\n  y: 2\n",
    "a repeated nested key": "a:\n  x: 1\n  x: 2\n",
    "a number as a key": "200:\n  x: 1\n300:\n  y: 2\n",
    "YAML 1.2 booleans": "a:\n  on: yes\n  off: no\nb:\n  t: true\n",
    "an anchor across indentations": "a:\n  x: &k [1]\nb:\n  c:\n    d: *k\n",
    "an alias of a mapping used twice": "a: &m {x: 1}\nb: *m\nc: *m\n",
    "a merge key": "base:\n  x: &b {p: 1}\nthing:\n  y:\n    <<: *b\n    q: 2\n",
    "a document marker": "---\na: 1\nb: 2\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "a directive": "%YAML 1.1\n---\na: 1\n",
    "a tab in an indentation": "a:\n\tb: 1\n",
    "a tag": "a: !!str 1\nb:\n  c: !!binary aGk=\n",
    "a complex key": "? a\n: 1\nb: 2\n",
    "a top-level sequence": "- a: 1\n- b: 2\n",
    "a scalar document": "just text\n",
    "an empty value": "a:\nb:\n  c:\n",
    "a quoted key": '"a b":\n  x: 1\n\'c\':\n  y: 2\n',
    "a key that looks like a head with a value": "a: # c\n  x: 1\nb: 2\n",
    "a syntax error": "a:\n  b: [1\nc: 2\n",
    "deep nesting": "a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 230)) + "  " * 230 + "v: 1\n",
    "no final newline": "a:\n  x: 1\nb:\n  y: 2",
    "trailing spaces on a head": "a:   \n  x: 1\nb: 2\n",
    "a carriage return": "a:\r\n  x: 1\r\n",
    "a date and a timestamp": "a:\n  d: 2024-01-02\nb:\n  t: 2024-01-02T03:04:05Z\n",
}


@pytest.mark.parametrize("name", TRICKY)
def test_a_tricky_document_comes_out_as_parsed_whole_or_is_parsed_whole(name: str, store: Store,
                                                                         cut_everything: None) -> None:
    text = TRICKY[name]
    try:
        expected = whole(text)
    except Exception:  # noqa: BLE001 - then the pieces must not make a document of it
        assert in_pieces(text, store) is None
        return
    for _ in range(2):  # parsed, then from the cache
        got = in_pieces(text, store)
        assert got is None or same(got, expected), (got, expected)


@pytest.mark.parametrize("name", ["comments at the margin", "block scalars, kept and stripped",
                                  "a plain scalar over lines", "a number as a key", "a quoted key",
                                  "an anchor across indentations", "no final newline"])
def test_what_is_safe_to_cut_is_cut(name: str, store: Store, cut_everything: None) -> None:
    if name in ("a number as a key", "an anchor across indentations"):
        assert in_pieces(TRICKY[name], store) is None  # parsed whole: a key that is not text, an alias
    else:
        assert same(in_pieces(TRICKY[name], store), whole(TRICKY[name]))


def _random_value(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth > 3 or roll < 0.35:
        return rng.choice([
            "plain", "two words", "a: colon", "# not a comment", "- dash", "x" * rng.randint(0, 90),
            "line one\nline two", "  lead", "trail  ", "'quote'", '"dq"', "on", "yes", "null", "1.5", "007",
            "{brace}", "[b]", "*star", "&amp", "!bang", "%pct", "@at", "`tick`", "tab\there", "", " ",
            rng.randint(-5, 5), rng.random(), True, None,
            " ".join(rng.choice(["word", "key:", "- x", "#h", "'", '"', "[", "{"]) for _ in range(rng.randint(1, 40))),
        ])
    if roll < 0.5:
        return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {rng.choice(["a", "b key", "c:", "on", "1", "-d", "e#", "/p/{id}", "x" * 30, f"k{rng.randint(0, 99)}"]):
            _random_value(rng, depth + 1) for _ in range(rng.randint(0, 6))}


@pytest.mark.parametrize("seed", range(6))
def test_random_documents_in_every_style_come_out_as_parsed_whole(seed: int, tmp_path: Path,
                                                                  cut_everything: None) -> None:
    rng = random.Random(seed)
    for n in range(60):
        doc = {f"top{i}": _random_value(rng, 0) for i in range(rng.randint(1, 6))}
        style = rng.choice([None, None, "'", '"', "|", ">"])
        text = yaml.safe_dump(doc, width=rng.choice([20, 40, 80]), indent=rng.choice([2, 4]),
                              default_style=style, default_flow_style=rng.choice([False, False, None]),
                              allow_unicode=True, sort_keys=False)
        store = Store(tmp_path / f"cache-{n}")
        got = in_pieces(text, store)
        assert got is None or same(got, whole(text)), text
        assert got is None or same(in_pieces(text, store), whole(text)), text


def test_a_damaged_bundle_is_parsed_again_and_rewritten(store: Store, counted: list[str],
                                                        cut_everything: None) -> None:
    text = "".join(f"k{i}:\n  v: {i}\n" for i in range(200))
    expected = whole(text)
    assert same(in_pieces(text, store), expected)
    entries = sorted(p for p in (store.root / yaml_chunks.NAMESPACE).rglob("*") if p.is_file())
    assert len(entries) > 1
    entries[0].write_bytes(entries[0].read_bytes()[:-5] + b"xxxxx")  # garbled: the checksum fails
    entries[1].write_bytes(b"")  # truncated
    counted.clear()
    assert same(in_pieces(text, store), expected)
    assert counted  # parsed again
    counted.clear()
    assert same(in_pieces(text, store), expected)
    assert not counted  # and written again


def test_a_bundle_of_the_wrong_shape_is_not_used(store: Store, cut_everything: None) -> None:
    text = "a:\n  x: 1\nb:\n  y: 2\n"
    items = yaml_chunks.cut(text)
    assert items is not None
    for start, stop in yaml_chunks._bundles(items):
        deps = yaml_chunks.dependencies(items)
        key = yaml_chunks._bundle_key([yaml_chunks._identity(items, deps, i) for i in range(start, stop)])
        store.put(yaml_chunks.NAMESPACE, key, {}, b'[["a", 1]]')  # one pair, checksummed, where more belong
    assert same(in_pieces(text, store), whole(text))


def test_aliases_that_expand_past_the_limit_across_items_are_refused_as_whole(
        store: Store, cut_everything: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The alias-bomb limit counts the whole document: items that each stay under it but
    together pass it are not assembled (the whole parse then refuses the document)."""
    monkeypatch.setattr(load_module, "MAX_EXPANDED", 60)
    text = "".join(f"k{i}:\n  a: &x{i} [[1], [2]]\n  b: [{', '.join([f'*x{i}'] * 10)}]\n" for i in range(6))
    with pytest.raises(load_module.SpecError, match="alias"):
        whole(text)
    assert in_pieces(text, store) is None


# ----- found by review: each came out otherwise in pieces than whole -------------------------


def _outcome(parse: Any, text: str) -> Any:
    """The document as JSON text, or the error's message."""
    try:
        return json.dumps(parse(text))
    except load_module.SpecError as exc:
        return f"error: {exc}"


@pytest.mark.parametrize("text", [
    # a merge key takes keys from an anchor in another item, and puts them first
    "a:\n  base: &b {type: object}\npaths:\n  /x:\n    <<: *b\n    summary: s\n",
    "schemas:\n  P0: {type: string}\n  P1: {type: string}\n  <<: {Zed: {type: string}}\n",
    # a byte order mark past the first character is an error whole
    "openapi: 3.1.0\ninfo: {title: t}\n\ufeffcomponents:\n  schemas:\n    A: {type: string}\n",
    # an anchor defined twice is an error whole, in two items too
    "x-a: &a 1\nx-b: &a 2\nx-c: *a\n",
], ids=["merge from another item", "merge key order", "byte order mark", "anchor twice"])
def test_what_only_the_whole_parse_reads_right_is_parsed_whole(text: str, store: Store, cut_everything: None) -> None:
    expected = _outcome(whole, text)
    got = in_pieces(text, store)
    assert got is None or json.dumps(got) == expected


def test_prose_that_looks_like_an_anchor_in_two_items_does_not_stop_the_cut(store: Store,
                                                                          cut_everything: None) -> None:
    # the snapshot's descriptions hold Go code such as `&openai.Param{...}` in many schemas
    text = "a:\n  description: use &openai.Param{} here\nb:\n  description: or &openai.Param{} there\n"
    assert in_pieces(text, store) == whole(text)


def test_one_alias_an_item_across_many_items_counts_toward_the_limit(store: Store, cut_everything: None,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml_chunks, "ALIASED", 100)
    text = "a: &a [" + ", ".join(["{}"] * 20) + "]\n" + "".join(f"k{i}: *a\n" for i in range(10))
    assert in_pieces(text, store) is None  # 10 items take 21 containers each: past 100
    monkeypatch.setattr(yaml_chunks, "ALIASED", 1000)
    assert same(in_pieces(text, store), whole(text))
