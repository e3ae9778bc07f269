"""The web app's result cache: each finished run's results on disk, bounded, the oldest removed first.

The worker process writes a run's folder (``results.json``: what ``GET /api/jobs/{id}/results`` serves) through
:func:`floorsim.surveys.atomic.staged_folder`, so a folder is either complete or absent. The workbook and the HTML report are
written into it by the worker on first download (it runs the reform again and builds the whole report: the run
behind the results page builds only the tables the page shows), each file atomically, and kept. The server's
process keeps only each job's status and headline in memory (a few kilobytes, where the results of a run on
500,000 persons are about 125 MB).

Bounds: at most ``max_runs`` runs and ``max_bytes`` bytes; beyond either, the oldest runs are removed (never the one
just added). A removed run's job stays known: asking for its results gives :class:`ExpiredResults`.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from floorsim.simulations.web.errors import WebError

RESULTS_FILE = "results.json"
DOWNLOAD_FILES = {"xlsx": "results.xlsx", "html": "report.html"}
MAX_RUNS = 50
MAX_BYTES = 1024**3  # 1 GiB


class ExpiredResults(WebError):
    """A job's results were removed from the cache to keep it within its bounds."""


class ResultCache:
    """Finished runs' results under ``root`` (default: a fresh private temporary folder, removed by :meth:`close`).

    Args:
        root: folder of the cache (created if missing; a folder given here is not removed by :meth:`close`).
        max_runs: most runs kept.
        max_bytes: most bytes kept (sum of the runs' files, downloads included).
    """

    def __init__(self, root: Path | None = None, *, max_runs: int = MAX_RUNS, max_bytes: int = MAX_BYTES) -> None:
        if max_runs < 1 or max_bytes < 1:
            raise WebError(f"the result cache needs room for one run (max_runs={max_runs}, max_bytes={max_bytes})")
        self._owned = root is None
        self.root = Path(tempfile.mkdtemp(prefix="floorsim-web-")) if root is None else Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.max_runs, self.max_bytes = max_runs, max_bytes
        self._sizes: OrderedDict[str, int] = OrderedDict()  # job id -> bytes on disk, oldest first
        self._lock = threading.Lock()

    def folder(self, job_id: str) -> Path:
        """Where the worker writes the run of ``job_id`` (through a staged folder)."""
        return self.root / job_id

    def add(self, job_id: str) -> list[str]:
        """Count the run the worker has written; remove the oldest runs beyond the bounds. Returns their ids."""
        with self._lock:
            self._sizes[job_id] = _size(self.folder(job_id))
            return self._evict(keep=job_id)

    def has(self, job_id: str) -> bool:
        with self._lock:
            return job_id in self._sizes

    def results(self, job_id: str) -> dict:
        """The results JSON of a run (:class:`ExpiredResults` when it was removed)."""
        try:
            return json.loads((self._kept(job_id) / RESULTS_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:  # removed between the check and the read
            raise self._expired(job_id) from None

    def download(self, job_id: str, kind: str, write: Callable[[], None]) -> bytes:
        """The workbook (``xlsx``) or the HTML report (``html``) of a run; ``write()`` (the worker) writes both into
        the run's folder on first request, and they are kept (and counted in the cache's bounds)."""
        path = self._kept(job_id) / DOWNLOAD_FILES[kind]
        try:
            if not path.is_file():
                write()
                self._recount(job_id)
            return path.read_bytes()
        except FileNotFoundError:  # removed meanwhile
            raise self._expired(job_id) from None

    def _recount(self, job_id: str) -> None:
        """Count a run's files again (downloads were added); remove the oldest runs beyond the bounds."""
        with self._lock:
            if job_id in self._sizes:
                self._sizes[job_id] = _size(self.folder(job_id))
                self._evict(keep=job_id)

    def close(self) -> None:
        """Remove the cache's folder if the cache created it."""
        if self._owned:
            shutil.rmtree(self.root, ignore_errors=True)

    def _kept(self, job_id: str) -> Path:
        """The folder of a run still in the cache (:class:`ExpiredResults` otherwise)."""
        with self._lock:
            if job_id not in self._sizes:
                raise self._expired(job_id)
        return self.folder(job_id)

    def _expired(self, job_id: str) -> ExpiredResults:
        return ExpiredResults(
            f"the results of job {job_id} have expired: the server keeps the {self.max_runs} most recent runs "
            f"(at most {self.max_bytes // 1024**2} MiB); run the reform again"
        )

    def _evict(self, keep: str) -> list[str]:
        removed = []
        while len(self._sizes) > 1 and (len(self._sizes) > self.max_runs or sum(self._sizes.values()) > self.max_bytes):
            oldest = next(key for key in self._sizes if key != keep)
            del self._sizes[oldest]
            shutil.rmtree(self.folder(oldest), ignore_errors=True)
            removed.append(oldest)
        return removed


def _size(folder: Path) -> int:
    """Bytes of the files under ``folder`` (0 when it does not exist)."""
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) if folder.is_dir() else 0
