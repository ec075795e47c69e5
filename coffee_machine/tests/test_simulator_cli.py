"""``python -m coffee_machine.homeconnect.simulator``: start, serve, stop cleanly."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time

import pytest
import requests

from coffee_machine.homeconnect.simulator.__main__ import (
    apply_faults,
    build_parser,
    make_config,
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def cli():
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "coffee_machine.homeconnect.simulator",
            "--port",
            str(port),
            "--machines",
            "3",
            "--seed",
            "1",
            "--accelerate",
            "10",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    banner = [process.stdout.readline() for _ in range(4)]
    yield process, port, banner
    if process.poll() is None:
        process.kill()
        process.wait()
    process.stdout.close()
    process.stderr.close()


def test_cli_prints_url_client_and_login(cli):
    _process, port, banner = cli
    assert banner[0].strip() == (
        f"Home Connect simulator listening on http://127.0.0.1:{port}"
    )
    assert "coffee-connector" in banner[1]
    assert "coffee-secret" in banner[2]
    assert "barista / espresso" in banner[3]


def test_cli_serves_the_requested_machines(cli):
    _process, port, _banner = cli
    state = requests.get(f"http://127.0.0.1:{port}/simulator/state", timeout=5).json()
    assert len(state["machines"]) == 3
    assert state["clock"] == 10.0


def test_cli_stops_cleanly_on_sigterm(cli):
    process, _port, _banner = cli
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=5) == 0
    assert time.monotonic() - started < 2
    assert "Traceback" not in process.stderr.read()


def test_cli_stops_cleanly_on_ctrl_c(cli):
    process, _port, _banner = cli
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=5) == 0


def test_cli_flags_become_config():
    args = build_parser().parse_args(
        ["--one-time-refresh-tokens", "--manual-clock", "--no-quota", "--port", "0"]
    )
    config = make_config(args)
    assert config.one_time_refresh_tokens is True
    assert config.clock == "manual"
    assert config.quota.enabled is False


def test_cli_fault_flags_switch_faults_on(make_sim):
    sim = make_sim(machines=2)
    args = build_parser().parse_args(
        ["--offline", "1", "--slow", "0.5", "--timeout-408", "2"]
    )
    apply_faults(sim, args)
    snapshot = sim.faults.snapshot()
    assert snapshot["offline"] == [list(sim.machines)[1]]
    assert snapshot["slow"] == 0.5
    assert snapshot["timeout_408"] == 2
