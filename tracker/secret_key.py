"""A signing key of this instance's own, for development when SECRET_KEY is not set.

Made once with ``secrets`` and kept in the instance folder (readable by its owner only), so
sessions survive a restart, and no two installations, nor anyone who reads the source, share a
key. Production never gets here: it refuses to start without SECRET_KEY.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def instance_secret_key(path: Path) -> str:
    """The key stored at ``path``, made there first if there is none."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: two processes starting at once keep whichever key was written first.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as out:
        out.write(key)
    return key
