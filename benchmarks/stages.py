"""Where reading a family spends its CPU: one warm process reads every fax, and each stage's share is printed.

    uv run python -m benchmarks.stages [--family corpus|dev|test|dev-revisions|test-revisions] [--cases PATTERN]

First, without the profiler, the CPU a page costs by how it was read: a form page registered to its template, a
form page read by its labels, any other page (cover, letter, attachment). Then the stages, the pipeline's own
functions timed with cProfile (their time includes what they call; the profiler adds a few percent). For
throughput next to the naive baseline, use benchmarks.corpus.
"""

from __future__ import annotations

import argparse
import cProfile
import fnmatch
import json
import pstats
import statistics
import time
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.corpus import FAMILIES, family_dir

if TYPE_CHECKING:
    from extractors.read_form import Lexicon

# (module file, function): the reading stages, in pipeline order, then what they are made of.
STAGES = (
    ("ingest.py", "iter_pages"),
    ("pipeline.py", "_header"),
    ("clean.py", "estimate_skew"),
    ("clean.py", "deskew"),
    ("clean.py", "despeckle"),
    ("pipeline.py", "_form_number"),
    ("pipeline.py", "_read_supporting"),
    ("register.py", "register"),
    ("read_form.py", "_ocr_field"),
    ("read_form.py", "_voted"),
    ("read_form.py", "_second_opinion"),
    ("read_form.py", "check_hypotheses"),
    ("ocr.py", "_recognize"),
    ("line_model.py", "probabilities"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--family", choices=FAMILIES, default="corpus")
    parser.add_argument("--count", type=int, default=48, help="faxes in a traffic family")
    parser.add_argument("--cases", default="*")
    args = parser.parse_args()

    from extractors.pipeline import read_fax, start_worker
    from faxintake.intake import current_references
    from faxintake.settings import Settings

    lexicon = current_references(Settings()).hypotheses
    folder = family_dir(args.family, args.count)
    files = [
        folder / json.loads(p.read_text())["file"]
        for p in sorted(folder.glob("*.truth.json"))
        if fnmatch.fnmatch(p.name.removesuffix(".truth.json"), args.cases)
    ]
    start_worker()
    read_fax(files[0], lexicon=lexicon)  # templates and caches, as a long-lived worker has them
    _cost_by_path(files, lexicon)
    profile = cProfile.Profile()
    started = time.process_time()
    profile.enable()
    pages = sum(read_fax(f, lexicon=lexicon).page_count for f in files)
    profile.disable()
    cpu = time.process_time() - started
    print(f"{len(files)} faxes, {pages} pages: {cpu:.1f} s CPU with the profiler = {1000 * cpu / pages:.0f} ms a page")
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    for module, name in STAGES:
        calls, seconds = 0, 0.0
        for (path, _, function), (_, ncalls, _, cumulative, _) in stats.items():
            if function == name and path.endswith(module):
                calls, seconds = calls + ncalls, seconds + cumulative
        print(f"  {module:14s} {name:20s} {seconds:6.2f} s  {100 * seconds / cpu:5.1f}%  {calls:6d} calls")


def _cost_by_path(files: list[Path], lexicon: Lexicon) -> None:
    from extractors.header_line import HeaderReader
    from extractors.ingest import iter_pages
    from extractors.pipeline import read_page

    seconds: dict[str, list[float]] = {}
    for f in files:
        headers = HeaderReader()
        for page in iter_pages(f):
            started = time.process_time()
            read = read_page(page, received=None, lexicon=lexicon, headers=headers)
            path = f"form page read by {read.read_by}" if read.read_by else "other page"
            seconds.setdefault(path, []).append(time.process_time() - started)
    print("CPU a page by how it was read (no profiler):")
    for path, times in sorted(seconds.items()):
        print(
            f"  {path:28s} {1000 * statistics.mean(times):6.0f} ms a page (median {1000 * statistics.median(times):.0f}), {len(times)} pages"
        )
    if {"form page read by template", "form page read by labels"} <= seconds.keys():
        ratio = statistics.mean(seconds["form page read by labels"]) / statistics.mean(
            seconds["form page read by template"]
        )
        print(f"  a page read by its labels costs {ratio:.2f}x a registered one")


if __name__ == "__main__":
    main()
