from __future__ import annotations

from PySide6.QtCore import Qt

from storyclip_desktop.ui.sidebar.model import (
    ID_ROLE,
    PROGRESS_ROLE,
    SCENE_COUNT_ROLE,
    STATUS_COUNTS_ROLE,
    ProjectListModel,
    progress,
)
from storyclip_desktop.ui.sidebar.proxy import ProjectFilterProxy


def _model(local_services):
    a = local_services.projects.create("Seoul Walk", description="autumn 가을")
    b = local_services.projects.create("부산 바다", script="파도 소리.\n\n갈매기.")
    local_services.scenes.split(b)
    local_services.projects.create("Jeju")
    m = ProjectListModel()
    m.set_projects(local_services.projects.list())
    return m, a, b


def test_project_list_model_passes_the_model_tester(qtmodeltester, local_services):
    m, _a, b = _model(local_services)
    qtmodeltester.check(m, force_py=True)
    row = m.row_of(b)
    idx = m.index(row, 0)
    assert idx.data() == "부산 바다"
    assert idx.data(ID_ROLE) == b
    assert idx.data(SCENE_COUNT_ROLE) == 2
    assert idx.data(STATUS_COUNTS_ROLE) == {"init": 2}
    assert idx.data(PROGRESS_ROLE) == 0.0
    assert "2 scenes" in idx.data(Qt.ItemDataRole.ToolTipRole)
    local_services.projects.delete(b)
    m.set_projects(local_services.projects.list())  # checked by the connected tester
    assert m.row_of(b) == -1 and m.rowCount() == 2


def test_filter_proxy_passes_the_model_tester_and_filters(qtmodeltester, local_services):
    m, a, b = _model(local_services)
    proxy = ProjectFilterProxy()
    proxy.setSourceModel(m)
    qtmodeltester.check(proxy, force_py=True)

    proxy.set_filter_text("SEOUL")  # case-insensitive
    assert [proxy.index(r, 0).data(ID_ROLE) for r in range(proxy.rowCount())] == [a]
    proxy.set_filter_text("가을")  # Korean, in the description
    assert proxy.rowCount() == 1
    proxy.set_filter_text("바다")
    assert [proxy.index(r, 0).data(ID_ROLE) for r in range(proxy.rowCount())] == [b]
    # Decomposed Hangul (as macOS may deliver it) matches composed titles.
    import unicodedata

    proxy.set_filter_text(unicodedata.normalize("NFD", "부산"))
    assert proxy.rowCount() == 1
    proxy.set_filter_text("")  # the tester stays connected and checks every change
    assert proxy.rowCount() == 3


def test_progress_weights_each_step():
    assert progress({}) == 0.0
    assert progress({"clip": 3}) == 1.0
    assert progress({"init": 1, "clip": 1}) == 0.5
