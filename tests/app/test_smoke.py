"""Every page of the navigation renders without an exception on a fresh session."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
PAGES = ["pages/data.py", "pages/train.py", "pages/threshold.py", "pages/learn.py", "pages/report.py"]


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_a_fresh_session(page):
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    at.switch_page(page).run()
    assert not at.exception
    assert at.title, f"{page} shows no title"
