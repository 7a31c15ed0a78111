"""A module formatted in pieces gives the bytes of the module formatted whole.

black (and ruff's black-compatible formatter) formats each statement on its own: line
splitting, magic trailing commas and string handling never look past the statement.
What joins statements is the number of blank lines between them, and that depends on
a little context (the line before, whether a ``def`` or ``class`` ended, imports, the
module docstring, comments, ``...`` bodies). So a module can be cut into pieces at the
statement boundaries where that number is known without the context, each piece
formatted (and cached) alone, and the pieces joined with that number of blank lines:

- at the top level, before a ``def``/``class`` (decorated or not): 2 blank lines;
  before a plain statement (an assignment, an expression) that follows a ``def`` or
  ``class``: 2; one that follows a plain statement: what the text had, at most 2; one
  that follows an import: 1, cut only where the text has exactly one; an import or a
  plain statement that follows the module docstring: 1; an import that follows an
  import: what the text had, cut only where that is none or one (so the header and the
  docstring, which change with the spec's hash, are pieces apart from the imports);
- in the body of a large class, before a method (or nested class): 1 blank line; the
  method is formatted inside a one-line stand-in class, ``class _:``, so its
  indentation and line length are those of its place;
- nowhere else: next to a comment, after a function whose body is ``...`` (black keeps
  such stubs together), before an import that follows anything but an import or the
  docstring, before a bare string (a piece must never start with something that would
  be its module docstring), next to ``if``/``for``/``while``/``with``/``try``/``match``:
  there the pieces stay together.

Boundaries are proposed by a cheap scan of the lines (a line at the left margin that
starts like a statement) and each proposed piece is confirmed by parsing it alone
(``ast``): a piece that starts where a statement starts and parses alone also ends where
one ends, since a cut inside a string, a bracket or a continuation leaves it unfinished.
A piece that does not parse is joined with the next one. What a piece holds (its first
and last statement's kinds) comes from that parse, or from the cache where the piece's
formatted text is kept with it, so a piece in the cache is never parsed again.

A module this module cannot cut safely (``# fmt:`` directives, form feeds, carriage
returns, encoding declarations past the top) is formatted whole.
"""

from __future__ import annotations

import ast
import re
import zlib
from dataclasses import dataclass, field
from typing import Callable, NamedTuple

# Kinds of statement, as far as blank lines go.
DEF = "def"  # def, async def, class (decorated or not)
IMPORT = "import"
SIMPLE = "simple"  # an assignment or an expression that is not a bare string
STRING = "string"  # a bare string: a docstring where it stands first
OTHER = "other"  # if, for, while, with, try, match, and whatever else

TOP = "top"  # a piece formatted as a module of its own
MEMBER = "member"  # a piece of a class body, formatted inside WRAPPER
WRAPPER = "class _:\n"
ELEMENT = "element"  # elements of a large list, tuple or import, formatted inside LIST
LIST = ("_ = [\n", "]\n")

# A top-level class at least this long is cut into its methods; a list, tuple or
# import this long, into its elements.
BIG_CLASS_LINES = 300
BIG_COLLECTION_LINES = 300
ELEMENT_RUN = 16  # one-line elements formatted together, on average
# A piece that does not parse takes in the next proposed start this many times one by
# one, then twice as many each time.
LINEAR_TRIES = 64

_SIMPLE = (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Expr, ast.Pass, ast.Delete, ast.Assert,
           ast.Raise, ast.Global, ast.Nonlocal)
_CLAUSES = frozenset({"else", "elif", "except", "finally"})
_STRING_PREFIXES = frozenset({"r", "u", "b", "br", "rb", "f", "fr", "rf", "t", "tr", "rt"})
_WORD = re.compile(r"[^\W\d]\w*")
# black and ruff honour these comments; a module that has them is formatted whole
_DIRECTIVE = re.compile(r"#\s*(?:fmt|yapf)\s*:")
_CODING = re.compile(r"[ \t]*#.*?coding[:=]")
_CODING_MARK = re.compile(r"coding[:=]")


