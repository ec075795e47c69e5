"""``python -m coffee_machine.jura.simulator``: start, serve a client, stop cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from jura_connect.client import JuraClient

from coffee_machine.jura.simulator.__main__ import build_parser, make_config

#: Run the source tree, whatever copy of the package is installed.
SOURCE = Path(__file__).resolve().parents[1] / "src"
PATH = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]


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
            "coffee_machine.jura.simulator",
            "--port",
            str(port),
            "--host",
            "127.0.0.1",
            "--auto-accept",
            "--pin",
            "4711",
            "--no-discovery",
            "--name",
            "Kaffeebert",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(SOURCE), *PATH])},
    )
    banner = [process.stdout.readline() for _ in range(2)]
    yield process, port, banner
    if process.poll() is None:
        process.kill()
        process.wait()
    process.stdout.close()
    process.stderr.close()


def test_cli_prints_where_the_machine_listens(cli):
    _process, port, banner = cli
    assert banner[1].strip() == (
        f"machine 0: 'Kaffeebert' (S8 (EB), EF1091) on 127.0.0.1:{port}"
    )


def test_cli_machine_pairs_a_client_with_pin_at_once(cli):
    _process, port, _banner = cli
    jura = JuraClient("127.0.0.1", port, pin="4711", conn_id="cli-test")
    try:
        result = jura.pair(timeout=5)
    finally:
        jura.close()
    assert result.state == "CORRECT" and len(result.new_hash) == 64


def test_cli_stops_cleanly_on_sigterm(cli):
    process, _port, _banner = cli
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=5) == 0
    assert time.monotonic() - started < 2
    assert "Traceback" not in process.stderr.read()


def test_cli_flags_shape_the_config():
    args = build_parser().parse_args(
        ["--machines", "3", "--accelerate", "10", "--control-port", "0"]
    )
    config = make_config(args)
    assert (config.machines, config.clock, config.control_port) == (3, 10.0, 0)
    assert (config.port, config.discovery, config.auto_accept) == (51515, True, False)
