"""Streamlit's own floor for bench_first_render.py: nothing of Cutoff, only what its Data page
is waited for there.

The root address hops to ``/data`` as Cutoff's does, and the page shows a title, a two-row plain
table and a "Train a model" link, the elements the benchmark's readiness check looks for. Served
with the project's ``.streamlit/config.toml``, so a later visitor's time here is what Streamlit,
the browser and this machine take before any of the app's own work.
"""

import pandas as pd
import streamlit as st

st.set_page_config(page_title="Cutoff", page_icon="🎚️", layout="wide")


def _data() -> None:
    st.title("Data")
    st.table(pd.DataFrame({"column": ["income", "defaulted"], "role": ["numeric", "target"]}), hide_index=True)
    st.page_link(TRAIN, label="Train a model and watch the cost fall")


def _train() -> None:
    st.title("Train")


def _start() -> None:
    st.switch_page(DATA)


DATA = st.Page(_data, title="Data", url_path="data")
TRAIN = st.Page(_train, title="Train", url_path="train")
START = st.Page(_start, title="Cutoff", url_path="start", default=True, visibility="hidden")
st.navigation([START, DATA, TRAIN]).run()
