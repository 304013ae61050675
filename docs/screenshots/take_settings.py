"""File › Settings under Xvfb, on a throwaway store and config dir, an in-memory keyring and
the loopback OpenAI server, so the Models tab shows what a tested key can use:

    xvfb-run -a -s "-screen 0 1600x1000x24" python docs/screenshots/take_settings.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent


def main() -> None:
    tmp = tempfile.mkdtemp()
    os.environ["STORYCLIP_CONFIG_DIR"] = f"{tmp}/config"
    os.environ["STORYCLIP_DATA_DIR"] = f"{tmp}/data"
    import keyring
    from keyring.backend import KeyringBackend
    from PySide6.QtWidgets import QApplication

    from storyclip_desktop import keychain
    from storyclip_desktop.services import Services
    from storyclip_desktop.ui import theme
    from storyclip_desktop.ui.settings_dialog import SettingsDialog
    from tests.providers.fakes import FakeOpenAI

    class Memory(KeyringBackend):
        priority = 1  # type: ignore[assignment]
        stored: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, name: str) -> str | None:
            return self.stored.get((service, name))

        def set_password(self, service: str, name: str, value: str) -> None:
            self.stored[(service, name)] = value

        def delete_password(self, service: str, name: str) -> None:
            self.stored.pop((service, name), None)

    keyring.set_keyring(Memory())
    app = QApplication(sys.argv)
    theme.apply(app)

    def spin(seconds: float) -> None:
        end = time.time() + seconds
        while time.time() < end:
            app.processEvents()
            time.sleep(0.02)

    with FakeOpenAI() as server:
        os.environ["STORYCLIP_OPENAI_BASE_URL"] = server.url + "/v1"
        keychain.set_secret("openai", FakeOpenAI.api_key)
        keychain.set_secret("kling_access", "ak-1")
        sv = Services.open(f"sqlite:///{tmp}/store.sqlite3", node=1)
        dialog = SettingsDialog(models=sv.models)
        dialog.show()
        spin(1.0)
        dialog.rows["openai"].test_button.click()
        spin(2.0)
        dialog.adjustSize()
        spin(0.3)
        dialog.grab().save(str(OUT / "settings-keys.png"))
        dialog.tabs.setCurrentIndex(1)
        dialog.adjustSize()
        spin(0.5)
        dialog.grab().save(str(OUT / "settings-models.png"))
        sv.close()


if __name__ == "__main__":
    main()