@dataclass(frozen=True)
class Meta:
    """What a piece holds, as far as joining it to its neighbours goes."""

    first: str  # kind of its first statement
    last: str  # kind of its last statement
    stub: bool  # its last line may be a ``def ...: ...`` stub
    one_class: bool = False  # the piece is one class statement
    indent: str = ""  # a one-class piece: the indentation of its body
    collection: bool = False  # one ``NAME = [...]``/``(...)`` or ``from M import (...)`` of plain names

    def to_json(self) -> dict[str, object]:
        return {"first": self.first, "last": self.last, "stub": self.stub, "one_class": self.one_class,
                "indent": self.indent, "collection": self.collection}

    @classmethod
    def from_json(cls, data: object) -> Meta:
        if not isinstance(data, dict):
            raise ValueError("meta is not an object")
        first, last, stub = data.get("first"), data.get("last"), data.get("stub")
        one_class, indent = data.get("one_class", False), data.get("indent", "")
        collection = data.get("collection", False)
        if not (isinstance(first, str) and isinstance(last, str) and isinstance(stub, bool)
                and isinstance(one_class, bool) and isinstance(indent, str) and isinstance(collection, bool)):
            raise ValueError("meta has the wrong shape")
        return cls(first, last, stub, one_class, indent, collection)


class Record(NamedTuple):
    meta: Meta
    formatted: str | None  # None: known to be valid, not formatted alone


# (kind, text) -> the cached record of that piece, if any
Lookup = Callable[[str, str], "Record | None"]


def kind(node: ast.stmt) -> str:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return DEF
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return IMPORT
    if isinstance(node, ast.Expr) and (
        isinstance(node.value, ast.JoinedStr)
        or (isinstance(node.value, ast.Constant) and isinstance(node.value.value, (str, bytes)))
    ):
        return STRING
    if isinstance(node, _SIMPLE):
        return SIMPLE
    return OTHER


def _last_child(node: ast.stmt) -> ast.stmt | None:
    body: list[ast.stmt] = []
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.With, ast.AsyncWith)):
        body = node.body
    elif isinstance(node, (ast.If, ast.For, ast.AsyncFor, ast.While)):
        body = node.orelse or node.body
    elif isinstance(node, (ast.Try, ast.TryStar)):
        body = node.finalbody or node.orelse or (node.handlers[-1].body if node.handlers else node.body)
    elif isinstance(node, ast.Match):
        body = node.cases[-1].body if node.cases else []
    return body[-1] if body else None


def ends_in_stub(node: ast.stmt) -> bool:
    """Whether the last line black emits for ``node`` may be a ``def f(): ...`` (after
    which black keeps a following ``def`` as close as the text had it)."""
    current: ast.stmt | None = node
    while current is not None:
        if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = current.body
            if (len(body) == 1 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                    and body[0].value.value is Ellipsis):
                return True
        current = _last_child(current)
    return False


def _parse(text: str) -> list[ast.stmt] | None:
    try:
        return ast.parse(text).body
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None


def _meta(body: list[ast.stmt], lines: list[str] | None = None) -> Meta:
    first, last = kind(body[0]), kind(body[-1])
    if last == STRING and len(body) > 1:
        last = SIMPLE  # a bare string that is not first is a plain line to black
    one_class = len(body) == 1 and isinstance(body[0], ast.ClassDef)
    indent = ""
    if one_class and lines is not None:
        cls = body[0]
        assert isinstance(cls, ast.ClassDef)
        line = lines[cls.body[0].lineno - 1]
        indent = line[: len(line) - len(line.lstrip(" \t"))]
    return Meta(first, last, ends_in_stub(body[-1]), one_class, indent, len(body) == 1 and _collection(body[0]))


def _collection(node: ast.stmt) -> bool:
    """``NAME = [a, b, ...]`` (or a tuple), or ``from M import (a, b, ...)`` without ``as``."""
    if isinstance(node, ast.Assign):
        return (len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, (ast.List, ast.Tuple)) and len(node.value.elts) >= 2)
    if isinstance(node, ast.ImportFrom):
        return len(node.names) >= 2 and all(alias.asname is None and alias.name != "*" for alias in node.names)
    return False


def analyze(piece_kind: str, text: str) -> Meta | None:
    """The meta of a piece, or None if it does not parse alone (as a module, or as the
    body of a class for a MEMBER)."""
    if piece_kind == TOP:
        body = _parse(text)
        return _meta(body, text.split("\n")) if body else None
    if piece_kind == ELEMENT:
        # whole elements, the last followed by a comma (so that black keeps one a line)
        wrapped = LIST[0] + text + LIST[1]
        body = _parse(wrapped)
        if not body or len(body) != 1 or not isinstance(body[0], ast.Assign):
            return None
        value = body[0].value
        if not isinstance(value, ast.List) or not value.elts:
            return None
        last = value.elts[-1]
        assert last.end_lineno is not None and last.end_col_offset is not None
        line = wrapped.split("\n")[last.end_lineno - 1].encode("utf-8")  # ast counts bytes
        if not line[last.end_col_offset:].lstrip().startswith(b","):
            return None
        return Meta(SIMPLE, SIMPLE, False)
    body = _parse(WRAPPER + text)
    if not body or len(body) != 1 or not isinstance(body[0], ast.ClassDef):
        return None
    return _meta(body[0].body)


