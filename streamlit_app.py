"""Cutoff: choose a binary classifier's decision threshold by what it costs.

Entry point for ``streamlit run streamlit_app.py``: page config, navigation over the
five pages, and the sidebar every page shares.
"""

from pathlib import Path

import streamlit as st

from pages import _ui

HERE = Path(__file__).parent

st.set_page_config(page_title="Cutoff", page_icon=":material/tune:", layout="wide")

PAGES = [
    st.Page(HERE / "pages" / "data.py", title="Data", url_path="data", icon=":material/table:", default=True),
    st.Page(HERE / "pages" / "train.py", title="Train", url_path="train", icon=":material/trending_down:"),
    st.Page(HERE / "pages" / "threshold.py", title="Threshold", url_path="threshold", icon=":material/tune:"),
    st.Page(HERE / "pages" / "learn.py", title="Learn", url_path="learn", icon=":material/school:"),
    st.Page(HERE / "pages" / "report.py", title="Report", url_path="report", icon=":material/description:"),
]

page = st.navigation(PAGES)
# A fresh session starts with the first demo loaded, so every page has something to show.
_ui.ensure_dataset()
_ui.render_sidebar()
page.run()
