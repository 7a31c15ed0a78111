"""A module formatted in pieces gives the bytes of the module formatted whole, with black
and with ruff: on random modules built from the statements that make blank lines hard
(imports, docstrings, comments, stubs, decorators, clauses, strings whose lines look like
statements), on every golden tree, and (in test_formatters.py) on the whole snapshot."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import pieces
from generator.format import Formatter
from generator.load import load
from generator.lower import lower
from generator.output import read_tree
from generator.pipeline import Options
from generator.render import render
from tests import golden

ROOT = Path(__file__).resolve().parent.parent
HAVE_RUFF = (Path(sys.executable).parent / "ruff").is_file() or shutil.which("ruff") is not None
FORMATTERS = ["black", "ruff"] if HAVE_RUFF else ["black"]


def whole(text: str, name: str) -> str:
    return Formatter(use_cache=False, name=name, piecewise=False).format(text)


def in_pieces(text: str, name: str) -> str:
    formatter = Formatter(use_cache=False, name=name, piecewise=True, jobs=1)
    out = formatter._format_in_pieces(text)
    assert out is not None, "the module was not cut"
    return out


# ----- random modules ---------------------------------------------------------------------

TOP = [
    "import os",
    "from typing import (\n    Any,\n    Literal,\n)",
    "X = 1",
    "Y: int = 2",
    "Z = [\n    1,\n    2,\n]",
    "W = {'a': 1,}",  # a magic trailing comma
    'A = int\n"""Alias doc.\n\nclass of lines that\nimport like statements\nelse:\n"""',
    'S = """\ndef not_a_def():\n    pass\n@decorator\n"""',
    "def f(a,):\n    return a",
    "def g(): ...",
    "async def h():\n    pass",
    "def k():\n    x = 1\n    # a comment closing the body",
    "@decorator(\n    slots=True,\n)\nclass C:\n    x: int",
    "@decorator\ndef d(): ...",
    "class D:\n    '''Doc.'''",
    "class E:\n    def m(self): ...",
    "class F:\n    def m(self):\n        return 1\n\n\n\n    def n(self): ...",
    "# a comment",
    "if TYPE_CHECKING:\n    import x\nelse:\n    x = None",
    "if True:\n    def inner(): ...",
    "try:\n    pass\nexcept ValueError:\n    pass\nfinally:\n    pass",
    'f"an {f!r} string"',
    '"""A bare string."""',
    "x = 1; y = 2",
    "print('hi')",
    "for i in []:\n    pass\nelse:\n    pass",
    "t = (\n    1\n)",
    "rb'bytes'",
    "V = f(1,\nk=2)",  # a template's call continued at the margin
    "U = [1,\nclass_ := 2]",
]
BLANK = ["", "\n", "\n\n", "\n\n\n", "\n  \n", "\n\n\n\n"]


@st.composite
def modules(draw: st.DrawFn) -> str:
    head = draw(st.sampled_from(["", "# header\n", "# header\n# two\n"]))
    doc = draw(st.sampled_from(["", '"""Module doc."""\n', '"""Module doc."""\n\n', '"""Module doc.\n\nMore.\n"""\n\n',
                                '"""Module doc."""\n\n\n']))
    body = draw(st.lists(st.tuples(st.sampled_from(TOP), st.sampled_from(BLANK)), min_size=2, max_size=12))
    return head + doc + "".join(stmt + "\n" + gap for stmt, gap in body)


@pytest.mark.parametrize("name", FORMATTERS)
@settings(max_examples=150, deadline=None, derandomize=True)
@given(text=modules())
def test_random_modules_in_pieces_are_the_whole(name: str, text: str) -> None:
    expected = whole(text, name)
    plan = pieces.plan(text, lambda kind, t: None)
    if plan is not None:
        assert in_pieces(text, name) == expected


METHODS = [
    "    def m(self):\n        return 1",
    "    def s(self): ...",
    "    @property\n    def p(self) -> int:\n        return 1",
    "    @decorator(\n        x=1,\n    )\n    async def a(self):\n        pass",
    "    x: int = 1",
    "    # a comment",
    '    """A string."""',
    "    class Inner:\n        y = 2",
    "    def long(self, aaaaaaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbbbbbbbbbb, cccccccccccccccccccccc, ddddd):\n        pass",
    "    def t(self):\n        s = '''\n    def fake(self):\n'''\n        return s",
    "    def c(self):\n        return f(1,\nk=2,\n    def_=3)",
]


@st.composite
def classes(draw: st.DrawFn) -> str:
    first = draw(st.sampled_from(['    """Class doc."""', "    x: int", "    def first(self): ...", "    pass"]))
    body = draw(st.lists(st.tuples(st.sampled_from(METHODS), st.sampled_from(BLANK)), min_size=3, max_size=10))
    after = draw(st.sampled_from(["", "\nX = 1\n", "\n\n\ndef f(): ...\n", '\n"""A bare string after."""\n']))
    deco = draw(st.sampled_from(["", "@dataclass\n"]))
    return "import x\n\n" + deco + "class Big(Base):\n" + first + "\n" + "".join(
        m + "\n" + gap for m, gap in body) + after


@pytest.mark.parametrize("name", FORMATTERS)
@settings(max_examples=100, deadline=None, derandomize=True)
@given(text=classes())
def test_random_large_classes_cut_into_methods_are_the_whole(name: str, text: str) -> None:
    expected = whole(text, name)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pieces, "BIG_CLASS_LINES", 4)
        if pieces.plan(text, lambda kind, t: None) is not None:
            assert in_pieces(text, name) == expected


ELEMENTS = [
    "'a'",
    "b",
    "'a long string element that by itself is longer than the line may be, more than 88 columns'",
    "f(\n        1,\n        2,\n    )",
    "f(1, 2)",
    "{'k': [1,2,], 'v': (3,)}",
    "_testing.Operation(\n        name='x',\n        path='/a/{id}',\n        params={'id': 'path'},\n    )",
    "(1,\n2)",
    "[\n    1, 2\n    ]",
    "g(aaaaaaaaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbbbbbbbbbbb, ccccccccccccccccccccccccc, ddddddddddddddddddd)",
    "x  # a comment",
]


@st.composite
def collections(draw: st.DrawFn) -> str:
    form = draw(st.sampled_from(["list", "tuple", "import"]))
    if form == "import":
        names = draw(st.lists(st.sampled_from(["A", "B", "Cee", "dd", "E_f"]), min_size=2, max_size=30))
        elements = names
        head, close = "from .models import (", ")"
    else:
        elements = draw(st.lists(st.sampled_from(ELEMENTS), min_size=2, max_size=30))
        head, close = ("X = [", "]") if form == "list" else ("_OPS = (", ")")
    last_comma = draw(st.sampled_from([",", ",", ""]))  # without it black may join the lines
    blank = draw(st.sampled_from(["", "", "\n"]))
    def line(element: str, comma: str) -> str:
        code, sep, comment = element.partition("  #")
        return f"    {code}{comma}{sep}{comment}\n"

    body = "".join(line(e, ",") + (blank if i == 3 else "") for i, e in enumerate(elements[:-1]))
    body += line(elements[-1], last_comma)
    after = draw(st.sampled_from(["", "\n\nY = 1\n", "\n\n\ndef f(): pass\n"]))
    return "import os\n\n" + head + "\n" + body + close + "\n" + after


@pytest.mark.parametrize("name", FORMATTERS)
@settings(max_examples=100, deadline=None, derandomize=True)
@given(text=collections())
def test_random_large_collections_cut_into_elements_are_the_whole(name: str, text: str) -> None:
    expected = whole(text, name)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pieces, "BIG_COLLECTION_LINES", 3)
        patch.setattr(pieces, "ELEMENT_RUN", 2)
        if pieces.plan(text, lambda kind, t: None) is not None:
            assert in_pieces(text, name) == expected


def test_a_large_list_is_cut_into_runs_of_elements(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pieces, "BIG_COLLECTION_LINES", 3)
    names = [f"'Name{i}'" for i in range(200)]
    text = "import os\n\n__all__ = [\n" + "".join(f"    {n},\n" for n in names) + "]\n"
    plan = pieces.plan(text, lambda kind, t: None)
    assert plan is not None
    framed = plan.pieces[-1]
    assert framed.framed and framed.parts[0].text == "__all__ = [\n    x_,\n    y_,\n]\n"
    runs = framed.parts[1:]
    assert 200 // pieces.ELEMENT_RUN // 3 < len(runs) < 200 // pieces.ELEMENT_RUN * 3
    assert "".join(r.text for r in runs) == "".join(f"    {n},\n" for n in names)
    assert in_pieces(text, "black") == whole(text, "black")
    # one name more changes one run: the others come from the cache
    changed = text.replace("    'Name100',\n", "    'Name100',\n    'Inserted',\n")
    again = pieces.plan(changed, lambda kind, t: None)
    assert again is not None
    before, after = {r.text for r in runs}, {r.text for r in again.pieces[-1].parts[1:]}
    assert len(after - before) == 1


@pytest.mark.parametrize("body", [
    "    'a',\n    # a comment\n    'b',\n",  # a comment inside: whole
    "    'a',\n    'b'\n",  # no magic trailing comma: black may join the lines
    "    'a',\n    'b'  # ,\n",  # nor here
])
def test_collections_that_stay_whole(body: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pieces, "BIG_COLLECTION_LINES", 3)
    text = "import os\n\nX = [\n" + body + "]\n"
    plan = pieces.plan(text, lambda kind, t: None)
    assert plan is not None and not plan.pieces[-1].framed


# ----- what gets cut, and what does not ------------------------------------------------


def test_a_class_larger_than_the_limit_is_cut_into_its_methods(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pieces, "BIG_CLASS_LINES", 4)
    text = ("class A:\n    '''Doc.'''\n\n    def a(self):\n        return 1\n\n    @property\n    def b(self):\n"
            "        return 2\n\n    def c(self): ...\n    def d(self): ...\n")
    plan = pieces.plan(text, lambda kind, t: None)
    assert plan is not None and len(plan.pieces) == 1
    parts = plan.pieces[0].parts
    # the stub keeps its neighbour (black keeps them together)
    assert [p.text.split("\n")[-2].strip() for p in parts] == ["'''Doc.'''", "return 1", "return 2",
                                                             "def d(self): ..."]
    assert [p.kind for p in parts] == [pieces.TOP, pieces.MEMBER, pieces.MEMBER, pieces.MEMBER]
    assert in_pieces(text, "black") == whole(text, "black")


def test_statements_that_need_their_neighbours_stay_with_them() -> None:
    text = ('"""Doc."""\nimport a\nimport b\n\n\nX = 1\n# about Y\nY = 2\n\n\nclass C:\n    pass\n'
            "def s(): ...\ndef t(): ...\n")
    plan = pieces.plan(text, lambda kind, t: None)
    assert plan is not None
    firsts = [p.text.split("\n")[0] for p in plan.pieces]
    # one blank line after the docstring whatever the text has; a statement two lines
    # after an import stays with it (black puts one there); a comment holds to both
    # sides; a stub holds the next def
    assert firsts == ['"""Doc."""', "import a", "import b", "class C:", "def s(): ..."]
    assert [p.gap for p in plan.pieces] == [0, 1, 0, 2, 2]
    text = '"""Doc."""\n\nimport a\n\nimport b\nX = 1\n'
    plan = pieces.plan(text, lambda kind, t: None)
    assert plan is not None
    assert [(p.text, p.gap) for p in plan.pieces] == [('"""Doc."""\n', 0), ("import a\n", 1), ("import b\nX = 1\n", 1)]


def test_a_clause_is_not_a_cut_and_its_statement_is_one_piece() -> None:
    text = "if a:\n    x = 1\nelse:\n    x = 2\n\n\ndef f():\n    pass\n\n\ndef g():\n    pass\n"
    plan = pieces.plan(text, lambda kind, t: None)
    assert plan is not None
    assert [p.text.split("\n")[0] for p in plan.pieces] == ["if a:", "def g():"]  # after `if`: no cut


def test_a_line_that_continues_a_call_is_not_proposed(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = "x = f(a,\nb=1)\n\n\ndef g():\n    pass\nclass C:\n    def m(self):\n        return f(1,\nk=2,\n    def_=3)\n".split("\n")
    assert pieces.candidates(lines, 0, len(lines)) == [0, 4, 6]
    assert pieces.candidates(lines, 7, len(lines), "    ") == [7]
    monkeypatch.setattr(pieces, "BIG_CLASS_LINES", 4)
    text = "class C:\n    x = 1\n\n    def m(self):\n        return f(1,\nk=2)\n\n    def n(self):\n        pass\n"
    plan = pieces.plan(text, lambda kind, t: None)
    assert plan is not None and len(plan.pieces[0].parts) == 3
    assert in_pieces(text, "black") == whole(text, "black")


def test_a_line_that_looks_like_a_statement_inside_a_string_is_not_a_cut() -> None:
    text = 'A = """\nclass B:\ndef c():\n"""\n\n\nD = 1\n'
    plan = pieces.plan(text, lambda kind, t: None)
    assert plan is not None
    assert [p.text for p in plan.pieces] == ['A = """\nclass B:\ndef c():\n"""\n', "D = 1\n"]


@pytest.mark.parametrize("text", [
    "x = 1\n# fmt: off\ny = [1,2]\n# fmt: on\nz = 3\n",
    "x = 1\ny = [1,2]  # fmt: skip\n",
    "x = 1\r\ny = 2\r\n",
    "x = 1\n\x0c\ny = 2\n",
    "x = 1\ny = 2\n\n# -*- coding: latin-1 -*-\nz = 3\n",
    "x = 1\n",  # one piece: nothing to gain
    "if a:\n    pass\nelse:\n    pass\nwhile b:\n    pass\n",  # no safe cut
])
def test_modules_that_are_formatted_whole(text: str) -> None:
    assert pieces.plan(text, lambda kind, t: None) is None


def test_a_module_that_does_not_parse_is_formatted_whole() -> None:
    assert pieces.plan("x = 1\n\n\ndef f(:\n    pass\n", lambda kind, t: None) is None


# ----- the golden trees -----------------------------------------------------------------

TREES = [("generated", golden.fragment(), ROOT / "generated" / "fine_tuning_client")] + [
    (f.name, golden.options(f), f / "golden" / golden.package_name(f)) for f in golden.features()
]


def _modules(options: Options) -> dict[str, str]:
    spec = load(options.schema, ref_map=options.ref_map)
    package = lower(spec, options.package, options.env_prefix, options.client_options, options.example_extensions)
    rendered = render(package, Formatter(use_cache=False).label, options.templates)
    return {name: text for name, (text, needs_formatting) in rendered.items() if needs_formatting}


@pytest.mark.parametrize("tree", TREES, ids=lambda t: t[0])
def test_black_whole_gives_the_golden_bytes(tree: tuple[str, Options, Path]) -> None:
    """test_golden.py builds every tree in pieces and finds the golden bytes; here black
    formats each module whole and finds them too: so pieces give black's whole bytes."""
    _, options, folder = tree
    files = read_tree(folder)
    for name, text in _modules(options).items():
        assert whole(text, "black").encode("utf-8") == files[name], name


