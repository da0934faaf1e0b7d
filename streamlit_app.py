"""Cutoff: choose a binary classifier's decision threshold by what it costs.

Entry point for ``streamlit run streamlit_app.py``: page config, navigation over the
five pages, the sidebar every page shares, and the session's workspace (restored from the
link's ``w`` before the page runs, saved after it: see pages/_workspace.py).
"""

from pathlib import Path

import streamlit as st

from pages import _ui, _workspace

HERE = Path(__file__).parent

# An emoji favicon is drawn in the browser; a ":material/…:" one is fetched from the internet.
st.set_page_config(page_title="Cutoff", page_icon="🎚️", layout="wide")

DATA_PAGE = st.Page(HERE / "pages" / "data.py", title="Data", url_path="data", icon=":material/table:")
PAGES = [
    DATA_PAGE,
    st.Page(HERE / "pages" / "train.py", title="Train", url_path="train", icon=":material/trending_down:"),
    st.Page(HERE / "pages" / "threshold.py", title="Threshold", url_path="threshold", icon=":material/tune:"),
    st.Page(HERE / "pages" / "learn.py", title="Learn", url_path="learn", icon=":material/school:"),
    st.Page(HERE / "pages" / "report.py", title="Report", url_path="report", icon=":material/description:"),
]


def _start() -> None:
    """The app's root URL opens the Data page at its own address, ``/data``, with the link's
    parameters (``w`` and the settings), which the Data page's run then reads."""
    st.switch_page(DATA_PAGE, query_params=st.query_params.to_dict())


# Streamlit serves the default page at "/" only, so a visible default page could not also
# answer at "/data" (the address the UI contract gives it): the default is a hidden hop.
START_PAGE = st.Page(_start, title="Cutoff", url_path="start", default=True, visibility="hidden")
page = st.navigation([START_PAGE, *PAGES])
if page is START_PAGE:
    # The hop first, before the session is set up or the sidebar drawn: that run's elements
    # would only be drawn by the browser and replaced at once by the Data page's run.
    page.run()
# The link's workspace (``?w=``) is restored before anything else looks at the session.
_workspace.begin(page.url_path)
# A fresh session starts with the first demo loaded, so every page has something to show.
_ui.ensure_dataset()
_ui.render_sidebar()
_workspace.sidebar_note()
try:
    page.run()
finally:
    # Also after st.stop() or st.rerun() inside the page (both raise through here): what the
    # run changed is saved before the next run starts.
    _workspace.autosave()
