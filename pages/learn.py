"""Learn page (placeholder until its issue lands)."""

import streamlit as st

st.title("Learn")
st.info("This page is being built.")
