"""Start-up time of the ``floorsim`` console script: CPU and wall time of ``floorsim --help`` and ``--version``.

    python tests/install/startup_time.py [RUNS] [OTHER_FLOORSIM]

Runs each command RUNS times (default 10), interleaved, and prints the median and minimum of the wall time and of
the child's CPU time (user + system, from ``os.wait4``: less sensitive than the wall time to other load on the
machine). ``OTHER_FLOORSIM`` (e.g. another checkout's ``.venv/bin/floorsim``) is measured side by side.
Figures: docs/PERFORMANCE.md, "Start-up". Not a test: nothing asserts a timing.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path


def measure(commands: dict[str, list[str]], runs: int) -> dict[str, tuple[list[float], list[float]]]:
    """Wall and CPU seconds of each command, ``runs`` times, interleaved."""
    times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            start = time.perf_counter()
            child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _, _, usage = os.wait4(child.pid, 0)
            times[name][0].append(time.perf_counter() - start)
            times[name][1].append(usage.ru_utime + usage.ru_stime)
    return times


def main(runs: int, other: str | None) -> None:
    floorsim = str(Path(sys.executable).parent / "floorsim")
    commands = {"floorsim --help": [floorsim, "--help"], "floorsim --version": [floorsim, "--version"],
                "python -c pass": [sys.executable, "-c", "pass"]}
    if other:
        commands[f"{other} --help"] = [other, "--help"]
    for name, (wall, cpu) in measure(commands, runs).items():
        print(f"{name}: CPU median {statistics.median(cpu):.3f} s (min {min(cpu):.3f}); "
              f"wall median {statistics.median(wall):.3f} s (min {min(wall):.3f}); n={runs}")
    print("load average:", ", ".join(f"{load:.1f}" for load in os.getloadavg()))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10, sys.argv[2] if len(sys.argv) > 2 else None)
