"""Hostile text in an upload is shown as text everywhere, never run or rendered.

The upload's file name, column names and cell values carry a script tag, an image with an
``onerror`` handler, a Markdown link and Markdown bold. On every page, and in the
downloaded HTML report (also opened in the browser), no dialog opens, no console error
appears (the image would fail to load), no link to the payload's URL and no image or bold
element is created, and the sidebar shows the strings exactly as typed.
"""

import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from conftest import csv_bytes

pytestmark = pytest.mark.e2e

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
LINK = "[a link](http://example.com)"
BOLD = "**bold**"
PAYLOADS = (SCRIPT, IMG, LINK, BOLD)
FILENAME = f"{LINK} {BOLD}.csv"
TARGET = IMG
POSITIVE, NEGATIVE = SCRIPT, BOLD


def hostile_table(n: int = 400, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n).round(3), rng.normal(size=n).round(3)
    category = rng.choice(PAYLOADS, n)
    positive = rng.random(n) < 1 / (1 + np.exp(-(x1 - 0.8 + (category == LINK))))
    return pd.DataFrame({
        SCRIPT: x1,
        LINK: x2,
        BOLD: category,
        TARGET: np.where(positive, POSITIVE, NEGATIVE),
    })


def rendered_payloads(app, where: str) -> list[str]:
    """Every way the payloads escaped being text on the current page (empty: none)."""
    page, found = app.page, []
    if app.problems.dialogs:
        found.append(f"{where}: a dialog opened: {app.problems.dialogs}")
    # The payload image would request <app>/x and fail: a local console error.
    if app.local_console_errors():
        found.append(f"{where}: console errors: {app.local_console_errors()}")
    for selector, what in (
        ('a[href^="http://example.com"]', "the Markdown link became a link"),
        ('img[src="x"]', "the <img> payload became an image"),
    ):
        element = page.locator(selector)
        if element.count():
            found.append(f"{where}: {what}, in: {_context(element.first)!r}")
    bold = page.locator("strong, b").filter(has_text=re.compile(r"^\s*bold\s*$"))
    if bold.count():
        found.append(f"{where}: **bold** was rendered as bold, in: {_context(bold.first)!r}")
    if page.locator("script").filter(has_text="alert(1)").count():
        found.append(f"{where}: the script payload is in the DOM as a script")
    return found


def _context(element) -> str:
    """The text of the Streamlit element holding ``element`` (for a failure message)."""
    return element.evaluate("e => (e.closest('[data-testid=stElementContainer]') || e.parentElement).innerText")


def test_hostile_names_and_values_are_text_on_every_page(app):
    table = hostile_table()
    app.open("")
    app.upload("Upload a CSV", FILENAME, csv_bytes(table))
    app.expect(app.sidebar).to_contain_text(f"Data: {FILENAME}")
    app.idle()
    app.radio("Mode", "Train a model")
    app.select("Target column", TARGET)
    app.select("Positive class", POSITIVE)
    app.expect(app.sidebar).to_contain_text(f"Target: {TARGET} (positive = {POSITIVE})")
    problems = rendered_payloads(app, "Data")
    app.screenshot("security-data")

    app.goto_page("Train")
    app.button("Train").click()
    app.expect(app.metric("Validation log-loss")).to_be_visible(timeout=120_000)
    app.idle(timeout=120_000)

    for title in ("Train", "Threshold", "Learn", "Report", "Data"):
        if title != "Train":
            app.goto_page(title)
        if title == "Threshold":  # so the Report page has a setting to report
            app.button("Save scenario").click()
            app.expect(app.main.get_by_text("1 scenario(s) saved", exact=False)).to_be_visible()
            app.idle()
        sidebar = app.sidebar.inner_text()
        for text in (f"Data: {FILENAME}", f"Target: {TARGET} (positive = {POSITIVE})"):
            assert text in sidebar, f"{title}: the sidebar does not show {text!r} as typed:\n{sidebar}"
        problems += rendered_payloads(app, title)
        app.screenshot(f"security-{title.lower()}")
        app.assert_clean()

    app.goto_page("Report")
    try:
        check_html_report(app)
    except AssertionError as error:
        problems.append(f"HTML report: {error}")
    assert not problems, "hostile text was rendered, not shown as text:\n" + "\n".join(problems)


def check_html_report(app) -> None:
    """The downloaded report keeps the payloads as text, in its markup and when opened."""
    _, raw = app.download(re.compile(r"\bHTML\b"))
    html = raw.decode("utf-8")
    check_report_markup(html)
    report = app.page.context.new_page()
    dialogs = []
    report.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        report.set_content(html, wait_until="load")
        assert not dialogs, f"the HTML report ran a script: {dialogs}"
        assert report.locator('a[href^="http://example.com"]').count() == 0, "the report links the payload"
        assert report.locator('img[src="x"]').count() == 0, "the report shows the <img> payload as an image"
        body = report.locator("body").inner_text()
        for payload in (SCRIPT, IMG, FILENAME):
            assert payload in body, f"the report does not show {payload!r} as text"
    finally:
        report.close()


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def check_report_markup(html: str) -> None:
    parsed = _Tags()
    parsed.feed(html)
    for tag, attrs in parsed.tags:
        assert not (tag == "img" and attrs.get("src") == "x"), "the report contains the <img> payload as markup"
        assert not (tag == "a" and (attrs.get("href") or "").startswith("http://example.com")), "the report links the payload"
        assert "onerror" not in attrs, f"the report has an onerror attribute on <{tag}>"
    text = "".join(parsed.text)
    for payload in PAYLOADS:
        assert payload in text, f"the report's text does not contain {payload!r} verbatim"
