"""Login sessions (a dict kept server-side in the app's session state) and the bind-address rule."""

from __future__ import annotations

import ipaddress
import os
import time
from collections.abc import Mapping

from .store import User

SESSION_HOURS = 8.0


def session_seconds() -> float:
    """How long a login lasts: $VNDS_SESSION_HOURS hours (default 8)."""
    raw = os.environ.get("VNDS_SESSION_HOURS")
    try:
        hours = float(raw) if raw else SESSION_HOURS
    except ValueError:
        hours = SESSION_HOURS
    return max(hours, 0.0) * 3600


def new_session(user: User, now: float | None = None) -> dict:
    """The value stored in st.session_state["auth_user"] after a successful login."""
    now = time.time() if now is None else now
    return {"name": user.name, "role": user.role, "expires": now + session_seconds()}


def session_user(session: object, now: float | None = None) -> User | None:
    """The logged-in user of a session value, or None when there is none or it has expired."""
    if not isinstance(session, dict):
        return None
    now = time.time() if now is None else now
    try:
        name, role, expires = str(session["name"]), str(session["role"]), float(session["expires"])
    except (KeyError, TypeError, ValueError):
        return None
    return User(name, role) if now < expires else None


def is_loopback(address: str | None) -> bool:
    """True when a server bound to `address` is reachable from this machine only.

    Empty means every interface (not loopback); `localhost`, 127.0.0.0/8 and ::1 are loopback, and so
    is a Unix socket (`unix://...`).
    """
    address = (address or "").strip()
    if not address:
        return False
    if address.startswith("unix://") or address.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name or an interface address: reachable from the network


def may_serve(address: str | None, has_users: bool) -> bool:
    """The app serves pages only with users configured, or without any on a loopback address."""
    return has_users or is_loopback(address)


FORWARDING_HEADERS = ("forwarded", "x-forwarded-for", "x-forwarded-host", "x-real-ip")


def local_request(headers: Mapping[str, str]) -> bool:
    """True when an HTTP request's headers show nothing but this machine: no proxy forwarding header and
    a loopback Host (a reverse proxy that publishes a loopback-bound desk sends its public host name)."""
    lower = {k.lower(): v for k, v in headers.items()}
    if any(h in lower for h in FORWARDING_HEADERS):
        return False
    host = lower.get("host")
    if host is None:
        return True  # no HTTP request at all (the app driven in-process, as by AppTest)
    host = host.strip()
    name = host[1:host.find("]")] if host.startswith("[") else host.rsplit(":", 1)[0]
    return is_loopback(name)
