"""Flow 5: a link to the Threshold page with ``?t=…&fp=…&fn=…`` restores that setting,
including when it is the very first request a freshly started server receives."""

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from conftest import COST_LABELS, PAGE_TITLES, StreamlitPage, running_server

pytestmark = pytest.mark.e2e

SHARED = {"t": "0.3", "fp": "40", "fn": "300"}
QUERY = "&".join(f"{k}={v}" for k, v in SHARED.items())


def assert_restored(app: StreamlitPage) -> None:
    # Wait for the slider itself: the page's notes (an st.info, the recommendation) are drawn
    # above it in the same run, so "the slider or a note" could end the wait before the slider
    # had arrived.
    info = app.main.get_by_test_id("stAlert")
    try:
        app.slider().wait_for(timeout=60_000)
    except PlaywrightTimeoutError:
        pytest.fail("the shared link did not restore t/fp/fn: the Threshold page shows no slider but "
                    + repr(" / ".join(info.all_inner_texts()) or app.main.inner_text()[:300]))
    assert app.slider().count() == 1
    slider = app.slider()
    app.expect(slider).to_be_visible()
    app.expect(slider).to_have_attribute("aria-valuetext", "0.300")
    assert float(app.number_input(COST_LABELS["fp"]).input_value()) == 40
    assert float(app.number_input(COST_LABELS["fn"]).input_value()) == 300
    t = app.wait_threshold_settled()
    assert t == 0.3
    assert app.query()["fp"] == "40" and app.query()["fn"] == "300"


def test_shared_link_restores_threshold_and_costs(app):
    app.open("threshold", QUERY)
    app.screenshot("shared-url")
    assert_restored(app)
    app.assert_clean()


def test_shared_link_as_the_first_request_of_a_fresh_server(browser):
    # Streamlit decides between its legacy pages/-folder mode and st.navigation on the first
    # run; a shared link must get the real app (its navigation, sidebar and page) even then.
    with running_server() as server:
        context = browser.new_context()
        try:
            app = StreamlitPage(context.new_page(), server.url, server_log=server.log_path)
            app.page.goto(f"{server.url}/threshold?{QUERY}")
            app.page.get_by_test_id("stSidebarNav").wait_for()
            app.idle()
            app.screenshot("shared-url-fresh-server")
            links = app.nav_titles()
            assert links == PAGE_TITLES, f"a fresh server's first visitor gets the pages {links}"
            app.expect(app.sidebar).to_contain_text("Session")
            assert_restored(app)
            app.assert_clean()
        finally:
            context.close()
