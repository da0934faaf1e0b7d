"""The root address hops to /data before the session is set up: one visit, one full run."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from pages import _ui, _workspace
from tests.app.conftest import APP, assert_ok


def test_the_root_address_sets_up_the_session_and_draws_the_sidebar_once(monkeypatch):
    calls = {"begin": 0, "sidebar": 0}
    begin, sidebar = _workspace.begin, _ui.render_sidebar

    def counted_begin(*args, **kwargs):
        calls["begin"] += 1
        return begin(*args, **kwargs)

    def counted_sidebar(*args, **kwargs):
        calls["sidebar"] += 1
        return sidebar(*args, **kwargs)

    monkeypatch.setattr(_workspace, "begin", counted_begin)
    monkeypatch.setattr(_ui, "render_sidebar", counted_sidebar)
    at = assert_ok(AppTest.from_file(APP, default_timeout=60).run())
    assert [t.value for t in at.title] == ["Data"]
    # The hop's own run only switches pages: its sidebar would be drawn and replaced at once.
    assert calls == {"begin": 1, "sidebar": 1}
