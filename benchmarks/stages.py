"""Where reading the corpus spends its CPU: one warm process reads every fax, and each stage's share is printed.

    uv run python -m benchmarks.stages [--cases PATTERN]

The stages are the pipeline's own functions, timed with cProfile (their time includes what they call); the profiler
adds a few percent. For throughput next to the naive baseline, use benchmarks.corpus.
"""

from __future__ import annotations

import argparse
import cProfile
import fnmatch
import json
import pstats
import time

from sample_faxes.build import CORPUS_DIR

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
    parser.add_argument("--cases", default="*")
    args = parser.parse_args()

    from extractors.pipeline import read_fax, start_worker
    from faxintake.intake import current_references
    from faxintake.settings import Settings

    lexicon = current_references(Settings()).hypotheses
    files = [
        CORPUS_DIR / json.loads(p.read_text())["file"]
        for p in sorted(CORPUS_DIR.glob("*.truth.json"))
        if fnmatch.fnmatch(p.name.removesuffix(".truth.json"), args.cases)
    ]
    start_worker()
    read_fax(files[0], lexicon=lexicon)  # templates and caches, as a long-lived worker has them
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


if __name__ == "__main__":
    main()
