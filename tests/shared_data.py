"""Where the public data of ../shared lies (beside the checkout, in development and in CI)."""

from __future__ import annotations

import os
from pathlib import Path

SHARED_DATA = Path(os.environ.get("GOVPULSE_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
