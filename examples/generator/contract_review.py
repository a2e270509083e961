"""Project 3: LLM contract review for legal, built to get NOT YET for stakeholder alignment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from .common import AS_OF, company, email, lognormal, one, person, pick, rng_for, some, times
from .evidence import GRADED_HEADER, graded_rows, kpi_points, write_costs
from .load_tests import LOCUST_HEADER, LOCUST_HISTORY_HEADER, Endpoint, locust_history, locust_stats
from .surveys import SurveyPlan, no_answers, survey_answers, write_long_survey
from .writers import Writer

CLAUSE_TYPES = {"limitation_of_liability": 0.14, "indemnity": 0.1, "termination": 0.14, "confidentiality": 0.16, "data_protection": 0.12, "governing_law": 0.1, "payment_terms": 0.12, "ip_ownership": 0.08, "non_compete": 0.04}  # fmt: skip
CLAUSE_TEXTS = {
    "limitation_of_liability": "Liability is capped at {n} months of fees, except for gross negligence.",
    "indemnity": "Supplier shall indemnify Customer against third-party IP claims.",
    "termination": "Either party may terminate with {n} days' written notice.",
    "confidentiality": "Confidential Information shall not be disclosed for {n} years after termination.",
    "data_protection": "Processor shall process Personal Data only on documented instructions.",
    "governing_law": "This Agreement is governed by the laws of the chosen jurisdiction.",
    "payment_terms": "Invoices are payable within {n} days of receipt.",
    "ip_ownership": "All deliverables become the property of Customer upon payment.",
    "non_compete": "Supplier shall not provide similar services to competitors for {n} months.",
}
CONTRACT_HEADER = [
    "contract_id", "counterparty", "contract_type", "governing_law", "value_eur", "signed_date",
    "renewal_date", "status", "owner_email", "uploaded_at",
]  # fmt: skip


CONTRACT_REVIEW_PROJECT = r"""# LLM contract review for the legal department. Intended outcome: NOT YET, blocked by
# stakeholder alignment: legal raises an explicit blocker, compliance never responded and the
# affected team (paralegals) does not support it. Other gaps ready.
id: contract_review
name: Contract review assistant
description: Extracts and risk-rates clauses of incoming contracts for the legal team.
business_unit: Legal
owner: General Counsel
required_roles:
- identity
- api_gateway
- llm_provider
- vector_store
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
service_levels: {p95_latency_ms: 8000, max_error_rate: 0.02, target_concurrency: 25}
evidence:
  datasets:
  - name: contracts
    source: data/contracts.xlsx
    format: excel
    field_map:
      fields:
        contract_id: {type: string, pattern: '^CTR-\d{5}$'}
        counterparty: {type: string}
        contract_type: {type: string, allowed: [nda, msa, sow, dpa, license, lease]}
        governing_law: {type: string, allowed: [DE, NL, FR, UK, US-NY, CH]}
        value_eur: {type: number, required: false, min: 0}
        signed_date: {type: date}
        renewal_date: {type: date, required: false}
        status: {type: string, allowed: [draft, in_review, signed, expired, terminated]}
        owner_email: {type: string, pattern: '^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$'}
        uploaded_at: {type: timestamp}
      key:
      - contract_id
      timestamp: uploaded_at
      max_age: 7d
      rules:
      - name: renewal_after_signature
        expression: renewal_date is null or renewal_date > signed_date
        description: A contract renews after it was signed.
  - name: clauses
    source: data/clauses.csv
    format: csv
    field_map:
      fields:
        clause_id: {type: string, pattern: '^CL-\d{6}$'}
        contract_id: {type: string, pattern: '^CTR-\d{5}$'}
        clause_type: {type: string, allowed: [limitation_of_liability, indemnity, termination, confidentiality,
            data_protection, governing_law, payment_terms, ip_ownership, non_compete]}
        risk_level: {type: string, allowed: [low, medium, high]}
        page: {type: integer, min: 1}
        model_confidence: {type: number, min: 0, max: 1}
        extracted_at: {type: timestamp}
        clause_text: {type: string}
      key:
      - clause_id
      timestamp: extracted_at
      max_age: 7d
      relationships:
      - field: contract_id
        dataset: contracts
        to_field: contract_id
  inventory:
    path: inventory/catalog-info.yaml
    format: backstage
  survey:
    path: survey/responses.csv
    format: long_csv
  load_tests:
  - path: load/review_stats.csv
    history_path: load/review_stats_history.csv
    users: 25
  costs: costs.yml
  evaluation: evaluation.yml
  eval_results:
  - path: eval/graded_examples.csv
    format: graded_examples
  kpi_data:
    path: eval/kpis.csv
    cadence_days: 7
    launch_date: 2026-10-01
