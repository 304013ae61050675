"""A private, real Secret Service for the keychain tests.

The equivalent of `dbus-run-session` + `gnome-keyring-daemon --unlock`: a session bus
of our own, a keyring daemon unlocked with a throwaway password, and its keyring files
in a temporary folder, so the user's own keyring is never touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import keyring
import keyring.backend
import keyring.backends.SecretService
import keyring.core
import pytest

from storyclip_desktop import keychain

_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir={dir}</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def _wait_for_secret_service(deadline: float) -> None:
    import secretstorage

    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            conn = secretstorage.dbus_init()
            try:
                if secretstorage.check_service_availability(conn):
                    if not secretstorage.get_default_collection(conn).is_locked():
                        return
            finally:
                conn.close()
        except Exception as exc:  # not up yet
            last = exc
        time.sleep(0.05)
    raise RuntimeError(f"the Secret Service did not come up: {last!r}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    if proc.stdout is not None:
        proc.stdout.close()


@pytest.fixture(scope="session")
def secret_service(tmp_path_factory):
    daemon = shutil.which("gnome-keyring-daemon")
    if daemon is None:
        pytest.skip("gnome-keyring-daemon is not installed (Debian package gnome-keyring)")
    bus_exe = shutil.which("dbus-daemon")
    if bus_exe is None:
        pytest.fail("dbus-daemon is missing (Debian package dbus); gnome-keyring needs it")

    base = tmp_path_factory.mktemp("secret-service")
    run_dir = base / "run"
    run_dir.mkdir(mode=0o700)
    child_env = dict(
        os.environ,
        HOME=str(base / "home"),
        XDG_DATA_HOME=str(base / "data"),
        XDG_RUNTIME_DIR=str(run_dir),
    )
    saved = {k: os.environ.get(k) for k in ("DBUS_SESSION_BUS_ADDRESS", "GNOME_KEYRING_CONTROL")}
    previous_backend = keyring.get_keyring()

    # A session bus without service directories: with the stock session config, a
    # client asking for org.freedesktop.secrets before our daemon has registered makes
    # the bus start a second gnome-keyring-daemon whose collection is locked.
    bus_config = base / "session.conf"
    bus_config.write_text(_BUS_CONFIG.format(dir=run_dir))
    with open(base / "dbus.log", "wb") as bus_log:
        bus = subprocess.Popen(
            [bus_exe, f"--config-file={bus_config}", "--nofork", "--nopidfile", "--print-address=1"],
            stdout=subprocess.PIPE,
            stderr=bus_log,
            stdin=subprocess.DEVNULL,
            env=child_env,
            text=True,
        )
    procs = [bus]
    try:
        address = bus.stdout.readline().strip()
        assert address.startswith("unix:"), f"dbus-daemon printed {address!r}"
        child_env["DBUS_SESSION_BUS_ADDRESS"] = address
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = address

        out_file = base / "keyring.env"
        with open(out_file, "wb") as out, open(base / "keyring.log", "wb") as err:
            gk = subprocess.Popen(
                [
                    daemon,
                    "--foreground",
                    "--unlock",
                    "--components=secrets",
                    f"--control-directory={run_dir / 'keyring'}",
                ],
                stdin=subprocess.PIPE,
                stdout=out,
                stderr=err,
                env=child_env,
            )
        procs.append(gk)
        gk.stdin.write(b"storyclip-test-password")
        gk.stdin.close()
        _wait_for_secret_service(time.monotonic() + 15)
        # It prints the variables a client should export (GNOME_KEYRING_CONTROL=...).
        for line in out_file.read_text().splitlines():
            name, sep, value = line.partition("=")
            if sep and name.isidentifier():
                os.environ[name] = value

        # Use the Secret Service explicitly: auto-detection would prefer a chainer as soon
        # as any other test module has defined a KeyringBackend subclass. `priority`
        # raises if the service is not really usable on this bus.
        from keyring.backends import SecretService

        assert SecretService.Keyring.priority > 0
        backend = SecretService.Keyring()
        keyring.set_keyring(backend)
        assert isinstance(keyring.get_keyring(), SecretService.Keyring)
        yield backend
    finally:
        keyring.core.set_keyring(previous_backend)
        for proc in reversed(procs):
            _stop(proc)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        keyring.backend.get_all_keyring.reset()


@pytest.fixture
def real_keyring(secret_service, monkeypatch):
    """The Secret Service as the backend, no env overrides, and a clean slate after."""
    for var in keychain.ENV_VARS.values():
        monkeypatch.delenv(var, raising=False)
    keyring.set_keyring(secret_service)
    keychain.forget_session()
    yield secret_service
    keyring.set_keyring(secret_service)
    keychain.forget_session()
    for name in keychain.ENTRIES:
        keychain.delete_secret(name)
    keychain.forget_session()
