"""Watch an inbox folder: each new fax processed exactly once, then moved atomically to processed/ or failed/.

Resumable: a file still in the inbox after a crash is checked against the store by its content hash; if it was
already recorded from this very path, it is only moved (not counted as a second delivery).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, cast

from prefect import flow

from extractors.ingest import sha256_of
from faxintake.errors import StoreError
from faxintake.intake import result_path, write_json
from faxintake.settings import STORE_ENV, Settings
from faxintake.store import Store
from flows.intake import BatchSummary, run_batch
from flows.prefect_api import shared_api

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment

IGNORED_SUFFIXES = (".part", ".tmp", ".crdownload")
log = logging.getLogger(__name__)


def pending(inbox: Path, settle_seconds: float) -> list[Path]:
    """Files ready to process: not hidden, not partial, unchanged for `settle_seconds` (a fax still being written)."""
    now = time.time()
    out = []
    for p in sorted(inbox.iterdir()):
        if not p.is_file() or p.name.startswith(".") or p.name.endswith(IGNORED_SUFFIXES):
            continue
        if now - p.stat().st_mtime >= settle_seconds:
            out.append(p)
    return out


def move(path: Path, folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    target = folder / path.name
    if target.exists():  # a different fax with the same name arrived before: keep both
        target = folder / f"{path.stem}.{sha256_of(path)[:8]}{path.suffix}"
    os.replace(path, target)  # atomic on one filesystem
    return target


def finish_interrupted(files: list[Path], store: Store, inbox: Path, out_dir: Path | None = None) -> list[Path]:
    """Files a crash left behind after they were recorded: write a missing result from the store, move them;
    return the rest (never recorded: they are processed as new)."""
    rest = []
    for path in files:
        digest = sha256_of(path)
        stored = store.find_fax(digest)
        if stored is not None and Path(str(stored["_source"])).name == path.name:
            if out_dir is not None and not result_path(out_dir, path).exists():
                write_json(result_path(out_dir, path), {k: v for k, v in stored.items() if k != "_source"})
            store.relocate(digest, move(path, inbox / ("failed" if stored.get("error") else "processed")))
        else:
            rest.append(path)
    return rest


def watch(
    inbox: Path,
    settings: Settings,
    *,
    once: bool = False,
    interval: float = 2.0,
    settle_seconds: float = 1.0,
    on_batch: Callable[[BatchSummary], None] | None = None,
) -> None:
    """Poll `inbox`; process what arrived as one flow run per batch; move each file after its outcome is recorded.

    When the store cannot be reached or written, what it did not record stays in the inbox for the next sweep;
    `once` raises the StoreError after the sweep, a long-running watch logs it and keeps sweeping."""
    store = Store(settings.store)
    with shared_api():  # Prefect's start-up is paid once for the whole watch
        while True:
            try:
                sweep(inbox, settings, store, settle_seconds, on_batch)
            except StoreError as exc:
                if once:
                    raise
                log.warning("%s", exc)
            if once:
                return
            time.sleep(interval)


def sweep(
    inbox: Path,
    settings: Settings,
    store: Store,
    settle_seconds: float,
    on_batch: Callable[[BatchSummary], None] | None = None,
) -> None:
    """One look at the inbox: process what is waiting, move what was recorded."""
    files = finish_interrupted(pending(inbox, settle_seconds), store, inbox, settings.out_dir)
    if not files:
        return
    summary = run_batch(files, settings)
    unrecorded = set(summary.unrecorded)
    for path in files:
        if str(path) in unrecorded:
            continue  # its outcome is not in the store: it stays here and the next sweep processes it
        digest = sha256_of(path)
        stored = store.find_fax(digest)
        store.relocate(digest, move(path, inbox / ("failed" if stored is None or stored.get("error") else "processed")))
    if on_batch is not None:
        on_batch(summary)
    failure = summary.store_failure(
        "they stay in the inbox and are processed on the next sweep once the store is reachable (check --store)"
    )
    if failure is not None:
        raise failure


@flow(name="inbox-sweep", flow_run_name="inbox-sweep")
def inbox_sweep(
    inbox: str, out: str = "out", store: str | None = None, roster: str | None = None, providers: str | None = None
) -> int:
    """One look at the inbox: what is waiting is processed and moved. Served on a schedule by `faxintake serve`.

    `store`: a URL without credentials (Prefect keeps a run's parameters); by default the FAXINTAKE_STORE of the
    process running the flow, else SQLite in `out`."""
    base = Settings()
    settings = (
        Settings(
            out_dir=Path(out),
            store_url=store,
            roster_path=Path(roster) if roster else base.roster_path,
            providers_path=Path(providers) if providers else base.providers_path,
        )
        .with_store_from_env()
        .checked()
    )
    before = len(pending(Path(inbox), 0))
    watch(Path(inbox), settings, once=True, settle_seconds=1.0)
    return before


def inbox_deployment(inbox: Path, settings: Settings, interval_seconds: int) -> RunnerDeployment:
    """The sweep as a deployment. Its parameters are saved by Prefect and shown in its UI: the store URL is not one
    of them (it can hold a password); `serve_inbox` hands it to the flow runs through their environment."""
    built = inbox_sweep.to_deployment(  # called outside an event loop: the deployment itself, not a coroutine
        name="faxintake-inbox",
        interval=interval_seconds,
        parameters={
            "inbox": str(inbox),
            "out": str(settings.out_dir),
            "roster": str(settings.roster_path),
            "providers": str(settings.providers_path),
        },
    )
    return cast("RunnerDeployment", built)


def serve_inbox(inbox: Path, settings: Settings, interval_seconds: int) -> None:
    """Run the sweep as a Prefect deployment on an interval (needs a Prefect server: PREFECT_API_URL). The flow runs
    are processes started by this one: they inherit its environment, and FAXINTAKE_STORE in it names the store."""
    from prefect import serve

    if settings.store_url:
        os.environ[STORE_ENV] = settings.store_url
    serve(inbox_deployment(inbox, settings, interval_seconds))
