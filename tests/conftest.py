"""Every test run keeps Cutoff's workspaces (and built demo tables) in a throwaway store.

Set at import, before any app code runs, so AppTest sessions (in this process) and the
browser tests' servers (child processes inherit the environment) never write to the
user's real store (~/.local/share/cutoff) or under the project folder. A test that needs a
store of its own (a restart, a corrupt file) points CUTOFF_STORE elsewhere itself.
"""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

_STORE_DIR = Path(tempfile.mkdtemp(prefix="cutoff-test-store-"))
os.environ["CUTOFF_STORE"] = str(_STORE_DIR / "workspaces.sqlite")
os.environ["CUTOFF_DEMO_CACHE"] = str(_STORE_DIR / "demos")  # built demo tables (core/demos.py)
os.environ.pop("CUTOFF_WORKSPACE_DAYS", None)
os.environ.pop("CUTOFF_WORKSPACE_MB", None)
atexit.register(shutil.rmtree, _STORE_DIR, ignore_errors=True)
