"""Every page renders without an exception in every state a user can reach."""

import pytest

from pages import _ui
from tests.app.conftest import (
    PAGES,
    choose_features,
    choose_mode,
    goto,
    make_csv,
    pick_demo,
    start,
    stored,
    train,
    upload_csv,
)


@pytest.mark.parametrize("page", list(PAGES))
def test_page_renders_on_a_fresh_session(page):
    at = goto(start(), page)
    assert at.title, f"{page} shows no title"


def _trained(at):
    return train(at, epochs=5)


def _use_my_scores(at):
    return choose_mode(at, _ui.MODE_SCORES)


def _no_setup(at):
    return choose_features(at, [])


def _upload_then_bad_upload(at):
    upload_csv(at, make_csv(), "ok.csv")
    return upload_csv(at, b"\x00\x01\x02binary", "bad.csv")


def _trained_then_new_data(at):
    train(at, epochs=5)
    return upload_csv(at, make_csv(seed=3), "new.csv")


def _scores_then_other_demo(at):
    from core.demos import DEMOS

    choose_mode(at, _ui.MODE_SCORES)
    return pick_demo(at, list(DEMOS)[-1])


STATES = [_trained, _use_my_scores, _no_setup, _upload_then_bad_upload, _trained_then_new_data, _scores_then_other_demo]


@pytest.mark.parametrize("reach", STATES, ids=[s.__name__.strip("_") for s in STATES])
def test_every_page_renders_in_every_state(reach):
    at = reach(start())
    for page in PAGES:  # goto() fails the test on any exception
        goto(at, page)
        assert at.title, f"{page} shows no title"


def test_every_page_renders_when_no_data_could_be_loaded(monkeypatch):
    """If the built-in demo cannot load, the session starts empty and every page still explains itself."""
    import streamlit as st

    import core.demos
    from core.errors import DataError

    def broken(key):
        raise DataError("The demo could not be built.")

    monkeypatch.setattr(core.demos, "load_demo", broken)
    st.cache_data.clear()  # the demo table may be cached by an earlier test
    try:
        at = start()
        assert stored(at, "dataset") is None
        assert any("could not be built" in e.value for e in at.error)
        assert any("Upload a CSV or choose a demo" in i.value for i in at.info)
        for page in PAGES:
            goto(at, page)
            assert at.title
    finally:
        st.cache_data.clear()
