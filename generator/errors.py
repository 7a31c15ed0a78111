"""Errors the generator reports to its user: one line, naming where."""

from __future__ import annotations


def escape_pointer_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def join_pointer(pointer: str, *tokens: object) -> str:
    for t in tokens:  # a loop, not a join: this runs for every node of a spec
        s = t if isinstance(t, str) else str(t)
        pointer += "/" + (escape_pointer_token(s) if "~" in s or "/" in s else s)
    return pointer


class SpecError(Exception):
    """Bad input: the message reads ``FILE: /json/pointer: what is wrong``."""

    def __init__(self, file: str, pointer: str | None, message: str) -> None:
        super().__init__(message)
        self.file = file
        self.pointer = pointer
        self.message = message

    def __str__(self) -> str:
        where = self.file
        if self.pointer is not None:
            where += ": " + (self.pointer or "/")
        return printable(f"{where}: {self.message}")


def printable(text: str) -> str:
    """One line a terminal shows as it is: spec text in a message (a key, a file name)
    cannot add lines or send escape sequences."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


class UsageError(Exception):
    """The command line or configuration asks for something impossible."""
