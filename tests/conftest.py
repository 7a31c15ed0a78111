from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ROOT / "generated"
for p in (str(ROOT), str(GENERATED)):
    if p not in sys.path:
        sys.path.insert(0, p)
