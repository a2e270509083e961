"""``python -m flows.cli``: the ``readiness`` command with this interpreter."""

from flows.cli import app

app()
