"""Project 5: document AI for supplier invoices, built to get NOT YET for integration and maintenance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from .common import (
    AS_OF,
    COUNTRIES,
    company,
    company_domain,
    email,
    lognormal,
    one,
    person,
    rng_for,
    some,
    times,
)
from .evidence import CAPABILITIES, INVENTORY_CSV_HEADER, System, inventory_csv_rows, write_costs
from .load_tests import LOCUST_HEADER, Endpoint, locust_stats
from .surveys import QUESTION_BY_ID, SurveyPlan, ms_forms_export, no_answers, survey_answers
from .writers import Writer

INVOICE_EXTRACTION_PROJECT = r"""# Document AI for supplier invoices. Intended outcome: NOT YET, blocked by integration
# (SAP and logging not started, no monitoring or alerting system, most systems without an owner)
# and maintenance (no monitoring, no on-call, no operating budget). Its evaluation plan has
# KPIs without baselines, so evaluation is blocked too. Data, alignment and scale are fine.
id: invoice_extraction
name: Invoice extraction
description: Reads supplier invoices (PDF, scans) and posts them to SAP accounts payable.
business_unit: Finance
owner: Head of Accounts Payable
required_roles:
- auth
- erp
- data_store
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
service_levels: {p95_latency_ms: 6000, max_error_rate: 0.02, target_concurrency: 40}
evidence:
  datasets:
  - name: invoices
    source: data/invoices.csv.gz
    format: csv
    field_map:
      fields:
        invoice_id: {type: string, pattern: '^INV-\d{6}$'}
        supplier_id: {type: string, pattern: '^S-\d{4}$'}
        invoice_number: {type: string}
        invoice_date: {type: date}
        due_date: {type: date}
        currency: {type: string, allowed: [EUR, USD, GBP, CHF]}
        net_amount: {type: number, min: 0}
        vat_rate: {type: number, min: 0, max: 0.27}
        total_amount: {type: number, min: 0}
        extraction_confidence: {type: number, min: 0, max: 1}
        extracted_at: {type: timestamp}
      key:
      - invoice_id
      timestamp: extracted_at
      max_age: 24h
      rules:
      - name: due_after_invoice
        expression: due_date >= invoice_date
        description: An invoice is due on or after its date.
      - name: total_is_net_plus_vat
        expression: abs(total_amount - net_amount * (1 + vat_rate)) < 0.05
        description: The total is the net amount plus VAT.
      relationships:
      - field: supplier_id
        dataset: suppliers
        to_field: supplier_id
  - name: suppliers
    source: data/suppliers.csv
    format: csv
    field_map:
      fields:
        supplier_id: {type: string, pattern: '^S-\d{4}$'}
        name: {type: string}
        country: {type: string, pattern: '^[A-Z]{2}$'}
        vat_id: {type: string, pattern: '^[A-Z]{2}[0-9A-Z]{8,12}$'}
        ap_email: {type: string, pattern: '^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$'}
        payment_terms_days: {type: integer, min: 0, max: 120}
      key:
      - supplier_id
  inventory:
    path: inventory/systems.csv
    format: csv
  survey:
    path: survey/AI readiness survey - invoice extraction(1-17).xlsx   # "Open results in Excel"
    format: ms_forms
    group_question: Which team are you in?
    group_labels:
      Legal: legal
      Compliance: compliance
      IT & Security: it_security
      Operations: operations
      Business sponsor: business_sponsor
      Affected team (I use the tool): affected_team
  load_tests:
  - path: load/extract_stats.csv
    users: 40
  costs: costs.yml
  evaluation: evaluation.yml
