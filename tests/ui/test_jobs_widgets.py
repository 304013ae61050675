"""The jobs panel on a real engine under qasync, and the settings dialog on an in-memory
keyring (and a loopback OpenAI for Test)."""

from __future__ import annotations

import asyncio

import keyring
import pytest
from keyring.backend import KeyringBackend

from storyclip_desktop import keychain
from tests.jobs.helpers import engine, make_project
from tests.providers.fakes import FakeOpenAI


def test_jobs_panel_shows_progress_and_cancels_and_retries(qtbot, run_on, local_services):
    from storyclip_desktop.ui.jobs_panel import JobsController, JobsPanel

    sv = local_services
    pid = make_project(sv, 3)
    eng = engine(sv, limits={"local": 1})
    controller = JobsController(eng)
    panel = JobsPanel(controller)
    qtbot.addWidget(panel)
    assert panel.model.rowCount() == 0
    ids = sv.generation.images(pid).job_ids
    changed: list[int] = []
    controller.jobChanged.connect(changed.append)

    async def first_two():
        await eng.submit(ids)
        await asyncio.sleep(0)
        panel.select_job(ids[2])  # still queued behind the single local slot
        assert panel.cancel_button.isEnabled() and not panel.retry_button.isEnabled()
        panel.cancel_button.click()
        await eng.wait(ids)
        await asyncio.sleep(0.05)

    run_on(first_two())
    assert panel.model.rowCount() == 3
    texts = {
        panel.model.job_at(r).id: [panel.model.index(r, c).data() for c in range(6)] for r in range(3)
    }
    assert texts[ids[0]][:5] == ["Image", "S1", "Done", "100%", "Local preview"]
    assert texts[ids[2]][2] == "Cancelled"
    assert set(changed) == set(ids)

    panel.select_job(ids[2])
    assert panel.retry_button.isEnabled() and not panel.cancel_button.isEnabled()
    panel.retry_button.click()

    async def retried():
        await asyncio.sleep(0.1)
        await eng.run_until_idle()
        await asyncio.sleep(0.05)

    run_on(retried())
    assert panel.model.rowCount() == 4
    newest = panel.model.job_at(0)
    assert newest.id > ids[2] and newest.scene_id == "S3" and newest.state == "succeeded"
    run_on(eng.aclose())
    controller.close()


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.values.get((service, username))

    def set_password(self, service, username, password):
        self.values[(service, username)] = password

    def delete_password(self, service, username):
        self.values.pop((service, username), None)


@pytest.fixture
def memory_keyring(monkeypatch):
    for var in keychain.ENV_VARS.values():
        monkeypatch.delenv(var, raising=False)
    old = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    keychain.forget_session()
    yield backend
    keyring.set_keyring(old)
    keychain.forget_session()


def test_settings_dialog_saves_tests_and_removes_a_key(qtbot, memory_keyring, monkeypatch):
    from storyclip_desktop.ui.settings_dialog import SettingsDialog

    with FakeOpenAI() as server:
        monkeypatch.setenv("STORYCLIP_OPENAI_BASE_URL", server.url + "/v1")
        dialog = SettingsDialog()
        qtbot.addWidget(dialog)
        qtbot.waitUntil(lambda: "system keychain" in dialog.backend_message.text(), timeout=5000)
        row = dialog.rows["openai"]
        assert row.fields[0].echoMode() == row.fields[0].EchoMode.Password

        changed: list[str] = []
        dialog.keysChanged.connect(changed.append)
        row.fields[0].setText("  sk-wrong-key-123  ")
        row.save_button.click()
        qtbot.waitUntil(lambda: row.status.text() == "Saved.", timeout=5000)
        assert changed == ["openai"] and row.fields[0].text() == ""
        assert keychain.get_secret("openai") == "sk-wrong-key-123"

        row.test_button.click()
        qtbot.waitUntil(lambda: row.status.text() not in ("Testing…", "Saved."), timeout=10000)
        assert row.status.text() == "OpenAI rejected the API key. Check the key in Settings."
        assert "sk-wrong" not in row.status.text()

        row.fields[0].setText(FakeOpenAI.api_key)
        row.test_button.click()  # tests the typed key before saving it
        qtbot.waitUntil(lambda: row.status.text().startswith("The key works"), timeout=10000)
        assert row.status.text() == f"The key works ({len(FakeOpenAI.models)} models offered)."

        row.remove_button.click()
        qtbot.waitUntil(lambda: row.status.text() == "", timeout=5000)
        assert keychain.get_secret("openai") is None


