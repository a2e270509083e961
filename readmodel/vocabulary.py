"""Words, icons and number formats shared by the pages: a status is never shown by colour alone."""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from core import gaps

NO_SNAPSHOT = "No assessment has been published yet. Run `readiness run`."

#: Gap ids in rubric order, with the words people read.
GAP_LABELS = {
    "data_quality": "Data quality",
    "integration": "Integration",
    "stakeholder_alignment": "Stakeholder alignment",
    "evaluation": "Evaluation",
    "scale": "Scale",
    "maintenance": "Maintenance",
}
GAP_IDS = list(gaps.GAP_IDS)  # the configuration's order (core/gaps.py)

#: Gap status in words with an icon (tables, text) ...
STATUS_LABELS = {
    "ready": "✅ Ready",
    "at_risk": "⚠️ At risk",
    "blocked": "⛔ Blocked",
    "insufficient_evidence": "🔍 Insufficient evidence",
    "no_evidence": "❔ No evidence",
}
#: ... in plain words (the reports, and text read aloud) ...
STATUS_WORDS = {
    "ready": "Ready",
    "at_risk": "At risk",
    "blocked": "Blocked",
    "insufficient_evidence": "Insufficient evidence",
    "no_evidence": "No evidence",
}
#: ... and with a plain symbol that every chart font can draw.
STATUS_SYMBOLS = {
    "ready": "✓ Ready",
    "at_risk": "! At risk",
    "blocked": "✕ Blocked",
    "insufficient_evidence": "~ Insufficient evidence",
    "no_evidence": "? No evidence",
}
#: Light fills, so that dark text written on them stays readable.
STATUS_COLOURS = {
    "ready": "#81c784",
    "at_risk": "#ffd54f",
    "blocked": "#e57373",
    "insufficient_evidence": "#b3e5fc",
    "no_evidence": "#e0e0e0",
}
RESULT_LABELS = {
    "pass": "✅ Pass",
    "partial": "⚠️ Partial",
    "fail": "⛔ Fail",
    "no_evidence": "❔ No evidence",
}
INPUT_STATUS_LABELS = {"ok": "✅ Read", "unreadable": "⛔ Unreadable"}
SEVERITY_ORDER = {"critical": 0, "major": 1, "minor": 2}