def wrap(piece_kind: str, text: str) -> str:
    """The text the formatter formats for a piece: a method inside a stand-in class,
    elements inside a stand-in list, at the indentation and depth of their place."""
    if piece_kind == MEMBER:
        return WRAPPER + text
    if piece_kind == ELEMENT:
        return LIST[0] + text + LIST[1]
    return text


def unwrap(piece_kind: str, formatted: str) -> str | None:
    """The piece's own lines from the formatted stand-in, or None if it changed shape."""
    if piece_kind == MEMBER:
        return formatted[len(WRAPPER):] if formatted.startswith(WRAPPER) else None
    if piece_kind == ELEMENT:
        head, tail = LIST
        ok = formatted.startswith(head) and formatted.endswith(tail) and len(formatted) > len(head) + len(tail)
        return formatted[len(head):-len(tail)] if ok else None
    return formatted


def safe_to_cut(text: str) -> bool:
    """Whether the module holds nothing that makes a cut unsafe (formatter directives,
    form feeds, carriage returns, an encoding declaration past the first two lines)."""
    if "\f" in text or "\r" in text or "\x00" in text:
        return False
    if ("fmt" in text or "yapf" in text) and _DIRECTIVE.search(text):
        return False
    if "coding" in text:
        # only a comment line can declare an encoding: look at the lines that hold the
        # word (scanning every line for a comment is most of the time this takes)
        second = text.find("\n", text.find("\n") + 1)  # the end of the first two lines
        for mark in _CODING_MARK.finditer(text):
            line = text.rfind("\n", 0, mark.start()) + 1
            if 0 <= second < line and _CODING.match(text, line):
                return False
    return True


# ----- the gaps -------------------------------------------------------------------------


def top_gap(a: Meta, b: Meta, blank: int) -> int | None:
    """Blank lines black puts between top-level pieces a and b (``blank`` in the text
    between them), or None where that takes more context than the two kinds."""
    if a.stub:
        return None
    if a.last == STRING:  # a lone string ends a piece only as the module docstring
        return 1 if b.first in (IMPORT, SIMPLE) else None
    if b.first == IMPORT:
        return blank if a.last == IMPORT and blank <= 1 else None
    if b.first == DEF:
        return 2 if a.last in (DEF, SIMPLE, IMPORT) else None
    if b.first != SIMPLE:
        return None
    if a.last == DEF:
        return 2
    if a.last == SIMPLE:
        return min(blank, 2)
    if a.last == IMPORT and blank == 1:
        return 1
    return None


def member_gap(a: Meta, b: Meta) -> int | None:
    """Blank lines between pieces of a class body: 1 before a method or a nested class."""
    if a.stub or b.first != DEF:
        return None
    return 1


# ----- the scan ---------------------------------------------------------------------------


def _blank(line: str) -> bool:
    return not line.strip(" \t")


def _comment(line: str) -> bool:
    return line.lstrip(" \t").startswith("#")


def candidates(lines: list[str], start: int, stop: int, indent: str = "") -> list[int]:
    """Lines in [start, stop) that may start a statement at this indentation: at the top
    level any statement but a bare string or a clause (``else:``); in a class body
    (``indent``) a ``def``, ``class`` or decorator. A decorator's lines and its ``def``
    stay with it. A line after one that ends in ``,``, an open bracket or a backslash
    continues it, so it is not proposed: each proposal that is not a start costs a
    parse (a statement the scan does not propose only makes a piece larger)."""
    found: list[int] = []
    width = len(indent)
    decorated = False
    rows: range | list[int] = range(start, stop)
    if indent:
        # in a class body only these lines are proposed, or change what is: the others
        # are passed over below anyway, so skip them here, at C speed
        heads = tuple(indent + word for word in ("@", "def", "class", "async"))
        rows = [i for i in rows if lines[i].startswith(heads)]
    else:
        # at the top level, the lines the loop below looks at: those that begin with a
        # decorator or a name (most lines of a module are indented)
        rows = [i for i in rows if (lines[i][:1] == "@" or lines[i][:1].isidentifier())]
    for i in rows:
        line = lines[i]
        if indent:
            if not line.startswith(indent) or line[width: width + 1] in (" ", "\t"):
                continue
            rest = line[width:]
        else:
            rest = line
        head = rest[:1]
        if head != "@" and not head.isidentifier():
            continue
        if _continues(lines, i, start):
            continue  # inside a call or a list: not a statement
        if head == "@":
            if not decorated:
                found.append(i)
            decorated = True
            continue
        if not head.isidentifier():
            continue
        match = _WORD.match(rest)
        if match is None:
            continue
        word = match.group()
        if word in ("def", "class", "async"):
            if not decorated:
                found.append(i)
            decorated = False
            continue
        if decorated or indent:
            continue
        if word in _CLAUSES:
            continue
        if word.lower() in _STRING_PREFIXES and rest[len(word): len(word) + 1] in ("'", '"'):
            continue
        found.append(i)
    return found


