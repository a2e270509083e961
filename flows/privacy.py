"""Personal values: how they are recognised, redacted in free text and masked in examples.

One definition for every reader and surface: survey free text and blocker reasons are stored
redacted (:func:`redact`); audited values of personal fields are shown only as a masked shape
(:func:`mask`); :func:`personal_kind` says which kind of personal value a text is, if any, so the
data audit can detect personal fields and the privacy test can scan stored files for leaks.
"""

from __future__ import annotations

import ipaddress
import re

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")
URL = re.compile(r"\b(?:https?|ftp)://[^\s<>\"']+|\bwww\.[^\s<>\"']+", re.IGNORECASE)
# An IPv4 address (each part 0-255), or an IPv6 address with at least three groups.
IPV4 = re.compile(
    r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\d.])"
)
IPV6 = re.compile(r"(?<![:\w])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![:\w])")
# A phone number: an optional +country code, then 7 to 15 digits in groups separated by spaces,
# dots, dashes or brackets. Dates (2026-11-30) and plain integers are not phone numbers.
PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]\d{2,4}){1,4}(?![\w])"
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$|^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$")

REDACTED = {
    "email": "[email]",
    "url": "[url]",
    "ip_address": "[ip address]",
    "phone": "[phone]",
}


def _is_ipv6(text: str) -> bool:
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def _is_phone(text: str) -> bool:
    digits = sum(ch.isdigit() for ch in text)
    return 7 <= digits <= 15 and not _DATE.match(text.strip())


def redact(text: str | None) -> str | None:
    """Free text with emails, URLs, IP addresses and phone numbers replaced by a placeholder."""
    if text is None:
        return None
    text = EMAIL.sub(REDACTED["email"], text)
    text = URL.sub(REDACTED["url"], text)
    text = IPV4.sub(REDACTED["ip_address"], text)
    text = IPV6.sub(lambda m: REDACTED["ip_address"] if _is_ipv6(m.group(0)) else m.group(0), text)
    return PHONE.sub(lambda m: REDACTED["phone"] if _is_phone(m.group(0)) else m.group(0), text)


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
    for match in PHONE.finditer(text):
        if _is_phone(match.group(0)):
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
