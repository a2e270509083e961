"""The one reader of the published snapshot.

Opening it, named bound queries returning typed rows, the vocabulary every surface speaks, and the one-page summaries and their rendering.

The dashboard, the reports, ``readiness status``/``history``/``diff`` and the alerts read through
this package; it imports nothing of ``dashboard`` (and ``flows`` only for the few reading helpers
that live beside their writers).
"""