def _continues(lines: list[str], i: int, start: int) -> bool:
    """Whether the last non-blank line before line i ends as if the statement went on."""
    for k in range(i - 1, start - 1, -1):
        line = lines[k].rstrip()
        if line:
            return line[-1] in ",([{\\"
    return False


# ----- the plan -------------------------------------------------------------------------


@dataclass
class Piece:
    kind: str  # TOP or MEMBER
    start: int  # first line
    stop: int  # one past its last non-blank line
    text: str
    meta: Meta
    formatted: str | None = None  # from the cache, or once formatted
    hit: bool = False  # the cache holds it, formatted (else it is stored once formatted)
    cached: bool = False  # the cache holds it, formatted or not
    parts: list[Piece] = field(default_factory=list)  # a class cut into its methods
    gap: int = 0  # blank lines before it
    # a collection cut into its elements: parts[0] is the statement with two stand-in
    # elements, whose first and last formatted lines frame the formatted elements
    framed: bool = False


class Plan(NamedTuple):
    pieces: list[Piece]  # in order, each with the blank lines before it
    known: list[Piece]  # pieces parsed to find the cuts but formatted only as part of a larger one

    def todo(self) -> list[Piece]:
        """The pieces that need formatting, in order."""
        out: list[Piece] = []
        for piece in self.pieces:
            for part in piece.parts or [piece]:
                if part.formatted is None:
                    out.append(part)
        return out

    def join(self) -> str | None:
        """The module, once every piece of ``todo()`` is formatted (None if a framed
        collection's stand-in came out in another shape: then format it whole)."""
        for piece in self.pieces:
            if piece.parts and piece.formatted is None:
                piece.formatted = _frame(piece.parts) if piece.framed else _join(piece.parts)
                if piece.formatted is None:
                    return None
        return _join(self.pieces)

    def new(self) -> list[Piece]:
        """The pieces the cache does not hold yet (after ``join``)."""
        out = [p for p in self.known if not p.cached]
        for piece in self.pieces:
            out.extend(p for p in piece.parts if not p.hit)
            if not piece.hit:
                out.append(piece)
        return out


def _frame(parts: list[Piece]) -> str | None:
    """A collection from its formatted elements, inside the first and last line black
    gives the statement with two stand-in elements."""
    skeleton = parts[0].formatted
    assert skeleton is not None
    lines = skeleton.split("\n")
    if len(lines) != 5 or lines[4] or lines[1].strip() != "x_," or lines[2].strip() != "y_,":
        return None
    return lines[0] + "\n" + "".join(p.formatted or "" for p in parts[1:]) + lines[3] + "\n"


def _join(pieces: list[Piece]) -> str:
    out: list[str] = []
    for piece in pieces:
        assert piece.formatted is not None
        out.append("\n" * piece.gap + piece.formatted if out else piece.formatted)
    return "".join(out)


class _Lines:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    def stop(self, start: int, before: int) -> int:
        """One past the last non-blank line in [start, before)."""
        while before > start and _blank(self.lines[before - 1]):
            before -= 1
        return before

    def text(self, start: int, stop: int) -> str:
        return "\n".join(self.lines[start:stop]) + "\n"

    def ends_in_comment(self, stop: int) -> bool:
        return _comment(self.lines[stop - 1])


def _piece(piece_kind: str, start: int, stop: int, text: str, record: Record | None, meta: Meta) -> Piece:
    formatted = record.formatted if record is not None else None
    return Piece(piece_kind, start, stop, text, meta, formatted, formatted is not None, record is not None)


