"""Every page of the contract loads in a real browser: from the sidebar, and by its URL path."""

import re

import pytest

from conftest import PAGE_TITLES as PAGES

pytestmark = pytest.mark.e2e


def test_every_page_renders_from_the_sidebar(app):
    app.open("")
    assert app.nav_titles() == PAGES
    for title in PAGES:
        app.goto_page(title)
        app.assert_clean()
        app.screenshot(f"page-{title.lower()}")
    assert not app.local_console_errors(), app.local_console_errors()


def test_the_app_makes_no_request_outside_its_server(app):
    # Demos run on customer data, often offline: nothing may be fetched from elsewhere.
    app.open("")
    for title in PAGES:
        app.goto_page(title)
    assert not app.problems.external_requests, f"requests to other hosts: {sorted(set(app.problems.external_requests))}"


@pytest.mark.parametrize("title", PAGES)
def test_page_url_path_opens_that_page(app, title):
    path = title.lower()
    app.open(path)
    not_found = app.page.get_by_role("dialog").filter(has_text="Page not found")
    assert not_found.count() == 0, f"/{path} is not a page of the app: {not_found.inner_text()}"
    app.expect(app.nav_link(title)).to_have_attribute("aria-current", "page")
    app.expect(app.page).to_have_url(re.compile(rf"/{path}(\?.*)?$"))
    app.assert_clean()


def test_data_page_states_the_configured_upload_limit(app):
    import tomllib

    from conftest import REPO

    with (REPO / ".streamlit" / "config.toml").open("rb") as f:
        limit = tomllib.load(f)["server"]["maxUploadSize"]
    app.open("")
    uploader = app.widget("stFileUploader", "Upload a CSV")
    app.expect(uploader).to_contain_text(f"{limit}MB per file")  # Streamlit's own dropzone text
    app.expect(app.main).to_contain_text(f"{limit:,} MB")  # and the page says it in words