quality_bar: {clause_recall: 0.9, risk_rating: 0.85}
model_version: clauses-v2
"""


def contract_review(w: Writer) -> None:
    """Project 3: LLM contract review for legal. Designed to get NOT YET for stakeholder alignment."""
    pid = "contract_review"
    rng = rng_for(pid)
    base = f"projects/{pid}"
    n = 420
    ids = [f"CTR-{30000 + i}" for i in range(n)]
    kinds = pick(rng, {"nda": 0.3, "msa": 0.2, "sow": 0.25, "dpa": 0.12, "license": 0.1, "lease": 0.03}, n)  # fmt: skip
    law = pick(rng, {"DE": 0.45, "NL": 0.15, "FR": 0.12, "UK": 0.12, "US-NY": 0.1, "CH": 0.06}, n)
    uploaded = times(rng, n, AS_OF - timedelta(hours=20, minutes=5), timedelta(days=120))
    lawyers = [email(*person(rng), "legal.globex.example") for _ in range(9)]
    rows: list[list[Any]] = []
    for i in range(n):
        signed = (uploaded[i] - timedelta(days=int(rng.integers(1, 900)))).date()
        renewal = None if kinds[i] == "nda" or rng.random() < 0.2 else signed + timedelta(days=int(rng.choice([365, 730, 1095])))  # fmt: skip
        value = None if kinds[i] == "nda" else round(float(lognormal(rng, 85000, 1.2, 1)[0]), 2)
        status = one(rng, ("signed", "signed", "signed", "in_review", "expired", "draft"))
        rows.append([ids[i], company(rng), kinds[i], law[i], value, signed, renewal, status, one(rng, lawyers), uploaded[i].replace(tzinfo=None)])  # fmt: skip
    for i, typo in zip(some(rng, n, 2), ("NDA", "master agreement"), strict=True):
        rows[i][2] = typo
    for i, bad in zip(some(rng, n, 2), ("k.moreau@legal", "legal team"), strict=True):
        rows[i][8] = bad
    with_renewal = [i for i in range(n) if rows[i][6] is not None]
    for i in sorted(rng.choice(with_renewal, size=2, replace=False)):
        rows[int(i)][6] = rows[int(i)][5] - timedelta(days=30)  # renewal before signature
    rows[some(rng, n, 1)[0]][1] = f"  {company(rng)}  "  # stray spaces from copy-paste
    w.xlsx(f"{base}/data/contracts.xlsx", "contracts", CONTRACT_HEADER, rows)

    m = 1600
    clause_contracts = [one(rng, ids) for _ in range(m)]
    extracted = times(rng, m, AS_OF - timedelta(hours=19, minutes=40), timedelta(days=120))
    ctypes = pick(rng, CLAUSE_TYPES, m)
    risk = pick(rng, {"low": 0.55, "medium": 0.33, "high": 0.12}, m)
    clauses: list[list[Any]] = []
    for i in range(m):
        text = CLAUSE_TEXTS[ctypes[i]].format(n=int(rng.choice([12, 24, 30, 60, 90])))
        clauses.append([f"CL-{500000 + i}", clause_contracts[i], ctypes[i], risk[i], int(rng.integers(1, 60)), f"{rng.uniform(0.62, 0.99):.3f}", extracted[i], text])  # fmt: skip
    for i in some(rng, m, 3):
        clauses[i][1] = f"CTR-{39000 + int(rng.integers(999))}"  # contract not uploaded
    for i in some(rng, m, 4):
        clauses[i][3] = None
    clauses[some(rng, m, 1)[0]][3] = "critical"
    w.csv(
        f"{base}/data/clauses.csv",
        [
            "clause_id",
            "contract_id",
            "clause_type",
            "risk_level",
            "page",
            "model_confidence",
            "extracted_at",
            "clause_text",
        ],
        clauses,
    )

    catalog = BACKSTAGE_CATALOG.format(llm_rps=30, gateway_rps=200)
    w.text(f"{base}/inventory/catalog-info.yaml", catalog)

    # Legal raises a blocker, compliance never answered, the paralegals are not convinced.
    plan = SurveyPlan(
        respondents={
            "legal": 3,
            "it_security": 2,
            "operations": 2,
            "business_sponsor": 1,
            "affected_team": 6,
        },
        levels={
            ("legal", "stakeholder_alignment"): "mid",
            ("affected_team", "stakeholder_alignment"): "low",
            ("affected_team", "evaluation"): "good",
        },
        blockers={
            (
                "legal",
                0,
            ): "The DPA with the LLM vendor is not signed: client documents cannot leave our tenant yet.",
        },
        domain="globex.example",
    )
    answers = survey_answers(rng, plan)
    no_answers(rng, answers, 3)
    for a in answers:
        if a.group == "affected_team" and a.question == "sa_team_trust" and not a.comment:
            a.comment = one(rng, ("", "It misses non-standard liability caps.", "I re-read every clause anyway.", ""))  # fmt: skip
    bad_rows = [
        ["sara.costa@globex.example", "Paralegals", "sa_team_useful", "Disagree", ""],
        ["hugo.novak@globex.example", "Legal", "sa_legal_basis", "Kind of", "depends on the DPA"],
    ]
    write_long_survey(w, f"{base}/survey/responses.csv", rng, answers, bad_rows)

    endpoints = [
        Endpoint("POST", "/api/review", 0.6, 3200, 0.35, 0.006, 8200.0),
        Endpoint("POST", "/api/extract-clauses", 0.3, 2100, 0.4, 0.005, 5400.0),
        Endpoint("GET", "/api/contracts/{id}", 0.1, 90, 0.5, 0.0, 2100.0),
    ]
    w.csv(f"{base}/load/review_stats.csv", LOCUST_HEADER, locust_stats(rng, endpoints, 4.0, 1200, 5200))  # fmt: skip
    w.csv(
        f"{base}/load/review_stats_history.csv",
        LOCUST_HISTORY_HEADER,
        locust_history(rng_for(f"{pid}/history"), 25, 1200, 4.0, 5200, 0.005, datetime(2026, 11, 12, 9, 30, tzinfo=UTC)),
    )  # fmt: skip
    costs = {
        "currency": "EUR",
        "requests_per_month_poc": 900,
        "requests_per_month_target": 20000,
        "peak_to_average": 5,
        "tokens_in_per_request": 12000,
        "tokens_out_per_request": 1500,
        "price_per_1k_tokens_in": 0.0025,
        "price_per_1k_tokens_out": 0.01,
        "fixed_monthly_cost": 1500,
        "monthly_budget": 5000,
        "maintenance_budget_monthly": 800,
        "users_target": 45,
        "outcomes_per_request": 1,
        "value_per_outcome": 45,
    }
    write_costs(w, pid, costs, "Unit economics of contract review (monthly, EUR). An outcome is a contract reviewed.")  # fmt: skip
    w.yaml(
        f"{base}/evaluation.yml",
        {
            "owner": "Dr. Elena Rossi, Legal Operations",
            "automated_grading": True,
            "failure_taxonomy": True,
            "regression_set_size": 180,
            "kpis": [
                {
                    "name": "Review time per contract (hours)",
                    "baseline": 3.5,
                    "target": 1.5,
                    "instrumented": True,
                    "source": "Matter management time entries",
                },
                {
                    "name": "Risky clauses missed per 100 contracts",
                    "baseline": 4.0,
                    "target": 2.0,
                    "instrumented": True,
                    "source": "Quarterly audit sample",
                },
            ],
        },
        "How contract review's value and quality are measured.",
    )
    # The POC's evaluation looked fine (60 curated contracts on clauses-v1); the production run on
    # clauses-v2 with 150 real contracts misses clauses, a third of its failures are unlabelled and
    # the model judge agrees with the lawyers only loosely. The KPI export stopped a month ago.
    eval_rng = rng_for(f"{pid}_eval")
    kinds = ["NDA", "master services agreement", "supplier contract", "licence agreement"]

    def contract(i: int) -> tuple[str, str]:
        return (
            f"Extract the termination, liability and governing-law clauses of {kinds[i % 4]} #{i}",
            f"Termination: not found. Liability: capped at fees. Governing law: clause {i % 9}.",
        )

    categories = {"missed_clause": 0.5, "wrong_jurisdiction": 0.3, "ocr_noise": 0.2}
    graded = graded_rows(eval_rng, "poc", datetime(2026, 7, 15, tzinfo=UTC), "clauses-v1", {"clause_recall": 0.95, "risk_rating": 0.92}, 60, 0, 0, categories, 0.0, contract)  # fmt: skip
    graded += graded_rows(eval_rng, "production", AS_OF - timedelta(days=8), "clauses-v2", {"clause_recall": 0.72, "risk_rating": 0.8}, 150, 40, 9, categories, 0.35, contract)  # fmt: skip
    w.csv(f"{base}/eval/graded_examples.csv", GRADED_HEADER, graded)
    kpis = {
        "Review time per contract (hours)": (3.5, 1.5, 0.2),
        "Risky clauses missed per 100 contracts": (4.0, 2.0, 0.3),
    }
    points = kpi_points(eval_rng, kpis, datetime(2026, 7, 6, tzinfo=UTC), AS_OF, datetime(2026, 10, 1, tzinfo=UTC), 7, AS_OF - timedelta(days=35))  # fmt: skip
    w.csv(f"{base}/eval/kpis.csv", ["date", "kpi", "value"], points)
    w.text(f"{base}/project.yml", CONTRACT_REVIEW_PROJECT)


BACKSTAGE_CATALOG = """\
# Backstage catalog of the contract review platform (entities as Backstage reads them).
apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: contract-review
  description: LLM-assisted contract review for the legal department
  annotations:
    readiness.dev/role: other
    readiness.dev/status: in_production
    readiness.dev/capabilities: authentication,error_handling,observability,rollback,versioning,integration_tests
