"""Threshold page (placeholder until its issue lands)."""

import streamlit as st

st.title("Threshold")
st.info("This page is being built.")
