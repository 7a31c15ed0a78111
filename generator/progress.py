"""Progress on stderr for long runs: one line, rewritten in place.

Shown only when the stream is a terminal, only once the run has taken ``DELAY`` seconds
(a short run prints nothing), and never with ``--quiet``. The line is cleared at the end,
so a finished run leaves the terminal as it found it.
"""

from __future__ import annotations

import sys
import time
from typing import Callable, TextIO

DELAY = 2.0  # seconds before anything is shown
INTERVAL = 0.1  # seconds between two redraws


class Progress:
    def __init__(self, stream: TextIO | None = None, quiet: bool = False, delay: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.enabled = not quiet and _isatty(self.stream)
        self.delay = DELAY if delay is None else delay
        self.clock = clock
        self.started = clock()
        self.shown = False  # something is on the line
        self.last = -INTERVAL
        self.stage_text = ""

    def stage(self, text: str) -> None:
        """A new stage: loading, lowering, rendering, formatting FILE, writing."""
        self.stage_text = text
        self._draw(text, force=True)

    def pieces(self, done: int, total: int, cached: int) -> None:
        """Pieces of the current file: formatted or taken from the cache, of all."""
        self._draw(f"{self.stage_text}: {done} of {total} pieces ({cached} from the cache)")

    def _draw(self, text: str, force: bool = False) -> None:
        if not self.enabled:
            return
        now = self.clock()
        if now - self.started < self.delay or (not force and now - self.last < INTERVAL):
            return
        self.last = now
        self.shown = True
        self._write(f"\r\x1b[Koas-dataclasses: {text}")

    def done(self) -> None:
        """Clear the line, if anything was shown."""
        if self.shown:
            self._write("\r\x1b[K")
            self.shown = False

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            self.enabled = False  # a closed or broken terminal: stop showing


class Silent(Progress):
    """No progress at all (library use, tests)."""

    def __init__(self) -> None:
        super().__init__(quiet=True)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False
