"""Train page (placeholder until its issue lands)."""

import streamlit as st

st.title("Train")
st.info("This page is being built.")