def _groups(src: _Lines, starts: list[int], end: int, piece_kind: str, lookup: Lookup, known: list[Piece],
            header: Callable[[Meta], bool] | None = None) -> list[Piece] | None:
    """Cut [starts[0], end) at the proposed starts into pieces that each parse alone.

    A proposal inside a string or a bracket leaves the piece before it unfinished, so
    that piece takes in the next proposals until it parses: one at a time, then (past
    LINEAR_TRIES, a long string of lines that look like statements) 2, 4, 8, ... at a
    time, which may take in a true start too (a larger piece, never a wrong one).
    With ``header``, the first piece is a class statement's head (TOP, checked by
    ``header``) and the rest are MEMBERs of its body. None if the rest never parses."""
    out: list[Piece] = []
    i, n = 0, len(starts)
    while i < n:
        step, j, tries = 1, i, 0
        kind_ = TOP if header is not None and not out else piece_kind
        while True:
            before = starts[j + 1] if j + 1 < n else end
            start = starts[i]
            stop = src.stop(start, before)
            text = src.text(start, stop)
            record = lookup(kind_, text)
            piece: Piece | None = None
            big = kind_ == TOP and header is None and stop - start >= BIG_CLASS_LINES
            if record is not None:
                piece = _piece(kind_, start, stop, text, record, record.meta)
            elif big and j == i:
                # a large class is checked by its parts, not parsed whole: when one of its
                # methods changes, the rest come from the cache and nothing large is parsed
                piece = _split_class(src, start, stop, text, lookup, known)
                big = False  # tried
            if piece is None:
                meta = analyze(kind_, text)
                if meta is not None:
                    if big and meta.one_class:  # a class the scan proposed starts inside
                        piece = _split_class(src, start, stop, text, lookup, known)
                    if (meta.collection and kind_ == TOP and header is None
                            and stop - start >= BIG_COLLECTION_LINES):
                        piece = _split_collection(src, start, stop, text, meta, lookup, known)
                    if piece is None:
                        piece = _piece(kind_, start, stop, text, None, meta)
            if piece is not None and (header is None or out or header(piece.meta)):
                out.append(piece)
                break
            if j + 1 >= n:
                return None
            j = min(n - 1, j + step)
            tries += 1
            if tries >= LINEAR_TRIES:
                step *= 2
        i = j + 1
    return out


def _merge(src: _Lines, run: list[Piece], lookup: Lookup, known: list[Piece]) -> Piece:
    """Pieces that must stay together, as one."""
    if len(run) == 1:
        return run[0]
    known.extend(p for p in run if not p.parts)
    first, last = run[0], run[-1]
    text = src.text(first.start, last.stop)
    record = lookup(first.kind, text)
    # the parts parse alone and end where statements end: so does their sum
    one_class = first.meta.one_class and all(p.kind == MEMBER for p in run[1:])
    meta = Meta(first.meta.first, last.meta.last, last.meta.stub, one_class, first.meta.indent if one_class else "")
    return _piece(first.kind, first.start, last.stop, text, record, record.meta if record is not None else meta)


def _cut(src: _Lines, pieces: list[Piece], gap: Callable[[Meta, Meta, int], int | None],
         lookup: Lookup, known: list[Piece]) -> list[Piece]:
    """Join neighbours whose gap is not known; set each piece's gap."""
    out: list[Piece] = []
    gaps: list[int] = []
    run: list[Piece] = []
    for piece in pieces:
        if run:
            a = run[-1]
            between = None if src.ends_in_comment(a.stop) else gap(a.meta, piece.meta, piece.start - a.stop)
            if between is None:
                run.append(piece)
                continue
            out.append(_merge(src, run, lookup, known))
            gaps.append(between)
        run = [piece]
    if run:
        out.append(_merge(src, run, lookup, known))
    for piece, between in zip(out[1:], gaps):
        piece.gap = between
    return out


_CLASS_LINE = re.compile(r"class\b")
_MEMBER_LINE = re.compile(r"([ \t]+)(?:(?:def|async|class)\b|@)")


