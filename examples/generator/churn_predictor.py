"""Project 2: the ML churn model, built to get NOT YET for data quality."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa

from .common import AS_OF, COUNTRIES, company, iso, lognormal, one, pick, rng_for, some, times
from .evidence import INVENTORY_CSV_HEADER, System, inventory_csv_rows, write_costs
from .load_tests import LOCUST_HEADER, Endpoint, locust_stats
from .surveys import SurveyPlan, google_forms_export, no_answers, survey_answers
from .writers import Writer

EVENT_TYPES_POC = {"login": 0.30, "page_view": 0.35, "feature_used": 0.22, "support_ticket": 0.05, "billing_change": 0.03, "downgrade_request": 0.02, "export": 0.03}  # fmt: skip
EVENT_TYPES_PROD = {"login": 0.18, "page_view": 0.22, "feature_used": 0.14, "support_ticket": 0.17, "billing_change": 0.09, "downgrade_request": 0.12, "export": 0.08}  # fmt: skip
PLANS = {"free": 0.35, "starter": 0.3, "pro": 0.25, "enterprise": 0.1}


def make_events(
    rng: np.random.Generator,
    n: int,
    accounts: list[str],
    newest: datetime,
    span: timedelta,
    event_types: dict[str, float],
    devices: dict[str, float],
    plan_field: str,
) -> list[dict[str, Any]]:
    """Product usage events as NDJSON records (the plan field name differs between POC and prod)."""
    when = times(rng, n, newest, span)
    kinds = pick(rng, event_types, n)
    device = pick(rng, devices, n)
    plan_of = dict(zip(accounts, pick(rng, PLANS, len(accounts)), strict=True))
    minutes = lognormal(rng, 9, 0.9, n)
    version = pick(rng, {"4.12.0": 0.4, "4.12.1": 0.35, "4.11.3": 0.2, "4.10.0": 0.05}, n)
    records = []
    for i in range(n):
        account = one(rng, accounts)
        records.append(
            {
                "event_id": f"evt_{int(rng.integers(16**11, 16**12)):012x}",
                "account_id": account,
                "event_type": kinds[i],
                "event_ts": iso(when[i]),
                plan_field: plan_of[account],
                "session_minutes": round(float(minutes[i]), 1)
                if kinds[i] != "billing_change"
                else None,
                "device": device[i],
                "app_version": version[i],
            }
        )
    return records


CHURN_PREDICTOR_PROJECT = r"""# ML churn model. Intended outcome: NOT YET, blocked by data quality:
# events are stale (newest 5 days old, max_age 36h), plan_tier was renamed subscription_plan,
# ~3% duplicate event ids, and the event mix shifted from the POC (PSI > 0.25). Other gaps ready.
id: churn_predictor
name: Churn predictor
description: Scores every account weekly for churn risk and explains the drivers to customer success.
business_unit: Customer Success
owner: VP Customer Success
required_roles:
- identity
- crm
- data_store
- feature_store
- model_serving
- logging
- monitoring
- alerting
- deployment
required_groups:
- legal
- compliance
- it_security
- operations
- business_sponsor
- affected_team
service_levels: {p95_latency_ms: 400, max_error_rate: 0.005, target_concurrency: 50}
evidence:
  datasets:
  - name: events
    source: data/events.ndjson
    format: ndjson
    poc_sample: data/events_poc.ndjson
    field_map:
      fields:
        event_id: {type: string, pattern: '^evt_[0-9a-f]{12}$'}
        account_id: {type: string, pattern: '^ACC-\d{5}$'}
        event_type: {type: string, allowed: [login, page_view, feature_used, support_ticket, billing_change,
            downgrade_request, export]}
        event_ts: {type: timestamp}
        plan_tier: {type: string, allowed: [free, starter, pro, enterprise], aliases: [subscription_plan]}
        session_minutes: {type: number, required: false, min: 0, max: 1440}
        device: {type: string, allowed: [desktop, mobile, tablet]}
        app_version: {type: string, pattern: ^\d+\.\d+\.\d+$}
      key:
      - event_id
      timestamp: event_ts
      max_age: 36h
      relationships:
      - field: account_id
        dataset: accounts
        to_field: account_id
  - name: accounts
    source: data/accounts.parquet
    format: parquet
    field_map:
      fields:
        account_id: {type: string, pattern: '^ACC-\d{5}$'}
        country: {type: string, pattern: '^[A-Z]{2}$'}
        signup_date: {type: date}
        seats: {type: integer, min: 1}
        mrr_eur: {type: number, min: 0}
        updated_at: {type: timestamp}
      key:
      - account_id
      timestamp: updated_at
      max_age: 7d
  inventory:
    path: inventory/systems.csv
    format: csv
  survey:
    path: survey/readiness_survey_responses.csv   # downloaded from the form's responses sheet
    format: google_forms
    group_question: Which team are you in?
    group_labels:
      Legal: legal
      Compliance: compliance
      IT & Security: it_security
      Operations: operations
      Business sponsor: business_sponsor
      Affected team (I use the tool): affected_team
  load_tests:
  - path: load/score_stats.csv
    users: 50
  costs: costs.yml
  evaluation: evaluation.yml
  operations:                    # the artifacts the operations team keeps (maintenance gap)
    services:                    # how the service's alerts are labelled (Alertmanager matchers)
      churn-api: ['job="churn-api"']
      churn-batch: ['job="churn-batch"']
    alert_rules:
    - path: ops/alert_rules.yml
    alertmanager:
      path: ops/alertmanager.yml
    on_call:
    - path: ops/pagerduty_schedule.json   # GET /schedules/{id}?since=..&until=.. of PagerDuty
      format: pagerduty_schedule
    incidents:
    - path: ops/incidents.csv             # PagerDuty's incident export
    runbooks:
    - path: ops/runbook.md
    - url: https://wiki.example.com/ml/churn-predictor/runbook
    retraining:
    - path: ops/prefect.yaml
      format: prefect
    model: churn_predictor
