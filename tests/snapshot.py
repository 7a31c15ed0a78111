"""The upstream OpenAI snapshot, shared by the tests and bench/run.py: a copy of the whole
spec (MIT, licence beside it) inside the repository, so a fresh clone runs every test."""

from __future__ import annotations

from pathlib import Path

SNAPSHOT = Path(__file__).resolve().parent / "data" / "openai" / "openai-openapi-2026-05-13.yaml"
# the corpus of real specs nobody here wrote, each with its licence and source
CORPUS = Path(__file__).resolve().parent / "corpus"


def models_only(text: str) -> str:
    """The spec's text with its top-level ``paths`` mapping emptied: components only."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("paths:"))
    end = next((i for i in range(start + 1, len(lines)) if lines[i][:1] not in (" ", "\n", "#", "")), len(lines))
    return "".join(lines[:start]) + "paths: {}\n" + "".join(lines[end:])
