"""How long a PostgreSQL connection may wait on the network, for every connection the
app opens (shared-mode services, sync, CLI): libpq's own bounds, passed as psycopg
connect arguments. A laptop whose Wi-Fi drops sends no reset: without these a read can
wait for hours and a write for the kernel's ~15-minute retransmission limit.

- connect_timeout: the whole connection attempt (TCP, TLS, login).
- keepalives: an idle connection is probed after 5 s, every 2 s, given up after 3
  unanswered probes (about 11 s), so a wait for an answer that never comes ends.
- tcp_user_timeout: data sent and not acknowledged for 10 s ends the connection.

The server gets the same bounds for its end (`server_options`): a session whose laptop
vanished is then ended by the server in about as long, instead of after the kernel's
two-hour keepalive default, together with any lock it holds.

These bound the kernel's view. A wait the kernel cannot see (a peer that ACKs but never
answers) is bounded by the sync's own deadlines (sync/deadline.py). Values can be
overridden for tests and odd networks through the environment (seconds)."""

from __future__ import annotations

import os

CONNECT_ENV = "STORYCLIP_PG_CONNECT_SECONDS"
SILENCE_ENV = "STORYCLIP_PG_SILENCE_SECONDS"

CONNECT_SECONDS = 5
SILENCE_SECONDS = 10  # tcp_user_timeout; keepalives end an idle wait in about as long
KEEPALIVE_IDLE, KEEPALIVE_INTERVAL, KEEPALIVE_COUNT = 5, 2, 3


def env_seconds(env: str, default: float) -> float:
    """A positive number of seconds from the environment, else `default` (a bad value
    is ignored rather than breaking a connection)."""
    try:
        value = float(os.environ.get(env, "").strip() or default)
    except ValueError:
        return default
    return value if value > 0 else default


def libpq_bounds() -> dict[str, int]:
    """psycopg connect arguments (libpq parameter names); ignored on a unix socket."""
    silence = env_seconds(SILENCE_ENV, SILENCE_SECONDS)
    return {
        # libpq rounds below 2 s up to 2 s
        "connect_timeout": max(2, round(env_seconds(CONNECT_ENV, CONNECT_SECONDS))),
        "keepalives": 1,
        "keepalives_idle": max(1, round(min(KEEPALIVE_IDLE, silence / 2))),
        "keepalives_interval": max(1, round(min(KEEPALIVE_INTERVAL, silence / 5))),
        "keepalives_count": KEEPALIVE_COUNT,
        "tcp_user_timeout": int(silence * 1000),
    }


def server_options() -> str:
    """libpq `options`: the server's keepalives and tcp_user_timeout for this session,
    matching the client's (settable by any login; ignored on a unix socket)."""
    b = libpq_bounds()
    return (
        f"-c tcp_keepalives_idle={b['keepalives_idle']} -c tcp_keepalives_interval={b['keepalives_interval']} "
        f"-c tcp_keepalives_count={b['keepalives_count']} -c tcp_user_timeout={b['tcp_user_timeout']}"
    )
