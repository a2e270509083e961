"""Keeping secrets out of logs: alert URLs carry tokens (a webhook's token is in its path).

Apprise and the HTTP client under it log the URLs they load and post to at debug level; while a
secret URL is handled, :func:`quiet_url_loggers` silences them, and callers report failures
themselves without the URL.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

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
