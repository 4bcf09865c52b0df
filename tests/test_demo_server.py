"""`highroad demo` as a server: the address it really serves, a warning off
loopback, an unresolvable host refused, and SIGTERM stopping the whole server."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from highroad.cli import main


class FakeServer:
    """Stands in for the Solara process: records its command, exits at once."""

    commands: list[list[str]] = []

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        FakeServer.commands.append(command)

    def wait(self, timeout: float | None = None) -> int:
        return 0


@pytest.fixture
def fake_server(monkeypatch):
    FakeServer.commands = []
    monkeypatch.setattr(subprocess, "Popen", FakeServer)
    return FakeServer


def test_an_unresolvable_host_is_refused(capsys, fake_server):
    assert main(["demo", "--host", "no-such-host.invalid", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --host") and "Traceback" not in err
    assert fake_server.commands == []


def test_loopback_is_served_without_a_warning(capsys, fake_server):
    assert main(["demo", "--host", "127.0.0.1", "--port", "0"]) == 0
    out, err = capsys.readouterr()
    port = fake_server.commands[0][fake_server.commands[0].index("--port") + 1]
    assert f"http://127.0.0.1:{port}" in out and "warning" not in err


def test_every_interface_gets_a_warning_and_the_real_address(capsys, fake_server):
    # Regression: --host 0.0.0.0 bound every interface with no warning, printing 127.0.0.1.
    assert main(["demo", "--host", "0.0.0.0", "--port", "0"]) == 0
    out, err = capsys.readouterr()
    assert "warning" in err and "every network interface" in err
    assert "127.0.0.1" not in out and "0.0.0.0" not in out.split("open")[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_sigterm_stops_the_whole_server(tmp_path: Path):
    # Regression: SIGTERM to `highroad demo` left the Solara child holding the port.
    port = free_port()
    with (tmp_path / "log.txt").open("w") as log:
        demo = subprocess.Popen([sys.executable, "-m", "highroad.cli", "demo", "--port",
                                 str(port)], stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert demo.poll() is None, (tmp_path / "log.txt").read_text()
            try:  # listening (any answer will do: the page itself is the browser test's)
                socket.create_connection(("127.0.0.1", port), timeout=2).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the demo did not start"
                time.sleep(0.3)
        demo.send_signal(signal.SIGTERM)  # to highroad demo only, as `kill PID` does
        assert demo.wait(timeout=30) == 128 + signal.SIGTERM
        with socket.socket() as probe:  # the port is free again: the server is gone
            probe.bind(("127.0.0.1", port))
    finally:
        if demo.poll() is None:
            import os

            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait()
