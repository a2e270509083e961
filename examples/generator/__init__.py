"""Seeded generator of the example portfolio: five AI projects with realistic, messy evidence.

Run from the repository root::

    uv run python examples/generate.py              # writes into examples/
    uv run python -m examples.generator --out DIR   # writes into DIR

The output is deterministic byte for byte: every random draw comes from a generator seeded with
``SEED`` and a name (``common.rng_for``), every timestamp is relative to ``AS_OF`` (the portfolio's
``as_of``, never the wall clock), and every format is written with fixed options (``writers``).

Each project is built to show one outcome (see ``examples/README.md``); the numbers that decide it
(completeness, freshness, PSI, p95 latency, cost at target...) are set deliberately, with clear
margins from the rubric's thresholds, and ``tests/examples/test_generator.py`` checks them.
Each ``project.yml`` is kept in its project's module as YAML text (``<PROJECT>_PROJECT``) so that
its comments and field maps read as the file does; the data written beside it must match its
field map.

Modules: ``common`` (seed, as-of, seeded random helpers), ``writers`` (the file formats),
``surveys`` (question bank, survey plans, the four survey formats), ``load_tests`` (Locust, k6),
``evidence`` (inventories, costs, graded examples, KPI exports), one module per project
(``support_copilot``, ``churn_predictor``, ``contract_review``, ``sales_forecast_assistant``,
``invoice_extraction``), ``history`` (support_copilot's earlier weeks) and ``portfolio`` (the
portfolio file, :func:`generate` and the command line).
"""

from .portfolio import generate, main

__all__ = ["generate", "main"]
