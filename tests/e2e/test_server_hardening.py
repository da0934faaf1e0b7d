"""The shipped server settings hold on a running server: XSRF cookie, CORS on the
WebSocket, and ``server.allowedHosts`` as the README tells operators to set it."""

import base64
import http.client
import os
from urllib.parse import urlsplit

import pytest

from conftest import running_server

pytestmark = pytest.mark.e2e


def websocket_handshake(url: str, host: str, origin: str | None) -> int:
    """HTTP status of a WebSocket upgrade to the app's stream (101 = accepted)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    headers = {
        "Host": host,
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode(),
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Protocol": "streamlit",
    }
    if origin:
        headers["Origin"] = origin
    try:
        connection.request("GET", "/_stcore/stream", headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


def test_pages_set_the_xsrf_cookie(app):
    app.open("")
    names = {cookie["name"] for cookie in app.page.context.cookies()}
    assert "_streamlit_xsrf" in names, f"no XSRF cookie: uploads are not protected ({names})"


def test_websocket_refuses_other_origins(app_server):
    port = urlsplit(app_server.url).port
    same = f"127.0.0.1:{port}"
    assert websocket_handshake(app_server.url, same, f"http://{same}") == 101
    assert websocket_handshake(app_server.url, same, "http://evil.example") != 101


def test_allowed_hosts_refuses_unknown_host_names():
    # A DNS-rebinding page reaches the server under its own host name; allowedHosts stops it.
    with running_server("--server.allowedHosts", "cutoff.internal", "--server.allowedHosts", "localhost") as server:
        port = urlsplit(server.url).port
        for host in ("cutoff.internal", "localhost"):
            status = websocket_handshake(server.url, f"{host}:{port}", f"http://{host}:{port}")
            assert status == 101, f"{host} is allowed but got HTTP {status}"
        status = websocket_handshake(server.url, f"attacker.example:{port}", f"http://attacker.example:{port}")
        assert status != 101, "a host name outside server.allowedHosts opened a session"
