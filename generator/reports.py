"""What ``changes`` prints, the accept file, and the gate.

Formats: ``text`` (for a terminal), ``json`` (for machines), ``markdown`` (a
pull-request comment: a summary line, then a table per tier) and ``github`` (workflow
commands that annotate the new spec's lines). An accept file is a YAML list of reviewed
changes, ``- {subject: ..., tier: ..., reason: ..., side: ...}`` (``side`` optional);
an entry matches the changes with that subject and tier (and side): they are reported
as accepted and do not fail the gate. An entry that matches nothing is a warning.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .changes import ADDITIVE, BOTH, BREAKING, PACKAGE, REQUEST, RESPONSE, RISK, TIERS, Change, Report
from .errors import SpecError, join_pointer, printable

FORMATS = ("text", "json", "markdown", "github")
SIDES = (REQUEST, RESPONSE, BOTH, PACKAGE)
TITLES = {BREAKING: "Breaking", RISK: "Risk", ADDITIVE: "Additive"}
# what each tier means, for the reports that explain themselves
MEANING = {
    BREAKING: "code written against the old package fails (imports, signatures, attribute types)",
    RISK: "no annotation changes, but the old package's strict decoding rejects responses the new spec allows",
    ADDITIVE: "new operations, models, optional fields and arguments, widened requests, deprecations",
}


# ----- the accept file ----------------------------------------------------------------


@dataclass(frozen=True)
class Acceptance:
    """One reviewed change of an accept file."""

    pointer: str  # where it stands in the file: /3
    subject: str
    tier: str
    reason: str
    side: str | None = None

    def matches(self, change: Change) -> bool:
        return (change.subject == self.subject and change.tier == self.tier
                and (self.side is None or change.side == self.side))


def read_accept(path: Path) -> list[Acceptance]:
    """The entries of an accept file; a file that is not one is bad input naming the
    file and the pointer (or line) of what is wrong."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(file, None, "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(file, None, f"cannot read the accept file: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        pos = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SpecError(file, None, f"{pos}invalid YAML: {problem}") from None
    if data is None:
        return []
    if not isinstance(data, list):
        raise SpecError(file, "", "an accept file is a list of {subject, tier, reason} entries")
    out: list[Acceptance] = []
    for i, entry in enumerate(data):
        where = join_pointer("", i)
        if not isinstance(entry, dict):
            raise SpecError(file, where, "an entry is a mapping with subject, tier and reason")
        unknown = sorted(str(k) for k in entry if k not in ("subject", "tier", "reason", "side"))
        if unknown:
            raise SpecError(file, where, f"unknown key(s) {', '.join(unknown)} (expected subject, tier, reason, side)")
        for key in ("subject", "tier", "reason"):
            value = entry.get(key)
            if not isinstance(value, str) or not value.strip():
                raise SpecError(file, join_pointer(where, key), f"{key} is required and must be a non-empty string")
        if entry["tier"] not in TIERS:
            raise SpecError(file, join_pointer(where, "tier"),
                            f"{entry['tier']!r} is not a tier (expected one of {', '.join(TIERS)})")
        side = entry.get("side")
        if side is not None and side not in SIDES:
            raise SpecError(file, join_pointer(where, "side"),
                            f"{side!r} is not a side (expected one of {', '.join(SIDES)})")
        out.append(Acceptance(where, entry["subject"], entry["tier"], entry["reason"], side))
    return out


def accept(report: Report, entries: list[Acceptance], file: str) -> tuple[Report, list[str]]:
    """The report with the changes the entries cover marked accepted, and a warning for
    each entry that covers nothing."""
    used: set[str] = set()
    changes: list[Change] = []
    for change in report.changes:
        hit = next((e for e in entries if e.matches(change)), None)
        if hit is not None:
            used.add(hit.pointer)
            change = dataclasses.replace(change, accepted=hit.reason)
        changes.append(change)
    warnings = [
        printable(f"warning: {file}: {e.pointer}: accepts nothing: no {e.tier} change to {e.subject}"
                  + (f" on the {e.side} side" if e.side else ""))
        for e in entries if e.pointer not in used
    ]
    return dataclasses.replace(report, changes=tuple(changes)), warnings


# ----- formats ---------------------------------------------------------------------


def summary(report: Report) -> str:
    """``1 breaking, 0 risk and 2 additive changes (3 accepted) between OLD and NEW: breaking.``"""
    if not report.changes:
        return f"No changes to the generated package between {report.old_label} and {report.new_label}."
    counts = [len(report.tier(t)) for t in TIERS]
    accepted = f" ({len(report.accepted)} accepted)" if report.accepted else ""
    total = sum(counts)
    return (f"{counts[0]} breaking, {counts[1]} risk and {counts[2]} additive change{'s' if total != 1 else ''}"
            f"{accepted} between {report.old_label} and {report.new_label}: {report.verdict}.")


def _spec(change: Change) -> str:
    o, n = change.old_pointer, change.new_pointer
    if o is None and n is None:
        return ""
    if o is None:
        return f"{n} (new)"
    if n is None:
        return f"{o} (old)"
    return n if o == n else f"{o} (old), {n} (new)"


def text(report: Report) -> str:
    lines: list[str] = []
    groups = [(f"{TITLES[t]} ({len(report.tier(t))})", report.tier(t)) for t in TIERS]
    groups.append((f"Accepted ({len(report.accepted)})", report.accepted))
    for title, group in groups:
        if not group:
            continue
        lines.append(title + ":")
        for c in group:
            tier = f"{c.tier}, " if c.accepted is not None else ""
            lines.append(f"- {c.subject} ({tier}{c.side}): {c.message}")
            if c.models:
                lines.append(f"    models: {', '.join(c.models)}")
            if c.methods:
                lines.append(f"    methods: {', '.join(c.methods)}")
            if _spec(c):
                lines.append(f"    spec: {_spec(c)}")
            if c.accepted is not None:
                lines.append(f"    accepted: {c.accepted}")
        lines.append("")
    lines.append(summary(report))
    return printable_lines(lines)


def printable_lines(lines: list[str]) -> str:
    return "\n".join(printable(line) for line in lines) + "\n"


def json_report(report: Report) -> str:
    data = {
        "old": report.old_label,
        "new": report.new_label,
        "summary": {
            "breaking": len(report.tier(BREAKING)),
            "risk": len(report.tier(RISK)),
            "additive": len(report.tier(ADDITIVE)),
            "verdict": report.verdict,
            "accepted": len(report.accepted),
        },
        "changes": [c.as_json() for c in report.changes],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _cell(text: str) -> str:
    """Spec text as one Markdown table cell: one line, no table breaks, no HTML."""
    return " ".join(printable(text).split()).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")


def _code(text: str) -> str:
    return f"`{_cell(text)}`" if "`" not in text else _cell(text)


def markdown(report: Report) -> str:
    counts = ", ".join(f"{len(report.tier(t))} {t}" for t in TIERS)
    accepted = f", {len(report.accepted)} accepted" if report.accepted else ""
    verdict = report.verdict if report.changes else "no changes"
    lines = [f"**API changes: {verdict}** ({counts}{accepted}) between {_code(report.old_label)} and "
             f"{_code(report.new_label)}.", ""]
    for tier in TIERS:
        group = report.tier(tier)
        if not group:
            continue
        lines += [f"#### {TITLES[tier]} ({len(group)})", "", f"_{MEANING[tier]}._", "",
                  "| Subject | Side | Change | Methods | Spec |", "| --- | --- | --- | --- | --- |"]
        for c in group:
            lines.append(f"| {_code(c.subject)} | {c.side} | {_message(c)} | "
                         f"{', '.join(_code(m) for m in c.methods)} | {_pointers(c)} |")
        lines.append("")
    if report.accepted:
        lines += [f"#### Accepted ({len(report.accepted)})", "",
                  "| Subject | Tier | Side | Change | Reason |", "| --- | --- | --- | --- | --- |"]
        for c in report.accepted:
            lines.append(f"| {_code(c.subject)} | {c.tier} | {c.side} | {_message(c)} | {_cell(c.accepted or '')} |")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _message(c: Change) -> str:
    text = _cell(c.message)
    if c.models:
        text += " (models: " + ", ".join(_code(m) for m in c.models) + ")"
    return text


def _pointers(c: Change) -> str:
    o, n = c.old_pointer, c.new_pointer
    if o is not None and n is not None and o != n:
        return f"{_code(o)} → {_code(n)}"
    if o is None and n is None:
        return ""
    return _code(n if n is not None else o or "") + (" (removed)" if n is None else "")


# ----- GitHub annotations ------------------------------------------------------------

LEVELS = {BREAKING: "error", RISK: "warning", ADDITIVE: "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


class Lines:
    """Line numbers of JSON pointers in a YAML or JSON file (parsed on first use)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._root: Any = None
        self._loaded = False

    def _load(self) -> Any:
        if not self._loaded:
            self._loaded = True
            try:
                loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
                self._root = yaml.compose(self.path.read_text(encoding="utf-8"), Loader=loader)
            except (OSError, UnicodeDecodeError, yaml.YAMLError):
                self._root = None
        return self._root

    def line(self, pointer: str) -> int | None:
        """The line of the deepest node on the way to ``pointer``, 1-based."""
        node = self._load()
        if node is None:
            return None
        line: int = node.start_mark.line + 1
        for raw in pointer.split("/")[1:]:
            token = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(node, yaml.MappingNode):
                hit = next(((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == token), None)
                if hit is None:
                    break
                line = hit[0].start_mark.line + 1
                node = hit[1]
            elif isinstance(node, yaml.SequenceNode) and token.isdigit() and int(token) < len(node.value):
                node = node.value[int(token)]
                line = node.start_mark.line + 1
            else:
                break
        return line


def github(report: Report, new_file: str, old_file: str) -> str:
    """Workflow commands that annotate the new spec (a removal: the nearest place that
    still stands), then the summary line."""
    new_lines, old_lines = Lines(Path(new_file)), Lines(Path(old_file))
    lines: list[str] = []
    for c in report.changes:
        file, line = new_file, None
        if c.new_pointer is not None:
            line = new_lines.line(c.new_pointer)
        elif c.old_pointer is not None:
            line = new_lines.line(c.old_pointer)  # the nearest ancestor still in NEW
            if line is None:
                file, line = old_file, old_lines.line(c.old_pointer)
        level = "notice" if c.accepted is not None else LEVELS[c.tier]
        props = f"file={_escape_property(file)}"
        if line is not None:
            props += f",line={line}"
        title = f"{c.tier} ({c.side}): {c.subject}"
        message = c.message
        if c.renamed_from:
            message += f" (renamed from {c.renamed_from})"
        if c.models:
            message += f"; models: {', '.join(c.models)}"
        if c.methods:
            message += f"; methods: {', '.join(c.methods)}"
        if c.accepted is not None:
            message += f"; accepted: {c.accepted}"
        lines.append(f"::{level} {props},title={_escape_property(title)}::{_escape_data(printable(message))}")
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def render(report: Report, fmt: str, old_file: str, new_file: str) -> str:
    if fmt == "json":
        return json_report(report)
    if fmt == "markdown":
        return markdown(report)
    if fmt == "github":
        return github(report, new_file, old_file)
    return text(report)
