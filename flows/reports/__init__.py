"""Reports to hand around, built from the published snapshot only.

One-page executive summaries of a project or a portfolio (Markdown, HTML, PDF) and CSV exports
safe for spreadsheets.
"""
