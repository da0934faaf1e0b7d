"""The app's server runs on uvicorn's compiled parts (uvloop's event loop, httptools' HTTP
parser), which requirements.txt installs for the speed of a visitor's first page: a server that
quietly fell back to the pure-Python ones would still work, only slower, so this looks at the
libraries the running server process has loaded."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import running_server

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")]


def test_the_server_runs_on_uvloop_and_httptools():
    with running_server() as server:
        loaded = Path(f"/proc/{server.pid}/maps").read_text()
    assert "/uvloop/loop." in loaded, "the server's event loop is not uvloop's"
    assert "/httptools/parser/parser." in loaded, "the server does not parse HTTP with httptools"
