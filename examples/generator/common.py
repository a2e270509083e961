"""What every part of the generator shares: the seed, the as-of instant, seeded random helpers.

Every random draw comes from a generator seeded with :data:`SEED` and a name (:func:`rng_for`),
so changing one project leaves the others alone; every timestamp is relative to :data:`AS_OF`.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

SEED = 20261120
#: The instant the portfolio is assessed "as of"; every generated timestamp is relative to it.
AS_OF = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


FIRST_NAMES = (
    "Anna", "Ben", "Chloe", "David", "Elena", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Kara",
    "Luca", "Maya", "Nils", "Olga", "Pedro", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera",
    "Wim", "Yara", "Zoe", "Marta", "Tom", "Lena", "Omar", "Julia",
)  # fmt: skip
LAST_NAMES = (
    "Schmidt", "Okafor", "Dubois", "Rossi", "Novak", "Jansen", "Garcia", "Berg", "Costa", "Keller",
    "Moreau", "Ruiz", "Baker", "Nowak", "Weber", "Silva", "Larsen", "Fischer", "Conti", "Meyer",
)  # fmt: skip
COMPANY_A = (
    "Alder", "Birch", "Cobalt", "Delta", "Ember", "Fjord", "Granite", "Harbor", "Iris", "Juniper",
    "Kestrel", "Lumen", "Maple", "Nimbus", "Orion", "Pioneer", "Quartz", "Riverside", "Summit",
    "Tundra", "Vertex", "Willow",
)  # fmt: skip
COMPANY_B = (
    "Logistics", "Foods", "Health", "Energy", "Retail", "Labs", "Systems", "Textiles", "Motors",
    "Pharma", "Media", "Capital", "Farms", "Robotics", "Travel",
)  # fmt: skip
COMPANY_SUFFIX = ("GmbH", "BV", "SA", "Ltd", "AG", "SRL", "Inc.", "AB")
COUNTRIES = {"DE": 0.3, "FR": 0.18, "NL": 0.14, "GB": 0.12, "ES": 0.09, "IT": 0.08, "CH": 0.05, "SE": 0.04}  # fmt: skip


def rng_for(name: str) -> np.random.Generator:
    """An independent, seeded generator per project (changing one leaves the others alone)."""
    return np.random.default_rng([SEED, zlib.crc32(name.encode("utf-8"))])


def pick(rng: np.random.Generator, weights: dict[str, float], n: int) -> list[str]:
    """``n`` draws from a categorical distribution given as value -> weight."""
    values = list(weights)
    p = np.array([weights[v] for v in values], dtype=float)
    return [values[i] for i in rng.choice(len(values), size=n, p=p / p.sum())]


def one(rng: np.random.Generator, options: Sequence[Any]) -> Any:
    """One element of a sequence."""
    return options[int(rng.integers(len(options)))]


def some(rng: np.random.Generator, n: int, k: int, exclude: set[int] | None = None) -> list[int]:
    """``k`` distinct row indexes out of ``n`` (sorted), avoiding ``exclude``."""
    pool = np.array(sorted(set(range(n)) - (exclude or set())))
    return sorted(int(i) for i in rng.choice(pool, size=k, replace=False))


def times(rng: np.random.Generator, n: int, newest: datetime, span: timedelta) -> list[datetime]:
    """``n`` instants in ``[newest - span, newest]``, ascending, the last one exactly ``newest``."""
    seconds = np.sort(rng.uniform(0, span.total_seconds(), size=n - 1))[::-1]
    out = [newest - timedelta(seconds=int(s)) for s in seconds]
    return [*out, newest]


def ts(value: datetime | None) -> str | None:
    """A timestamp as CSV text (UTC, no zone suffix)."""
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def iso(value: datetime | None) -> str | None:
    """A timestamp as ISO 8601 text with ``Z``."""
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def person(rng: np.random.Generator) -> tuple[str, str]:
    """A first and last name."""
    return one(rng, FIRST_NAMES), one(rng, LAST_NAMES)


def email(first: str, last: str, domain: str) -> str:
    """``first.last@domain`` in lower case."""
    return f"{first}.{last}@{domain}".lower()


def company(rng: np.random.Generator) -> str:
    """A plausible company name."""
    return f"{one(rng, COMPANY_A)} {one(rng, COMPANY_B)} {one(rng, COMPANY_SUFFIX)}"


def company_domain(name: str) -> str:
    """The mail domain of a company: its first word, letters only, at ``.example``."""
    return re.sub(r"[^a-z]+", "", name.split()[0].lower()) + ".example"


def lognormal(rng: np.random.Generator, median: float, sigma: float, n: int) -> np.ndarray:
    """Positive, right-skewed values with the given median."""
    return np.exp(rng.normal(np.log(median), sigma, size=n))
