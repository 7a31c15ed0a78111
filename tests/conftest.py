from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ROOT / "generated"
for p in (str(ROOT), str(GENERATED)):
    if p not in sys.path:
        sys.path.insert(0, p)

# The only skips the README allows (section "Development"), by a part of their reason.
# Under CI (`CI` set) any other skip is a failure: a missing tool or file fails the run.
ALLOWED_SKIPS = (
    "renameat2 is Linux only",
    "no example reaches it; checked via the IR only",
)


def allowed_skip(reason: str) -> bool:
    return any(part in reason for part in ALLOWED_SKIPS)


def _reason(report: pytest.TestReport) -> str:
    longrepr: Any = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if os.environ.get("CI") and report.skipped and not hasattr(report, "wasxfail"):
        reason = _reason(report)
        if not allowed_skip(reason):
            report.outcome = "failed"
            report.longrepr = f"skipped under CI, where nothing may be missing: {reason}"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if not hasattr(r, "wasxfail")]
    unlisted = [r for r in skipped if not allowed_skip(_reason(r))]
    terminalreporter.write_line(
        f"skipped: {len(skipped)} ({len(skipped) - len(unlisted)} the README lists, {len(unlisted)} others)"
    )
