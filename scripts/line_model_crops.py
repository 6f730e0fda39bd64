"""Training crops for the hand-print line model (scripts/train_line_model.py): synthetic values written in the DEV
faces only, faxed, subtracted and cropped exactly as the pipeline's reading sees a box, then made the model's input.

    uv run python scripts/line_model_crops.py --out DIR --seed 1 --shards 80 [--per-shard 500]

Each shard is a pickle of (gray uint8 image HEIGHT rows high, the text written) pairs. Values are of every field
type (names, addresses, dates in every style, phones, NPIs, CINs, ICD-10 lists, short phrases) but made here, not
drawn from benchmarks/handprint.py's name and phrase lists, so that its figures are not a memory of its values.
Faces: sample_faxes.typefaces HAND["dev"] and TRAINING_HAND (and TYPED["dev"] and TRAINING_TYPED, a fifth of the
crops, so that typed reading is kept), each at a size drawn about its own, a fifth of the hand-print with a broader
pen; the test family's faces are never opened here. Writing, jitter, faxing and subtraction are benchmarks/handprint.py's;
the crop is extractors.read_form's value area and text ink, made the model's input by extractors.line_model's
`model_input` at the widths read_box looks at (its STRETCH, its retries, its glyphs set apart).
"""

from __future__ import annotations

import argparse
import dataclasses
import pickle
import random
import string
from collections.abc import Callable
from datetime import date
from pathlib import Path

import cv2
import numpy as np

from benchmarks import handprint as hp
from extractors import line_model
from extractors.marks import crop
from extractors.read_form import _text_ink, _value_area
from extractors.templates import Template
from faxintake.catalog import FieldDef, load_catalog
from sample_faxes import people
from sample_faxes.typefaces import HAND, TRAINING_HAND, TRAINING_TYPED, TYPED, Typeface, register_typefaces

WORDS = Path("/usr/share/dict/american-english")
CONSONANTS = "bcdfghjklmnprstvwxyz"
VOWELS = "aeiou"
ICD_LETTERS = "ABCDEFGHIJKLMNOPQRSTVZ"
# The cells values are written in, by kind (form, field): the same cells the benchmark writes in.
CELLS = {
    "name": [("cm_referral", "member_name"), ("cbas_referral", "caregiver_name")],
    "address": [("cbas_referral", "preferred_center")],
    "phrase": [("member_reassignment", "reason_other_text")],
    "npi": [("cm_referral", "referrer_npi"), ("cbas_referral", "pcp_npi")],
    "cin": [("cm_referral", "member_id"), ("hif_met", "member_id")],
    "icd10": [("cbas_referral", "conditions")],
    "date": [("cbas_referral", "member_dob"), ("cm_referral", "signature_date")],
    "phone": [("cm_referral", "member_phone")],
}


def _made_up_word(rng: random.Random) -> str:
    syllables = [rng.choice(CONSONANTS) + rng.choice(VOWELS) + rng.choice(["", "", rng.choice(CONSONANTS)])]
    syllables += [rng.choice(CONSONANTS) + rng.choice(VOWELS) for _ in range(rng.randint(0, 2))]
    return "".join(syllables).capitalize()


def _surname(rng: random.Random) -> str:
    return rng.choice(people.LAST) if rng.random() < 0.4 else _made_up_word(rng)


def _given(rng: random.Random) -> str:
    return rng.choice(people.FIRST) if rng.random() < 0.4 else _made_up_word(rng)


def _name(rng: random.Random) -> str:
    last = _surname(rng) + (f"-{_surname(rng)}" if rng.random() < 0.12 else "")
    first = _given(rng) + (f" {rng.choice(string.ascii_uppercase)}." if rng.random() < 0.2 else "")
    if rng.random() < 0.2:
        return f"{first} {last}"
    return f"{last}, {first}" if rng.random() < 0.85 else f"{last.upper()}, {first.upper()}"


def _words(rng: random.Random, words: list[str], count: int) -> str:
    return " ".join(rng.choice(words) for _ in range(count))


def _address(rng: random.Random, words: list[str]) -> str:
    street = rng.choice(words).capitalize() if rng.random() < 0.5 else _made_up_word(rng)
    kind = rng.choice((*hp.STREET_KINDS, "Street", "Avenue", "Ct", "Pl"))
    unit = rng.choice(["", "", f" Apt {rng.randint(1, 99)}", f" #{rng.randint(1, 300)}", f" Unit {rng.choice('ABCD')}"])
    city = rng.choice(words).capitalize() if rng.random() < 0.6 else _made_up_word(rng)
    side = rng.choice(("", "", "N ", "S ", "W ", "E "))
    return f"{rng.randint(1, 19999)} {side}{street} {kind}{unit}, {city}"


def _icd(rng: random.Random) -> str:
    code = rng.choice(ICD_LETTERS) + f"{rng.randint(0, 99):02d}"
    if rng.random() < 0.8:
        code += "." + "".join(rng.choice(string.digits + "X") for _ in range(rng.randint(1, 3)))
    return code


def _icd_list(rng: random.Random, words: list[str]) -> str:
    codes = [_icd(rng) for _ in range(rng.randint(1, 3))]
    if rng.random() < 0.5:
        codes = [f"{c} {_words(rng, words, rng.randint(1, 2))}" for c in codes]
    return ", ".join(codes)


