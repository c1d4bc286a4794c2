"""Confine a process that runs users' queries: no network (kernel-enforced), bounded memory.

:func:`confine` is called once in each query worker before it runs anything a user wrote. It

- installs a seccomp filter (through libseccomp, :mod:`pyseccomp`) that makes ``socket()`` fail
  with ``EACCES`` for every address family except Unix sockets (the worker's pipe to its server),
  and ``io_uring_setup()`` fail (io_uring can open sockets without the ``socket`` system call).
  The filter is enforced by the kernel, so native code (the query engine's HTTP client for
  ``SERVICE``) is refused exactly like Python code; ``PR_SET_NO_NEW_PRIVS`` is set first, which is
  what lets an unprivileged process install a filter, and a filter can never be removed;
- sets ``RLIMIT_AS`` (the address space) to the worker's memory limit, so that a query that tries
  to hold more makes an allocation fail (the engine then aborts the worker, and the pool replaces it).

Seccomp needs Linux with ``CONFIG_SECCOMP_FILTER`` and the libseccomp library; where either is
missing :func:`confine` reports that the network block is not enforced, and the callers say so
loudly (log, service description, a CLI warning) instead of pretending.
"""

from __future__ import annotations

import errno
import resource
import socket
import sys
from dataclasses import dataclass

#: Address families a confined process may still open: Unix sockets only (pipes to the server).
ALLOWED_FAMILIES = (socket.AF_UNIX,)


@dataclass(frozen=True)
class Confinement:
    """What :func:`confine` enforced in this process."""

    network_blocked: bool
    memory_limit: int | None  # bytes of address space, None when not limited
    detail: str  # how, or why not


def network_warning(detail: str) -> str:
    """The sentence logs, the service description and the CLI show when the block is not enforced."""
    return (
        "WARNING: this machine cannot enforce the network block for query workers "
        f"({detail}); only the query guard stands between a query and the network"
    )


_done: Confinement | None = None


def block_network() -> str:
    """Install the seccomp filter in this process (irreversible); return how, raise OSError if not possible."""
    if not sys.platform.startswith("linux"):
        raise OSError(f"seccomp is a Linux feature; this is {sys.platform}")
    try:
        import pyseccomp as seccomp
    except (ImportError, OSError, AttributeError) as exc:  # no libseccomp on the machine
        raise OSError(f"libseccomp is not available: {exc}") from None
    refuse = seccomp.ERRNO(errno.EACCES)
    f = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    try:
        # socket(domain, ...): every domain except the allowed ones (a rule per range below/above).
        families = sorted(ALLOWED_FAMILIES)
        low = 0
        for fam in families:
            for d in range(low, fam):
                f.add_rule(refuse, "socket", seccomp.Arg(0, seccomp.EQ, d))
            low = fam + 1
        f.add_rule(refuse, "socket", seccomp.Arg(0, seccomp.GE, low))
        f.add_rule(refuse, "socketpair", seccomp.Arg(0, seccomp.NE, socket.AF_UNIX))
        for name in ("io_uring_setup", "io_uring_enter", "io_uring_register"):
            try:
                f.add_rule(seccomp.ERRNO(errno.EPERM), name)
            except (RuntimeError, ValueError, OSError):
                pass  # an older kernel header set without io_uring: nothing to block
        f.load()
    except (RuntimeError, ValueError, OSError) as exc:
        raise OSError(f"the kernel refused the seccomp filter: {exc}") from None
    return "seccomp filter: socket() refused for every address family except AF_UNIX"


def limit_memory(limit: int) -> None:
    """Cap this process's address space at ``limit`` bytes (RLIMIT_AS; cannot be raised again)."""
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def confine(memory_limit: int | None = None, network: bool = True) -> Confinement:
    """Block the network (kernel-enforced; unless ``network`` is False) and cap memory in this
    process (``memory_limit`` bytes of address space); say what was enforced."""
    global _done
    if _done is not None:
        return _done
    blocked = False
    detail = "network left open (this process must reach a remote store)"
    if network:
        try:
            detail = block_network()
            blocked = True
        except OSError as exc:
            detail = str(exc)
    applied: int | None = None
    if memory_limit:
        try:
            limit_memory(memory_limit)
            applied = memory_limit
        except (OSError, ValueError) as exc:
            detail += f"; memory limit not applied: {exc}"
    _done = Confinement(blocked, applied, detail)
    return _done
