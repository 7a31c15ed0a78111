"""Parse a large block-style YAML document in pieces, each cached by its text, so that a
document that changed in one place is parsed again only there.

The document is cut at the keys of its top-level mapping, and a large entry again at
the keys of its own block mapping (so each ``paths`` entry and each
``components.schemas`` entry is an item of its own). An item is a key's line with all
the lines below it up to the next line at that key's indentation: where a line stands
at an indentation that opens a key, every node of the item above it has ended (a plain
or block scalar continues only on lines indented further than its mapping's keys), and
whatever does not end there (a quoted scalar or a flow collection running over lines)
leaves the item unfinished, so it fails to parse alone. Each item is parsed alone, with
the same loader as the whole document, and must give a mapping of exactly one key whose
key is text. An item that names an alias is parsed after the earlier items that may
define its anchor (siblings at its indentation), and cached under their texts too.
Wherever a cut could be wrong, the caller parses the document whole (``None``): an item
that fails or is not one key, aliases that share a collection or take more than
``ALIASED`` containers from other items all told (the whole parse's limit on alias
expansion counts across items), an anchor the parser finds in two items, a merge key
(``<<``), directives and document markers, tabs, line breaks other than ``\n``, a byte
order mark past the start, keys that repeat.

Items are kept in bundles, cut where an item's text hash says (so an added or changed
item changes one bundle and leaves the others where they were): one cache entry per
bundle of about ``BUNDLE`` items, keyed by the texts of its items. A bundle not in the
cache (or damaged) is parsed again, item by item, and written again.
"""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from typing import Any, Callable

import yaml

# An entry of at least this many characters is cut into the entries of its mapping, down
# to this many levels of keys (top-level keys, their entries, the entries of those).
CUT_MIN_CHARS = 2000
CUT_DEPTH = 3
BUNDLE = 32  # items per cache entry, on average
TAG = "yaml-chunks-2"
_EVENTS = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # only its parser is used
# containers items may take from the items before them by alias, all told, before the
# whole parse judges the document (load.MAX_EXPANDED counts what aliases expand to)
ALIASED = 250_000
NAMESPACE = "parsed"

# Anything here makes the cut unsafe or pointless: the document is parsed whole (a
# carriage return, a tab in an indentation, a directive or a document marker).
_UNSAFE = re.compile(r"\n(?: *\t|---|\.\.\.|%)")
# Characters the loader reads otherwise than the cut would: line breaks other than
# ``\n``, and a byte order mark past the first character (``read_text`` drops that one).
_ODD_CHARACTERS = ("\r", "\x85", "\u2028", "\u2029", "\ufeff")
# The first character of a line that can open a key of a block mapping here: not a
# comment, a sequence entry, a complex key or value, a flow collection, a tag, an anchor
# or alias, a block scalar, a directive, a reserved character, or a merge key (``<<``:
# the whole parse puts what it merges first, and may take it from a sibling).
_KEY_FIRST = r"[^ \n#\-?:\[\]{},!&*|>%@`<]"
_STARTS: dict[int, re.Pattern[str]] = {}
_SHALLOWER: dict[int, re.Pattern[str]] = {}
# The patterns below match from the newline before a line (the text is searched with a
# newline put in front): a literal first character keeps the search fast.
_FIRST_CONTENT = re.compile(r"\n( *)[^ \n#]")

HEAD = "h"  # an entry's own line (``key:``), whose children are items of their own
LEAF = "l"  # an entry parsed as it is


class Unsafe(Exception):
    """The document cannot be cut safely here: parse it whole."""


def _starts(indent: int) -> re.Pattern[str]:
    """A line that may open a key at ``indent`` spaces."""
    pattern = _STARTS.get(indent)
    if pattern is None:
        pattern = _STARTS[indent] = re.compile(r"\n {%d}%s" % (indent, _KEY_FIRST))
    return pattern


def _shallower(indent: int) -> re.Pattern[str]:
    """A line with content (not a comment) at less than ``indent`` spaces."""
    pattern = _SHALLOWER.get(indent)
    if pattern is None:
        pattern = _SHALLOWER[indent] = re.compile(r"\n {0,%d}[^ \n#]" % (indent - 1))
    return pattern


def cut(text: str) -> list[tuple[str, int, str]] | None:
    """The items of ``text`` in order: (kind, depth, text), the depth counting the keys
    above the item's own; or None when the document is not one this can cut."""
    padded = "\n" + text  # every line, the first too, follows a newline
    if any(c in text for c in _ODD_CHARACTERS) or _UNSAFE.search(padded):
        return None
    items: list[tuple[str, int, str]] = []
    if not _entries(padded, 1, len(padded), 0, 0, items):
        return None
    return items