def test_settings_dialog_says_when_keys_are_for_this_session_only(qtbot, monkeypatch):
    import keyring.backends.fail

    from storyclip_desktop.ui.settings_dialog import SettingsDialog

    old = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    keychain.forget_session()
    try:
        dialog = SettingsDialog()
        qtbot.addWidget(dialog)
        qtbot.waitUntil(lambda: "session only" in dialog.backend_message.text(), timeout=5000)
        kling = dialog.rows["kling"]
        assert len(kling.fields) == 2
        kling.fields[0].setText("ak-1")
        kling.fields[1].setText("sk-1")
        kling.save_button.click()
        qtbot.waitUntil(lambda: kling.status.text() == "Saved.", timeout=5000)
        assert keychain.get_secret("kling_secret") == "sk-1"
    finally:
        keyring.set_keyring(old)
        keychain.forget_session()


def test_settings_models_show_what_the_key_can_use_and_retired_models(qtbot, memory_keyring, monkeypatch, local_services):
    from storyclip_desktop.ui.settings_dialog import SettingsDialog

    sv = local_services
    with FakeOpenAI() as server:
        monkeypatch.setenv("STORYCLIP_OPENAI_BASE_URL", server.url + "/v1")
        keychain.set_secret("openai", FakeOpenAI.api_key)
        dialog = SettingsDialog(models=sv.models)
        qtbot.addWidget(dialog)
        qtbot.waitUntil(lambda: ("openai", "image") in dialog.model_rows, timeout=5000)
        images = dialog.model_rows[("openai", "image")]
        assert images.label.text() == "GPT images"
        gemini = dialog.model_rows[("gemini", "image")]  # no Gemini key: nothing to ask
        assert gemini.availability.text() == "Test the key to see which of these it can use."
        texts = [images.combo.itemText(i) for i in range(images.combo.count())]
        assert images.combo.currentData() == "gpt-image-2.6-sunburst"
        retired = texts.index(next(t for t in texts if "— gpt-image-1  (" in t))
        assert "retired 2026-10-23 (use gpt-image-2.5-sunburst)" in texts[retired]
        assert not images.combo.model().item(retired).isEnabled()
        text_row = dialog.model_rows[("openai", "text")]
        assert any("gpt-4.1-mini  (shuts down 2027-01-14" in text_row.combo.itemText(i) for i in range(text_row.combo.count()))

        # a saved key's list is fetched when the dialog opens (and with every Test)
        qtbot.waitUntil(lambda: images.availability.text().startswith("Your key can use"), timeout=10000)
        assert len(server.calls("GET", "/v1/models")) == 1
        assert images.availability.text() == "Your key can use 3 of these."
        flare = next(i for i in range(images.combo.count()) if images.combo.itemData(i) == "gpt-image-2.6-flare")
        assert "not offered to this key" in images.combo.itemText(flare)

        pick = next(i for i in range(images.combo.count()) if images.combo.itemData(i) == "gpt-image-2.5-flare")
        images.combo.setCurrentIndex(pick)
        qtbot.waitUntil(lambda: sv.models.chosen("openai", "image") == "gpt-image-2.5-flare", timeout=5000)
        seedance = dialog.model_rows[("seedance", "clip")]
        assert seedance.availability.text() == "Seedance publishes no model list; these are the documented ids."


def test_settings_models_for_the_open_project_only(qtbot, memory_keyring, local_services):
    from storyclip_desktop.ui.settings_dialog import SettingsDialog

    sv = local_services
    pid = sv.projects.create("민지의 하루")
    dialog = SettingsDialog(models=sv.models)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: ("kling", "clip") in dialog.model_rows, timeout=5000)
    assert not dialog.scope.isEnabled()  # no project open: every project
    dialog.set_project(pid, "민지의 하루")
    dialog.scope.setCurrentIndex(1)
    assert dialog.scope.currentText() == "For this project only (민지의 하루)"
    kling = dialog.model_rows[("kling", "clip")]
    qtbot.waitUntil(lambda: kling.combo.currentData() == "kling-v2-1", timeout=5000)
    pick = next(i for i in range(kling.combo.count()) if kling.combo.itemData(i) == "kling-v2-5-turbo")
    kling.combo.setCurrentIndex(pick)
    qtbot.waitUntil(lambda: sv.models.chosen("kling", "clip", pid) == "kling-v2-5-turbo", timeout=5000)
    assert sv.models.chosen("kling", "clip") == "kling-v2-1"  # every other project keeps its model
    dialog.scope.setCurrentIndex(0)
    qtbot.waitUntil(lambda: kling.combo.currentData() == "kling-v2-1", timeout=5000)


def test_settings_klings_two_key_fields_show_at_full_height_with_their_placeholders(qtbot, memory_keyring):
    from storyclip_desktop.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: "system keychain" in dialog.backend_message.text(), timeout=5000)
    access, secret = dialog.rows["kling"].fields
    for field in (access, secret):
        assert field.height() >= field.sizeHint().height()  # not squeezed into one grid cell
        text = field.fontMetrics().horizontalAdvance(field.placeholderText())
        assert field.width() > text + 16, field.placeholderText()
    assert [access.placeholderText(), secret.placeholderText()] == ["Access key", "Secret key"]
    assert secret.geometry().top() >= access.geometry().bottom()  # one under the other