spec:
  owner: group:default/legal-tech
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: contract-review-service
  description: FastAPI service that orchestrates extraction, retrieval and review
  tags: [python, rollback]
  annotations:
    readiness.dev/role: model_serving
    readiness.dev/capabilities: authentication,error_handling,observability,versioning,integration_tests
    backstage.io/techdocs-ref: dir:.
spec:
  type: service
  lifecycle: production
  owner: group:default/legal-tech
  system: contract-review
  providesApis: [contract-review-api]
  dependsOn: ['resource:contracts-db', 'resource:clause-index', 'component:azure-openai-gpt4o']
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: contract-review-api
  description: REST API used by the matter management tool
  annotations:
    readiness.dev/role: other
    readiness.dev/capabilities: authentication,error_handling,observability,rollback,versioning,integration_tests
spec:
  type: openapi
  lifecycle: production
  owner: group:default/legal-tech
  system: contract-review
  definition: |
    openapi: 3.0.0
    info: {{title: Contract review, version: 1.4.0}}
    paths: {{}}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: clause-search-ui
  description: Experimental clause search front end (not part of the launch scope)
  annotations:
    readiness.dev/role: other
    readiness.dev/capabilities: authentication,integration_tests
spec:
  type: website
  lifecycle: experimental
  owner: group:default/legal-tech
  system: contract-review
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: azure-openai-gpt4o
  description: Azure OpenAI deployment (EU data zone) used for review
  annotations:
    readiness.dev/role: llm_provider
    readiness.dev/capabilities: authentication,error_handling,observability,versioning,integration_tests,rollback
    readiness.dev/rate-limit-rps: "{llm_rps}"
