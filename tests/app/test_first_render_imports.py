"""A fresh server's first page imports only what the Data page needs.

scikit-learn, scipy and Altair cost about two and a half seconds of imports on this machine;
the first visitor of a fresh server waits for whatever the first run imports. Each case runs
the app's first run (``AppTest``: entry script, then the Data page) in a new Python process and
lists the packages that run loaded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = {"sklearn", "scipy", "altair", "matplotlib"}

FIRST_RUN = """
import json, sys
from streamlit.testing.v1 import AppTest
before = set(sys.modules)
at = AppTest.from_file({app!r}, default_timeout=300).run()
loaded = sorted({{name.split(".")[0] for name in set(sys.modules) - before}})
print(json.dumps({{"loaded": loaded, "modules": sorted(sys.modules), "titles": [t.value for t in at.title],
                  "exceptions": [str(e.value) for e in at.exception],
                  "selectboxes": [s.label for s in at.selectbox]}}))
"""


def first_run(cache: Path) -> dict:
    env = {**os.environ, "CUTOFF_DEMO_CACHE": str(cache), "CUTOFF_STORE": "off"}
    run = subprocess.run([sys.executable, "-c", FIRST_RUN.format(app=str(ROOT / "streamlit_app.py"))], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["exceptions"] == [] and result["titles"] == ["Data"], result
    assert "Demo dataset" in result["selectboxes"]
    return result


@pytest.mark.timeout(900)
def test_with_the_demo_stored_the_first_run_imports_no_scikit_learn_scipy_or_altair(tmp_path):
    cache = tmp_path / "demos"
    cold = first_run(cache)  # a machine's very first start builds the default demo...
    assert "sklearn" in cold["loaded"], "building the demo's score column needs scikit-learn"
    assert "altair" not in cold["loaded"]
    assert list(cache.glob("loan_default-*.parquet")), "...and keeps it for the next start"
    warm = first_run(cache)
    assert "pandas" in warm["loaded"]  # the listing works: the app's own imports show up
    assert not HEAVY & set(warm["loaded"]), f"the first page imported {sorted(HEAVY & set(warm['loaded']))}"
