"""Where users, tokens and the audit log live: outside the corpus, beside the index."""

from __future__ import annotations

import os
from pathlib import Path


def state_dir() -> Path:
    """$VNDS_STATE_DIR if set, else a `state/` folder beside the index folder ($VNDS_INDEX, else `index`)."""
    explicit = os.environ.get("VNDS_STATE_DIR")
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("VNDS_INDEX", "index")).parent / "state"


def ensure_private_dir(path: Path) -> Path:
    """Create `path` readable by its owner only (other accounts on the machine must not read hashes)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path
