"""``make run``'s launcher (pages/_server.py): the first page's imports before the server starts."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pages import _server
from tests.app.conftest import APP
from tests.app.test_first_render_imports import first_run

# What the first visitor's run must not pay for (under plain `streamlit run` it imports these).
_FIRST_RUN_IMPORTS = ("numpy", "pandas", "pyarrow", "core.read", "core.setup", "core.contract",
                      "core.demos", "core.store", "core.workspace")


def _modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after ``code`` (in the project folder)."""
    out = subprocess.run([sys.executable, "-c", f"{code}\nimport json, sys; print(json.dumps(sorted(sys.modules)))"],
                         cwd=_server.APP.parent, capture_output=True, text=True, timeout=120, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_preloading_imports_what_the_first_page_needs_and_nothing_that_stays_lazy():
    loaded = _modules_after("from pages import _server; _server.preload()")
    assert set(_FIRST_RUN_IMPORTS) <= loaded
    # scikit-learn, scipy and Altair stay lazy (only other pages need them), and nothing that
    # creates Streamlit caches is imported before the server's runtime exists.
    assert not {"sklearn", "scipy", "altair", "pages._ui", "pages._workspace"} & loaded
    assert "streamlit" not in loaded


def test_the_launcher_runs_the_app_with_the_options_given(monkeypatch):
    seen = {}

    def fake_main():
        seen["argv"] = list(sys.argv)
        return 0

    import streamlit.web.cli

    monkeypatch.setattr(streamlit.web.cli, "main", fake_main)
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    assert _server.main(["--server.port", "8765", "--server.address", "127.0.0.1"]) == 0
    assert seen["argv"] == ["streamlit", "run", str(_server.APP), "--server.port", "8765",
                            "--server.address", "127.0.0.1"]
    assert _server.APP.resolve() == (_server.APP.parent / APP).resolve() and _server.APP.is_file()


@pytest.mark.timeout(600)
def test_every_preloaded_module_is_one_the_first_page_imports(tmp_path):
    """A module on the list that the first page no longer imports would only slow the start."""
    loaded = set(first_run(tmp_path / "demos")["modules"])
    assert set(_server.FIRST_PAGE_MODULES) <= loaded, sorted(set(_server.FIRST_PAGE_MODULES) - loaded)