@pytest.mark.skipif(not HAVE_RUFF, reason="ruff is not installed (the dev extra)")
@pytest.mark.parametrize("tree", TREES, ids=lambda t: t[0])
def test_ruff_in_pieces_is_ruff_whole_on_every_golden_tree(tree: tuple[str, Options, Path]) -> None:
    _, options, _ = tree
    for name, text in _modules(options).items():
        assert in_pieces(text, "ruff") == whole(text, "ruff"), name


def test_in_a_class_body_only_methods_and_their_decorators_are_proposed() -> None:
    body = [
        "class C:",
        "    x = 1",  # an assignment: not proposed in a class body
        "    @property",  # a decorator: proposed, and its def stays with it
        "    @other",
        "    def a(self):",
        "        pass",
        "    async def b(self):",
        "        def inner():",  # deeper: not this body's
        "            pass",
        "    class Nested:",
        "        pass",
        "    define = 2",  # starts like `def`, is not one
        "    asyncio_thing = 3",
        "    y = f(1,",
        "    def_=2)",  # continues a call
        "\tdef t(self):",  # a tab: not this indentation
        "    @deco",
        "    def c(self):",
        "        pass",
    ]
    assert pieces.candidates(body, 1, len(body), "    ") == [2, 6, 9, 16]


@pytest.mark.parametrize(("text", "safe"), [
    ("# -*- coding: latin-1 -*-\nx = 1\n", True),  # on the first two lines: black reads it there
    ("#!/usr/bin/env python\n# coding=utf-8\nx = 1\n", True),
    ("x = 1\ny = 2\n    # vim: set fileencoding=utf-8 :\n", False),  # a comment past them, indented too
    ("x = 1\ny = 2\nz = 'coding: not a comment'\nw = open(p, encoding='utf-8')\n", True),
    ("x = 1\ny = 2\nz = 3  # coding: a comment after code\n", True),
])
def test_an_encoding_comment_past_the_top_makes_a_module_whole(text: str, safe: bool) -> None:
    assert pieces.safe_to_cut(text) is safe
