"""The Prefect API a batch reports to: the server PREFECT_API_URL names, or a temporary one this process starts.

Prefect's own temporary server (`SubprocessASGIServer`, what Prefect starts for a flow with no API configured) is
started here the way Prefect 3.8.8 starts it — uvicorn running `prefect.server.api.server:create_app` in a child
process (through `temporary_server_app`, which builds it with the garbage collector paused) — but without importing
Prefect first: `start_temporary_server()` launches it and returns at once, so its
~5 s of start-up overlap this process's own imports and the OCR workers' first faxes (importing
`prefect.server.api.server` just to launch it cost the CLI another 2-5 s). This module imports no Prefect at all
until a batch is run, so the CLI can call it first thing.

The temporary server runs none of the services a long-lived server needs (schedules, automations, late or lost runs),
which would take CPU from the OCR; it does run Prefect's database vacuum, so that its database (PREFECT_HOME's
prefect.db) keeps RETENTION_DAYS of history rather than growing run after run.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import logging
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import IO, Any

from faxintake.errors import FaxIntakeError

log = logging.getLogger(__name__)

# Flow runs (with their task runs, states and logs) and events older than this are deleted by Prefect's database
# vacuum when a temporary server starts: a week of runs to look back on (`prefect server start` on the same
# PREFECT_HOME shows them), a database that stops growing once a week of batches is in it. Prefect's own setting
# changes it (PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD, in seconds, at least 3600).
RETENTION_DAYS = 7
RETENTION_ENV = "PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD"
STARTUP_TIMEOUT_ENV = "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"
# The temporary server starts in ~5 s, but on a machine whose cores are busy with OCR it can take over 20 s,
# Prefect's default wait: wait longer rather than fail the run.
STARTUP_TIMEOUT_S = 90.0

# Perpetual services Prefect would run on a long-lived server; on the temporary one they only take CPU from the work
# (nothing is scheduled or automated there, and it lives for one batch).
_IDLE_SERVICES = (
    "TRIGGERS",
    "SCHEDULER",
    "LATE_RUNS",
    "FOREMAN",
    "PAUSE_EXPIRATIONS",
    "REPOSSESSOR",
    "CANCELLATION_CLEANUP",
    "CLEANUP_RECONCILER",
)

# Defaults for the temporary server; whatever the user set in the environment stays as set.
# Its task-run recorder writes task runs in batches, flushed every second, instead of one transaction per event
# (Prefect's default): that halved Prefect's CPU per task, 25 -> 13 ms (server and client together, 400 tasks).
TEMPORARY_SERVER_SETTINGS = {
    **{f"PREFECT_SERVER_SERVICES_{name}_ENABLED": "false" for name in _IDLE_SERVICES},
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE": "100",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_READ_BATCH_SIZE": "100",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_FLUSH_INTERVAL": "1",
    # Prefect's retention: the vacuum of old flow runs (their task runs, states, logs, artifacts) and of old events.
    # Prefect runs the flow-run vacuum only on a server not started as "ephemeral", hence the mode below.
    # (Events are kept for PREFECT_SERVER_EVENTS_RETENTION_PERIOD, Prefect's default 7 days.)
    "PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED": "events,flow_runs",
    RETENTION_ENV: str(RETENTION_DAYS * 86400),
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",  # no network here; and no telemetry of our runs
    "PREFECT_UI_ENABLED": "false",  # it lives for one batch: `prefect server start` shows its runs afterwards
    # Its services log every event they could not flush when it is stopped: keep its console quiet.
    "PREFECT_SERVER_LOGGING_LEVEL": "CRITICAL",
}


class TemporaryServer:
    """A Prefect API server in a child process, for this process's batches; `url` once `wait()` returned."""

    def __init__(self) -> None:
        self.port = _free_port()
        self._log: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115  # its stderr, closed by stop()
        env = {**TEMPORARY_SERVER_SETTINGS, **os.environ, "PREFECT__SERVER_FINAL": "1"}
        env.pop("PREFECT__SERVER_EPHEMERAL", None)  # see TEMPORARY_SERVER_SETTINGS: the flow-run vacuum
        env.pop("PREFECT_API_URL", None)
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "uvicorn", "--factory", f"{__name__}:temporary_server_app"),
                *("--host", "127.0.0.1", "--port", str(self.port), "--log-level", "error", "--lifespan", "on"),
            ],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
        )
        self.ready = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def wait(self, timeout: float | None = None) -> str:
        """Block until the server answers its health check; its API URL. FaxIntakeError if it does not start."""
        if self.ready:
            return self.url
        limit = timeout if timeout is not None else float(os.environ.get(STARTUP_TIMEOUT_ENV) or STARTUP_TIMEOUT_S)
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise self._failed(f"exited with code {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as response:
                    if response.status == 200:
                        self.ready = True
                        return self.url
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.05)
        error = self._failed(f"did not start within {limit:.0f} s")
        self.stop()
        raise error

    def stop(self) -> None:
        """Stop it as uvicorn stops on SIGTERM: its services write what they hold (the task-run recorder's last
        batch) before it exits."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

    def _failed(self, how: str) -> FaxIntakeError:
        """The error for a server that did not start: its last line in the message, the rest in the debug log."""
        self._log.seek(0)
        said = self._log.read().decode("utf-8", "replace").strip()
        log.debug("the temporary Prefect server's stderr:\n%s", said[-4000:])
        last = said.splitlines()[-1] if said else "nothing on its stderr"
        return FaxIntakeError(
            f"the temporary Prefect server {how}: {last}",
            hint=f"check the PREFECT_ settings in the environment, or set PREFECT_API_URL to a running server; "
            f"{STARTUP_TIMEOUT_ENV} sets how long to wait",
        )


def temporary_server_app() -> Any:
    """Prefect's server app (`prefect.server.api.server:create_app`, what Prefect's own temporary server runs), built
    in the server's process with the cyclic garbage collector paused. Importing Prefect's server and building its
    routes makes hundreds of thousands of objects that all live as long as the server: the collector's passes over
    them were ~0.5 s of the ~3.5 s of CPU the server took to start. What was built is then frozen (never scanned
    again), and the collector runs as usual while the server serves."""
    import gc

    gc.disable()
    try:
        from prefect.server.api.server import create_app

        return create_app()
    finally:
        gc.freeze()
        gc.enable()


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


_early: TemporaryServer | None = None


def start_temporary_server() -> None:
    """Launch the temporary server now, in the background, unless a server is configured in the environment
    (PREFECT_API_URL) or Prefect is already set up in this process (whose settings `shared_api` reads)."""
    global _early
    if _early is None and not os.environ.get("PREFECT_API_URL") and "prefect" not in sys.modules:
        _early = TemporaryServer()
        atexit.register(_early.stop)  # should the command end before a batch took it over


def _take_early() -> TemporaryServer | None:
    global _early
    server, _early = _early, None
    return server


@contextlib.contextmanager
def shared_api() -> Iterator[None]:
    """The Prefect API for the batches run inside: a configured server (PREFECT_API_URL, in the environment or
    Prefect's profile) if there is one, else a temporary one, started once here (or by start_temporary_server
    before) and shared with the worker processes through the environment they inherit."""
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
        get_current_settings,
        temporary_settings,
    )

    early = _take_early()
    if os.environ.get("PREFECT_API_URL") or get_current_settings().api.url:
        if early is not None:
            early.stop()  # launched before Prefect's profile said a server is configured
        yield  # a server is configured (or this process already started one): use it
        return
    server = early or TemporaryServer()
    try:
        _import_first_run_modules()  # while the server starts, not after it answered
        url = server.wait()
    except BaseException:
        server.stop()
        raise
    from prefect.context import refresh_global_settings_context

    os.environ["PREFECT_API_URL"] = url
    # A thread started inside (an inbox watched from a thread) begins from Prefect's global settings, not from the
    # context below: without this it found no API URL and Prefect started a temporary server of its own there.
    refresh_global_settings_context()
    try:
        # Flow-run heartbeats let a long-lived server find crashed runs; this one runs no service that watches them,
        # and the engine waits up to a second for the heartbeat thread at the end of every flow run.
        with temporary_settings(updates={PREFECT_API_URL: url, PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
            yield
    finally:
        _drain_prefect_workers()
        os.environ.pop("PREFECT_API_URL", None)
        refresh_global_settings_context()
        server.stop()


# What Prefect imports only when a process's first flow run begins: its flow and task engines, FastAPI's JSON encoder
# (for the run's parameters) and what Flow.visualize tracks tasks with; and the SQLite dialect of the default store,
# which the flow opens. Modules the run would import anyway (~0.3 s of CPU in all), imported while nothing waits.
FIRST_RUN_MODULES = (
    "prefect.flow_engine",
    "prefect.task_engine",
    "fastapi.encoders",
    "prefect.utilities.visualization",
    "sqlalchemy.dialects.sqlite",
)


def _import_first_run_modules() -> None:
    for name in FIRST_RUN_MODULES:
        with contextlib.suppress(ImportError):  # another Prefect version's layout: imported when it needs them
            importlib.import_module(name)


def _drain_prefect_workers() -> None:
    """Send buffered logs and events before the server goes away (else they retry against a closed port)."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=10)
    EventsWorker.drain_all(timeout=10)
