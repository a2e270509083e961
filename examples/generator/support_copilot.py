"""Project 1: the customer-support LLM copilot, built to get GO (every gap ready)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa

from .common import (
    AS_OF,
    COUNTRIES,
    FIRST_NAMES,
    LAST_NAMES,
    company,
    company_domain,
    email,
    lognormal,
    one,
    person,
    pick,
    rng_for,
    some,
    times,
)
from .evidence import GRADED_HEADER, System, graded_rows, inventory_yaml, kpi_points, write_costs
from .load_tests import LOCUST_HEADER, LOCUST_HISTORY_HEADER, Endpoint, locust_history, locust_stats
from .surveys import SurveyPlan, no_answers, survey_answers, write_long_survey
from .writers import Writer

TICKET_CATEGORIES = {"billing": 0.28, "technical": 0.34, "account": 0.18, "shipping": 0.12, "other": 0.08}  # fmt: skip
TICKET_SUBJECTS = {
    "billing": (
        "Charged twice for order {n}",
        "Refund not received yet",
        "Question about invoice {n}",
        "VAT missing on my invoice",
    ),
    "technical": (
        "App crashes when I log in",
        "Sync error code E{n}",
        "Cannot export my report",
        "API returns 500 since this morning",
    ),
    "account": (
        "Cannot reset my password",
        "Please add a user to our account",
        "Change the account owner",
        "Two-factor code never arrives",
    ),
    "shipping": (
        "Parcel {n} not delivered",
        "Wrong item received",
        "Delivery address change",
        "Tracking not updating",
    ),
    "other": (
        "Feedback on the new dashboard",
        "Partnership question",
        "GDPR data request",
        "Complaint about a call",
    ),
}
TICKET_BODIES = (
    "Hi, {s}. Can you help? Thanks",
    "Hello team - {s}. This is urgent for us.",
    "{s}. Tried twice already, pls check.",
    "Dear support, {s}. Order ref {n}. Kind regards",
    "{s} - happened again today, see screenshot (not attached)",
    "Hi, {s}, I recieved no answer to my last email.",
)


def make_customers(rng: np.random.Generator, n: int, messy: bool) -> dict[str, list[Any]]:
    """The support copilot's customers (Parquet)."""
    ids = [f"C-{10000 + i}" for i in range(n)]
    names = [company(rng) for _ in range(n)]
    segment = pick(rng, {"smb": 0.6, "mid_market": 0.3, "enterprise": 0.1}, n)
    country = pick(rng, COUNTRIES, n)
    contact: list[str | None] = []
    for name in names:
        first, last = person(rng)
        domain = company_domain(name)
        contact.append(email(first, last, domain))
    created = times(rng, n, AS_OF - timedelta(days=20), timedelta(days=1500))
    updated = [c + timedelta(seconds=int(rng.uniform(0, (AS_OF - c).total_seconds() - 3 * 3600))) for c in created]  # fmt: skip
    updated[int(rng.integers(n))] = AS_OF - timedelta(hours=3, minutes=12)
    active = [bool(v) for v in rng.random(n) < 0.92]
    ltv = [round(float(v), 2) for v in lognormal(rng, 4200, 1.1, n)]
    if messy:
        for i in some(rng, n, 2):
            contact[i] = None
        for i, bad in zip(some(rng, n, 2), ("accounts(at)harbor.example", "j.meyer@"), strict=True):
            contact[i] = bad
        for i, bad in zip(some(rng, n, 3), ("Germany", "uk", "D"), strict=True):
            country[i] = bad
        ltv[some(rng, n, 1)[0]] = -120.0
    return {
        "customer_id": ids,
        "company_name": names,
        "segment": segment,
        "country": country,
        "contact_email": contact,
        "is_active": active,
        "lifetime_value_eur": ltv,
        "created_at": created,
        "updated_at": updated,
    }


