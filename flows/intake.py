"""Prefect flows: the intake of a batch of faxes, its stages as named tasks.

Locally, Prefect runs the tasks on threads (its overhead stays in one process) and each `read` hands the
OCR work to a pool of worker processes that lives as long as this process: one warm OCR engine and one set
of rendered templates per core, reused by every batch (threads alone would share the GIL). With
`dask_address`, the tasks run on the Dask cluster's workers instead. Results are written and recorded by
the flow itself, one writer for the store. Task and run names carry input numbers only, never member data.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")  # no network here; and no telemetry of our runs
# The temporary server starts in ~8 s, but on a machine whose cores are busy with OCR it can take over 20 s,
# Prefect's default wait: wait longer rather than fail the run.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.settings import (
    PREFECT_API_URL,
    PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
    get_current_settings,
    temporary_settings,
)
from prefect.task_runners import ThreadPoolTaskRunner

from extractors.pipeline import FaxRead, start_worker
from faxintake.errors import InputError, OcrError, StoreError
from faxintake.intake import current_references, decide_fax, error_result, expand_inputs, read_input, write_result
from faxintake.model import FaxResult
from faxintake.settings import Settings
from faxintake.store import Store

log = logging.getLogger(__name__)


_lookup_stores: dict[str, Store] = {}
_lookup_failed: dict[str, float] = {}  # url -> when it last could not be opened
_lookup_lock = threading.Lock()
LOOKUP_RETRY_S = 60.0


def lookup_store(url: str) -> Store | None:
    """The store the decide stage reads earlier returns from, opened once per process (decides run on threads, or
    on Dask workers). None when it cannot be opened, tried again after a minute: the fax is decided all the same
    and its notice goes out without the sentence about an earlier return."""
    with _lookup_lock:
        if url in _lookup_stores:
            return _lookup_stores[url]
        if time.monotonic() - _lookup_failed.get(url, -LOOKUP_RETRY_S) < LOOKUP_RETRY_S:
            return None
        try:
            _lookup_stores[url] = Store(url)
        except StoreError as exc:
            _lookup_failed[url] = time.monotonic()
            log.warning("earlier returns not looked up: %s", exc)
            return None
        return _lookup_stores[url]


def read_or_error(path: Path, settings: Settings) -> FaxRead | FaxResult:
    """Ingest, clean, classify and read one fax; an unreadable file becomes its error result."""
    try:
        return read_input(path, settings)
    except (InputError, OcrError) as exc:
        return error_result(path, exc)


_pool: ProcessPoolExecutor | None = None
_pool_size = 0


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """The OCR worker processes, started once and kept (their engines and templates stay warm)."""
    global _pool, _pool_size
    if _pool is None or _pool_size != workers:
        if _pool is not None:
            _pool.shutdown()
        _pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=start_worker)
        _pool_size = workers
    return _pool


_local_pool: ProcessPoolExecutor | None = None  # set for local runs; on a Dask worker the task does the work itself


# No caching or result persistence: a fax is processed once, and hashing a whole read page by page for a
# cache key costs more than the decision it would save.
@task(name="read", task_run_name="read-{number}", cache_policy=NO_CACHE, persist_result=False)
def read_stage(path: Path, settings: Settings, number: int) -> FaxRead | FaxResult:
    """Ingest, clean, classify and read one fax. An unreadable input or an OCR failure is logged here, not in the
    OCR worker process (whose logging is not set up): its number, file name and what is wrong, never member data."""
    if _local_pool is not None:
        read = _local_pool.submit(read_or_error, path, settings).result()
    else:
        read = read_or_error(path, settings)
    if isinstance(read, FaxResult):
        log.warning("input %d (%s) not read: %s", number, path.name, read.error)
    else:
        log.debug("input %d (%s) read: %d page(s), %d form(s)", number, path.name, read.page_count, len(read.documents))
    return read


@task(name="decide", task_run_name="decide-{number}", cache_policy=NO_CACHE, persist_result=False)
def decide_stage(read: FaxRead | FaxResult, settings: Settings, source_name: str, number: int) -> FaxResult:
    """Apply the rules, link a resubmission to its earlier return, choose the route, render any deficiency notice.
    Here on its thread, not in the worker pool: a decision takes about a millisecond (a notice some more), and in
    the pool it would queue behind the reads submitted after its own, holding its fax's result back."""
    if isinstance(read, FaxResult):
        return read
    returns = lookup_store(settings.store)
    return decide_fax(read, settings, current_references(settings), source_name=source_name, returns=returns)


@dataclass
class BatchSummary:
    inputs: int = 0
    pages: int = 0
    errors: int = 0
    duplicates: int = 0
    routes: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    unrecorded: list[str] = field(default_factory=list)  # inputs whose outcome the store did not take
    store_problem: str = ""  # the first store error's message (no credentials: the store leaves them out)

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    def store_failure(self, what_to_do: str) -> StoreError | None:
        """One error for the whole batch when some outcomes could not be recorded (their result files exist)."""
        if not self.unrecorded:
            return None
        names = [Path(f).name for f in self.unrecorded]
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        return StoreError(
            f"{len(names)} of {self.inputs} fax(es) not recorded in the store ({shown}): {self.store_problem}",
            hint=what_to_do,
        )


def task_runner(settings: Settings, dask_address: str | None) -> Any:
    """Threads feeding the worker pool by default, or an existing Dask cluster."""
    if dask_address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=dask_address)
    # Bounded (a read's thread only waits on the worker pool): enough for every worker to have a read running and
    # one queued while the decides submitted behind them wait for their reads.
    return ThreadPoolTaskRunner(max_workers=settings.workers * 4)