def missing(value: Any) -> bool:
    """True for None, NaN, NaT and pandas' NA (a value the snapshot does not have)."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, (str, int)) or "pandas" not in sys.modules:
        # Only pandas makes NA and NaT: without it loaded, a value cannot be one (the command
        # line's gates and alerts read these labels too, and must not pay pandas' import).
        return False
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def as_float(value: Any) -> float | None:
    """A number from the snapshot as a float, or None when it is missing."""
    return None if missing(value) else float(value)


def verdict(recommendation: str | None) -> str:
    """Go / not yet in words with an icon, for tables: '✅ Go' or '⛔ Not yet'."""
    return "✅ Go" if recommendation == "go" else "⛔ Not yet"


def verdict_banner(recommendation: str | None) -> str:
    """The verdict as a headline: 'GO' or 'NOT YET', with its icon."""
    return "✅ GO" if recommendation == "go" else "⛔ NOT YET"


def waiver_suffix(count: object) -> str:
    """', with 2 waivers' when the verdict relies on waivers (dbt's count), else ''."""
    number = 0 if missing(count) else int(float(str(count)))
    return f", with {number} waiver{'s' if number > 1 else ''}" if number else ""


def gap_label(gap: str | None) -> str:
    """A gap id in words ('scale' -> 'Scale'); unknown ids are shown as they are."""
    if missing(gap) or not gap:
        return "–"
    return GAP_LABELS.get(gap, gap)


def status_label(status: str | None) -> str:
    """A gap status in words with an icon."""
    if missing(status) or not status:
        return "–"
    return STATUS_LABELS.get(status, status)


def result_label(result: str | None) -> str:
    """A check result in words with an icon."""
    if missing(result) or not result:
        return "–"
    return RESULT_LABELS.get(result, result)


def number(value: Any) -> str:
    """A measured value, short: 1234567 -> '1,234,567', 0.04567 -> '0.0457', 12.0 -> '12'."""
    if missing(value):
        return "–"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return str(value)
    amount = float(value)
    if not math.isfinite(amount):
        return str(amount)
    if amount.is_integer() or abs(amount) >= 1000:
        return f"{amount:,.0f}"
    return f"{amount:.3g}"


def percent(value: Any) -> str:
    """A share as a percentage: 0.853 -> '85%'."""
    return "–" if missing(value) else f"{float(value):.0%}"


def rate(value: Any) -> str:
    """A measured rate as a percentage to two decimals: 0.0254 -> '2.54 %' (never rounded to 3 %)."""
    return "–" if missing(value) else f"{float(value) * 100:.2f} %"


def money(value: Any, currency: str | None = None) -> str:
    """An amount: 12345.6 -> 'EUR 12,346', 4.5 -> 'EUR 4.50' (no currency: '12,346')."""
    if missing(value):
        return "–"
    amount = f"{float(value):,.2f}" if abs(float(value)) < 100 else f"{float(value):,.0f}"
    return f"{currency} {amount}" if currency and not missing(currency) else amount


def day(value: Any) -> str:
    """A timestamp as its date: '2026-11-24'."""
    import pandas as pd

    return "–" if missing(value) else f"{pd.Timestamp(value):%Y-%m-%d}"


def minute(value: Any) -> str:
    """A timestamp to the minute: '2026-11-24 14:05'."""
    import pandas as pd

    return "–" if missing(value) else f"{pd.Timestamp(value):%Y-%m-%d %H:%M}"


def days(value: Any) -> str:
    """A number of person-days or calendar days: '12 days'."""
    if missing(value):
        return "–"
    return "1 day" if float(value) == 1 else f"{number(float(value))} days"


def comparison(direction: str | None) -> str:
    """The sign a metric must satisfy against its thresholds."""
    return {"higher_is_better": "≥", "lower_is_better": "≤"}.get(direction or "", "vs")


def gap_list(gap_ids: Any) -> str:
    """['scale', 'data_quality'] (or older marts' 'scale,data_quality') -> 'Scale, Data quality'."""
    if isinstance(gap_ids, str):
        gap_ids = gap_ids.split(",")
    elif gap_ids is None or (not hasattr(gap_ids, "__iter__") and missing(gap_ids)):
        return ""
    return ", ".join(gap_label(str(g).strip()) for g in gap_ids if str(g).strip())


#: The load test tools, as their makers write them.
TOOL_LABELS = {"locust": "Locust", "k6": "k6", "jmeter": "JMeter"}


def tool_label(tool: Any) -> str:
    """'jmeter' -> 'JMeter'; a result without a tool is Locust's (the only tool before k6/JMeter)."""
    return TOOL_LABELS.get("locust" if missing(tool) else str(tool), str(tool))


def cost_range(cost: Any) -> str:
    """The monthly cost at target as dbt computed it: 'EUR 90,711 a month'.

    Where LLM usage measured the tokens per request, the range from the mean to the p95:
    'EUR 90,711 to EUR 148,650 a month (mean to p95 tokens per request, measured)'. ``cost`` is
    a typed row (readmodel.drilldowns.CostAtTarget) or a mapping of cost_projections' columns.
    """

    def get(name: str) -> Any:
        return cost.get(name) if isinstance(cost, Mapping) else getattr(cost, name, None)

    currency = get("currency")
    mean, high = as_float(get("monthly_cost_target")), as_float(get("monthly_cost_target_p95"))
    if get("tokens_source") != "measured" or mean is None or high is None:
        return f"{money(mean, currency)} a month"
    if round(high) == round(mean):
        return f"{money(mean, currency)} a month (at the tokens per request measured)"
    return (
        f"{money(mean, currency)} to {money(high, currency)} a month (mean to p95 tokens per "
        "request, measured)"
    )


def name_list(names: Sequence[str], first: int = 10) -> str:
    """Names in words, the first ``first`` only: a check failing in 800 projects is a count."""
    shown = ", ".join(names[:first])
    return shown + (f" and {len(names) - first} more" if len(names) > first else "")
