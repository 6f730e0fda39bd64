"""The OCR worker processes, and the reads handed to them before the flow runs.

A pool of worker processes lives as long as this process: one warm OCR engine and one set of rendered templates per
core, reused by every batch (threads alone would share the GIL). A batch's faxes are handed to it as soon as the
batch is known (`read_ahead`), while the Prefect API starts and the flow is set up; the flow's tasks then collect the
reads (`collect`). No Prefect here: a worker process imports this module to run `read_or_error`, and importing
Prefect there would cost each worker 2-3 s of CPU for nothing.

The workers are forked from this process when that is safe (Linux, no other Python thread yet: the CLI hands out
its batch before it imports Prefect), so they begin with the reading code this process imported already instead of
importing it again, each (about half a second of CPU a worker, and as much sooner at the first page); otherwise
they are spawned. Either way a worker gets ready (`extractors.pipeline.start_worker`) when its first fax arrives,
not when it starts: a pool forks all its workers at once, and a batch of one fax needs one.
"""

from __future__ import annotations

import logging
import multiprocessing
import sys
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


def _read_in_worker(path: Path, settings: Settings) -> FaxRead | FaxResult:
    """read_or_error in a worker of the pool, which gets ready at its first fax."""
    _get_ready()
    return read_or_error(path, settings)


_ready = False


def _get_ready() -> None:
    """A worker's start (its engines, model and catalog), once."""
    global _ready
    if not _ready:
        from extractors.pipeline import start_worker

        start_worker()
        _ready = True


def _forked() -> None:
    """A forked worker's logging as a spawned one's: none set up (warnings to stderr), as read_stage expects.
    Forked, it would have the CLI's console handler and, with -v, its debug levels."""
    from flows.console import OUR_LOGGERS  # the CLI a worker is forked from has it imported already

    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.setLevel(logging.WARNING)
    for name in OUR_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET)


def _start_method() -> str:
    """fork when no lock the child would inherit can be held: on Linux (elsewhere fork is unsafe or missing) and
    with this Python thread the only one (Prefect's and the executor's threads start later). The idle native pools
    of OpenBLAS and OpenCV (numpy's and cv2's import start one each) are fork-safe, as benchmarks.corpus relies on."""
    return "fork" if sys.platform == "linux" and threading.active_count() == 1 else "spawn"


_pool: ProcessPoolExecutor | None = None
_pool_size = 0
_lock = threading.Lock()
_ahead: dict[tuple[str, Settings], Future[FaxRead | FaxResult]] = {}


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """The OCR worker processes, started once and kept (their engines and templates stay warm). Forked, all start
    with the first fax handed to the pool; spawned, one starts when a fax is handed to it and no worker is free, up
    to `workers`. Either way a worker that is handed no fax does not get ready (`_get_ready`)."""
    global _pool, _pool_size
    with _lock:
        if _pool is None or _pool_size != workers:
            if _pool is not None:
                _pool.shutdown()
            method = _start_method()
            _pool = ProcessPoolExecutor(
                workers,
                mp_context=multiprocessing.get_context(method),
                initializer=_forked if method == "fork" else None,
            )
            _pool_size = workers
        return _pool


def read_ahead(files: list[Path], settings: Settings) -> None:
    """Hand these faxes to the worker pool now; the flow's tasks collect them."""
    pool = worker_pool(settings.workers)
    for path in files:
        key = (str(path), settings)
        if key not in _ahead:
            _ahead[key] = pool.submit(_read_in_worker, path, settings)


def collect(path: Path, settings: Settings) -> FaxRead | FaxResult:
    """The read of one fax: handed to the pool ahead, or now."""
    future = _ahead.pop((str(path), settings), None)
    if future is None:
        future = worker_pool(settings.workers).submit(_read_in_worker, path, settings)
    return future.result()


def drop_ahead(files: list[Path], settings: Settings) -> None:
    """Cancel the reads of these faxes not yet begun (a batch that failed before collecting them)."""
    for path in files:
        future = _ahead.pop((str(path), settings), None)
        if future is not None:
            future.cancel()