"""

CHURN_ALERT_RULES = """# Prometheus alerting rules of the churn predictor (promtool check rules accepts them).
groups:
  - name: churn-api
    rules:
      - alert: ChurnApiHighLatency
        expr: histogram_quantile(0.95, sum by (le, job) (rate(http_request_duration_seconds_bucket{job="churn-api"}[5m]))) > 0.4
        for: 10m
        labels:
          severity: page
        annotations:
          summary: p95 latency of the churn API above 400 ms
          runbook_url: https://wiki.example.com/ml/churn-predictor/runbook
      - alert: ChurnApiErrors
        expr: sum by (job) (rate(http_requests_total{job="churn-api", code=~"5.."}[5m])) / sum by (job) (rate(http_requests_total{job="churn-api"}[5m])) > 0.005
        for: 5m
        labels:
          severity: page
      - alert: ChurnApiCpuSaturated
        expr: avg by (job) (rate(process_cpu_seconds_total{job="churn-api"}[5m])) > 0.85
        for: 15m
        labels:
          severity: ticket
      - alert: ChurnScoreDistributionShift
        expr: max by (job) (churn_score_psi{job="churn-api"}) > 0.2
        for: 1h
        labels:
          severity: ticket
          signal: quality
  - name: churn-batch
    rules:
      - alert: ChurnBatchSlow
        expr: max by (job) (churn_batch_duration_seconds{job="churn-batch"}) > 3600
        labels:
          severity: ticket
      - alert: ChurnBatchFailed
        expr: increase(churn_batch_failures_total{job="churn-batch"}[1d]) > 0
        labels:
          severity: page
      - alert: ChurnBatchMemory
        expr: max by (job) (container_memory_working_set_bytes{job="churn-batch"}) / max by (job) (container_spec_memory_limit_bytes{job="churn-batch"}) > 0.9
        for: 10m
        labels:
          severity: ticket
      - alert: ChurnFeatureDrift
        expr: max by (job) (churn_feature_psi{job="churn-batch"}) > 0.25
        labels:
          severity: ticket
