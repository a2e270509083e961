"""Secrets: where they come from, and keeping them out of logs.

A setting or a configuration value that carries a secret (an alert URL's token, the shared
warehouse's password, the dashboard password) may name it instead of holding it; :func:`expand`
resolves the names where the value is used:

- ``${NAME}``: the environment variable NAME;
- ``${secret:BLOCK}``: the value of the Prefect Secret block BLOCK (``prefect block create secret``
  or ``Secret(value=...).save("BLOCK")``), read from the Prefect server of the run.

Callers keep resolved values in pydantic ``SecretStr`` fields, so they are never printed or stored.

Alert URLs carry tokens (a webhook's token is in its path). Apprise and the HTTP client under it
log the URLs they load and post to at debug level; while a secret URL is handled,
:func:`quiet_url_loggers` silences them, and callers report failures themselves without the URL.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from core.errors import ReadinessError

_URL_LOGGERS = ("apprise", "urllib3", "requests")


@contextmanager
def quiet_url_loggers() -> Iterator[None]:
    """Silence the loggers that would print a secret URL, for the duration of the block."""
    saved = []
    for name in _URL_LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level, logger.propagate))
        logger.setLevel(logging.CRITICAL + 1)
        logger.propagate = False
    try:
        yield
    finally:
        for logger, level, propagate in saved:
            logger.setLevel(level)
            logger.propagate = propagate


#: A ``${NAME}`` reference to an environment variable (settings and configuration files).
ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_BLOCK_REFERENCE = re.compile(r"\$\{secret:(?P<block>[a-z0-9][a-z0-9-]*)\}")


class MissingSecretError(ReadinessError, KeyError):
    """A referenced environment variable or Prefect Secret block does not exist."""

    def __str__(self) -> str:
        return str(self.args[0])


def _secret_block(name: str) -> str:
    from prefect.blocks.system import Secret

    try:
        block = cast(Secret[Any], Secret.load(name, _sync=True))  # type: ignore[call-arg]
        value = block.get()
    except ValueError as exc:  # Prefect's "Unable to find block document named ..."
        raise MissingSecretError(f"Prefect Secret block {name!r} does not exist") from exc
    return str(value)


class UnlistedSecretError(MissingSecretError):
    """A project file names a secret the operator did not allow project files to read."""


def referenced(text: str) -> list[str]:
    """The secrets ``text`` names, as written: ``NAME`` for ``${NAME}``, ``secret:BLOCK``."""
    blocks = [f"secret:{m.group('block')}" for m in _BLOCK_REFERENCE.finditer(text)]
    return blocks + [m.group(1) for m in ENV_REFERENCE.finditer(text)]


def expand(text: str, allowed: frozenset[str] | None = None) -> str:
    """Replace every ``${secret:BLOCK}`` and ``${NAME}`` in ``text`` by the secret it names.

    ``allowed``: the names text from a project file may use (``NAME`` or ``secret:BLOCK``);
    anything else is refused before it is read. A project file is written by the project's own
    people, who must not be able to send the process's other secrets (the dashboard password, the
    survey key) to a host of their choosing inside a database URL.
    """
    if allowed is not None:
        refused = [name for name in referenced(text) if name not in allowed]
        if refused:
            raise UnlistedSecretError(
                f"the source names the secret {refused[0]!r}, which READINESS_SOURCE_SECRETS does "
                "not list; an operator lists the secrets project files may name there"
            )
    # One pass over the text as written: a secret's value is never read again for references (a
    # block whose value ends in "$" could otherwise form a new ${NAME} with the text after it).

    pattern = re.compile(f"{_BLOCK_REFERENCE.pattern}|{ENV_REFERENCE.pattern}")

    def value(match: re.Match[str]) -> str:
        if match.group("block"):
            return _secret_block(match.group("block"))
        name = match.group(2)
        if name not in os.environ:
            raise MissingSecretError(f"environment variable {name} is not set")
        return os.environ[name]

    return pattern.sub(value, text)
