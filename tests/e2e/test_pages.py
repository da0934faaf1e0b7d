"""Every page of the contract loads in a real browser on a fresh session, by URL and by the sidebar."""

import pytest

pytestmark = pytest.mark.e2e

PAGES = ["Data", "Train", "Threshold", "Learn", "Report"]


def test_every_page_renders_from_the_sidebar(app):
    app.open("data")
    for title in PAGES:
        app.goto_page(title)
        app.assert_clean()
        app.screenshot(f"empty-{title.lower()}")
    assert not app.problems.console_errors, app.problems.console_errors


@pytest.mark.parametrize("title", PAGES)
def test_page_url_path_opens_that_page(app, title):
    app.open(title.lower())
    app.main.get_by_role("heading", name=title).first.wait_for()
    app.assert_clean()