def _phrase(rng: random.Random, words: list[str]) -> str:
    text = _words(rng, words, rng.randint(1, 4))
    if rng.random() < 0.2:
        text = f"{rng.randint(1, 30)} {text}"
    if rng.random() < 0.15:
        text += rng.choice((".", ",", " (son)", " - daughter", "'s"))
    return text.capitalize() if rng.random() < 0.7 else text


def _date(rng: random.Random) -> str:
    d = date(rng.randint(1925, 2027), rng.randint(1, 12), rng.randint(1, 28))
    return hp._date_written(d, rng.choice(hp.DATE_STYLES))


def _phone(rng: random.Random) -> str:
    a, b, c = f"{rng.randint(200, 999)}", f"{rng.randint(200, 999)}", f"{rng.randint(0, 9999):04d}"
    style = rng.choice(hp.PHONE_STYLES)
    return {"(ddd) ddd-dddd": f"({a}) {b}-{c}", "ddd-ddd-dddd": f"{a}-{b}-{c}", "ddd.ddd.dddd": f"{a}.{b}.{c}"}.get(
        style, f"{a} {b} {c}"
    )


def _cin(rng: random.Random) -> str:
    return "".join(rng.choice(string.digits) for _ in range(8)) + rng.choice(string.ascii_uppercase)


def value_makers(rng: random.Random, words: list[str]) -> dict[str, Callable[[], str]]:
    return {
        "name": lambda: _name(rng),
        "address": lambda: _address(rng, words),
        "phrase": lambda: _phrase(rng, words),
        "npi": lambda: people.make_npi(rng),
        "cin": lambda: _cin(rng),
        "icd10": lambda: _icd_list(rng, words),
        "date": lambda: _date(rng),
        "phone": lambda: _phone(rng),
    }


# How often each kind is written: names and dates are the commonest hand-printed values and the hardest to read.
KIND_WEIGHTS = {"name": 3, "address": 1, "phrase": 1, "npi": 1.5, "cin": 1.5, "icd10": 1, "date": 3, "phone": 2}
# The widths a box is read at (line_model.read_box): mostly its STRETCH, also its retries and the glyphs set apart.
WIDTHS = ((line_model.STRETCH, 0.6), (1.0, 0.15), (1.5, 0.15), (0.0, 0.1))  # 0.0: spaced, at SPACED_STRETCH


def _training_faces() -> tuple[list[Typeface], list[Typeface]]:
    """The dev family's faces and the training-only ones; never a test-family face."""
    test = {face.path for face in HAND["test"] + TYPED["test"]}
    hand = [*HAND["dev"], *HAND["dev"], *TRAINING_HAND]  # the dev faces about a third of the hand-print
    typed = [*TYPED["dev"], *TRAINING_TYPED]
    assert not test & {face.path for face in hand + typed}
    return hand, typed


def _thicker(ink: np.ndarray) -> np.ndarray:
    """A broader pen: the ink grown by a pixel to the right and down."""
    return np.asarray(cv2.dilate(ink.astype(np.uint8), np.ones((2, 2), np.uint8)).astype(bool))


def make_shard(seed: int, count: int, words: list[str]) -> list[tuple[object, str]]:
    rng = random.Random(seed)
    register_typefaces(training=True)
    catalog = load_catalog()
    hand_faces, typed_faces = _training_faces()
    makers = value_makers(rng, words)
    kinds = list(KIND_WEIGHTS)
    weights = [KIND_WEIGHTS[k] for k in kinds]
    templates: dict[str, tuple[FieldDef, Template]] = {}
    out: list[tuple[object, str]] = []
    while len(out) < count:
        kind = rng.choices(kinds, weights)[0]
        form, field = rng.choice(CELLS[kind])
        key = f"{form}.{field}"
        if key not in templates:
            f = hp._cell_field(catalog.form(form).field_map[field])
            templates[key] = (f, hp.blank_template(f))
        f, t = templates[key]
        face = rng.choice(hand_faces) if rng.random() < 0.8 else rng.choice(typed_faces)
        face = dataclasses.replace(face, size=face.size * rng.uniform(0.85, 1.15))
        text = hp._written_text(face, makers[kind]())
        pdf = hp.render_cell(f, text, face, hp.Hand.draw(rng, face.hand), rng)
        resolution = rng.choice(hp.RESOLUTIONS)
        written = hp._aligned(hp.fax_cell(pdf, resolution, rng), t)
        ink = _text_ink(crop(written, _value_area(t, f)), hp.SPECK, t.dpi)
        if not ink.any():
            continue
        if face.hand and rng.random() < 0.2:
            ink = _thicker(ink)
        stretch = rng.choices([w for w, _ in WIDTHS], [p for _, p in WIDTHS])[0]
        if stretch == 0.0:
            image = line_model.model_input(line_model.spaced(ink), stretch=line_model.SPACED_STRETCH)
        else:
            image = line_model.model_input(ink, stretch=stretch)
        out.append((image, " ".join(text.split())))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shards", type=int, default=80)
    parser.add_argument("--per-shard", type=int, default=500)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    words = [w for w in WORDS.read_text(encoding="utf-8").split() if w.isalpha() and w.isascii() and 2 < len(w) < 11]
    for shard in range(args.shards):
        path = args.out / f"shard-{args.seed:03d}-{shard:04d}.pkl"
        if path.exists():
            continue
        crops = make_shard(args.seed * 100_000 + shard, args.per_shard, words)
        partial = path.with_suffix(".part")
        partial.write_bytes(pickle.dumps(crops))
        partial.rename(path)  # the trainer picks up whole shards only
        print(f"{path.name}: {len(crops)} crops", flush=True)


if __name__ == "__main__":
    main()
