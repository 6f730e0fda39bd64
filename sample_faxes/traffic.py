"""Faxes with the variation of real traffic, in two families drawn from disjoint lists.

    uv run python -m sample_faxes.traffic --family test [--count 48] [--out DIR]

`dev` is for tuning; `test` is for measuring and nothing is tuned on it: its faces, cover designs, letter
wordings, stamps, notes and geometry ranges are none of dev's (see typefaces.py, covers.py, letters.py). A case
that teaches something moves to dev and a new test case is drawn. Each fax is one of the corpus's scenarios
(cases.py: what is on the form and what must be decided) sent the way an office of that family sends it. The
same family, count and seed give the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
from dataclasses import dataclass, replace
from pathlib import Path

from sample_faxes.build import build_case, write_references
from sample_faxes.cases import CASES, Case, Format, make_world
from sample_faxes.covers import DEV_COVERS, TEST_COVERS, CoverDesign
from sample_faxes.letters import DEV_LETTERS, TEST_LETTERS, LetterWording
from sample_faxes.revisions import revisions
from sample_faxes.typefaces import HAND, TYPED, Family, Typeface
from sample_faxes.variation import Variation

Range = tuple[float, float]


@dataclass(frozen=True)
class FamilyLists:
    typed: tuple[Typeface, ...]
    hand: tuple[Typeface, ...]
    covers: tuple[CoverDesign, ...]
    letters: tuple[LetterWording, ...]
    stamps: tuple[str, ...]
    notes: tuple[str, ...]
    scales: tuple[Range, ...]  # fit-to-page, one range drawn at random
    skews: tuple[Range, ...]  # degrees, either sign
    stretch: Range
    shift_in: float


FAMILIES: dict[Family, FamilyLists] = {
    "dev": FamilyLists(
        TYPED["dev"],
        HAND["dev"],
        DEV_COVERS,
        DEV_LETTERS,
        # "RECEIVED BY / FRONT DESK" was a test stamp: over a form's number it taught _form_by_its_look (moved here)
        ("RECEIVED\nNOV 03 2026", "FAXED", "COPY", "RECEIVED BY\nFRONT DESK"),
        ("pls call w/ questions", "2nd request", "urgent"),
        # (0.915, 0.935) was a test range until its pages taught the registered cut (a wide box reached the next cell)
        scales=((0.915, 0.96), (0.985, 1.0)),
        skews=((0.0, 1.2), (2.0, 2.5)),
        stretch=(0.985, 1.015),
        shift_in=0.2,
    ),
    "test": FamilyLists(
        TYPED["test"],
        HAND["test"],
        TEST_COVERS,
        TEST_LETTERS,
        ("SCANNED", "ENTERED\n11/04/26", "PROCESSED\nNOV 4"),
        ("see attached", "resent - 1st fax incomplete", "call pt after 3pm"),
        scales=((0.90, 0.915), (0.96, 0.985)),
        skews=((1.2, 2.0), (2.5, 3.0)),
        stretch=(0.97, 1.03),
        shift_in=0.3,
    ),
}
FORMATS: tuple[Format, ...] = ("tiff-g4", "tiff-g4", "tiff-g3", "pdf-image", "pdf-text")  # PNG and JPEG hold one page
# The corpus's scenarios that make sense sent by any office: not the format or geometry cases themselves.
SCENARIOS = tuple(c for c in CASES if c.fmt != "pdf-text" and c.severity != "heavy" and not c.upside_down)
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "faxintake" / "traffic"


def draw_variation(family: Family, rng: random.Random, hand: bool) -> Variation:
    lists = FAMILIES[family]
    lo, hi = rng.choice(lists.scales)
    s_lo, s_hi = rng.choice(lists.skews)
    return Variation(
        family=family,
        face=rng.choice(lists.hand if hand else lists.typed),
        cover=rng.choice(lists.covers),
        letter=rng.choice(lists.letters),
        scale=rng.uniform(lo, hi),
        shift_in=(rng.uniform(-lists.shift_in, lists.shift_in), rng.uniform(-lists.shift_in, lists.shift_in)),
        stretch=rng.uniform(*lists.stretch),
        skew_deg=rng.choice((-1, 1)) * rng.uniform(s_lo, s_hi),
        raise_pt=rng.choice((0.0, 0.0, 2.5, 4.0)) if hand else 0.0,
        indent_pt=rng.choice((0.0, 0.0, -4.0, 6.0)) if hand else 0.0,
        stamp=rng.choice(lists.stamps) if rng.random() < 0.3 else None,
        margin_note=rng.choice(lists.notes) if rng.random() < 0.25 else None,
    )


def draw_case(family: Family, number: int, rng: random.Random, revised: bool = False) -> tuple[Case, Variation]:
    scenario = rng.choice(SCENARIOS)
    hand = rng.random() < 0.4
    fmt = rng.choice(FORMATS)
    case = replace(
        scenario,
        case_id=f"{family}{'-rev' if revised else ''}-{number:03d}-{scenario.case_id}",
        fmt=fmt,
        fine=fmt == "pdf-text" or rng.random() < 0.7,
        mark=rng.choice(("x", "check", "fill")),
        date_style=rng.randrange(5),
        phone_style=rng.randrange(3),
        upside_down=(2,) if rng.random() < 0.05 and fmt != "pdf-text" else (),
    )
    variation = draw_variation(family, rng, hand)
    if revised:  # every form of the fax printed in one of the family's revisions of it
        forms = sorted({f for f in (case.form, case.second_form) if f is not None})
        chosen = tuple((f, rng.choice([rid for rid, r in revisions(family) if r.form_id == f])) for f in forms)
        variation = replace(variation, revisions=chosen)
    return case, variation


def generator_digest() -> str:
    """What the faxes are made by: a cached family is built again when any of the generator's code changes."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for path in [*sorted(here.glob("*.py")), *sorted((here / "revisions").glob("*.yaml"))]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def draw_cases(
    family: Family, count: int = 48, seed: int = 2026, revised: bool = False
) -> list[tuple[Case, Variation]]:
    """The family's faxes, drawn: the first `count` of the same sequence whatever `count` is. `revised`: their forms
    printed in the family's revisions (sample_faxes/revisions/), another sequence."""
    rng = random.Random(f"{family}:{seed}" + (":revised" if revised else ""))
    return [draw_case(family, number, rng, revised) for number in range(count)]


def build_family(
    family: Family, count: int = 48, seed: int = 2026, out_dir: Path | None = None, revised: bool = False
) -> Path:
    """The family's faxes with their ground truth and the roster and directory they agree with; built once."""
    name = f"{family}-revisions" if revised else family
    out_dir = out_dir or CACHE / f"{name}-{count}-{seed}-{generator_digest()}"
    if (out_dir / "members.csv").exists():
        return out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    world = make_world()
    cases = []
    for number, (case, variation) in enumerate(draw_cases(family, count, seed, revised)):
        truth = build_case(case, number, world, out_dir, variation)
        (out_dir / f"{case.case_id}.truth.json").write_text(json.dumps(truth, indent=1, ensure_ascii=False) + "\n")
        cases.append(case)
    write_references(out_dir, cases, world)
    return out_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--family", choices=("dev", "test"), required=True)
    parser.add_argument("--count", type=int, default=48)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--revised", action="store_true", help="forms printed in the family's revisions of them")
    args = parser.parse_args()
    print(build_family(args.family, args.count, args.seed, args.out, args.revised))


if __name__ == "__main__":
    main()
