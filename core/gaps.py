"""The six gaps' ids, in the order every surface lists them.

No import beyond the standard library: the quick commands read them without loading the
configuration models.
"""

from __future__ import annotations

from typing import Literal, get_args

GapId = Literal[
    "data_quality", "integration", "stakeholder_alignment", "evaluation", "scale", "maintenance"
]
GAP_IDS: tuple[str, ...] = get_args(GapId)
