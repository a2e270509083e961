"""Phone numbers as people write them are redacted; numbers that are not phones are left alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.privacy import redact


@pytest.mark.parametrize(
    "phone",
    [
        "+447700900123", "tel:+15551234567", "07700900123", "+33 6 12 34 56 78",
        "+49 30 1234567", "+49-30-123456", "1-800-555-0199", "555-123-4567", "06 12 34 56 78",
        "+44 20 7946 0958", "(030) 1234 5678",
    ],
)  # fmt: skip
def test_a_phone_number_is_redacted(phone: str) -> None:
    redacted = redact(f"call {phone} today")
    assert redacted is not None and "[phone]" in redacted
    assert not any(ch.isdigit() for ch in redacted), redacted


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-20 08:13:00", "0 20 40 60 80 100", "2025-07114", "12 345 678", "v1.2.3.4",
        "order 12345678", "ORD-000123", "12.50 EUR and 3.99", "year 2013 month 12 day 31",
        '{"execution_time": 0.0123456789, "thread": 1}', "ratio 1,00123456789",
        "crashed: ['24310853-8d60-4123-9876-e567d9ed92e2']",
    ],
)  # fmt: skip
def test_a_number_that_is_not_a_phone_is_left_alone(text: str) -> None:
    assert redact(text) == text


@pytest.mark.timeout(120)  # a hang detector, not a speed target: backtracking takes hours
@pytest.mark.parametrize("unit", ["1 ", "12-", "@.", "+1 ", "0"])
def test_redaction_ends_on_long_hostile_text(unit: str) -> None:
    text = unit * (200_000 // len(unit))
    assert redact(text) is not None


def test_a_field_of_sentences_is_treated_as_holding_names(tmp_path: Path) -> None:
    """Names in free text cannot be told from other words: such a field is counted only."""
    from flows.evidence.data_audit import measure_fields, personal_columns
    from flows.privacy import is_free_text
    from flows.sources import parse_source
    from flows.sources.scan import audit_connection, open_scan

    assert is_free_text(["Dear Anna Schmidt, the invoice is late again", "Thanks, it works now ok"])
    assert not is_free_text(["open", "closed", "in review", "EUR 12.50"])
    path = tmp_path / "tickets.csv"
    rows = [
        f"T-{i},open,Dear Anna Schmidt the export for order {i} failed again" for i in range(30)
    ]
    path.write_text("id,status,body\n" + "\n".join(rows) + "\n")
    con = audit_connection(tmp_path)
    scan = open_scan(con, "tickets", parse_source(str(path)), tmp_path)
    try:
        personal = personal_columns(scan)
        assert personal == {"body": "detected: free text (may hold people's names)"}
        from flows.config import FieldMap

        field_map = FieldMap.model_validate({"fields": {"body": {}, "status": {}}})
        measured = {f["field"]: f for f in measure_fields(scan, field_map)[0]}
    finally:
        scan.close()
        con.close()
    body = measured["body"]
    assert body["personal"] and body["top_values"] is None and body["min_value"] is None
    assert "Schmidt" not in str(measured)
