"""Load test results as the tools write them: Locust's stats and history CSVs, k6's summary."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from .common import lognormal

# --- Locust -----------------------------------------------------------------------------------

LOCUST_HEADER = [
    "Type", "Name", "Request Count", "Failure Count", "Median Response Time",
    "Average Response Time", "Min Response Time", "Max Response Time", "Average Content Size",
    "Requests/s", "Failures/s", "50%", "66%", "75%", "80%", "90%", "95%", "98%", "99%", "99.9%",
    "99.99%", "100%",
]  # fmt: skip
PERCENTILES = (0.5, 0.66, 0.75, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999, 0.9999, 1.0)


@dataclass(frozen=True)
class Endpoint:
    """One request type of a load test: its share of traffic and latency shape."""

    method: str
    name: str
    share: float
    median_ms: float
    sigma: float
    failure_rate: float
    content_size: float


def locust_round(ms: np.ndarray) -> np.ndarray:
    """Locust stores response times rounded: exact below 100 ms, to 10 below 1 s, else to 100."""
    out = np.round(ms)
    out = np.where(out >= 100, np.round(ms, -1), out)
    return np.where(out >= 1000, np.round(ms, -2), out)


def percentile(rounded: np.ndarray, q: float) -> int:
    """Locust's percentile: the response time below which a share ``q`` of requests fall."""
    ordered = np.sort(rounded)
    index = min(len(ordered) - 1, max(0, int(np.ceil(q * len(ordered))) - 1))
    return int(ordered[index])


def locust_stats(
    rng: np.random.Generator,
    endpoints: Sequence[Endpoint],
    requests_per_s: float,
    duration_s: int,
    aggregated_p95_ms: float,
) -> list[list[Any]]:
    """A Locust ``*_stats.csv`` body: per-endpoint rows and the ``Aggregated`` row.

    Response times are drawn per endpoint, then scaled together so that the aggregated p95 lands
    on ``aggregated_p95_ms`` (the number the latency check judges), before Locust's rounding.
    """
    total = int(requests_per_s * duration_s)
    samples = []
    failures = []
    for endpoint in endpoints:
        n = round(total * endpoint.share)
        samples.append(lognormal(rng, endpoint.median_ms, endpoint.sigma, n))
        failures.append(int(rng.binomial(n, endpoint.failure_rate)))
    scale = aggregated_p95_ms / float(np.quantile(np.concatenate(samples), 0.95))
    samples = [s * scale for s in samples]

    def row(kind: str, name: str, ms: np.ndarray, failed: int, size: float) -> list[Any]:
        rounded = locust_round(ms)
        count = len(ms)
        return [
            kind,
            name,
            count,
            failed,
            percentile(rounded, 0.5),
            f"{float(ms.mean()):.2f}",
            int(np.floor(ms.min())),
            int(np.ceil(ms.max())),
            f"{size:.1f}",
            f"{count / duration_s:.2f}",
            f"{failed / duration_s:.2f}",
            *[percentile(rounded, q) for q in PERCENTILES],
        ]

    rows = [
        row(e.method, e.name, s, f, e.content_size)
        for e, s, f in zip(endpoints, samples, failures, strict=True)
    ]
    counts = [len(s) for s in samples]
    size = sum(e.content_size * c for e, c in zip(endpoints, counts, strict=True)) / sum(counts)
    rows.append(row("", "Aggregated", np.concatenate(samples), sum(failures), size))
    return rows


LOCUST_HISTORY_HEADER = [
    "Timestamp", "User Count", "Type", "Name", "Requests/s", "Failures/s", "50%", "66%", "75%",
    "80%", "90%", "95%", "98%", "99%", "99.9%", "99.99%", "100%", "Total Request Count",
    "Total Failure Count", "Total Median Response Time", "Total Average Response Time",
    "Total Min Response Time", "Total Max Response Time", "Total Average Content Size",
]  # fmt: skip
#: Each percentile of Locust's rolling window relative to its p95 (a typical long-tailed shape).
HISTORY_SHAPE = (0.45, 0.55, 0.63, 0.68, 0.85, 1.0, 1.25, 1.5, 2.2, 2.6, 2.6)
#: Seconds between two history samples (the locustfile sets ``stats.CSV_STATS_INTERVAL_SEC = 5``).
HISTORY_INTERVAL_S = 5


