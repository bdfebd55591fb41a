"""Pausing Python's cycle collector around work that makes many objects without cycles.

Laying out a PDF or building 100,000 pairing suggestions allocates millions of objects that live
until the work ends; the cycle collector would walk them (and the whole app) again and again.
Reference counting still frees everything that is not in a cycle while the collector rests.

The pause is shared by all threads of a worker: the collector rests while any thread is inside
`paused()` and runs again when the last one leaves, if it ran before the first one came in. (A
plain "disable, then enable if it was enabled" per call can leave it off for good when two
threads interleave.)
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_inside = 0  # threads (or nested calls) inside paused()
_resume = False  # whether the collector ran when the first of them came in


@contextmanager
def paused() -> Iterator[None]:
    """Let the cycle collector rest for the duration of the block (see the module's text)."""
    global _inside, _resume
    with _lock:
        if _inside == 0:
            _resume = gc.isenabled()
            gc.disable()
        _inside += 1
    try:
        yield
    finally:
        with _lock:
            _inside -= 1
            if _inside == 0 and _resume:
                gc.enable()
