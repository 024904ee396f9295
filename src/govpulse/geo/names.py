"""Place names as join keys: two spellings of one district meet on the same key."""

from __future__ import annotations

import re

# District names that the maps and LGD spell differently (after folding): map spelling -> LGD spelling.
SPELLINGS = {"aravalli": "arvalli", "chhotaudaipur": "chhotaudepur", "dahod": "dohad"}


def name_key(name: str) -> str:
    """Letters only, lower case, with known spelling differences folded: a join key for names."""
    letters = re.sub(r"[^a-z]", "", name.lower())
    return SPELLINGS.get(letters, letters)
