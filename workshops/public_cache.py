"""Public pages and files made once and then served from memory, with ETags.

Anyone on the venue network may fetch the calendar, its feeds, the method page and the method PDF
in a loop; each costs a few milliseconds after its first request in a worker process:

- The key is normalised: the endpoint, the host asked, the page's language and the values the
  view reads (never the raw query string), so `/method.pdf?lang=fi&x=1` is the same file as
  `?lang=fi`.
- Only anonymous, token-free bodies are shared. A page for a logged-in user (its menu, its CSRF
  token) or one that shows a flashed message is made for that request alone and never stored;
  a body is stored only from a request without query parameters other than the ones the key
  holds, so nobody can plant a link with parameters of their own in what others get.
- An entry lives `ttl` seconds (None: as long as the process; for what changes only with a new
  version of the app, such as the method); the store holds at most MAX_ENTRIES, oldest out first.
- Every shared body carries an ETag (a hash of its bytes); a client that sends it back with
  If-None-Match gets 304 with no body.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Flask, Response, current_app, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user

MAX_ENTRIES = 256
KEPT_HEADERS = ("Content-Type", "Content-Disposition")


@dataclass(frozen=True)
class Entry:
    body: bytes
    headers: tuple[tuple[str, str], ...]
    etag: str
    expires: float | None


class Store:
    """A small LRU of entries, safe across the threads of one process."""

    def __init__(self, size: int = MAX_ENTRIES) -> None:
        self.size = size
        self.entries: OrderedDict[tuple, Entry] = OrderedDict()
        self.lock = threading.Lock()
        self.builds = 0  # how many bodies were made (for tests)

    def get(self, key: tuple) -> Entry | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return None
            if entry.expires is not None and entry.expires <= time.monotonic():
                del self.entries[key]
                return None
            self.entries.move_to_end(key)
            return entry

    def put(self, key: tuple, entry: Entry) -> None:
        with self.lock:
            self.entries[key] = entry
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


def store(app: Flask | None = None) -> Store:
    """The process's store for this app."""
    app = app or current_app._get_current_object()
    found = app.extensions.get("kv_public_cache")
    if found is None:
        found = app.extensions.setdefault("kv_public_cache", Store())
    return found


def anonymous() -> bool:
    """Whether this request's page may be shared: no user logged in, no message waiting."""
    return not current_user.is_authenticated and not session.get("_flashes")


def _etag(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:32]


def _answer(entry: Entry) -> Response:
    response = Response(entry.body)
    for name, value in entry.headers:
        response.headers[name] = value
    response.set_etag(entry.etag)
    if "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "public, no-cache"  # keep it, but ask again (ETag)
    response.vary.update(("Cookie", "Accept-Language"))
    return response.make_conditional(request)


def serve(
    key: Iterable[object],
    build: Callable[[], object],
    *,
    ttl: float | None,
    params: Iterable[str] = (),
    everyone: bool = False,
) -> Response:
    """The response for this request: from the store, or build() made into one (and stored).

    `key` holds what the body depends on besides the endpoint and the language; `params` names
    the query parameters the view reads (and `key` holds): a request with any other parameter
    is served but never stored. `everyone`: the body is the same for logged-in users (a feed,
    a file), so they share it too.
    """
    shareable = everyone or anonymous()
    if not shareable:
        return make_response(build())
    # The host too: without PUBLIC_URL, links in a body (feeds) name the host that was asked.
    full_key = (request.endpoint, request.host_url, str(get_locale() or ""), *key)
    cache = store()
    entry = cache.get(full_key)
    if entry is not None:
        return _answer(entry)
    response = make_response(build())
    cache.builds += 1
    extra = set(request.args) - set(params) - {"lang"}
    if response.status_code != 200 or response.direct_passthrough or extra:
        return response
    body = response.get_data()
    headers = tuple((n, response.headers[n]) for n in KEPT_HEADERS if n in response.headers)
    if response.headers.get("Cache-Control", "").startswith("public"):
        headers += (("Cache-Control", response.headers["Cache-Control"]),)
    entry = Entry(body, headers, _etag(body), None if ttl is None else time.monotonic() + ttl)
    cache.put(full_key, entry)
    return _answer(entry)