def locust_history(
    rng: np.random.Generator,
    users: int,
    duration_s: int,
    requests_per_s: float,
    p95_ms: float,
    failure_rate: float,
    start: datetime,
) -> list[list[Any]]:
    """A Locust ``*_stats_history.csv`` body, as Locust writes it without ``--csv-full-history``.

    Only the ``Aggregated`` line, and its percentiles are cumulative since the test started (Locust
    uses its rolling window only for full history). Users ramp up over the first fifth of the test,
    then hold at ``users``; the latency of each window grows with the load to within a few percent
    of ``p95_ms`` at the target. The first sample, before any request, is ``N/A``.
    """
    ramp_s = duration_s // 5
    rows: list[list[Any]] = []
    total = failed = 0
    latency_sum = 0.0
    weighted = np.zeros(len(HISTORY_SHAPE))  # request-weighted window percentiles, summed
    minimum = maximum = 0
    epoch = int(start.timestamp())
    for t in range(0, duration_s + 1, HISTORY_INTERVAL_S):
        count = users if t >= ramp_s else int(users * t / ramp_s)
        if count == 0:
            rows.append([epoch + t, 0, "", "Aggregated", "0.000000", "0.000000", *(["N/A"] * 11), 0, 0, 0, "0.0", 0, 0, "0.0"])  # fmt: skip
            continue
        load = count / users
        rps = requests_per_s * load * float(rng.uniform(0.95, 1.05))
        fps = rps * failure_rate * float(rng.uniform(0.5, 1.5))
        p95 = p95_ms * (0.55 + 0.45 * load) * float(rng.uniform(0.97, 1.03))
        window = np.array([p95 * f for f in HISTORY_SHAPE])
        new = round(rps * HISTORY_INTERVAL_S)
        weighted += new * window
        shape = locust_round(weighted / max(total + new, 1))
        total += new
        failed += round(fps * HISTORY_INTERVAL_S)
        latency_sum += new * float(shape[0]) * 1.08
        minimum = minimum or max(1, int(shape[0] * 0.2))
        maximum = max(maximum, int(shape[-1]))
        average = latency_sum / total
        rows.append(
            [
                epoch + t,
                count,
                "",
                "Aggregated",
                f"{rps:.6f}",
                f"{fps:.6f}",
                *[int(v) for v in shape],
                total,
                failed,
                int(locust_round(np.array([average / 1.08]))[0]),
                f"{average:.1f}",
                minimum,
                maximum,
                "0.0",
            ]
        )
    return rows


# --- k6 ---------------------------------------------------------------------------------------


def k6_trend(ms: np.ndarray, p95_limit_ms: float) -> dict[str, Any]:
    """A k6 trend metric of response times (ms), with its ``p(95)<limit`` threshold."""
    stats = {
        "avg": round(float(ms.mean()), 4),
        "min": round(float(ms.min()), 4),
        "med": round(float(np.quantile(ms, 0.5)), 4),
        "max": round(float(ms.max()), 4),
        "p(90)": round(float(np.quantile(ms, 0.9)), 4),
        "p(95)": round(float(np.quantile(ms, 0.95)), 4),
        "p(99)": round(float(np.quantile(ms, 0.99)), 4),
    }
    return {**stats, "thresholds": {f"p(95)<{p95_limit_ms}": stats["p(95)"] >= p95_limit_ms}}


def k6_failed(failed: int, count: int, max_error_rate: float) -> dict[str, Any]:
    """k6's ``http_req_failed`` rate metric, with its ``rate<limit`` threshold."""
    rate = failed / count
    return {
        "passes": failed,
        "fails": count - failed,
        "value": round(rate, 10),
        "thresholds": {f"rate<{max_error_rate}": rate >= max_error_rate},
    }


def k6_summary(
    rng: np.random.Generator,
    endpoints: Sequence[Endpoint],
    requests_per_s: float,
    duration_s: int,
    vus: tuple[int, int],
    p95_limit_ms: float,
    max_error_rate: float,
) -> dict[str, Any]:
    """k6's end-of-test summary (``k6 run --summary-export``) of a run against ``endpoints``.

    The per-endpoint submetrics (tagged ``{name:...}``) are there because the script sets
    thresholds on them; ``vus`` is (VUs at the end, most VUs).
    """
    samples = []
    for endpoint in endpoints:
        n = round(requests_per_s * duration_s * endpoint.share)
        ms = lognormal(rng, endpoint.median_ms, endpoint.sigma, n)
        samples.append((endpoint, ms, int(rng.binomial(n, endpoint.failure_rate))))
    metrics: dict[str, Any] = {}
    for endpoint, ms, failed in samples:
        tag = "{name:" + endpoint.name + "}"
        metrics["http_req_duration" + tag] = k6_trend(ms, p95_limit_ms)
        metrics["http_reqs" + tag] = {
            "count": len(ms),
            "rate": round(len(ms) / duration_s, 6),
            "thresholds": {"count>0": False},
        }
        metrics["http_req_failed" + tag] = k6_failed(failed, len(ms), max_error_rate)
    every = np.concatenate([ms for _, ms, _ in samples])
    all_failed = sum(f for _, _, f in samples)
    metrics["http_req_duration"] = k6_trend(every, p95_limit_ms)
    metrics["http_req_failed"] = k6_failed(all_failed, len(every), max_error_rate)
    metrics["http_reqs"] = {"count": len(every), "rate": round(len(every) / duration_s, 6)}
    metrics["checks"] = {
        "passes": len(every) - all_failed,
        "fails": all_failed,
        "value": round(1 - all_failed / len(every), 10),
    }
    metrics["vus"] = {"value": vus[0], "min": 1, "max": vus[1]}
    metrics["vus_max"] = {"value": vus[1], "min": vus[1], "max": vus[1]}
    return {
        "root_group": {
            "name": "",
            "path": "",
            "id": "d41d8cd98f00b204e9800998ecf8427e",
            "groups": {},
            "checks": {
                "status is 200": {
                    "name": "status is 200",
                    "path": "::status is 200",
                    "id": "548d37ca5f33793206f7832e7cea54fb",
                    "passes": len(every) - all_failed,
                    "fails": all_failed,
                }
            },
        },
        "metrics": metrics,
    }
