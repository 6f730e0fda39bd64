"""The whole `faxintake` command as a user runs it, each run a fresh process, beside the naive baseline.

    uv run python -m benchmarks.cli [--family test [--count 48] | --faxes DIR] [--workers 2] [--runs 1] [--single-runs 3]

On the faxes of DIR (default: the bundled corpus; any folder of faxes; `--family test`: the traffic family never
tuned on, sample_faxes/traffic.py, the figure to quote, with the roster and directory it agrees with), in
one run of this benchmark, `--runs` times each:
- the naive baseline (benchmarks.corpus: one full-page `tesseract` process per page, OMP_THREAD_LIMIT=1, `--workers`
  at a time) on the same pages;
- `faxintake process DIR` from a fresh process (start-up, the temporary Prefect server, the worker pool, the store,
  the flow, every result written), wall and CPU time (the command and everything it started);
- the warm figure: the same work on worker processes started before the clock, without Prefect (as
  benchmarks.operations' plain run);
then one 2-page fax of DIR through the whole command `--single-runs` times, and `faxintake forms spec`.

Each command gets a fresh --out (its store created as a first run's is) and a PREFECT_HOME of this benchmark's whose
database was created before the first timed run (Prefect creates it once per machine; the first run ever also pays
~15 s of its migrations). No PREFECT_API_URL: the temporary server is part of what is timed. The cores are shared
with whatever else runs on the machine: give several runs.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from benchmarks.corpus import naive_baseline_files
from benchmarks.operations import FAX_SUFFIXES, cpu_seconds, plain_run
from sample_faxes.build import CORPUS_DIR

FAXINTAKE = Path(sys.executable).with_name("faxintake")  # the console script `uv run faxintake` runs


def children_cpu() -> float:
    """CPU seconds of the ended child processes of this one and all their descendants (each waited for)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def command(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run `faxintake ARGS` in a fresh process: its wall and CPU seconds."""
    cpu, started = children_cpu(), time.perf_counter()
    done = subprocess.run([str(FAXINTAKE), *args], env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"faxintake {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return wall, children_cpu() - cpu


def page_count(path: Path) -> int:
    from extractors.ingest import iter_pages

    return sum(1 for _ in iter_pages(path))


def warm(files: list[Path], workers: int, out: Path) -> tuple[float, int, float]:
    """The same work as the command's flow on worker processes started (and warmed on a fax each) before the clock:
    seconds, pages, CPU seconds (this process and the workers)."""
    from extractors.pipeline import start_worker

    with ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("spawn"), initializer=start_worker
    ) as pool:
        plain_run(files[:workers], pool, out / "warmup")
        cpu = cpu_seconds()
        seconds, pages = plain_run(files, pool, out / "warm")
        return seconds, pages, cpu_seconds() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--faxes", type=Path, default=CORPUS_DIR, help="a folder of faxes (default: the corpus)")
    parser.add_argument("--family", choices=("dev", "test"), help="a traffic family instead of --faxes")
    parser.add_argument("--count", type=int, default=48, help="faxes in the traffic family")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=1, help="batch measurements (baseline, command, warm)")
    parser.add_argument("--single-runs", type=int, default=3, help="runs of the one 2-page fax and of forms spec")
    args = parser.parse_args()
    if args.family:
        from benchmarks.corpus import family_dir

        args.faxes = family_dir(args.family, args.count)
    references = [
        arg
        for option, name in (("--roster", "members.csv"), ("--providers", "providers.csv"))
        if (args.faxes / name).exists()
        for arg in (option, str(args.faxes / name))
    ]
    files = sorted(p for p in args.faxes.iterdir() if p.is_file() and p.suffix.lower() in FAX_SUFFIXES)
    if not files:
        raise SystemExit(f"no faxes in {args.faxes}")
    pages = {f: page_count(f) for f in files}
    two_page = next((f for f in files if pages[f] == 2), None)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = {**os.environ, "PREFECT_HOME": str(work / "prefect"), "OMP_THREAD_LIMIT": "1"}
        env.pop("PREFECT_API_URL", None)
        junk = work / "junk.pdf"
        junk.write_bytes(b"not a fax")
        command(["process", str(junk), "--out", str(work / "first")], env)  # Prefect's database, created once
        print(
            f"{args.faxes}: {len(files)} faxes, {sum(pages.values())} pages, {args.workers} workers"
            f" (cores shared with the rest of the machine: figures move from run to run)"
        )
        ratios = []
        for run in range(1, args.runs + 1):
            base_cpu = children_cpu()
            base_rate, n_pages, base_s = naive_baseline_files(files, args.workers)
            base_cpu = children_cpu() - base_cpu
            wall, cpu = command(
                [
                    "process",
                    str(args.faxes),
                    "--out",
                    str(work / f"out{run}"),
                    "--workers",
                    str(args.workers),
                    *references,
                ],
                env,
            )
            warm_s, warm_pages, warm_cpu = warm(files, args.workers, work / f"warm{run}")
            ratios.append(base_s / wall)
            print(
                f"run {run}: naive baseline {base_s:.1f} s ({base_rate:.2f} pages/s, CPU {base_cpu:.1f} s);"
                f" faxintake process {wall:.1f} s ({n_pages / wall:.2f} pages/s, CPU {cpu:.1f} s) = {base_s / wall:.2f}x"
                f" the baseline; warm {warm_s:.1f} s ({warm_pages / warm_s:.2f} pages/s, CPU {warm_cpu:.1f} s)"
                f" = {base_s / warm_s:.2f}x; what the command spends beyond the warm work (start-up, Prefect's"
                f" server and client): {(cpu - warm_cpu) / cpu * 100:.0f}% of its CPU"
            )
        if args.runs > 1:
            print(f"whole command / naive baseline over {args.runs} runs: {', '.join(f'{r:.2f}x' for r in ratios)}")
        if two_page is not None:
            single = work / "single"
            single.mkdir()
            (single / two_page.name).write_bytes(two_page.read_bytes())
            times = [
                command(["process", str(single), "--out", str(work / f"single{n}"), *references], env)
                for n in range(args.single_runs)
            ]
            print(
                f"one 2-page fax ({two_page.name}), whole command: "
                + ", ".join(f"{w:.1f} s (CPU {c:.1f} s)" for w, c in times)
                + f"; median {statistics.median(w for w, _ in times):.1f} s"
            )
        spec = [command(["forms", "spec"], env) for _ in range(args.single_runs)]
        print(
            "faxintake forms spec: "
            + ", ".join(f"{w:.2f} s (CPU {c:.2f} s)" for w, c in spec)
            + f"; median {statistics.median(w for w, _ in spec):.2f} s"
        )


if __name__ == "__main__":
    main()
