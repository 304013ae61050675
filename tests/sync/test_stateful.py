"""Random edits, moves, reviews, image versions and deletes on three installations,
with random syncs, offline periods and pushes cut off midway. After a final sync every
installation equals the server, and every change was applied once or reported."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from storyclip_desktop.cli.main import USER_ERRORS
from storyclip_desktop.store.models import PendingChange

from .conftest import Installation, _url, admin_sql, assert_converged, new_server_db, server_engine

N = 3
CTX: dict = {}
STATS: list = []
idx = st.integers(0, 50)
who = st.integers(0, N - 1)
words = st.sampled_from(["alpha", "beta", "gamma", "delta", "여름", "가을"])


class Cut(Exception):
    pass


class SyncMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="storyclip-sm-"))
        self.db = new_server_db(CTX["admin"], CTX["template"])
        self.url = _url(CTX["server"], self.db)
        shared = self.root / "shared"
        shared.mkdir()
        self.insts = [Installation(self.root, i + 1, self.url, shared) for i in range(N)]
        a = self.insts[0]
        self.pid = a.sv.projects.create("Random", script="x")
        a.sv.scenes.split(self.pid, chunks=[f"scene {i}" for i in range(5)])
        self.created: dict[int, tuple[str, dict]] = {}
        self._note_pending()
        self.applied: dict[int, object] = {}
        self.refused: dict[int, object] = {}
        self.offline: set[int] = set()
        for inst in self.insts:
            self._sync(inst)

    # -- helpers -------------------------------------------------------------------

    def _note_pending(self) -> None:
        for inst in self.insts:
            with inst.sv.db.sessions() as s:
                for cid, kind, payload in s.execute(select(PendingChange.id, PendingChange.kind, PendingChange.payload)):
                    self.created[cid] = (kind, payload)

    def _labels(self, i: int) -> list[str]:
        return [s.scene_id for s in self.insts[i].sv.scenes.list(self.pid)]

    def _pick(self, i: int, n: int) -> str | None:
        labels = self._labels(i)
        return labels[n % len(labels)] if labels else None

    def _do(self, fn, *args, **kw) -> None:  # noqa: ANN001
        try:
            fn(*args, **kw)
        except USER_ERRORS:
            pass
        self._note_pending()

    def _sync(self, inst: Installation) -> None:
        rep = inst.engine.sync()
        assert rep.error is None or rep.offline, rep.error
        for o in rep.refused:
            assert o.change.id not in self.applied and o.change.id not in self.refused, "answered twice"
            self.refused[o.change.id] = o
        for cid in rep.applied:
            assert cid not in self.applied and cid not in self.refused, f"change {cid} applied twice"
        outs = {o.change.id: o for o in (rep.refused + rep.notices)}
        for cid in rep.applied:
            self.applied[cid] = outs.get(cid, cid)

    # -- what people do ---------------------------------------------------------------

    @rule(i=who, n=idx, field=st.sampled_from(["narration", "image_prompt", "motion_prompt"]), word=words)
    def edit(self, i, n, field, word):
        label = self._pick(i, n)
        if label:
            self._do(self.insts[i].sv.scenes.edit, self.pid, label, {field: f"{word} {i}"})

    @rule(i=who, n=idx, m=idx, k=st.integers(1, 2))
    def move(self, i, n, m, k):
        labels = self._labels(i)
        if len(labels) < 2:
            return
        moving = [labels[(n + j) % len(labels)] for j in range(k)]
        rest = [x for x in labels if x not in moving]
        anchor = None if m % 4 == 0 or not rest else rest[m % len(rest)]
        self._do(self.insts[i].sv.ordering.move_after, self.pid, list(dict.fromkeys(moving)), anchor)

    @rule(i=who, n=idx)
    def add_scene(self, i, n):
        self._do(self.insts[i].sv.scenes.add, self.pid, f"new from {i}", after=self._pick(i, n))

    @rule(i=who, n=idx)
    def delete_scene(self, i, n):
        if len(self._labels(i)) > 2:
            self._do(self.insts[i].sv.scenes.delete, self.pid, self._pick(i, n))

    @rule(i=who, n=idx)
    def confirm(self, i, n):
        label = self._pick(i, n)
        if label:
            self._do(self.insts[i].sv.reviews.confirm, self.pid, label)

    @rule(i=who, n=idx)
    def confirm_seen_image(self, i, n):
        label = self._pick(i, n)
        if label:
            sc = self.insts[i].sv.scenes.get(self.pid, label)
            self._do(self.insts[i].sv.reviews.confirm_image, self.pid, label, version=sc.image_version)

    @rule(i=who, n=idx)
    def reject(self, i, n):
        label = self._pick(i, n)
        if label:
            self._do(self.insts[i].sv.reviews.reject, self.pid, label)

    @rule(i=who, n=idx)
    def new_image(self, i, n):
        label = self._pick(i, n)
        if label:
            url = f"https://cdn.example/{i}-{len(self.created)}.png"
            self._do(self.insts[i].sv.assets.add_scene_version, self.pid, label, "image", url)

    @rule(i=who, n=idx, v=st.integers(1, 3))
    def choose_image(self, i, n, v):
        label = self._pick(i, n)
        if label:
            self._do(self.insts[i].sv.assets.choose, self.pid, label, "image", v)

    @rule(i=who, word=words)
    def rename(self, i, word):
        self._do(self.insts[i].sv.projects.rename, self.pid, f"{word}{i}"[:10])

    @rule(i=who, ratio=st.sampled_from(["9:16", "16:9", "1:1"]), stability=st.sampled_from([0.2, 0.5, 1.0]))
    def preferences(self, i, ratio, stability):
        self._do(self.insts[i].sv.preferences.update, self.pid, ratio=ratio, stability=stability)

    @rule(i=who)
    def duplicate(self, i):
        self._do(self.insts[i].sv.projects.duplicate, self.pid, f"copy{i}")

    # -- the network --------------------------------------------------------------------

    @rule(i=who)
    def sync(self, i):
        if i not in self.offline:
            self._sync(self.insts[i])

    @rule(i=who)
    def toggle_offline(self, i):
        self.offline ^= {i}

    @rule(i=who, after=st.integers(0, 4))
    def push_cut_off(self, i, after):
        inst = self.insts[i]
        seen = []

        def cut(change) -> None:  # noqa: ANN001
            seen.append(change)
            if len(seen) > after:
                raise OperationalError("push", {}, Cut("network gone"))

        inst.engine.before_apply = cut
        try:
            self._sync(inst)
        finally:
            inst.engine.before_apply = None

    @invariant()
    def local_orders_stay_dense(self):
        for inst in getattr(self, "insts", []):
            orders = sorted(s.order for s in inst.sv.scenes.list(self.pid))
            assert orders == list(range(1, len(orders) + 1))

    # -- the end ----------------------------------------------------------------------

    def teardown(self):
        if not hasattr(self, "insts"):
            return
        try:
            for _ in range(2):
                for inst in self.insts:
                    self._sync(inst)
            assert_converged(self.url, *self.insts)
            for inst in self.insts:
                assert inst.engine.status().pending == 0
            # Every change made anywhere was applied exactly once or refused (and told).
            assert set(self.applied) | set(self.refused) == set(self.created)
            assert not set(self.applied) & set(self.refused)
            self._effects_match()
        finally:
            for inst in self.insts:
                inst.close()
            admin_sql(CTX["admin"], f"DROP DATABASE IF EXISTS {self.db} WITH (FORCE)")
            shutil.rmtree(self.root, ignore_errors=True)

    def _effects_match(self) -> None:
        """Counted effects: exactly one asset per applied new version, one review per
        applied confirm/reject whose scene still exists."""
        eng = server_engine(self.url)
        with eng.connect() as c:
            assets = set(c.scalars(text("SELECT id FROM asset")))
            reviews = set(c.scalars(text("SELECT id FROM scene_review")))
            scenes = set(c.scalars(text("SELECT id FROM scene")))
        eng.dispose()
        applied = [self.created[cid] for cid in self.applied]
        assert assets == {p["asset_id"] for k, p in applied if k == "add_asset_version"}
        assert reviews == {
            p["review_id"] for k, p in applied
            if k in ("confirm_prompt", "confirm_image", "reject") and p["scene_pk"] in scenes
        }
        STATS.append((len(self.applied), len(self.refused)))


SyncMachine.TestCase.settings = settings(
    max_examples=int(os.environ.get("STORYCLIP_SM_EXAMPLES", "15")),
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)


@pytest.mark.slow
def test_random_histories_converge(pg_server, pg_admin, sync_template):
    CTX.update(server=pg_server, admin=pg_admin, template=sync_template)
    SyncMachine.TestCase("runTest").runTest()
    applied = sum(a for a, _ in STATS)
    assert applied > 50, STATS  # the histories did real work
    print("stateful: applied/refused per example", STATS)
