"""`floorsim serve` stopped with SIGTERM stops its worker processes: none survives the server (the repro: the
engine's loky processes were left running, orphaned)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.web.live import free_port, wait_until_up
from tests.web.processes import alive, command_line, descendants

FLOORSIM = Path(sys.executable).with_name("floorsim")


def test_sigterm_stops_serve_and_every_worker(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen([str(FLOORSIM), "serve", "--port", str(port), "--jobs", "2"], stdout=output,
                                  stderr=subprocess.STDOUT)
    try:
        wait_until_up(url, seconds=120)
        job = httpx.post(f"{url}/api/reforms/run", timeout=30, json={
            "name": "saii_80", "replicates": 200, "changes": [{"parameter": "benefits.saii.amount", "value": 80}]})
        assert job.status_code == 202, job.text
        end = time.monotonic() + 120  # until the worker and its engine's processes run
        while time.monotonic() < end:
            children = descendants(server.pid)
            if sum("loky" in command_line(pid) for pid in children) >= 2:
                break
            time.sleep(0.1)
        assert sum("loky" in command_line(pid) for pid in children) >= 2, [command_line(p) for p in children]
        server.send_signal(signal.SIGTERM)
        # uvicorn shuts the app down (stopping the worker), then re-raises the signal: exit by SIGTERM.
        assert server.wait(timeout=60) in (0, -signal.SIGTERM)
        end = time.monotonic() + 10  # the resource tracker frees shared memory after the others have gone
        while time.monotonic() < end and any(alive(pid) for pid in children):
            time.sleep(0.1)
        survivors = {pid: command_line(pid) for pid in children if alive(pid)}
        assert survivors == {}
        assert b"Traceback" not in log.read_bytes()
    finally:
        if server.poll() is None:
            server.kill()
        for pid in descendants(server.pid) if server.poll() is None else ():
            os.kill(pid, signal.SIGKILL)
