"""Personal values: how they are recognised, redacted in free text and masked in examples.

One definition for every reader and surface: survey free text and blocker reasons are stored
redacted (:func:`redact`); audited values of personal fields are shown only as a masked shape
(:func:`mask`); :func:`personal_kind` says which kind of personal value a text is, if any, so the
data audit can detect personal fields and the privacy test can scan stored files for leaks.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")
URL = re.compile(r"\b(?:https?|ftp)://[^\s<>\"']+|\bwww\.[^\s<>\"']+", re.IGNORECASE)
# An IPv4 address (each part 0-255; a sentence's full stop may follow it, a letter may not precede
# it: v1.2.3.4 is a version), or an IPv6 address with at least three groups.
IPV4 = re.compile(
    r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?!\d|\.\d)"
)
IPV6 = re.compile(r"(?<![:\w])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![:\w])")
# A phone number: an optional +country code, then 7 to 15 digits in groups separated by spaces,
# dots, dashes or brackets. Dates (2026-11-30) and plain integers are not phone numbers.
PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"\+\d{7,15}"  # +447700900123 (also after "tel:")
    r"|(?<![.,])0\d{9,10}"  # 07700900123: a trunk prefix, then the number (not 0.0123456789)
    # international, in groups: +33 6 12 34 56 78, +49 30 1234567
    r"|\+\d{1,3}[\s.-]?(?:\(\d{1,4}\)[\s.-]?)?\d{1,4}(?:[\s.-]\d{1,8}){1,5}"
    # national, in groups of 2 to 4 digits: 555-123-4567, (030) 1234 5678, 1-800-555-0199
    r"|(?:\(\d{1,4}\)[\s.-]?)?\d{1,4}(?:[\s.-]\d{2,4}){1,4}"
    r")(?![\w])"
)
# A date or a timestamp (2026-11-30, 2026-11-30 08:13:00+00, 30/11/2026 10:00): its digits are
# not a phone number, wherever it stands.
DATETIME = re.compile(
    r"(?<![\w.+-])(?:\d{4}-\d{2}-\d{2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4})"
    r"(?:[T ]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?(?![\w])"
)

# An identifier (a Prefect flow run's id: 24310853-8d60-4123-9876-e567d9ed92e2): its groups of
# digits are not a phone number either.
UUID = re.compile(
    r"(?<![\w-])[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(?![\w-])"
)

REDACTED = {
    "email": "[email]",
    "url": "[url]",
    "ip_address": "[ip address]",
    "phone": "[phone]",
}


def _is_ipv6(text: str) -> bool:
    """An IPv6 address with at least two groups written.

    ``::`` alone is SQL's cast and ``::1`` the loopback: neither is anyone's address.
    """
    if sum(1 for group in text.split(":") if group) < 2:
        return False
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def _is_phone(text: str) -> bool:
    """7 to 15 digits that are not a date or a timestamp.

    Groups separated by spaces only are a phone number when they start with a trunk prefix 0
    (06 12 34 56 78) or are grouped 3-3-4 (555 123 4567): not a list of numbers
    (0 20 40 60 80 100) or a number written with spaces between its thousands (12 345 678).
    """
    text = text.strip()
    digits = sum(ch.isdigit() for ch in text)
    if not 7 <= digits <= 15 or DATETIME.fullmatch(text):
        return False
    if re.fullmatch(r"[\d ]+", text):
        trunk = re.match(r"0\d", text) is not None  # 06 12 34 56 78, not 0 20 40 60 80 100
        return trunk or re.fullmatch(r"\d{3} \d{3} \d{4}", text) is not None
    return True


def _phones(text: str) -> list[re.Match[str]]:
    """The phone numbers in a text: 7 to 15 digits, none in a date, a timestamp or a UUID."""
    dates = [m.span() for m in DATETIME.finditer(text)] + [m.span() for m in UUID.finditer(text)]
    return [
        m
        for m in PHONE.finditer(text)
        if _is_phone(m.group(0)) and not any(a < m.end() and m.start() < b for a, b in dates)
    ]


def redact(text: str | None) -> str | None:
    """Free text with emails, URLs, IP addresses and phone numbers replaced by a placeholder."""
    if text is None:
        return None
    text = EMAIL.sub(REDACTED["email"], text)
    text = URL.sub(REDACTED["url"], text)
    text = IPV4.sub(REDACTED["ip_address"], text)
    text = IPV6.sub(lambda m: REDACTED["ip_address"] if _is_ipv6(m.group(0)) else m.group(0), text)
    for match in reversed(_phones(text)):
        text = text[: match.start()] + REDACTED["phone"] + text[match.end() :]
    return text


def personal_kind(value: str) -> str | None:
    """``email``, ``phone``, ``ip_address`` when the whole value is one, else None."""
    text = value.strip()
    if not text:
        return None
    if EMAIL.fullmatch(text):
        return "email"
    if IPV4.fullmatch(text) or _is_ipv6(text):
        return "ip_address"
    if PHONE.fullmatch(text) and _is_phone(text):
        return "phone"
    return None


def contains_personal(text: str) -> str | None:
    """The kind of the first personal value found anywhere in ``text``, or None."""
    if EMAIL.search(text):
        return "email"
    if IPV4.search(text) or any(_is_ipv6(m.group(0)) for m in IPV6.finditer(text)):
        return "ip_address"
    if _phones(text):
        return "phone"
    return None


def mask(value: str) -> str:
    """A value's shape without its content: ``alice@example.com`` -> ``a***@e***.com``."""
    text = value.strip()
    if EMAIL.fullmatch(text):
        local, _, domain = text.partition("@")
        host, _, tld = domain.rpartition(".")
        return f"{local[:1]}***@{host[:1]}***.{tld}"
    if IPV4.fullmatch(text):
        return "***.***.***.***"
    if _is_ipv6(text):
        return "****:****:…"
    if PHONE.fullmatch(text) and _is_phone(text):
        return re.sub(r"\d", "#", text[:-2]) + "##"
    return f"{text[:1]}***" if text else text