def _entries(text: str, start: int, end: int, indent: int, depth: int, items: list[tuple[str, int, str]]) -> bool:
    """The entries of the block mapping in text[start:end] (whole lines) whose keys stand
    at ``indent``, appended to ``items`` (a large one cut further); False if it does not
    look like one."""
    if indent and _shallower(indent).search(text, start - 1, end - 1):
        return False
    bounds = [m.start() + 1 for m in _starts(indent).finditer(text, start - 1, end - 1)]
    if not bounds:
        return False
    first = _FIRST_CONTENT.search(text, start - 1, end - 1)
    if first is None or first.start() + 1 != bounds[0]:
        return False  # something before the first key that is not a comment
    bounds[0] = start  # blank and comment lines before it go with it
    bounds.append(end)
    for a, b in zip(bounds, bounds[1:]):
        if depth + 1 < CUT_DEPTH and b - a >= CUT_MIN_CHARS and _cut_entry(text, a, b, indent, depth, items):
            continue
        items.append((LEAF, depth, text[a:b]))
    return True


def _cut_entry(text: str, start: int, end: int, indent: int, depth: int, items: list[tuple[str, int, str]]) -> bool:
    """Cut one entry into its head line and its children, if its value is a block
    mapping (else nothing is appended)."""
    line_end = text.find("\n", start, end)
    if line_end < 0:
        return False
    head = text[start:line_end + 1]
    stripped = head.rstrip()
    if not stripped.endswith(":") or " #" in stripped or ": " in stripped.lstrip():
        return False
    first = _FIRST_CONTENT.search(text, line_end, end - 1)
    if first is None:
        return False
    child = len(first.group(1))
    if child <= indent:
        return False
    mark = len(items)
    items.append((HEAD, depth, head))
    if _entries(text, line_end + 1, end, child, depth + 1, items):
        return True
    del items[mark:]
    return False


# What may be an anchor (``&name``, after a space, a line's start or a flow indicator,
# as every anchor is) or an alias (``*name``) in an item's text: more than there are
# (``**bold**``, ``a &b`` in prose), never fewer.
_ANCHOR = re.compile(r"(?:^|(?<=[\s\[{,]))&([^\s\[\]{},]+)", re.MULTILINE)
_ALIAS = re.compile(r"\*([^\s\[\]{},]+)")


def dependencies(items: list[tuple[str, int, str]]) -> list[tuple[int, ...]]:
    """For each item, the earlier items it may take an alias's value from (those that
    define an anchor of a name it names, and theirs in turn), in order: the item is parsed
    after them, and cached under their texts too."""
    anchors: dict[str, list[int]] = {}
    for i, (_, _, item) in enumerate(items):
        if "&" in item:
            for name in set(_ANCHOR.findall(item)):
                anchors.setdefault(name, []).append(i)
    real: dict[int, set[str]] = {}
    for name, where in anchors.items():
        # the whole parse refuses an anchor defined twice: where the pattern sees one name
        # in two items, ask the parser which of them really define it
        if len(where) > 1 and sum(name in real.setdefault(i, _anchors_in(items[i][2])) for i in where) > 1:
            raise Unsafe(f"the anchor {name!r} stands in two items")
    out: list[tuple[int, ...]] = []
    for i, (_, _, item) in enumerate(items):
        found: set[int] = set()
        if "*" in item and anchors:
            for name in set(_ALIAS.findall(item)):
                before = [j for j in anchors.get(name, ()) if j < i]
                if before:
                    found.add(before[-1])
                    found.update(out[before[-1]])
        out.append(tuple(sorted(found)))
    return out


def _anchors_in(item: str) -> set[str]:
    """The anchors an item's text defines, as the YAML parser reads them."""
    try:
        return {e.anchor for e in yaml.parse(item, Loader=_EVENTS)
                if isinstance(e, yaml.NodeEvent) and not isinstance(e, yaml.AliasEvent) and e.anchor}
    except yaml.YAMLError:
        raise Unsafe("an item the parser refuses") from None


def _bundles(items: list[tuple[str, int, str]]) -> list[tuple[int, int]]:
    """(start, stop) of each bundle: a bundle ends after an item whose text's checksum
    says so, so the cuts move with the items, not with their positions."""
    out = []
    start = 0
    for i, (_, _, item) in enumerate(items):
        if zlib.crc32(item.encode("utf-8")) % BUNDLE == 0 or i == len(items) - 1:
            out.append((start, i + 1))
            start = i + 1
    return out


def _bundle_key(texts: list[str]) -> str:
    h = hashlib.sha256(f"{TAG}\0".encode())
    for text in texts:
        h.update(f"{len(text)}\0".encode())
        h.update(text.encode("utf-8"))
    return h.hexdigest()


