"""Run by test_crash.py as a separate process: open an installation and sync, after
saying READY and waiting for GO (so the parent can kill it at a random point of the
push, not during imports)."""

from __future__ import annotations

import sys


def main() -> None:
    sqlite_url, server_url, node = sys.argv[1], sys.argv[2], int(sys.argv[3])
    from storyclip_desktop.services import Services
    from storyclip_desktop.sync import SyncEngine

    sv = Services.open(sqlite_url, node=node)
    engine = SyncEngine(sv, server_url)
    engine._identify()  # connect and warm up before the parent starts its clock
    print("READY", flush=True)
    sys.stdin.readline()
    rep = engine.sync()
    print(f"DONE pushed={rep.pushed} error={rep.error}", flush=True)


if __name__ == "__main__":
    main()
