"""The OCR worker processes, and the reads handed to them before the flow runs.

A pool of worker processes lives as long as this process: one warm OCR engine and one set of rendered templates per
core, reused by every batch (threads alone would share the GIL). A batch's faxes are handed to it as soon as the
batch is known (`read_ahead`), while the Prefect API starts and the flow is set up; the flow's tasks then collect the
reads (`collect`). No Prefect here: a worker process imports this module to run `read_or_error`, and importing
Prefect there would cost each worker 2-3 s of CPU for nothing.
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractors.pipeline import FaxRead
    from faxintake.model import FaxResult
    from faxintake.settings import Settings


def read_or_error(path: Path, settings: Settings) -> FaxRead | FaxResult:
    """Ingest, clean, classify and read one fax; an unreadable file becomes its error result."""
    from faxintake.errors import InputError, OcrError
    from faxintake.intake import error_result, read_input

    try:
        return read_input(path, settings)
    except (InputError, OcrError) as exc:
        return error_result(path, exc)


def _start_worker() -> None:
    from extractors.pipeline import start_worker

    start_worker()


_pool: ProcessPoolExecutor | None = None
_pool_size = 0
_lock = threading.Lock()
_ahead: dict[tuple[str, Settings], Future[FaxRead | FaxResult]] = {}


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """The OCR worker processes, started once and kept (their engines and templates stay warm). A process starts
    when a fax is handed to the pool and no worker is free, up to `workers`: a batch of one fax starts one."""
    global _pool, _pool_size
    with _lock:
        if _pool is None or _pool_size != workers:
            if _pool is not None:
                _pool.shutdown()
            _pool = ProcessPoolExecutor(
                workers, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker
            )
            _pool_size = workers
        return _pool


def read_ahead(files: list[Path], settings: Settings) -> None:
    """Hand these faxes to the worker pool now; the flow's tasks collect them."""
    pool = worker_pool(settings.workers)
    for path in files:
        key = (str(path), settings)
        if key not in _ahead:
            _ahead[key] = pool.submit(read_or_error, path, settings)


def collect(path: Path, settings: Settings) -> FaxRead | FaxResult:
    """The read of one fax: handed to the pool ahead, or now."""
    future = _ahead.pop((str(path), settings), None)
    if future is None:
        future = worker_pool(settings.workers).submit(read_or_error, path, settings)
    return future.result()


def drop_ahead(files: list[Path], settings: Settings) -> None:
    """Cancel the reads of these faxes not yet begun (a batch that failed before collecting them)."""
    for path in files:
        future = _ahead.pop((str(path), settings), None)
        if future is not None:
            future.cancel()