def _split_class(src: _Lines, start: int, stop: int, text: str, lookup: Lookup, known: list[Piece]) -> Piece | None:
    """A large class statement as its head and its methods, each parsing alone, or None."""
    lines = src.lines
    head = start
    while head < stop and not _CLASS_LINE.match(lines[head]):
        if not lines[head].startswith("@"):
            return None
        head += 1
    indent = ""
    for i in range(head + 1, stop):
        match = _MEMBER_LINE.match(lines[i])
        if match:
            indent = match.group(1)
            break
    if not indent:
        return None
    starts = candidates(lines, head + 1, stop, indent)
    if not starts:
        return None

    def header(meta: Meta) -> bool:
        return meta.one_class and meta.indent == indent

    parts = _groups(src, [start, *starts], stop, MEMBER, lookup, known, header)
    if parts is None or len(parts) < 2:
        return None
    parts = _cut(src, parts, lambda a, b, blank: member_gap(a, b), lookup, known)
    if len(parts) < 2 or not header(parts[0].meta):
        return None
    # the head is one class whose body is indented as its members, and each member parses
    # in a class body at that indentation: together they are one class statement
    meta = Meta(DEF, DEF, parts[-1].meta.stub, True, indent)
    return Piece(TOP, start, stop, text, meta, parts=parts)


_OPENING = re.compile(r"(?:[^\W\d]\w*\s*=\s*|from\s+\.*[\w.]*\s+import\s*)([\[(])")
_CLOSING = {"[": "]", "(": ")"}


def _split_collection(src: _Lines, start: int, stop: int, text: str, meta: Meta, lookup: Lookup,
                      known: list[Piece]) -> Piece | None:
    """A large ``NAME = [...]``/``(...)`` or ``from M import (...)``, its opening bracket
    ending the first line and its closing one alone on the last, with a comma after each
    element (black's magic trailing comma: one element a line, whatever they are), as
    its elements. Each element's lines are what black gives it inside a stand-in list at
    the same depth; the first and last lines come from the statement with two stand-in
    elements. None for anything else (comments inside, elements sharing lines)."""
    lines = src.lines
    opening = _OPENING.fullmatch(lines[start])
    if opening is None or lines[stop - 1] != _CLOSING[opening.group(1)] or stop - start < 4:
        return None
    second = lines[start + 1]
    indent = second[: len(second) - len(second.lstrip(" \t"))]
    if not indent or any(_comment(lines[i]) for i in range(start + 1, stop - 1)):
        return None
    width = len(indent)
    starts = [start + 1] + [
        i for i in range(start + 2, stop - 1)
        if lines[i].startswith(indent) and lines[i][width:width + 1] not in ("", " ", "\t", ")", "]", "}")
        and lines[i - 1].rstrip().endswith(",")
    ]
    # Elements go in runs (a black call costs about a millisecond, and a name is one
    # line): a run ends after an element of several lines, or where the text of the
    # next element's first lines hashes to 0 mod ELEMENT_RUN. Both depend on the text
    # around the cut, not on its place, so an element added or removed changes one run.
    runs = [starts[0]] + [
        s for k, s in enumerate(starts[1:], 1)
        if s - starts[k - 1] > 2 or zlib.crc32((lines[s] + "\n" + lines[s + 1]).encode()) % ELEMENT_RUN == 0
    ]
    elements = _groups(src, runs, stop - 1, ELEMENT, lookup, known)
    if elements is None or any(p.gap or p.start != q.stop for p, q in zip(elements[1:], elements)):
        return None  # a blank line between elements: black drops it, and so would a cut
    skeleton_text = f"{lines[start]}\n{indent}x_,\n{indent}y_,\n{lines[stop - 1]}\n"
    record = lookup(TOP, skeleton_text)
    skeleton_meta = record.meta if record is not None else analyze(TOP, skeleton_text)
    if skeleton_meta is None:
        return None
    skeleton = _piece(TOP, start, start, skeleton_text, record, skeleton_meta)
    return Piece(TOP, start, stop, text, meta, parts=[skeleton, *elements], framed=True)


def plan(text: str, lookup: Lookup) -> Plan | None:
    """The module's pieces and the blank lines between them, or None when it cannot be
    cut safely or is one piece."""
    if not text.endswith("\n") or not safe_to_cut(text):
        return None
    src = _Lines(text.split("\n"))
    end = len(src.lines)
    starts = [0] + [s for s in candidates(src.lines, 0, end) if s > 0]
    known: list[Piece] = []
    pieces = _groups(src, starts, end, TOP, lookup, known)
    if pieces is None:
        return None
    pieces = _cut(src, pieces, lambda a, b, blank: top_gap(a, b, blank), lookup, known)
    if len(pieces) < 2 and not pieces[0].parts:
        return None
    return Plan(pieces, known)
