"""The address phones join at, and a warning when the leader opened one phones cannot reach.

PUBLIC_URL wins when set. Otherwise the address is the one the leader's browser used, unless that
is a loopback address (127.0.0.1, ::1, localhost): then, when this server also answers on one of
the machine's network addresses, phones are sent there; when it does not (it was started on
127.0.0.1 only), the console and the wall say how to serve on the network.
"""

from __future__ import annotations

import ipaddress
import socket
import time

from flask import current_app, has_request_context, request

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}
_CACHE_SECONDS = 30.0
_cache: dict[tuple, tuple[float, object]] = {}


def _host_and_port() -> tuple[str, int]:
    host = request.host
    port = 443 if request.scheme == "https" else 80
    if host.startswith("["):  # [::1]:5000
        name, _, rest = host[1:].partition("]")
        if rest.startswith(":") and rest[1:].isdigit():
            port = int(rest[1:])
        return name, port
    name, sep, maybe_port = host.rpartition(":")
    if sep and maybe_port.isdigit() and ":" not in name:
        return name, int(maybe_port)
    return host, port


def is_loopback(name: str) -> bool:
    """Whether a host name or address only ever means this machine."""
    if name.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses that other devices on a network can reach."""
    found: list[str] = []
    try:  # the address of the route out (a UDP "connect" sends nothing)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))
            found.append(probe.getsockname()[0])
    except OSError:
        pass
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.append(info[4][0])
    except OSError:
        pass
    usable = []
    for address in found:
        ip = ipaddress.ip_address(address)
        if not (ip.is_loopback or ip.is_link_local or ip.is_unspecified) and address not in usable:
            usable.append(address)
    return usable


def _listening(address: str, port: int) -> bool:
    try:
        with socket.create_connection((address, port), timeout=0.3):
            return True
    except OSError:
        return False


def _cached(key: tuple, compute):
    now = time.monotonic()
    hit = _cache.get(key)
    if hit and now - hit[0] < _CACHE_SECONDS:
        return hit[1]
    value = compute()
    _cache[key] = (now, value)
    return value


def network_base() -> str | None:
    """A network address of this server that answers, when the request came over loopback."""
    name, port = _host_and_port()
    if not is_loopback(name):
        return None

    def find():
        for address in lan_addresses():
            if _listening(address, port):
                return f"{request.scheme}://{address}:{port}"
        return None

    return _cached(("base", port, request.scheme), find)


def public_base() -> str:
    """Where phones reach this app: PUBLIC_URL, a network address, or the request's own.

    The one helper for addresses given to people (QR codes, join and form links, e-mails);
    outside a request only PUBLIC_URL is known ("" without it).
    """
    configured = current_app.config.get("PUBLIC_URL")
    if configured:
        return configured.rstrip("/")
    if not has_request_context():
        return ""
    return network_base() or request.host_url.rstrip("/")


def join_url(code: str) -> str:
    """The address a phone opens to join a workshop."""
    return f"{public_base()}/j/{code}"


def warning() -> dict | None:
    """What the console and the wall say when phones cannot reach the address in use, or None.

    {"host", "network" (the working network address, if any), "addresses" (network addresses to
    try once the server listens on them), "command"}.
    """
    if current_app.config.get("PUBLIC_URL"):
        return None
    name, port = _host_and_port()
    if not is_loopback(name):
        return None
    network = network_base()
    found = [] if network else _cached(("lan",), lan_addresses)
    addresses = [f"{request.scheme}://{a}:{port}" for a in found]
    return {
        "host": request.host,
        "network": network,
        "addresses": addresses,
        "path": request.full_path.rstrip("?"),
        "command": "HOST=0.0.0.0 make run",
    }
