"""The Streamlit dashboard: reads the published snapshot only, never the working warehouse."""
