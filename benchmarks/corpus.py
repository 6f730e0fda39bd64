"""Faxes end to end against their ground truth: extraction accuracy, decisions, speed.

    uv run python -m benchmarks.corpus [--family corpus|dev|test|dev-revisions|test-revisions] [--count 48]
        [--cases PATTERN] [--workers 2]
        [--threshold 0.9] [--baseline] [--errors]

`--family corpus` (the default) is the committed corpus, where the code was developed: its figures say how well
the code fits it. `dev` and `test` are the traffic families (sample_faxes/traffic.py), built once into a cache
from a fixed seed; `test` is drawn from lists no tuning looks at, and is the figure to quote. `dev-revisions` and
`test-revisions` are those families' faxes with every form printed in another revision of it (another layout of
the same fields: sample_faxes/revisions/), dev's revisions and test's apart: how well forms read by their labels.

Prints field accuracy by type and by writing style, marks accuracy, page classification accuracy, confidence
calibration (accuracy of reads at or above each confidence) and silent errors (wrong at confidence >= 0.9).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import multiprocessing
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime
from multiprocessing.synchronize import Barrier as BarrierType
from pathlib import Path

from sample_faxes.build import CORPUS_DIR

MARK_TYPES = ("checkbox", "choice", "signature")
COVER = "cover"  # the cover sheet's fields: read by their labels on a page of no fixed layout, counted on their own


@dataclass(frozen=True)
class FieldOutcome:
    case: str
    doc_type: str
    field: str
    type: str
    style: str
    expected: object
    got: object
    confidence: float
    correct: bool


@dataclass(frozen=True)
class DocOutcome:
    case: str
    doc_type: str
    expected_route: str
    route: str
    expected_codes: list[str]
    codes: list[str]
    demoted: list[str]


def _evaluate_case(
    truth_path: str, threshold: float = 0.9
) -> tuple[list[FieldOutcome], list[tuple[str, int, str, str]], float, int, list[DocOutcome]]:
    from faxintake.catalog import load_catalog
    from faxintake.intake import References, decide_fax, read_input
    from faxintake.settings import Settings

    truth = json.loads(Path(truth_path).read_text())
    folder = Path(truth_path).parent
    received_at = datetime.fromisoformat(truth["received_at"])
    settings = Settings(
        out_dir=Path("/tmp/faxintake-bench"),
        received_at=received_at,
        confidence_threshold=threshold,
        roster_path=folder / "members.csv",
        providers_path=folder / "providers.csv",
    )
    style = writing_style(truth)
    started = time.perf_counter()
    read = read_input(folder / truth["file"], settings)
    elapsed = time.perf_counter() - started
    decided = decide_fax(read, settings, References.load(settings), source_name=truth["file"])
    docs: list[DocOutcome] = []
    by_first_page = {(d.doc_type, d.pages[0] if d.pages else 0): d for d in decided.documents}
    for doc in truth["documents"]:
        got_doc = by_first_page.get((doc["doc_type"], doc["pages"][0] if doc["pages"] else 0))
        codes = sorted({f.code for f in got_doc.findings if f.severity.value != "info"}) if got_doc else []
        demoted = sorted({f.code for f in got_doc.findings if f.demoted_from}) if got_doc else []
        docs.append(
            DocOutcome(
                truth["case"],
                doc["doc_type"],
                doc["route"],
                got_doc.route.value if got_doc and got_doc.route else "missing",
                doc["codes"],
                codes,
                demoted,
            )
        )
    pages = [
        (
            truth["case"],
            p["number"],
            p["doc_type"],
            read.pages[p["number"] - 1].doc_type if p["number"] <= len(read.pages) else "missing",
        )
        for p in truth["pages"]
    ]
    outcomes: list[FieldOutcome] = []
    got_docs = {(d.doc_type, d.pages[0] if d.pages else 0): d for d in read.documents}
    for doc in truth["documents"]:
        if doc["doc_type"] == "unknown":
            continue
        form = load_catalog().form(doc["doc_type"])
        got = got_docs.get((doc["doc_type"], doc["pages"][0]))
        for f in form.fields:
            expected = doc["fields"][f.name]["value"]
            read_field = got.fields.get(f.name) if got else None
            value = read_field.value if read_field else None
            conf = read_field.confidence if read_field else 0.0
            outcomes.append(
                FieldOutcome(
                    truth["case"],
                    doc["doc_type"],
                    f.name,
                    f.type.value,
                    style,
                    expected,
                    value,
                    conf,
                    value == expected,
                )
            )
    cover = truth.get("cover")
    for name, expected_field in (cover or {}).get("fields", {}).items():
        read_field = read.cover.fields.get(name) if read.cover else None
        value = read_field.value if read_field else None
        conf = read_field.confidence if read_field else 0.0
        expected = expected_field["value"]
        outcomes.append(
            FieldOutcome(truth["case"], "fax_cover", name, COVER, style, expected, value, conf, value == expected)
        )
    return outcomes, pages, elapsed, len(truth["pages"]), docs


def writing_style(truth: dict[str, object]) -> str:
    """`typed…` or `hand…`: the corpus's style names, or a traffic fax's face with what kind of face it is."""
    variation = truth.get("variation")
    if isinstance(variation, dict):
        return f"{'hand' if variation['hand'] else 'typed'}:{variation['face']}"
    return str(truth["style"])


FAMILIES = ("corpus", "dev", "test", "dev-revisions", "test-revisions")


def family_dir(family: str, count: int) -> Path:
    if family == "corpus":
        return CORPUS_DIR
    from sample_faxes.traffic import build_family

    base, _, revised = family.partition("-")  # "test-revisions": the test family's faxes, forms in test revisions
    return build_family(base, count, revised=bool(revised))  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--family", choices=FAMILIES, default="corpus")
    parser.add_argument("--count", type=int, default=48, help="faxes in a traffic family")
    parser.add_argument("--cases", default="*")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--errors", action="store_true", help="list every wrong field (synthetic values only)")
    parser.add_argument("--threshold", type=float, default=0.9, help="the confidence gate's threshold")
    parser.add_argument("--baseline", action="store_true", help="also time the naive baseline on the same pages")
    args = parser.parse_args()
    truths = sorted(
        str(p)
        for p in family_dir(args.family, args.count).glob("*.truth.json")
        if fnmatch.fnmatch(p.name.removesuffix(".truth.json"), args.cases)
    )
    starting = time.perf_counter()
    ready = multiprocessing.get_context("fork").Barrier(args.workers)
    with ProcessPoolExecutor(
        args.workers, mp_context=multiprocessing.get_context("fork"), initializer=_start_worker, initargs=(ready,)
    ) as pool:
        list(pool.map(_started, range(args.workers)))
        started = time.perf_counter()
        results = list(pool.map(_evaluate_case, truths, [args.threshold] * len(truths)))
    wall = time.perf_counter() - started
    start = started - starting
    fields = [o for r in results for o in r[0]]
    pages = [p for r in results for p in r[1]]
    n_pages = sum(r[3] for r in results)
    report: dict[str, object] = {}

    def acc(items: list[FieldOutcome]) -> str:
        return f"{sum(o.correct for o in items) / len(items) * 100:6.2f}% of {len(items)}" if items else "-"

    print(
        f"faxes {len(results)}, pages {n_pages}, wall {wall:.1f} s with {args.workers} workers: {n_pages / wall:.2f} pages/s"
        f" (workers started first, as the flow's are, in {start:.1f} s; counting that: {n_pages / (wall + start):.2f})"
    )
    print("\nfield accuracy by type (exact after normalization)")
    by_type: dict[str, list[FieldOutcome]] = defaultdict(list)
    for o in fields:
        by_type[o.type].append(o)
    for t, items in sorted(by_type.items()):
        print(f"  {t:12s} {acc(items)}")
    typed = [o for o in fields if o.type not in (*MARK_TYPES, COVER) and o.style.startswith("typed")]
    hand = [o for o in fields if o.type not in (*MARK_TYPES, COVER) and o.style.startswith("hand")]
    marks = [o for o in fields if o.type in MARK_TYPES]
    print(f"\n  typed text fields       {acc(typed)}")
    print(f"  hand-printed text fields {acc(hand)}")
    print(f"  checkboxes/choices/sigs  {acc(marks)}")
    print(f"  cover sheet fields       {acc([o for o in fields if o.type == COVER])}")
    page_ok = sum(p[2] == p[3] for p in pages)
    print(f"\npage classification {page_ok}/{len(pages)} = {page_ok / len(pages) * 100:.2f}%")
    for p in pages:
        if p[2] != p[3]:
            print(f"  {p[0]} page {p[1]}: expected {p[2]}, got {p[3]}")
    print("\ncalibration: accuracy of reads at or above a confidence")
    for threshold in (0.5, 0.7, 0.8, 0.9, 0.95):
        above = [o for o in fields if o.confidence >= threshold]
        print(f"  >= {threshold:.2f}: {acc(above)}  ({len(above) / len(fields) * 100:.1f}% of fields)")
    print("calibration by band: how often a read of that confidence is right (what the gate's threshold rests on)")
    for lo, hi in ((0.0, 0.5), (0.5, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 0.95), (0.95, 0.99), (0.99, 1.01)):
        band = [o for o in fields if lo <= o.confidence < hi]
        print(f"  [{lo:.2f}, {min(hi, 1.0):.2f}{')' if hi <= 1.0 else ']'}: {acc(band)}")
    silent = [o for o in fields if not o.correct and o.confidence >= 0.9]
    print(
        f"\nsilent errors (wrong at confidence >= 0.9): {len(silent)} = {len(silent) / len(fields) * 100:.2f}% of fields"
    )
    if args.errors:
        for o in fields:
            if not o.correct:
                print(
                    f"  {o.case} {o.field} ({o.type}, {o.style}) conf {o.confidence:.2f}: expected {o.expected!r} got {o.got!r}"
                )
    docs = [d for r in results for d in r[4]]
    right = [d for d in docs if d.route == d.expected_route]
    wrong_returns = [d for d in docs if d.route == "return_to_sender" and d.expected_route != "return_to_sender"]
    missed_returns = [d for d in docs if d.expected_route == "return_to_sender" and d.route != "return_to_sender"]
    straight = [
        d
        for d in docs
        if d.route not in ("manual_triage", "missing") and not d.demoted and "LOW_CONFIDENCE" not in d.codes
    ]
    print(
        f"\nrouting (threshold {args.threshold}): {len(right)}/{len(docs)} documents right = {len(right) / len(docs) * 100:.1f}%"
    )
    print(f"  wrong returns (sent back, should not have been): {len(wrong_returns)}")
    print(f"  returns caught as review instead (demoted or triaged): {len(missed_returns)}")
    print(
        f"  decided without a person (no triage, no low-confidence flag): {len(straight)}/{len(docs)} = {len(straight) / len(docs) * 100:.1f}%"
    )
    expected_codes = {c for d in docs for c in d.expected_codes}
    produced = {c for d in docs for c in d.codes} | {c for d in docs for c in d.demoted}
    print(f"  labelled codes produced somewhere: {len(expected_codes & produced)}/{len(expected_codes)}")
    owed = [(d, c) for d in docs for c in d.expected_codes if d.expected_route == "return_to_sender"]
    found = [(d, c) for d, c in owed if c in d.codes or c in d.demoted]
    if owed:
        print(f"  return codes found on their document: {len(found)}/{len(owed)} = {len(found) / len(owed) * 100:.1f}%")
    for d in docs:
        if d.route != d.expected_route:
            print(
                f"  {d.case}: expected {d.expected_route} {d.expected_codes}, got {d.route} {d.codes} demoted {d.demoted}"
            )
    if args.baseline:
        base = naive_baseline(truths, args.workers)
        print(
            f"\nnaive baseline (one full-page `tesseract` process per page, OMP_THREAD_LIMIT=1, {args.workers} at a time): "
            f"{base:.2f} pages/s; faxintake {n_pages / wall:.2f} pages/s = {n_pages / wall / base:.2f}x"
        )
    report = {"pages_per_s": n_pages / wall, "fields": [asdict(o) for o in fields], "pages": pages}
    if args.json:
        args.json.write_text(json.dumps(report, default=str))


def _start_worker(ready: BarrierType) -> None:
    """What a long-lived worker (the flow's pool, the inbox's) has done before its first fax; no page is read."""
    from extractors.pipeline import start_worker
    from faxintake.intake import References, decide_fax, read_input  # noqa: F401 (imported for its cost)

    start_worker()
    ready.wait()


def _started(_: int) -> None:
    """Runs once every worker has started (the barrier in _start_worker)."""


def _tesseract_page(png: str) -> None:
    import os
    import subprocess

    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    subprocess.run(["tesseract", png, "-", "--dpi", "200"], check=True, capture_output=True, env=env)


def naive_baseline(truths: list[str], workers: int) -> float:
    """Pages per second of the naive approach on the same pages: a tesseract process per page, `workers` at once."""
    return naive_baseline_files([Path(t).parent / json.loads(Path(t).read_text())["file"] for t in truths], workers)[0]


def naive_baseline_files(files: list[Path], workers: int) -> tuple[float, int, float]:
    """The naive approach on these files' pages: pages per second, pages, seconds (the pages are rendered to PNG
    before the clock starts)."""
    import tempfile

    from PIL import Image

    from extractors.ingest import iter_pages

    with tempfile.TemporaryDirectory() as tmp:
        pngs = []
        for n, path in enumerate(files):
            for page in iter_pages(path):
                png = f"{tmp}/{n}-{path.stem}-{page.number}.png"
                Image.fromarray(page.image).save(png, dpi=(page.dpi, page.dpi))
                pngs.append(png)
        started = time.perf_counter()
        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(_tesseract_page, pngs))
        seconds = time.perf_counter() - started
        return len(pngs) / seconds, len(pngs), seconds


if __name__ == "__main__":
    main()
