"""Every PostgreSQL connection carries its network bounds to the server too, without
losing the `options` a URL or a caller gives."""

from __future__ import annotations

from urllib.parse import quote

from sqlalchemy import text

from storyclip_desktop.store.db import make_engine
from storyclip_desktop.store.network import server_options


def test_server_gets_the_bounds_and_keeps_the_urls_and_callers_options(pg_url):
    url = f"{pg_url}&options={quote('-c work_mem=7MB')}"
    engine = make_engine(url, connect_args={"options": "-c lock_timeout=1234"})
    try:
        with engine.connect() as c:
            assert c.scalar(text("SHOW work_mem")) == "7MB"
            assert c.scalar(text("SHOW lock_timeout")) == "1234ms"
            # over a unix socket the server reports 0 for the TCP settings, so ask the
            # session what it was started with
            started = c.scalar(
                text("SELECT string_agg(name || '=' || setting, ' ') FROM pg_settings WHERE source = 'client'")
            )
    finally:
        engine.dispose()
    assert "-c tcp_user_timeout=10000" in server_options()
    set_by_client = {item.split("=")[0] for item in started.split()}
    assert {"work_mem", "lock_timeout", "tcp_keepalives_idle", "tcp_keepalives_interval",
            "tcp_keepalives_count", "tcp_user_timeout"} <= set_by_client
