"""Prefect flows: the intake of a batch of faxes, one named task per fax.

Locally, Prefect runs the tasks on threads (its overhead stays in one process) and each task collects its fax's read
from the pool of OCR worker processes (flows/workers.py), which had the batch handed to it before the flow started;
its decision follows on the task's thread. With `dask_address`, the tasks run on the Dask cluster's workers instead.
Results are written and recorded by the flow itself, one writer for the store. Task and run names carry input
numbers only, never member data.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.task_runners import ThreadPoolTaskRunner

from extractors.pipeline import FaxRead
from faxintake.errors import StoreError
from faxintake.intake import current_references, decide_fax, expand_inputs, write_result
from faxintake.model import FaxResult
from faxintake.settings import Settings
from faxintake.store import Store
from flows import workers
from flows.prefect_api import shared_api

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


# Set for local runs, whose worker pool reads; on a Dask worker (dask_address) the task reads in its own process.
_local = False


def read_stage(path: Path, settings: Settings, number: int) -> FaxRead | FaxResult:
    """Ingest, clean, classify and read one fax. An unreadable input or an OCR failure is logged here, not in the
    OCR worker process (whose logging is not set up): its number, file name and what is wrong, never member data."""
    read = workers.collect(path, settings) if _local else workers.read_or_error(path, settings)
    if isinstance(read, FaxResult):
        log.warning("input %d (%s) not read: %s", number, path.name, read.error)
    else:
        log.debug("input %d (%s) read: %d page(s), %d form(s)", number, path.name, read.page_count, len(read.documents))
    return read


def decide_stage(read: FaxRead | FaxResult, settings: Settings, source_name: str) -> FaxResult:
    """Apply the rules, link a resubmission to its earlier return, choose the route, render any deficiency notice.
    On the task's thread, not in the worker pool: a decision takes about a millisecond (a notice some more), and in
    the pool it would queue behind the reads handed to it after its own, holding its fax's result back."""
    if isinstance(read, FaxResult):
        return read
    returns = lookup_store(settings.store)
    return decide_fax(read, settings, current_references(settings), source_name=source_name, returns=returns)


# One task run per fax, its read and its decision: each task run costs Prefect ~13 ms of CPU (its events, their
# recording by the server), and two a fax made Prefect ~9.5% of a batch's CPU. No caching or result persistence:
# a fax is processed once, and hashing a whole read page by page for a cache key costs more than the decision.
@task(name="fax", task_run_name="fax-{number}", cache_policy=NO_CACHE, persist_result=False)
def fax_task(path: Path, settings: Settings, number: int) -> FaxResult:
    """Read one fax (collected from the worker pool), then decide it."""
    return decide_stage(read_stage(path, settings, number), settings, path.name)


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
    """Threads collecting from the worker pool by default, or an existing Dask cluster."""
    if dask_address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=dask_address)
    # Bounded (a task's thread mostly waits on the worker pool): enough for every worker to have a read running and
    # a few done, their decisions made while the next reads run.
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
    """Process every input. Locally the worker pool is handed the faxes first, then the Prefect API is waited for
    (a temporary server starts in seconds) and the flow collects the reads; the flow is built here so the task
    runner can follow the settings."""

    @flow(
        name="intake",
        flow_run_name="intake-{count}-faxes",
        task_runner=task_runner(settings, dask_address),
        log_prints=False,
    )
    def intake(files: list[str], count: int) -> BatchSummary:
        log = get_run_logger()
        started = time.perf_counter()
        # Opened here, not captured from run_batch: with Dask, the flow (closure and all) travels with each task's
        # context, and a store (its engine) does not pickle.
        store = open_store(settings)  # unreachable: every fax still gets its result file, the run reports it
        summary = BatchSummary(inputs=len(files))
        futures: list[PrefectFuture[FaxResult]] = [
            fax_task.submit(Path(f), settings, n) for n, f in enumerate(files, start=1)
        ]
        for n, (future, f) in enumerate(zip(futures, files, strict=True), start=1):
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

    global _local
    paths = expand_inputs(inputs)
    _local = dask_address is None
    if _local:
        workers.read_ahead(paths, settings)  # the workers begin on the first fax while the rest is set up
    try:
        with shared_api():
            return intake([str(p) for p in paths], len(paths))
    finally:
        workers.drop_ahead(paths, settings)  # none left after a run; after a failure, what was not begun