# Column names that say what a column holds (a field map's fields and a dataset's columns).
# A column's name is split into lower-case words (``customer_name``, ``CustomerName``,
# ``customer-name`` -> customer, name); its values may be empty or look like anything.
_NAMED = {
    "email": {"email", "emails", "mail", "emailaddress", "mailaddress"},
    "phone": {"phone", "phones", "telephone", "tel", "fax", "msisdn", "phonenumber"},
    "ip_address": {"ip", "ipv4", "ipv6", "ipaddress"},
    "name": {"fullname", "firstname", "lastname", "surname", "forename", "givenname",
             "username", "nickname", "displayname", "contactname", "customername"},
}  # fmt: skip
#: Words naming a person (or a person's role) before ``name`` (first_name, agent_name), or the
#: whole column by themselves (contact, agent, contact_person): the column holds people's names.
PERSON_WORDS = {
    "first", "last", "full", "given", "family", "middle", "maiden", "display", "nick", "sur",
    "user", "customer", "client", "contact", "agent", "employee", "person", "owner", "respondent",
    "author", "assignee", "reporter", "requester", "reviewer", "sender", "recipient", "patient",
    "member", "staff", "manager", "signatory", "holder", "applicant", "candidate", "caller",
}  # fmt: skip


def column_words(name: str) -> list[str]:
    """A column's name as lower-case words: ``contactEmail`` and ``contact_email`` alike."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]


#: A field whose typical value has at least this many words is free text (sentences, not codes).
FREE_TEXT_WORDS = 5


def is_free_text(values: Iterable[str]) -> bool:
    """Whether values are sentences: the median value has at least :data:`FREE_TEXT_WORDS` words.

    Names in free text ("Dear Anna Schmidt, ...") cannot be told from other words reliably, so
    such a field is treated as holding them.
    """
    counts = sorted(len(v.split()) for v in values if v.strip())
    return bool(counts) and counts[len(counts) // 2] >= FREE_TEXT_WORDS


def personal_column(name: str) -> str | None:
    """The kind of personal value a column's name says it holds (``name`` for people's names).

    ``email`` / ``phone`` / ``ip_address`` when a word of the name says so (contact_email,
    phone_number, client_ip); ``name`` for a bare ``name``, a person's word before ``name``
    (first_name, customer_name, agent_name: not company_name or file_name), a name word
    (surname, username) or a column named by person words only (contact, agent, contact_person).
    Identifiers (customer_id, agent_key) are not names, and a column about the values is not
    them (email_count, phone_type).
    """
    words = column_words(name)
    if not words:
        return None
    if words[-1] in ("count", "type", "status", "verified", "consent", "flag", "format"):
        return None  # about the values, not the values: email_count, phone_type
    for kind, named in _NAMED.items():
        if any(w in named for w in words):
            return kind
    if words[-1] in ("id", "ids", "key", "number", "no", "code"):
        return None
    if words in (["name"], ["names"]):
        return "name"
    if any(w in ("name", "names") and i and words[i - 1] in PERSON_WORDS for i, w in
           enumerate(words)):  # fmt: skip
        return "name"
    if all(w in PERSON_WORDS for w in words):
        return "name"
    return None