"""

CHURN_ALERTMANAGER = """# Alertmanager configuration (amtool check-config accepts it).
route:
  receiver: default-null
  group_by: [alertname, job]
  routes:
    - matchers: ['job=~"churn-.*"', 'severity="page"']
      receiver: ml-pager
    - matchers: ['job=~"churn-.*"']
      receiver: ml-tickets
receivers:
  - name: default-null
  - name: ml-pager
    pagerduty_configs:
      - routing_key: 00000000000000000000000000000000
  - name: ml-tickets
    webhook_configs:
      - url: http://tickets.internal.example.com/hooks/alertmanager
"""

CHURN_RUNBOOK = """# Churn predictor: incident runbook

1. Latency or errors: check the churn API dashboard; scale the deployment or roll back the last
   release (`prefect deployment run churn-api/rollback`).
2. Score or feature drift: pause the weekly retraining, compare the feature distributions with the
   last training set and page the data scientist on call.
3. Batch failure: re-run the scoring flow for the missed day; customer success sees yesterday's
   scores until then.
"""

CHURN_PREFECT = """# Prefect deployments of the ML team (read by `prefect deploy`).
name: ml-pipelines
prefect-version: 3.1.0
deployments:
  - name: retrain-churn-predictor
    entrypoint: pipelines/retrain.py:retrain
    parameters:
      model: churn_predictor
    work_pool:
      name: ml-pool
    schedules:
      - cron: "0 3 * * 1"
        timezone: Europe/Berlin
