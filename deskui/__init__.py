"""Pieces of the Streamlit desk (app.py): safe text, Vietnamese widget texts, copy buttons, cards, model start-up."""