spec:
  type: llm
  lifecycle: production
  owner: group:default/ml-platform
  system: contract-review
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: kong-gateway
  annotations:
    readiness.dev/capabilities: authentication, error_handling, observability, rollback, versioning, integration_tests
    readiness.dev/rate-limit-rps: "{gateway_rps}"
spec:
  type: gateway
  lifecycle: production
  owner: group:default/platform
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: entra-id
  annotations:
    readiness.dev/capabilities: authentication,error_handling,observability,rollback,versioning,integration_tests
spec:
  type: identity-provider
  lifecycle: production
  owner: group:default/it-identity
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata:
  name: contracts-db
  description: PostgreSQL holding contracts and review results
  annotations:
    readiness.dev/status: in_production
    readiness.dev/capabilities: authentication,error_handling,observability,rollback,versioning,integration_tests
spec:
  type: database
  owner: group:default/legal-tech
  system: contract-review
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata:
  name: clause-index
  description: Qdrant collection of clause embeddings
  annotations:
    readiness.dev/status: tested
    readiness.dev/capabilities: authentication,error_handling,observability,versioning,integration_tests
spec:
  type: vector-database
  owner: group:default/legal-tech
  system: contract-review
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: elastic-logging
  annotations:
    readiness.dev/role: logging
    readiness.dev/capabilities: authentication,error_handling,observability,rollback,versioning,integration_tests
spec:
  type: service
  lifecycle: production
  owner: group:default/sre
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: grafana-cloud
  tags: [monitoring]
  annotations:
    readiness.dev/capabilities: authentication,error_handling,observability,rollback,versioning,integration_tests
spec:
  type: service
  lifecycle: production
  owner: group:default/sre
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: opsgenie
  annotations:
    readiness.dev/role: alerting
    readiness.dev/capabilities: authentication,error_handling,observability,integration_tests
spec:
  type: service
  lifecycle: production
  owner: group:default/sre
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: argo-cd
  annotations:
    readiness.dev/capabilities: authentication,error_handling,observability,rollback,versioning,integration_tests
spec:
  type: ci-cd
  lifecycle: production
  owner: group:default/platform
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: legal-tech
  description: Legal engineering team
spec:
  type: team
  children: []
"""
