"""Offline guard for the endpoint's processes: refuse outbound network connections.

:func:`install` adds a Python audit hook (PEP 578) that refuses every socket connection, UDP send
and name lookup to a host that is not loopback or one of the allowed hosts (the remote SPARQL
store, when one is configured). It covers everything Python code does (httpx, urllib, rdflib);
it cannot see connections made inside native code, which is why the read-only guard
(:mod:`graph.store.guard`) refuses ``SERVICE`` and foreign ``FROM`` before a query reaches the engine.

With ``AIRISK_NET_AUDIT_LOG=path`` in the environment every connection attempt is also appended
to that file (one line: pid, event, address, verdict) so tests can check what the server did.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
from typing import Any

_installed = False


def _is_loopback(host: str) -> bool:
    host = host.strip("[]").split("%")[0]
    if host.lower() in ("localhost", "localhost.localdomain", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _is_unspecified(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return host == ""


def _resolve(host: str) -> set[str]:
    try:
        return {str(info[4][0]) for info in socket.getaddrinfo(host, None)}
    except OSError:
        return set()


def install(allowed_hosts: tuple[str, ...] = (), log_path: str | None = None) -> None:
    """Refuse non-loopback connections in this process, except to ``allowed_hosts``.

    Audit hooks cannot be removed, so this is for server and worker processes only.
    """
    global _installed
    if _installed:
        return
    log_path = log_path or os.environ.get("AIRISK_NET_AUDIT_LOG") or None
    names = {h.lower() for h in allowed_hosts if h}
    addresses: set[str] = set()
    for host in names:
        addresses |= _resolve(host)
    pid = os.getpid()

    def allowed(host: str, lookup: bool) -> bool:
        if _is_loopback(host) or host.lower() in names or host in addresses:
            return True
        return lookup and _is_unspecified(host)

    def note(event: str, where: str, verdict: str) -> None:
        if log_path:
            with open(log_path, "a", encoding="utf-8") as fh:
                fh.write(f"{pid}\t{event}\t{where}\t{verdict}\n")

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event in ("socket.connect", "socket.sendto"):
            address = args[1]
            if not isinstance(address, tuple):  # a Unix socket path
                return
            host = str(address[0])
            where = f"{host}:{address[1]}"
            lookup = False
        elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex"):
            host = args[0].decode() if isinstance(args[0], bytes) else str(args[0] or "")
            where = host
            lookup = True
        elif event == "urllib.Request":
            from urllib.parse import urlsplit

            host = urlsplit(str(args[0])).hostname or ""
            where = str(args[0])
            lookup = False
        else:
            return
        if allowed(host, lookup):
            note(event, where, "allowed")
            return
        note(event, where, "refused")
        raise PermissionError(f"outbound connection to {where} refused: the AI Risk Graph endpoint works offline")

    sys.addaudithook(hook)
    _installed = True
