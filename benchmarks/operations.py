"""Operating figures: throughput with 1 and 2 workers, Prefect's share of wall time, inbox-to-decision latency.

    uv run python -m benchmarks.operations [--faxes N] [--drops 6]

Throughput runs the same faxes through the plain functions (a process pool: read, decide, write, record) and
through the Prefect flow (the same work), each after one small warm-up batch that starts its worker processes.
Latency drops 4-page faxes into a watched inbox one at a time and times each from landing to its result file.
Last, every document the 2-worker flow run stored is decided again from its stored fields (`reprocess`).
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import resource
import shutil
import statistics
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from sample_faxes.build import CORPUS_DIR

FAX_SUFFIXES = (".tif", ".pdf", ".png", ".jpg")
SETTLE_S = 2.0  # after a flow run, for the Prefect server to record its last events (flushed every second)


def _plain(path: str, out: str) -> object:
    from faxintake.intake import References, process_file
    from faxintake.settings import Settings

    settings = Settings(out_dir=Path(out))
    return process_file(Path(path), settings, References.load(settings))


def cpu_seconds() -> float:
    """CPU time of this process and all its descendants, living (from /proc) or ended (reaped): on a shared
    machine a run's CPU is steadier than its wall time."""
    own, reaped = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    total = own.ru_utime + own.ru_stime + reaped.ru_utime + reaped.ru_stime
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                parents.setdefault(int(_proc_stat(entry.name)[1]), []).append(int(entry.name))
    todo = list(parents.get(os.getpid(), []))
    while todo:
        pid = todo.pop()
        todo += parents.get(pid, [])
        with contextlib.suppress(OSError):
            stat = _proc_stat(str(pid))
            total += (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _proc_stat(pid: str) -> list[str]:
    """/proc/PID/stat's fields after the command name (the state is [0], the parent [1], utime [11], stime [12])."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def plain_run(files: list[Path], pool: ProcessPoolExecutor, out: Path) -> tuple[float, int]:
    """The same work as the flow (read, decide, write the result, record in the store) without Prefect, on a pool
    of worker processes already warm (as the flow's are)."""
    from faxintake.model import FaxResult
    from faxintake.store import Store

    started = time.perf_counter()
    store = Store(f"sqlite:///{out / 'plain.db'}")
    pages = 0
    for result in pool.map(_plain, [str(f) for f in files], [str(out)] * len(files)):
        assert isinstance(result, FaxResult)
        store.record(result)
        pages += result.page_count
    return time.perf_counter() - started, pages


def flow_run(files: list[Path], workers: int, out: Path) -> tuple[float, float, int]:
    from faxintake.settings import Settings
    from flows.intake import run_batch

    settings = Settings(out_dir=out, workers=workers)
    started = time.perf_counter()
    summary = run_batch(files, settings)
    return time.perf_counter() - started, summary.seconds, summary.pages


def latency(drops: int, out: Path) -> list[float]:
    from faxintake.settings import Settings
    from flows.inbox import watch

    inbox = out / "inbox"
    inbox.mkdir(parents=True)
    settings = Settings(out_dir=out / "latency")
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            watch(inbox, settings, once=True, settle_seconds=0.2)
            time.sleep(0.5)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    sources = [p for p in sorted(CORPUS_DIR.glob("*.tif")) if p.name.startswith("rmr_complete")][:drops]
    times = []
    for n, src in enumerate(sources):
        target = inbox / f"drop{n}-{src.name}"
        landed = time.perf_counter()
        shutil.copy(src, target)
        result = settings.out_dir / "results" / f"{target.name}.json"
        while not result.exists():
            time.sleep(0.05)
        times.append(time.perf_counter() - landed)
    stop.set()
    thread.join(timeout=60)
    return times


def redecide_all(out: Path) -> tuple[int, float]:
    """`faxintake reprocess --mode redecide` over everything a flow run stored: documents and seconds."""
    from faxintake.reprocess import redecide
    from faxintake.settings import Settings
    from faxintake.store import Store

    settings = Settings(out_dir=out)
    started = time.perf_counter()
    changes = redecide(Store(settings.store), settings)
    return len(changes), time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--faxes", type=int, default=0, help="how many of the corpus's faxes (default: all)")
    parser.add_argument("--drops", type=int, default=6)
    args = parser.parse_args()
    files = sorted(p for p in CORPUS_DIR.iterdir() if p.suffix in FAX_SUFFIXES)[: args.faxes or None]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        from extractors.pipeline import start_worker
        from flows.prefect_api import shared_api

        with shared_api():  # the temporary Prefect server is started once, as the CLI does
            rows = []
            for workers in (1, 2):
                with ProcessPoolExecutor(
                    workers, mp_context=multiprocessing.get_context("spawn"), initializer=start_worker
                ) as pool:  # started as the flow's pool is
                    plain_run(files[:workers], pool, out / f"plainwarm{workers}")  # engines and templates loaded
                    cpu = cpu_seconds()
                    plain_s, pages = plain_run(files, pool, out / f"plain{workers}")
                    plain_cpu = cpu_seconds() - cpu
                flow_run(
                    files[:workers], workers, out / f"warm{workers}"
                )  # worker processes started, as in a served inbox
                time.sleep(SETTLE_S)
                cpu = cpu_seconds()
                total_s, flow_s, _ = flow_run(files, workers, out / f"flow{workers}")
                time.sleep(SETTLE_S)  # the server's work recording the run's last events is Prefect's too
                flow_cpu = cpu_seconds() - cpu  # the idle seconds count against Prefect
                rows.append((workers, pages, plain_s, flow_s, total_s, plain_cpu, flow_cpu))
            times = latency(args.drops, out)
        redecided, redecide_s = redecide_all(out / "flow2")
    print(f"{len(files)} faxes, {rows[0][1]} pages")
    print("workers  plain pages/s  flow pages/s  Prefect share of wall time  of CPU time")
    for workers, pages, plain_s, flow_s, total_s, plain_cpu, flow_cpu in rows:
        share = (total_s - plain_s) / total_s * 100
        cpu_share = (flow_cpu - plain_cpu) / flow_cpu * 100
        print(
            f"{workers:7d}  {pages / plain_s:13.2f}  {pages / total_s:12.2f}  {share:25.1f}%  {cpu_share:10.1f}%"
            f"  (flow body {flow_s:.1f} s, run {total_s:.1f} s; CPU plain {plain_cpu:.1f} s, flow {flow_cpu:.1f} s)"
        )
    print(f"2 workers / 1 worker (flow): {rows[0][4] / rows[1][4]:.2f}x")
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(f"inbox to decision, 4-page fax ({len(times)} drops): p50 {statistics.median(times):.1f} s, p95 {p95:.1f} s")
    print(f"reprocess --mode redecide of the {redecided} stored documents: {redecide_s:.1f} s")


if __name__ == "__main__":
    from flows.console import configure_logging

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    configure_logging()  # as the CLI runs the flow
    main()
