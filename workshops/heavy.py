"""A cap on expensive work (rendering PDFs and charts, exports) running at once in one process.

Every worker process runs at most HEAVY_WORK_LIMIT such requests at a time (default 2). One more
is not queued behind them: it gets 503 with Retry-After at once, so a leader refreshing a report
or a crowd fetching PDFs cannot take every thread of a worker from the phones' polls.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import contextmanager
from functools import wraps

from flask import Flask, current_app
from flask_babel import gettext as _

from workshops.http import api_abort

DEFAULT_LIMIT = 2
RETRY_AFTER = 3  # seconds


def _semaphore(app: Flask) -> threading.BoundedSemaphore:
    found = app.extensions.get("kv_heavy")
    if found is None:
        limit = max(1, int(app.config.get("HEAVY_WORK_LIMIT", DEFAULT_LIMIT)))
        found = app.extensions.setdefault("kv_heavy", threading.BoundedSemaphore(limit))
    return found


@contextmanager
def slot():
    """Hold one of the process's slots for expensive work, or stop with 503 + Retry-After."""
    semaphore = _semaphore(current_app._get_current_object())
    if not semaphore.acquire(blocking=False):
        api_abort(
            503,
            "busy",
            _("The server is busy making other documents. Please try again in a moment."),
            retry_after=RETRY_AFTER,
        )
    try:
        yield
    finally:
        semaphore.release()


def limited(view: Callable) -> Callable:
    """A view whose whole run takes one slot (see slot())."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        with slot():
            return view(*args, **kwargs)

    return wrapper
