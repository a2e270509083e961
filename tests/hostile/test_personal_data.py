"""Hostile audited data holding personal values (issue 14, part 3): refused rows, engine errors
and example rows that would quote emails, phone numbers or IP addresses.

Each case reads as a portfolio run does (see :mod:`tests.hostile.harness`); besides its message,
``tests/e2e/test_privacy_scan.py`` scans what every case of the corpus would store.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.hostile.harness import Case, Workspace, run_cases

PEOPLE = (
    "id,contact_email,client,note\n"
    "1,ann@x.com,10.0.0.1,call me on +49 151 2345 6789\n"
    "2,bob@y.org,10.0.0.2,fine\n"
)


def people(relative: str, content: str, fmt: str, missing: bool = False, **field_map: Any) -> Any:
    """A project auditing one dataset of people; ``missing``: its field map also needs a field
    the data lacks (``segment``), so that the case has a message to check."""
    fields: dict[str, Any] = {
        "id": {"type": "integer"},
        "contact_email": {},
        "client": {},
        "note": {"required": False},
        **({"segment": {}} if missing else {}),
    }

    def build(ws: Workspace) -> Path:
        ws.write(relative, content)
        spec = {"fields": fields, **field_map}
        dataset = {"name": "people", "source": relative, "format": fmt, "field_map": spec}
        return ws.portfolio(evidence={"datasets": [dataset]})

    return build


def ndjson(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


CASES = [
    Case(
        "csv-personal-ragged-row",
        "csv",
        people("people.csv", PEOPLE + "3,cy@z.net,10.0.0.3,fine,dora@w.com 555-123-4567\n", "csv"),
        "too many columns",
    ),
    Case(
        "csv-personal-rule-quoting-a-value",
        "csv",
        people(
            "people.csv",
            PEOPLE,
            "csv",
            rules=[{"name": "numeric_contact", "expression": "cast(contact_email as integer) > 0"}],
        ),
        "rule numeric_contact: cannot evaluate",
    ),
    Case(
        "csv-personal-key-and-rule-rows",
        "csv",
        people(
            "people.csv",
            PEOPLE + "2,bob@y.org,10.0.0.9,call 06 12 34 56 78\n",
            "csv",
            missing=True,
            key=["id"],
            rules=[{"name": "small_ids", "expression": "id < 2"}],
        ),
        "the field map needs field 'segment'",
    ),
    Case(
        "ndjson-personal-values-in-unmapped-fields",
        "ndjson",
        people(
            "people.ndjson",
            ndjson(
                [
                    {"id": 1, "contact_email": "ann@x.com", "client": "10.0.0.1", "x": "a@b.com"},
                    {"id": 1, "contact_email": "ann@x.com", "client": "2001:db8::7", "x": "+1 555"},
                ]
            ),
            "ndjson",
            missing=True,
            key=["contact_email"],
            rules=[{"name": "one_id", "expression": "id > 1"}],
        ),
        "the field map needs field 'segment'",
    ),
]
test_personal_data_cases = run_cases(CASES)
