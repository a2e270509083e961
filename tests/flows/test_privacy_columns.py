"""flows.privacy: which columns hold personal values by their names, and dates are not phones."""

from __future__ import annotations

import pytest

from flows.privacy import contains_personal, personal_column, personal_kind, redact


@pytest.mark.parametrize(
    ("column", "kind"),
    [
        ("name", "name"),
        ("first_name", "name"),
        ("LastName", "name"),
        ("customer_name", "name"),
        ("contact", "name"),
        ("agent", "name"),
        ("contact_person", "name"),
        ("surname", "name"),
        ("username", "name"),
        ("contact_email", "email"),
        ("E-Mail", "email"),
        ("ownerEmail", "email"),
        ("phone_number", "phone"),
        ("tel", "phone"),
        ("client_ip", "ip_address"),
        ("ip_address", "ip_address"),
    ],
)
def test_columns_named_for_personal_values(column: str, kind: str) -> None:
    assert personal_column(column) == kind


@pytest.mark.parametrize(
    "column",
    ["company_name", "file_name", "customer_id", "agent_id", "account_id", "email_count",
     "phone_type", "app_version", "channel", "subject", "shipped_at", "tip", "is_mobile"],
)  # fmt: skip
def test_columns_not_named_for_personal_values(column: str) -> None:
    assert personal_column(column) is None


@pytest.mark.parametrize(
    "text",
    ["2026-11-20 08:13:00", "2022-12-02 02:40:40+00", "2026-11-20T10:00:00Z", "20/11/2026 10:00",
     '{"sampled_at":"2026-11-17 15:15:00+00","elapsed_s":900}', "4.12.1", "INV-800039",
     "2025-07114", "0 20 40 60 80 100", "12 345 678", "100 200 300 400",
     "array[]::{{data_type}}[]", "::1", "x::int", "v1.2.3.4", "1.2.3.4.5"],
)  # fmt: skip
def test_dates_timestamps_versions_and_ids_are_not_personal(text: str) -> None:
    assert contains_personal(text) is None and personal_kind(text) is None
    assert redact(text) == text


def test_a_phone_number_beside_a_date_is_still_found() -> None:
    text = "call 555-123-4567 on 2026-11-20 10:00"
    assert contains_personal(text) == "phone"
    assert redact(text) == "call [phone] on 2026-11-20 10:00"


@pytest.mark.parametrize(
    ("text", "kind"),
    [("555 123 4567", "phone"), ("06 12 34 56 78", "phone"), ("+49 151 2345 6789", "phone"),
     ("(030) 123 4567", "phone"), ("555-123-4567", "phone"), ("2001:db8::1", "ip_address"),
     ("10.1.2.3", "ip_address"), ("ann@example.com", "email")],
)  # fmt: skip
def test_personal_values_are_recognised(text: str, kind: str) -> None:
    assert personal_kind(text) == kind and contains_personal(f"see {text} here") == kind


def test_a_full_stop_after_an_address_ends_the_sentence_not_the_address() -> None:
    assert redact("it came from 10.1.2.3. Then it stopped.") == (
        "it came from [ip address]. Then it stopped."
    )
