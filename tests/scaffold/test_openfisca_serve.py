"""``openfisca serve`` starts on a generated package and computes a worked example through its web API."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

OPENFISCA = Path(sys.executable).parent / "openfisca"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_openfisca_serve_answers_a_calculation(examplia):
    port = _free_port()
    server = subprocess.Popen(
        [str(OPENFISCA), "serve", "--country-package", "examplia", "--port", str(port), "--bind", f"127.0.0.1:{port}"],
        cwd=examplia, env={**os.environ, "PYTHONPATH": str(examplia)}, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"{url}/variable/family_support", timeout=2) as answer:
                    variable = json.load(answer)
                break
            except OSError:
                assert server.poll() is None, server.stdout.read()
                time.sleep(0.5)
        else:
            raise AssertionError("openfisca serve did not answer within 60 s")
        assert variable["entity"] == "household" and "2024-01-01" in variable["formulas"]
        # The family-support example: 4 children, 1000 for five persons (200 each < 250): 3 x 50.
        situation = {
            "persons": {name: {"age": {"2024-04": age}} for name, age in
                        [("p1", 35), ("p2", 2), ("p3", 5), ("p4", 8), ("p5", 12)]},
            "households": {"h1": {"heads": ["p1"], "other_members": ["p2", "p3", "p4", "p5"],
                                  "household_welfare": {"2024-04": 1000}, "family_support": {"2024-04": None}}},
        }
        request = urllib.request.Request(f"{url}/calculate", data=json.dumps(situation).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            computed = json.load(answer)
        assert computed["households"]["h1"]["family_support"]["2024-04"] == 150
    finally:
        server.terminate()
        server.wait(timeout=30)