def record(
    result: FaxResult, path: Path, settings: Settings, store: Store | StoreError
) -> tuple[FaxResult, StoreError | None]:
    """Record the outcome, then write its result file. The decision does not need the store: when the store
    cannot be reached or written, the result file is still written and the error is returned, not raised."""
    failed = store if isinstance(store, StoreError) else None
    if isinstance(store, Store):
        try:
            outcome = store.record(result)
        except StoreError as exc:
            failed = exc
        else:
            if outcome.duplicate_of is not None:
                result = result.model_copy(update={"duplicate_of": Path(outcome.duplicate_of).name})
    write_result(result, settings.out_dir, path)
    return result, failed


def open_store(settings: Settings) -> Store | StoreError:
    """The store, or why it cannot be opened (the batch goes on without it and reports it at the end)."""
    try:
        return Store(settings.store)
    except StoreError as exc:
        return exc


def run_batch(
    inputs: list[Path],
    settings: Settings,
    *,
    dask_address: str | None = None,
    progress: Callable[[int, FaxResult], object] | None = None,
) -> BatchSummary:
    """Process every input; the flow is built here so the task runner can follow the settings."""

    @flow(
        name="intake",
        flow_run_name="intake-{count}-faxes",
        task_runner=task_runner(settings, dask_address),
        log_prints=False,
    )
    def intake(files: list[str], count: int) -> BatchSummary:
        log = get_run_logger()
        started = time.perf_counter()
        store = open_store(settings)  # unreachable: every fax still gets its result file, the run reports it
        summary = BatchSummary(inputs=len(files))
        # Each fax's decide is submitted right after its read, so decisions follow the reads through the batch
        # instead of all waiting for the last read (the worker pool would idle while they ran).
        decisions: list[PrefectFuture[FaxResult]] = []
        for n, f in enumerate(files, start=1):
            read = read_stage.submit(Path(f), settings, n)
            decisions.append(decide_stage.submit(read, settings, Path(f).name, n))  # type: ignore[call-overload]  # a future stands for its value
        for n, (future, f) in enumerate(zip(decisions, files, strict=True), start=1):
            result, failed = record(future.result(), Path(f), settings, store)
            if failed is not None:
                log.warning("input %d (%s) not recorded: %s", n, Path(f).name, failed.args[0])
                summary.unrecorded.append(f)
                summary.store_problem = summary.store_problem or str(failed.args[0])
            summary.pages += result.page_count
            summary.errors += result.error is not None
            summary.duplicates += result.duplicate_of is not None
            for doc in result.documents:
                summary.routes[doc.route.value if doc.route else "none"] += 1
            if progress is not None:
                progress(n, result)
        summary.seconds = time.perf_counter() - started
        log.info(
            "processed %d faxes, %d pages, %d errors in %.1f s",
            summary.inputs,
            summary.pages,
            summary.errors,
            summary.seconds,
        )
        return summary

    global _local_pool
    files = [str(p) for p in expand_inputs(inputs)]
    _local_pool = None if dask_address else worker_pool(settings.workers)
    with shared_api():
        return intake(files, len(files))


# The temporary server lives for one batch on the same two cores as the OCR: it records the runs, their task runs
# and events (what the UI shows), and runs none of the services a long-lived server needs (schedules, automations,
# late or lost runs, clean-ups), which would take CPU from the work. Its task-run recorder writes task runs in
# batches, flushed every second, instead of one transaction per event (Prefect's default): that halved
# Prefect's CPU per task, 25 -> 13 ms (server and client together, 400 tasks in one flow run).
TEMPORARY_SERVER_SETTINGS = {
    **{
        f"PREFECT_SERVER_SERVICES_{name}_ENABLED": "false"
        for name in (
            "TRIGGERS",
            "SCHEDULER",
            "LATE_RUNS",
            "FOREMAN",
            "PAUSE_EXPIRATIONS",
            "REPOSSESSOR",
            "CANCELLATION_CLEANUP",
            "CLEANUP_RECONCILER",
        )
    },
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE": "100",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_READ_BATCH_SIZE": "100",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_FLUSH_INTERVAL": "1",
}


@contextlib.contextmanager
def shared_api() -> Iterator[None]:
    """Without a Prefect server configured, Prefect starts a temporary one per process (~8 s each, MEASURED.md):
    start one here and point the worker processes at it through the environment they inherit."""
    if os.environ.get("PREFECT_API_URL") or get_current_settings().api.url:
        yield  # a server is configured (or this process already started one): use it
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    # The server's own services log every event they could not flush when it is stopped: keep its console quiet.
    quiet = os.environ.setdefault("PREFECT_LOGGING_SERVER_LEVEL", "CRITICAL")
    added = [key for key in TEMPORARY_SERVER_SETTINGS if key not in os.environ]  # what the user set stays as set
    os.environ.update({key: TEMPORARY_SERVER_SETTINGS[key] for key in added})
    server.start()
    os.environ["PREFECT_API_URL"] = server.api_url
    try:
        # Flow-run heartbeats let a long-lived server find crashed runs; this one runs no service that watches them,
        # and the engine waits up to a second for the heartbeat thread at the end of every flow run.
        with temporary_settings(updates={PREFECT_API_URL: server.api_url, PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
            yield
    finally:
        _drain_prefect_workers()
        time.sleep(1.0)  # let the server record the last events before it goes
        os.environ.pop("PREFECT_API_URL", None)
        if quiet == "CRITICAL":
            os.environ.pop("PREFECT_LOGGING_SERVER_LEVEL", None)
        for key in added:
            os.environ.pop(key, None)
        server.stop()


def _drain_prefect_workers() -> None:
    """Send buffered logs and events before the server goes away (else they retry against a closed port)."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=10)
    EventsWorker.drain_all(timeout=10)
