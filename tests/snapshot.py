"""The upstream OpenAI snapshot, shared by tests/test_snapshot.py, tests/test_formatters.py
and bench/run.py. It lives outside the repository (large, and not ours to vendor)."""

from __future__ import annotations

from pathlib import Path

SNAPSHOT = Path(__file__).resolve().parents[2] / "shared/reference/openai-openapi-2026-05-13.yaml"


def models_only(text: str) -> str:
    """The spec's text with its top-level ``paths`` mapping emptied: components only."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("paths:"))
    end = next((i for i in range(start + 1, len(lines)) if lines[i][:1] not in (" ", "\n", "#", "")), len(lines))
    return "".join(lines[:start]) + "paths: {}\n" + "".join(lines[end:])
