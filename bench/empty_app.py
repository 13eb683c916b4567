"""The baseline for bench/page_ready.py: the smallest Streamlit app."""
import streamlit as st

st.title("Empty")
