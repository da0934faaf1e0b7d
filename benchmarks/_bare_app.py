"""Streamlit's own floor for bench_first_render.py: nothing of Cutoff, only what its Data page
is waited for there.

The root address hops to ``/data`` as Cutoff's does, and the page shows a title, a two-row plain
table and a "Train a model" link, the elements the benchmark's readiness check looks for. Served
with the project's ``.streamlit/config.toml``, so a later visitor's time here is what Streamlit,
the browser and this machine take before any of the app's own work.
"""

import streamlit as st

st.set_page_config(page_title="Cutoff", page_icon="🎚️", layout="wide")


def _data() -> None:
    st.title("Data")
    # drawn as Cutoff draws its short tables (one HTML table; the readiness check looks for its class)
    st.html('<div class="cutoff-table"><table><thead><tr><th>column</th><th>role</th></tr></thead><tbody>'
            "<tr><td>income</td><td>numeric</td></tr><tr><td>defaulted</td><td>target</td></tr></tbody></table></div>")
    st.page_link(TRAIN, label="Train a model and watch the cost fall")


def _train() -> None:
    st.title("Train")


def _start() -> None:
    st.switch_page(DATA)


DATA = st.Page(_data, title="Data", url_path="data")
TRAIN = st.Page(_train, title="Train", url_path="train")
START = st.Page(_start, title="Cutoff", url_path="start", default=True, visibility="hidden")
st.navigation([START, DATA, TRAIN]).run()
