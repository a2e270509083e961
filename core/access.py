"""Who may read what: the access file, hashed passwords, slowed-down sign-ins and the audit log.

The dashboard's login (dashboard/access.py) and the command line (``--user`` / READINESS_USER)
use the same access file (READINESS_DASHBOARD_ACCESS): a YAML mapping of each user to the
portfolio ids they may see (``'*'``: all). The readers open only those portfolios' snapshots
(flows/snapshots.py).

Passwords are stored as argon2id hashes (``readiness hash-password`` makes one); a password
configured in plain text is refused. Failed sign-ins are counted per user and per client, and
each further attempt waits twice as long as the one before (:class:`Throttle`). Sign-ins and the
portfolios viewed are appended to an audit log under READINESS_HOME, as JSON lines that never hold
a password (:func:`audit`).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import ConfigError
from core.settings import Settings, get_settings

if TYPE_CHECKING:
    from argon2 import PasswordHasher

_log = logging.getLogger(__name__)

# --- the access file ----------------------------------------------------------------------


def load_access(path: Path) -> dict[str, tuple[str, ...] | None]:
    """The user -> portfolios mapping of a YAML file (None: every portfolio)."""
    from flows.config import read_yaml

    data = read_yaml(path) or {}
    if not isinstance(data, dict):
        raise ConfigError.one(path, "expected a mapping of user to a list of portfolio ids")
    mapping: dict[str, tuple[str, ...] | None] = {}
    for user, portfolios in data.items():
        if portfolios == "*":
            mapping[str(user)] = None
        elif isinstance(portfolios, list) and all(isinstance(p, str) for p in portfolios):
            mapping[str(user)] = tuple(portfolios)
        else:
            raise ConfigError.one(
                path,
                f"user {user!r}: expected a list of portfolio ids or '*'",
            )
    return mapping


def portfolios_for(user: str, settings: Settings | None = None) -> tuple[str, ...] | None:
    """The portfolio ids a user may see (None: all; empty: none); no access file: all."""
    path = (settings or get_settings()).dashboard_access
    if path is None:
        return None
    return load_access(path).get(user, ())


def reader_scope(user: str | None, settings: Settings | None = None) -> tuple[str, ...] | None:
    """What a command-line reader may see: the named user's portfolios, else every portfolio.

    The user is ``--user`` or READINESS_USER; their portfolios come from the access file.
    """
    settings = settings or get_settings()
    user = user or settings.user
    if not user:
        return None
    return portfolios_for(user, settings)


# --- passwords --------------------------------------------------------------------------------

HASH_PREFIX = "$argon2"


@functools.cache
def _hasher() -> PasswordHasher:
    """argon2's hasher, made when a password is first hashed or checked (not at import)."""
    from argon2 import PasswordHasher

    return PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the user is unknown, so that the time taken does not tell who exists."""
    return _hasher().hash("no such user")


def hash_password(password: str) -> str:
    """The argon2id hash to configure instead of the password."""
    if not password:
        raise ValueError("the password is empty")
    return _hasher().hash(password)


def is_hash(value: str) -> bool:
    """Whether a configured password is an argon2 hash (anything else is plain text)."""
    return value.startswith(HASH_PREFIX)


@dataclass(frozen=True)
class Passwords:
    """The configured users' password hashes, and the users whose password is in plain text."""

    hashes: dict[str, str]
    plain_text: tuple[str, ...] = ()

    @classmethod
    def of(cls, configured: dict[str, str]) -> Passwords:
        hashes = {u: v for u, v in configured.items() if is_hash(v)}
        plain = tuple(sorted(u for u in configured if u not in hashes))
        for user in plain:
            _log.warning(
                "the dashboard password of user %r is configured in plain text and is refused: "
                "replace it with the hash `readiness hash-password` prints",
                user,
            )
        return cls(hashes, plain)

    def verify(self, user: str, password: str) -> bool:
        """Whether the password is the user's (the same work is done for an unknown user)."""
        from argon2.exceptions import InvalidHashError, VerificationError

        stored = self.hashes.get(user)
        try:
            return _hasher().verify(stored or _dummy_hash(), password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False


def plain_text_message(count: int) -> str:
    """What the sign-in form says when passwords are configured in plain text."""
    return (
        f"{count} dashboard password(s) are configured in plain text and are refused. "
        "Replace each with its hash: run `readiness hash-password` and put what it prints in "
        "READINESS_DASHBOARD_PASSWORD or the [passwords] section of .streamlit/secrets.toml."
    )


# --- slowing down repeated failures --------------------------------------------------------------


@dataclass
class _Failures:
    count: int
    last: float


class Throttle:
    """Repeated failed sign-ins, per key (a user, a client), each one waiting longer.

    The first ``free`` failures cost nothing; after that the next attempt must wait
    ``base * 2 ** (failures - free)`` seconds (at most ``cap``). A key's failures are forgotten
    ``forget_after`` seconds after the last one, or when the user signs in.
    """

    def __init__(
        self,
        free: int = 3,
        base: float = 1.0,
        cap: float = 900.0,
        forget_after: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free, self.base, self.cap, self.forget_after = free, base, cap, forget_after
        self.clock = clock
        self._failures: dict[str, _Failures] = {}
        self._lock = threading.Lock()

    def _delay(self, failures: _Failures) -> float:
        if failures.count < self.free:
            return 0.0
        return float(min(self.cap, self.base * 2 ** (failures.count - self.free)))

    def wait(self, keys: Iterable[str]) -> float:
        """Seconds before an attempt for these keys is allowed (0: now)."""
        now = self.clock()
        longest = 0.0
        with self._lock:
            for key in keys:
                failures = self._failures.get(key)
                if failures is None:
                    continue
                if now - failures.last > self.forget_after:
                    del self._failures[key]
                    continue
                longest = max(longest, failures.last + self._delay(failures) - now)
        return max(0.0, longest)

    def failed(self, keys: Iterable[str]) -> None:
        """Count a failed attempt against each key."""
        now = self.clock()
        with self._lock:
            for key in keys:
                failures = self._failures.get(key)
                if failures is None or now - failures.last > self.forget_after:
                    self._failures[key] = _Failures(1, now)
                else:
                    failures.count += 1
                    failures.last = now

    def succeeded(self, keys: Iterable[str]) -> None:
        """Forget the failures of these keys (a user who signed in)."""
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)


#: One per process: every session of the dashboard counts against the same keys.
SIGN_INS = Throttle()


def throttle_keys(user: str, client: str | None) -> list[str]:
    """The keys a sign-in attempt counts against: the user name, and the client's address."""
    keys = [f"user:{user.strip().casefold()}"]
    if client:
        keys.append(f"client:{client}")
    return keys


# --- the audit log --------------------------------------------------------------------------------

_AUDIT_LOCK = threading.Lock()
_FORBIDDEN = frozenset({"password", "secret", "token", "hash"})


def audit_path(settings: Settings | None = None) -> Path:
    """The audit log: READINESS_HOME/audit/access.jsonl."""
    return (settings or get_settings()).home / "audit" / "access.jsonl"


def audit(event: str, user: str | None, settings: Settings | None = None, **fields: Any) -> None:
    """Append one event (sign-in, sign-out, view) to the audit log; never a password.

    The file is readable by its owner only. A failure to write is logged, not raised: the
    dashboard keeps working, and the operator sees the warning.
    """
    bad = {k for k in fields if any(word in k.casefold() for word in _FORBIDDEN)}
    if bad:
        raise ValueError(f"the audit log never records {', '.join(sorted(bad))}")
    entry = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "event": event, "user": user}
    entry.update(fields)
    line = json.dumps(entry, default=str, sort_keys=False) + "\n"
    path = audit_path(settings)
    try:
        with _AUDIT_LOCK:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode("utf-8"))
            finally:
                os.close(fd)
    except OSError as exc:
        _log.warning("the audit log %s could not be written: %s", path, exc.strerror or exc)


def read_audit(settings: Settings | None = None) -> list[dict[str, Any]]:
    """Every event of the audit log, oldest first (for tests and for an operator's tools)."""
    path = audit_path(settings)
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
