"""Errors of the web app: project errors (``FloorsimError``), turned into 4xx responses with their message."""

from __future__ import annotations

from floorsim.simulations.errors import FloorsimError


class WebError(FloorsimError):
    """A request the web app cannot serve (unknown survey, too many jobs...)."""


class JobTimeout(WebError):
    """A job ran past the time limit; its worker process was stopped."""


class WorkerStopped(WebError):
    """The worker process ended before the job was done (it crashed, was killed, or the server is stopping)."""
