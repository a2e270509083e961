"""Words, icons and formats shared by the pages: status is never shown by colour alone."""

from __future__ import annotations

import math

GAP_LABELS = {
    "data_quality": "Data quality",
    "integration": "Integration",
    "stakeholder_alignment": "Stakeholder alignment",
    "evaluation": "Evaluation",
    "scale": "Scale",
    "maintenance": "Maintenance",
}
STATUS_LABELS = {
    "ready": "✅ Ready",
    "at_risk": "⚠️ At risk",
    "blocked": "⛔ Blocked",
    "no_evidence": "❔ No evidence",
}
STATUS_COLOURS = {
    "ready": "#2e7d32",
    "at_risk": "#f9a825",
    "blocked": "#c62828",
    "no_evidence": "#9e9e9e",
}
RESULT_LABELS = {
    "pass": "✅ Pass",
    "partial": "⚠️ Partial",
    "fail": "⛔ Fail",
    "no_evidence": "❔ No evidence",
}
NO_SNAPSHOT = "No assessment has been published yet. Run `readiness run`."


def verdict(recommendation: str) -> str:
    """Go / not yet, in words with an icon."""
    return "✅ GO" if recommendation == "go" else "⛔ NOT YET"


def gap_label(gap: str | None) -> str:
    """A gap id in words."""
    return GAP_LABELS.get(gap or "", gap or "-")


def percent(value: float | None) -> str:
    """0.853 -> '85%'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.0%}"


def money(value: float | None, currency: str = "EUR") -> str:
    """12345.6 -> 'EUR 12,346'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{currency} {value:,.0f}"