TICKET_HEADER = [
    "ticket_id", "customer_id", "created_at", "resolved_at", "status", "channel", "priority",
    "category", "language", "subject", "body", "agent_email", "first_response_minutes", "csat",
]  # fmt: skip
AGENTS = [email(f, lname, "acme-support.com") for f, lname in zip(FIRST_NAMES[:24], LAST_NAMES * 2, strict=False)]  # fmt: skip


def make_tickets(
    rng: np.random.Generator,
    n: int,
    customer_ids: list[str],
    first_id: int,
    newest: datetime,
    span: timedelta,
    messy: bool,
) -> list[list[Any]]:
    """Support tickets: the production export (messy) or the curated POC sample."""
    weights = 1.0 / np.arange(1, len(customer_ids) + 1) ** 0.6
    owners = [customer_ids[i] for i in rng.choice(len(customer_ids), size=n, p=weights / weights.sum())]  # fmt: skip
    created = times(rng, n, newest, span)
    category = pick(rng, TICKET_CATEGORIES, n)
    channel = pick(rng, {"email": 0.45, "chat": 0.3, "phone": 0.15, "web": 0.1}, n)
    priority = pick(rng, {"low": 0.3, "normal": 0.45, "high": 0.2, "urgent": 0.05}, n)
    language = pick(rng, {"en": 0.5, "de": 0.22, "fr": 0.14, "es": 0.08, "nl": 0.06}, n)
    first_response = lognormal(rng, 35, 1.0, n)
    resolve_hours = lognormal(rng, 20, 1.1, n)
    rows: list[list[Any]] = []
    for i in range(n):
        resolved: datetime | None = created[i] + timedelta(hours=float(resolve_hours[i]))
        if resolved is not None and (resolved > newest or rng.random() < 0.08):
            resolved = None
        status = one(rng, ("open", "open", "pending")) if resolved is None else one(rng, ("solved", "solved", "closed"))  # fmt: skip
        number = int(rng.integers(10000, 99999))
        subject = one(rng, TICKET_SUBJECTS[category[i]]).format(n=number)
        body = one(rng, TICKET_BODIES).format(s=subject[0].lower() + subject[1:], n=number)
        csat: int | None = None
        if resolved is not None and rng.random() < 0.55:
            csat = int(rng.choice([5, 4, 3, 2, 1], p=[0.45, 0.3, 0.12, 0.07, 0.06]))
        rows.append(
            [
                f"T-{first_id + i}",
                owners[i],
                created[i],
                resolved,
                status,
                channel[i],
                priority[i],
                category[i],
                language[i],
                subject,
                body,
                one(rng, AGENTS),
                f"{min(float(first_response[i]), 9000):.1f}",
                csat,
            ]
        )
    if not messy:
        return rows
    # Real data: a few nulls, typos and broken values, well within the thresholds.
    taken: set[int] = set()
    for i in some(rng, n, 8):
        rows[i][9] = None  # subject (required)
    for i in some(rng, n, 5):
        rows[i][10] = None  # body (required)
    for i in some(rng, n, 3):
        rows[i][5] = None  # channel (required)
    for i, typo in zip(some(rng, n, 5), ("techincal", "Billing", "biling", "tech", "shiping"), strict=True):  # fmt: skip
        rows[i][7] = typo
    for i, typo in zip(some(rng, n, 3), ("e-mail", "Chat", "whatsapp"), strict=True):
        rows[i][5] = typo
    for i, bad in zip(some(rng, n, 6), ("n/a", "marta.ruiz@acme-support", "tom.baker.acme-support.com", "agent7", "l.fischer@acme-support..com", "support"), strict=True):  # fmt: skip
        rows[i][11] = bad
    for i, bad in zip(some(rng, n, 4), ("-5.0", "-1.0", "-12.0", "20160.0"), strict=True):
        rows[i][12] = bad
    resolved_rows = [i for i in range(n) if rows[i][3] is not None]
    for i in sorted(rng.choice(resolved_rows, size=5, replace=False)):
        # A clock-skew bug in the help desk: resolved before it was created.
        rows[int(i)][3] = rows[int(i)][2] - timedelta(minutes=int(rng.integers(3, 90)))
        taken.add(int(i))
    for i in some(rng, n, 6, taken):
        rows[i][1] = f"C-{90000 + int(rng.integers(9999))}"  # customer missing from the CRM export
    rows.insert(
        int(rng.integers(n // 2, n)), list(rows[int(rng.integers(n // 4))])
    )  # one duplicate
    return rows


SUPPORT_COPILOT_PROJECT = r"""# Customer-support LLM copilot. Intended outcome: GO (every gap ready, confidence high).
# Its data is real-world messy (typos, a few nulls, one duplicate, a few orphans) but within thresholds.
id: support_copilot
name: Customer support copilot
description: Drafts replies and summaries for support agents in Zendesk, grounded in past tickets.
business_unit: Customer Service
owner: Head of Customer Service Operations
required_roles:
- auth
- crm
- ticketing
- llm_provider
- vector_store
- data_store
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
service_levels: {p95_latency_ms: 2500, max_error_rate: 0.01, target_concurrency: 120}
evidence:
  datasets:
  - name: tickets
    source: data/tickets.csv
    format: csv
    poc_sample: data/tickets_poc.csv
    field_map:
      fields:
        ticket_id: {type: string, pattern: '^T-\d{6}$'}
        customer_id: {type: string, pattern: '^C-\d{5}$'}
        created_at: {type: timestamp}
        resolved_at: {type: timestamp, required: false}
        status: {type: string, allowed: [open, pending, solved, closed]}
        channel: {type: string, allowed: [email, chat, phone, web]}
        priority: {type: string, allowed: [low, normal, high, urgent]}
        category: {type: string, allowed: [billing, technical, account, shipping, other]}
        language: {type: string, allowed: [en, de, fr, es, nl]}
        subject: {type: string}
        body: {type: string}
        agent_email: {type: string, pattern: '^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$'}
        first_response_minutes: {type: number, min: 0, max: 10080}
        csat: {type: integer, required: false, min: 1, max: 5}
      key:
      - ticket_id
      timestamp: created_at
      max_age: 24h
      rules:
      - name: resolved_after_created
        expression: resolved_at is null or resolved_at >= created_at
        description: A ticket cannot be resolved before it was opened.
      relationships:
      - field: customer_id
        dataset: customers
        to_field: customer_id
  - name: customers
    source: data/customers.parquet
    format: parquet
    field_map:
      fields:
        customer_id: {type: string, pattern: '^C-\d{5}$'}
        company_name: {type: string}
        segment: {type: string, allowed: [smb, mid_market, enterprise]}
        country: {type: string, pattern: '^[A-Z]{2}$'}
        contact_email: {type: string, pattern: '^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$'}
        is_active: {type: boolean}
        lifetime_value_eur: {type: number, min: 0}
        updated_at: {type: timestamp}
      key:
      - customer_id
      timestamp: updated_at
      max_age: 7d
  inventory:
    path: inventory/systems.yml
    format: yaml
  survey:
    path: survey/responses.csv
    format: long_csv
  load_tests:
  - path: load/copilot_stats.csv
    history_path: load/copilot_stats_history.csv
    users: 120
  costs: costs.yml
  evaluation: evaluation.yml
  eval_results:
  - path: eval/graded_examples.csv
    format: graded_examples
  kpi_data:
    path: eval/kpis.csv
    cadence_days: 7
    launch_date: 2026-09-01
quality_bar: {grounded: 0.9, helpful: 0.85}
model_version: copilot-2026-11
"""


def support_copilot(w: Writer) -> None:
    """Project 1: the customer-support LLM copilot. Designed to get GO."""
    pid = "support_copilot"
    rng = rng_for(pid)
    base = f"projects/{pid}"
    customers = make_customers(rng, 900, messy=True)
    ts_type = pa.timestamp("us", tz="UTC")
    w.parquet(
        f"{base}/data/customers.parquet",
        [
            ("customer_id", pa.string(), customers["customer_id"]),
            ("company_name", pa.string(), customers["company_name"]),
            ("segment", pa.string(), customers["segment"]),
            ("country", pa.string(), customers["country"]),
            ("contact_email", pa.string(), customers["contact_email"]),
            ("is_active", pa.bool_(), customers["is_active"]),
            ("lifetime_value_eur", pa.float64(), customers["lifetime_value_eur"]),
            ("created_at", ts_type, customers["created_at"]),
            ("updated_at", ts_type, customers["updated_at"]),
        ],
    )
    ids = customers["customer_id"]
    tickets = make_tickets(
        rng, 2400, ids, 200000, AS_OF - timedelta(minutes=47), timedelta(days=30), messy=True
    )
    poc = make_tickets(
        rng,
        600,
        ids,
        100000,
        datetime(2026, 5, 29, 16, 0, tzinfo=UTC),
        timedelta(days=60),
        messy=False,
    )
    w.csv(f"{base}/data/tickets.csv", TICKET_HEADER, tickets)
    w.csv(f"{base}/data/tickets_poc.csv", TICKET_HEADER, poc)

    systems = [
        System("Okta", "auth", "in_production", "identity-team", rate_limit_rps=600),
        System(
            "Salesforce Service Cloud", "crm", "in_production", "crm-platform", rate_limit_rps=25
        ),
        System("Zendesk", "ticketing", "in_production", "support-tools", rate_limit_rps=100),
        System(
            "Azure OpenAI (gpt-4o, EU)", "llm_provider", "tested", "ml-platform", rate_limit_rps=40
        ),
        System("pgvector on Aurora", "vector_store", "tested", "ml-platform", ("rollback",)),
        System("Snowflake", "data_store", "in_production", "data-platform", ("rollback",)),
        System("Datadog Logs", "logging", "in_production", "sre"),
        System("Datadog APM", "monitoring", "In production", "sre"),
        System("PagerDuty", "alerting", "in_production", "sre", ("versioning",)),
        System("GitHub Actions + Argo CD", "deployment", "in_production", "platform-engineering"),
        System("Copilot API (FastAPI on AKS)", "model_serving", "tested", "support-ai-squad"),
    ]
    w.yaml(
        f"{base}/inventory/systems.yml",
        inventory_yaml(systems, rng),
        "Systems the support copilot lives inside (our YAML inventory format).",
    )

    plan = SurveyPlan(
        respondents={
            "legal": 2,
            "compliance": 2,
            "it_security": 2,
            "operations": 3,
            "business_sponsor": 1,
            "affected_team": 6,
        },
        levels={("affected_team", "evaluation"): "good"},
        domain="acme.example",
    )
    answers = survey_answers(rng, plan)
    no_answers(rng, answers, 4)
    answers[5].comment = "DPIA signed off on 2026-10-02"
    bad = [
        ["lena.berg@acme.example", "Affected team", "sa_team_useful", "Mostly agree", "new label"],
        ["omar.costa@acme.example", "Marketing", "sa_support", "Agree", ""],
    ]
    write_long_survey(w, f"{base}/survey/responses.csv", rng, answers, bad)

    endpoints = [
        Endpoint("POST", "/v1/suggest-reply", 0.55, 1100, 0.45, 0.003, 2150.0),
        Endpoint("POST", "/v1/summarize", 0.2, 900, 0.4, 0.003, 980.0),
        Endpoint("GET", "/v1/similar-tickets", 0.2, 140, 0.5, 0.001, 4300.0),
        Endpoint("GET", "/health", 0.05, 5, 0.5, 0.0, 17.0),
    ]
    w.csv(
        f"{base}/load/copilot_stats.csv",
        LOCUST_HEADER,
        locust_stats(rng, endpoints, 30.0, 900, 1700),
    )
    w.csv(
        f"{base}/load/copilot_stats_history.csv",
        LOCUST_HISTORY_HEADER,
        locust_history(rng_for(f"{pid}/history"), 120, 900, 30.0, 1700, 0.003, datetime(2026, 11, 16, 13, 0, tzinfo=UTC)),
    )  # fmt: skip
    costs = {
        "currency": "EUR",
        "requests_per_month_poc": 8000,
        "requests_per_month_target": 450000,
        "peak_to_average": 4,
        "tokens_in_per_request": 1400,
        "tokens_out_per_request": 250,
        "price_per_1k_tokens_in": 0.0025,
        "price_per_1k_tokens_out": 0.01,
        "compute_seconds_per_request": 0,
        "price_per_compute_second": 0,
        "fixed_monthly_cost": 2500,
        "monthly_budget": 12000,
        "maintenance_budget_monthly": 2500,
        "users_target": 350,
        "outcomes_per_request": 0.6,
        "value_per_outcome": 3.0,
    }
    write_costs(w, pid, costs, "Unit economics of the support copilot (monthly, EUR). An outcome is a reply drafted and sent.")  # fmt: skip
    w.yaml(
        f"{base}/evaluation.yml",
        {
            "owner": "Priya Natarajan, Support Quality Lead",
            "automated_grading": True,
            "failure_taxonomy": True,
            "regression_set_size": 120,
            "kpis": [
                {
                    "name": "Average handling time (minutes)",
                    "baseline": 14.2,
                    "target": 10.0,
                    "instrumented": True,
                    "source": "Zendesk Explore",
                },
                {
                    "name": "First-contact resolution rate",
                    "baseline": 0.64,
                    "target": 0.72,
                    "instrumented": True,
                    "source": "Zendesk Explore",
                },
                {
                    "name": "CSAT (1-5)",
                    "baseline": 4.1,
                    "target": 4.3,
                    "instrumented": True,
                    "source": "Zendesk satisfaction survey",
                },
                {
                    "name": "Share of AI drafts sent without edit",
                    "baseline": 0.31,
                    "target": 0.5,
                    "instrumented": True,
                    "source": "Copilot event log",
                },
            ],
        },
        "How the support copilot's value and quality are measured.",
    )
    # What the evaluation itself says: two weekly runs of 120 graded tickets (the newest on the
    # model under assessment), 40 of them graded by support leads too, and a weekly KPI export.
    eval_rng = rng_for(f"{pid}_eval")
    asks = ["Where is my refund?", "How do I reset my password?", "Cancel my subscription", "Invoice shows the wrong VAT number", "The app crashes on login"]  # fmt: skip

    def ticket(i: int) -> tuple[str, str]:
        first, last = person(eval_rng)
        return (
            f"{asks[i % len(asks)]} (from {email(first, last, 'example.com')})",
            f"Hi {first}, thanks for reaching out. I have escalated ticket {i} to billing.",
        )

    categories = {"wrong_policy": 0.4, "missing_context": 0.35, "tone": 0.25}
    graded = graded_rows(eval_rng, "week-45", AS_OF - timedelta(days=10), "copilot-2026-10", {"grounded": 0.95, "helpful": 0.91}, 120, 40, 1, categories, 0.0, ticket)  # fmt: skip
    graded += graded_rows(eval_rng, "week-46", AS_OF - timedelta(days=3), "copilot-2026-11", {"grounded": 0.96, "helpful": 0.92}, 120, 40, 1, categories, 0.0, ticket)  # fmt: skip
    w.csv(f"{base}/eval/graded_examples.csv", GRADED_HEADER, graded)
    kpis = {
        "Average handling time (minutes)": (14.2, 10.0, 0.4),
        "First-contact resolution rate": (0.64, 0.72, 0.01),
        "CSAT (1-5)": (4.1, 4.3, 0.03),
        "Share of AI drafts sent without edit": (0.31, 0.5, 0.02),
    }
    first = datetime(2026, 6, 1, tzinfo=UTC)
    points = kpi_points(eval_rng, kpis, first, AS_OF, datetime(2026, 9, 1, tzinfo=UTC), 7)
    w.csv(f"{base}/eval/kpis.csv", ["date", "kpi", "value"], points)
    w.text(f"{base}/project.yml", SUPPORT_COPILOT_PROJECT)
