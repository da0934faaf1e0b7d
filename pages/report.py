"""Report page (placeholder until its issue lands)."""

import streamlit as st

st.title("Report")
st.info("This page is being built.")