"""


def invoice_extraction(w: Writer) -> None:
    """Project 5: document AI for invoices. Designed to get NOT YET for integration and maintenance."""
    pid = "invoice_extraction"
    rng = rng_for(pid)
    base = f"projects/{pid}"
    k = 250
    supplier_ids = [f"S-{5000 + i}" for i in range(k)]
    supplier_rows = []
    for i in range(k):
        name = company(rng)
        country = one(rng, list(COUNTRIES))
        first, last = person(rng)
        domain = company_domain(name)
        vat = f"{country}{int(rng.integers(10**8, 10**9))}"
        supplier_rows.append([supplier_ids[i], name, country, vat, email(first, last, domain), one(rng, ("30", "45", "60", "30"))])  # fmt: skip
    supplier_rows[some(rng, k, 1)[0]][3] = "pending"
    supplier_rows[some(rng, k, 1)[0]][4] = None
    w.csv(
        f"{base}/data/suppliers.csv",
        ["supplier_id", "name", "country", "vat_id", "ap_email", "payment_terms_days"],
        supplier_rows,
    )

    n = 1200
    extracted = times(rng, n, AS_OF - timedelta(hours=2, minutes=6), timedelta(days=21))
    rows: list[list[Any]] = []
    for i in range(n):
        supplier = int(rng.integers(k))
        invoice_day = (extracted[i] - timedelta(days=int(rng.integers(0, 12)))).date()
        terms = int(supplier_rows[supplier][5])
        net = round(float(lognormal(rng, 1800, 1.2, 1)[0]), 2)
        vat_rate = float(rng.choice([0.19, 0.2, 0.21, 0.07, 0.0, 0.1], p=[0.35, 0.2, 0.2, 0.1, 0.05, 0.1]))  # fmt: skip
        rows.append(
            [
                f"INV-{800000 + i}",
                supplier_ids[supplier],
                f"{int(rng.integers(2024, 2027))}-{int(rng.integers(1, 99999)):05d}",
                invoice_day,
                invoice_day + timedelta(days=terms),
                one(rng, ("EUR", "EUR", "EUR", "EUR", "USD", "GBP", "CHF")),
                f"{net:.2f}",
                f"{vat_rate:.2f}",
                f"{net * (1 + vat_rate):.2f}",
                f"{rng.beta(18, 1.5):.3f}",
                extracted[i],
            ]
        )
    for i in some(rng, n, 4):
        rows[i][4] = rows[i][3] - timedelta(days=3)  # due date read from the wrong field
    for i in some(rng, n, 5):
        rows[i][5] = None
    for i, bad in zip(some(rng, n, 3), ("EURO", "eur", "$"), strict=True):
        rows[i][5] = bad
    for i in some(rng, n, 2):
        rows[i][1] = f"S-{9000 + int(rng.integers(999))}"
    w.csv(
        f"{base}/data/invoices.csv.gz",
        [
            "invoice_id",
            "supplier_id",
            "invoice_number",
            "invoice_date",
            "due_date",
            "currency",
            "net_amount",
            "vat_rate",
            "total_amount",
            "extraction_confidence",
            "extracted_at",
        ],
        rows,
        compress=True,
    )

    systems = [
        System("Keycloak", "auth", "in_production", "it-identity", ("rollback",)),
        System(
            "SAP S/4HANA (AP module)",
            "erp",
            "not_started",
            None,
            CAPABILITIES,  # none solved yet
            rate_limit_rps=5,
        ),
        System(
            "Azure Blob Storage",
            "data_store",
            "in_progress",
            None,
            ("rollback", "versioning", "integration_tests"),
        ),
        System(
            "Azure Document Intelligence",
            "model_serving",
            "in_progress",
            None,
            ("observability", "rollback", "integration_tests"),
            rate_limit_rps=15,
        ),
        System(
            "ELK stack",
            "logging",
            "not_started",
            None,
            ("authentication", "observability", "rollback", "versioning", "integration_tests"),
        ),
        System("Jenkins", "deployment", "tested", "build-team", ("versioning",)),
        System(
            "Coupa (supplier portal)",
            "other",
            "not_started",
            None,
            ("error_handling", "observability", "rollback", "versioning", "integration_tests"),
        ),
    ]
    inventory = inventory_csv_rows(systems, rng)
    inventory.append(["Power BI AP dashboard", "other", "in_progress", "maybe", "", "no", "yes", "no", "no", "no", ""])  # fmt: skip
    w.csv(f"{base}/inventory/systems.csv", INVENTORY_CSV_HEADER, inventory)

    plan = SurveyPlan(
        respondents={
            "legal": 2,
            "compliance": 2,
            "it_security": 2,
            "operations": 3,
            "business_sponsor": 2,
            "affected_team": 5,
        },
        levels={
            ("operations", "maintenance"): "low",
            ("it_security", "maintenance"): "low",
            ("operations", "integration"): "mid",
            ("it_security", "integration"): "low",
            ("affected_team", "evaluation"): "mid",
            ("operations", "evaluation"): "mid",
        },
        domain="umbrella.example",
    )
    answers = survey_answers(rng, plan)
    # One operations lead claims monitoring is in place: the inventory has no monitoring system.
    for a in answers:
        if a.group == "operations" and a.question == "mt_monitoring":
            a.value, a.comment = 4, "We see the Jenkins build status."
            break
    no_answers(rng, answers, 4)
    # An operations respondent answered the on-call rating "on a scale of 10".
    for a in answers:
        if a.group == "operations" and a.question == "mt_on_call":
            a.value = None
            on_call_ten = a.respondent
            break
    # An accounts payable clerk picked a team the survey does not map to a stakeholder group.
    extra = [
        {
            "email": "yara.silva@umbrella.example",
            "name": "Yara Silva",
            "team": "Accounts payable",
            "answers": {"sa_team_useful": "Agree", "sa_support": "Agree"},
        }
    ]
    header, rows = ms_forms_export(
        rng,
        answers,
        datetime(2026, 11, 4, 8, 0, tzinfo=UTC),
        extra,
        "Who owns the model after go-live?",
    )
    on_call_column = header.index(QUESTION_BY_ID["mt_on_call"]["text"])
    next(r for r in rows if r[3] == on_call_ten)[on_call_column] = 10
    w.xlsx(
        f"{base}/survey/AI readiness survey - invoice extraction(1-17).xlsx", "Sheet1", header, rows
    )

    endpoints = [
        Endpoint("POST", "/extract", 0.75, 2300, 0.35, 0.009, 4100.0),
        Endpoint("POST", "/classify", 0.2, 650, 0.4, 0.006, 600.0),
        Endpoint("GET", "/status/{job_id}", 0.05, 40, 0.5, 0.0, 180.0),
    ]
    w.csv(f"{base}/load/extract_stats.csv", LOCUST_HEADER, locust_stats(rng, endpoints, 9.0, 900, 3900))  # fmt: skip
    costs = {
        "currency": "EUR",
        "requests_per_month_poc": 3000,
        "requests_per_month_target": 120000,
        "peak_to_average": 3,
        "tokens_in_per_request": 1800,
        "tokens_out_per_request": 400,
        "price_per_1k_tokens_in": 0.0008,
        "price_per_1k_tokens_out": 0.0032,
        "compute_seconds_per_request": 3.5,
        "price_per_compute_second": 0.0006,
        "fixed_monthly_cost": 1200,
        "monthly_budget": 4500,
        "maintenance_budget_monthly": 100,
        "outcomes_per_request": 1,
        "value_per_outcome": 2.5,
    }
    write_costs(w, pid, costs, "Unit economics of invoice extraction (monthly, EUR). An outcome is an invoice posted without manual keying.")  # fmt: skip
    w.yaml(
        f"{base}/evaluation.yml",
        {
            "owner": "",
            "automated_grading": True,
            "failure_taxonomy": False,
            "regression_set_size": 80,
            "kpis": [
                {"name": "Touchless invoice rate", "target": 0.7, "instrumented": False},
                {
                    "name": "Processing time per invoice (minutes)",
                    "target": 2,
                    "instrumented": False,
                },
                {
                    "name": "Field-level extraction accuracy",
                    "baseline": 0.91,
                    "target": 0.97,
                    "instrumented": True,
                    "source": "Weekly labelled sample",
                },
            ],
        },
        "How invoice extraction's value and quality are measured (two KPIs have no baseline yet).",
    )
    w.text(f"{base}/project.yml", INVOICE_EXTRACTION_PROJECT)