"""


def churn_operations(w: Writer, rng: np.random.Generator, base: str) -> None:
    """The churn model's operations artifacts: alerting, on-call, incidents, runbook, retraining."""
    w.text(f"{base}/ops/alert_rules.yml", CHURN_ALERT_RULES)
    w.text(f"{base}/ops/alertmanager.yml", CHURN_ALERTMANAGER)
    w.text(f"{base}/ops/runbook.md", CHURN_RUNBOOK)
    w.text(f"{base}/ops/prefect.yaml", CHURN_PREFECT)
    people = [("PXK3L9A", "Jonas Keller"), ("P7TQ2RB", "Mira Osei"), ("PB4N8ZC", "Lena Brandt")]

    def ref(kind: str, pid: str, name: str) -> dict[str, str]:
        return {"id": pid, "type": f"{kind}_reference", "summary": name, "self": f"https://api.pagerduty.com/{kind}s/{pid}", "html_url": f"https://acme.pagerduty.com/{kind}s/{pid}"}  # fmt: skip

    since = AS_OF - timedelta(days=2)
    monday = since.replace(hour=9, minute=0) - timedelta(days=since.weekday())
    entries, start = [], monday
    while start < AS_OF + timedelta(days=29):
        end = start + timedelta(days=7)
        pid, name = people[((start - monday).days // 7) % 3]
        entries.append({"start": max(start, since).isoformat(), "end": end.isoformat(), "user": ref("user", pid, name)})  # fmt: skip
        start = end
    schedule = {
        "schedule": {
            **ref("schedule", "PCHURN1", "Churn ML primary"),
            "type": "schedule",
            "name": "Churn ML primary",
            "time_zone": "Europe/Berlin",
            "description": "Primary on-call of the churn predictor",
            "escalation_policies": [ref("escalation_policy", "PEPCH01", "Churn ML")],
            "users": [ref("user", pid, name) for pid, name in people],
            "teams": [],
            "final_schedule": {
                "name": "Final Schedule",
                "rendered_schedule_entries": entries,
                "rendered_coverage_percentage": 100.0,
            },
        }
    }
    w.text(f"{base}/ops/pagerduty_schedule.json", json.dumps(schedule, indent=2) + "\n")
    header = ["id", "incident_number", "title", "service_name", "urgency", "status", "created_at", "resolved_at", "seconds_to_first_ack", "seconds_to_resolve", "auto_resolved", "escalation_count"]  # fmt: skip
    rows = []
    for number in range(14):
        created = AS_OF - timedelta(days=float(rng.uniform(1, 120)))
        ack = int(rng.uniform(60, 780))
        resolve = ack + int(rng.uniform(900, 7200))
        title = one(rng, ["Churn API p95 latency above 400 ms", "Churn batch failed", "Feature drift above 0.25"])  # fmt: skip
        rows.append([f"Q{4100 + number}CHRN", 4100 + number, title, "churn-api", "high", "resolved", iso(created), iso(created + timedelta(seconds=resolve)), ack, resolve, "false", 0])  # fmt: skip
    w.csv(f"{base}/ops/incidents.csv", header, sorted(rows, key=lambda r: r[6]))


def churn_predictor(w: Writer) -> None:
    """Project 2: the churn model. Designed to get NOT YET for data quality."""
    pid = "churn_predictor"
    rng = rng_for(pid)
    base = f"projects/{pid}"
    n_accounts = 650
    account_ids = [f"ACC-{20000 + 7 * i}" for i in range(n_accounts)]
    signup = times(rng, n_accounts, AS_OF - timedelta(days=3), timedelta(days=1400))
    updated = [AS_OF - timedelta(minutes=int(m)) for m in rng.uniform(300, 60 * 24 * 6, n_accounts)]
    w.parquet(
        f"{base}/data/accounts.parquet",
        [
            ("account_id", pa.string(), account_ids),
            ("company_name", pa.string(), [company(rng) for _ in range(n_accounts)]),
            ("country", pa.string(), pick(rng, COUNTRIES, n_accounts)),
            ("signup_date", pa.date32(), [s.date() for s in signup]),
            ("seats", pa.int32(), [int(v) for v in np.ceil(lognormal(rng, 12, 1.0, n_accounts))]),
            (
                "mrr_eur",
                pa.float64(),
                [round(float(v), 2) for v in lognormal(rng, 480, 1.0, n_accounts)],
            ),
            ("updated_at", pa.timestamp("us", tz="UTC"), updated),
        ],
    )
    # Production: the extract stalled five days ago (max_age is 36h), the plan field was renamed,
    # replayed batches left ~3% duplicate event ids, and usage shifted towards support, billing
    # and downgrade events (the POC never saw this mix).
    stalled = AS_OF - timedelta(days=5, hours=2, minutes=13)
    events = make_events(
        rng, 2400, account_ids, stalled, timedelta(days=40), EVENT_TYPES_PROD,
        {"desktop": 0.55, "mobile": 0.38, "tablet": 0.04, "api": 0.03}, "subscription_plan",
    )  # fmt: skip
    for i in some(rng, len(events), 72):
        replay = dict(events[i])
        events.insert(min(len(events), i + int(rng.integers(40, 400))), replay)
    for i in some(rng, len(events), 6):
        events[i]["device"] = None
    w.ndjson(f"{base}/data/events.ndjson", events)
    poc = make_events(
        rng, 600, account_ids, datetime(2026, 4, 30, 18, 0, tzinfo=UTC), timedelta(days=45),
        EVENT_TYPES_POC, {"desktop": 0.7, "mobile": 0.25, "tablet": 0.05}, "plan_tier",
    )  # fmt: skip
    w.ndjson(f"{base}/data/events_poc.ndjson", poc)

    systems = [
        System("Azure AD", "identity", "in_production", "it-identity", rate_limit_rps=200),
        System("HubSpot CRM", "crm", "in_production", "revops", rate_limit_rps=25),
        System("BigQuery", "data_store", "in_production", "data-platform", ("rollback",)),
        System("Feast", "feature_store", "tested", "ml-platform"),
        System(
            "Vertex AI Endpoints",
            "model_serving",
            "in_production",
            "ml-platform",
            rate_limit_rps=120,
        ),
        System("Cloud Logging", "logging", "in_production", "sre"),
        System("Grafana + Prometheus", "monitoring", "in_production", "sre"),
        System("Opsgenie", "alerting", "in production", "sre", ("versioning",)),
        System("Cloud Build + Terraform", "deployment", "in_production", "platform-engineering"),
    ]
    w.csv(f"{base}/inventory/systems.csv", INVENTORY_CSV_HEADER, inventory_csv_rows(systems, rng))

    plan = SurveyPlan(
        respondents={
            "legal": 1,
            "compliance": 2,
            "it_security": 2,
            "operations": 2,
            "business_sponsor": 2,
            "affected_team": 5,
        },
        levels={("business_sponsor", "evaluation"): "good"},
        domain="saasco.example",
    )
    answers = survey_answers(rng, plan)
    no_answers(rng, answers, 3)
    # A customer success manager picked a team the survey does not map to a stakeholder group.
    extra = [
        {
            "email": "nils.weber@saasco.example",
            "team": "Customer success",
            "answers": {"sa_support": "Strongly agree", "sa_team_useful": "Agree"},
        }
    ]
    export = google_forms_export(rng, answers, datetime(2026, 11, 3, 8, 0, tzinfo=UTC), extra)
    w.csv(f"{base}/survey/readiness_survey_responses.csv", export[0], export[1:])

    endpoints = [
        Endpoint("POST", "/v2/score", 0.7, 120, 0.45, 0.001, 310.0),
        Endpoint("POST", "/v2/score/batch", 0.1, 190, 0.4, 0.002, 15800.0),
        Endpoint("GET", "/v2/explain/{account_id}", 0.15, 160, 0.4, 0.001, 1900.0),
        Endpoint("GET", "/healthz", 0.05, 3, 0.4, 0.0, 15.0),
    ]
    w.csv(
        f"{base}/load/score_stats.csv", LOCUST_HEADER, locust_stats(rng, endpoints, 55.0, 600, 240)
    )
    costs = {
        "currency": "EUR",
        "requests_per_month_poc": 50000,
        "requests_per_month_target": 2000000,
        "peak_to_average": 3,
        "compute_seconds_per_request": 0.05,
        "price_per_compute_second": 0.00005,
        "fixed_monthly_cost": 1800,
        "monthly_budget": 4000,
        "maintenance_budget_monthly": 1000,
        "users_target": 60,
        "outcomes_per_request": 0.01,
        "value_per_outcome": 120,
    }
    write_costs(w, pid, costs, "Unit economics of the churn model (monthly, EUR). An outcome is a retained account.")  # fmt: skip
    w.yaml(
        f"{base}/evaluation.yml",
        {
            "owner": "Jonas Keller, Lead Data Scientist",
            "automated_grading": True,
            "failure_taxonomy": True,
            "regression_set_size": 1200,
            "kpis": [
                {
                    "name": "Monthly logo churn rate",
                    "baseline": 0.021,
                    "target": 0.017,
                    "instrumented": True,
                    "source": "HubSpot churn report",
                },
                {
                    "name": "Net revenue retention",
                    "baseline": 1.04,
                    "target": 1.08,
                    "instrumented": True,
                    "source": "Finance BI",
                },
                {
                    "name": "Precision at top 5% risk",
                    "baseline": 0.41,
                    "target": 0.55,
                    "instrumented": True,
                    "source": "Weekly backtest",
                },
            ],
        },
        "How the churn model's value and quality are measured.",
    )
    churn_operations(w, rng, base)
    w.text(f"{base}/project.yml", CHURN_PREDICTOR_PROJECT)