def _identity(items: list[tuple[str, int, str]], deps: list[tuple[int, ...]], i: int) -> str:
    """What an item's value depends on: its kind, its text and the texts of the items it
    may take aliases from."""
    kind, _, item = items[i]
    return "\0".join([kind, item, *(items[j][2] for j in deps[i])])


def parse_item(kind: str, depth: int, item: str, load: Callable[[str], Any],
               to_json: Callable[[Any, int], tuple[Any, bool]], before: tuple[str, ...] = (),
               aliased: list[int] | None = None) -> list[Any]:
    """[key, value] of one item (a head's value is None), parsed after the items
    ``before`` (which define anchors it may use: siblings at the same indentation);
    Unsafe if it is not one key. ``aliased[0]`` counts the containers items take from
    the items before them: past ALIASED, the whole parse judges (its alias-bomb rule
    counts the whole document, which one item alone cannot)."""
    try:
        data = load("".join(before) + item)
    except Exception as exc:  # noqa: BLE001 - any failure: the whole document says why
        raise Unsafe(str(exc)) from None
    if not isinstance(data, dict) or len(data) != len(before) + 1:
        raise Unsafe("not one key")
    entries = list(data.items())
    key, value = entries[-1]
    if before and aliased is not None:
        aliased[0] += _taken(value, _containers([v for _, v in entries[:-1]]))
        if aliased[0] > ALIASED:
            raise Unsafe("aliases take too much from other items")
    data = {key: value}
    if not isinstance(key, str) or (kind == HEAD and value is not None):
        raise Unsafe("not a text key")
    try:
        converted, shared = to_json(data, depth)
    except Exception as exc:  # noqa: BLE001 - too deep, or no JSON form: the whole document says so
        raise Unsafe(str(exc)) from None
    if shared:
        raise Unsafe("aliases share a collection")
    return [key, converted[key]]


def _containers(roots: list[Any]) -> set[int]:
    """The ids of every dict and list under ``roots``."""
    seen: set[int] = set()
    stack: list[Any] = [roots]
    while stack:
        node = stack.pop()
        if isinstance(node, (dict, list)) and id(node) not in seen:
            seen.add(id(node))
            stack.extend(node.values() if isinstance(node, dict) else node)
    return seen


def _taken(value: Any, theirs: set[int]) -> int:
    """How often ``value`` reaches a container of ``theirs``, each reach counted (as the
    document expands them); Unsafe on a walk too long to finish (a loop of aliases)."""
    count = visits = 0
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, (dict, list)):
            visits += 1
            if visits > 4 * ALIASED:
                raise Unsafe("an item too large to walk")
            count += id(node) in theirs
            stack.extend(node.values() if isinstance(node, dict) else node)
    return count


def assemble(items: list[tuple[str, int, str]], parsed: list[list[Any]]) -> dict[str, Any]:
    """The document from its items' [key, value] pairs; Unsafe where a key repeats."""
    root: dict[str, Any] = {}
    stack = [root]  # the mapping at each depth
    for (kind, depth, _), (key, value) in zip(items, parsed):
        del stack[depth + 1:]
        target = stack[depth]
        if key in target:
            raise Unsafe("a key repeats")
        if kind == HEAD:
            child: dict[str, Any] = {}
            target[key] = child
            stack.append(child)
        else:
            target[key] = value
    return root


def parse(text: str, store: Any, load: Callable[[str], Any],
          to_json: Callable[[Any, int], tuple[Any, bool]]) -> dict[str, Any] | None:
    """The document, from the cached bundles where they are and by parsing the items of
    the others (and caching them); None when the caller must parse it whole."""
    items = cut(text)
    if items is None or len(items) < 2:
        return None
    parsed: list[list[Any]] = []
    aliased = [0]  # containers items took from other items by alias, all told
    try:
        deps = dependencies(items)
        for start, stop in _bundles(items):
            bundle = items[start:stop]
            key = _bundle_key([_identity(items, deps, i) for i in range(start, stop)])
            found = store.get(NAMESPACE, key)
            values = None
            if found is not None:
                try:
                    values = json.loads(found[1])
                except ValueError:
                    values = None
                if not (isinstance(values, list) and len(values) == len(bundle)
                        and all(isinstance(v, list) and len(v) == 2 and isinstance(v[0], str) for v in values)):
                    store.damaged += 1
                    values = None
            if values is None:
                values = [parse_item(kind, depth, item, load, to_json, tuple(items[j][2] for j in deps[i]), aliased)
                          for i, (kind, depth, item) in enumerate(bundle, start)]
                try:
                    body = json.dumps(values, ensure_ascii=False, allow_nan=False).encode("utf-8")
                except (ValueError, TypeError):
                    raise Unsafe("not JSON") from None
                store.put(NAMESPACE, key, {}, body)
            parsed.extend(values)
        return assemble(items, parsed)
    except (Unsafe, RecursionError):
        return None
