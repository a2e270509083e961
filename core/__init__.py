"""What the flows, the reader package and the dashboard all need.

Settings, errors, secrets, access rules and the text escaping of Markdown and CSV. Nothing here
imports ``dashboard`` or ``readmodel``.
"""
