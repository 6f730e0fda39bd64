"""Hand-printed values the corpus never had, read box by box as the pipeline reads them: accuracy per face family.

    uv run python -m benchmarks.handprint [--family dev|test|both] [--values 240] [--typed 48] [--reader both]
        [--model FILE.onnx [--characters DICT.txt]] [--hand-model FILE.onnx|none] [--seed 17] [--json out.json]

Each value (names "Last, First", addresses, dates in every style FORMS.md allows, phones, NPIs, CINs, ICD-10
lists, short phrases) is written in one face of sample_faxes.typefaces (hand faces, and typed ones for comparison)
with per-character jitter (size, slant, baseline drift, spacing) into its form cell, faxed (sample_faxes.degrade:
1-bit, specks, blur) at 204x196 and at 204x98, squared and binarized as extractors.ingest/pipeline do, and the blank
cell subtracted as read_form does. Two readings per box:

  pipeline    read_form's own per-field path (Tesseract within the box's character set, the line model's second
              opinion within the box's format, the reconciliation), exact after normalization, as benchmarks.corpus
  line model  the line models alone: line_model.read_box within the box's formats (validated types: the base
              model's and the hand-print model's readings reconciled), the base model's free reading otherwise

--model swaps the base model file; --hand-model swaps the hand-print model (extractors/models/handprint_rec.onnx),
or with `none` reads without it (the figures before it); `--model FILE --hand-model none` measures FILE alone.
  tesseract   (on request) the pipeline's path without the line model's second opinion on validated boxes

Figures are per face family (dev: faces tuned on; test: faces nothing was ever tuned on), never mixed, per field
type and per resolution, with character error rate and milliseconds per field. The seed fixes every value, face,
jitter and speck; the same run prints the same table.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from extractors import clean, line_model, read_form
from extractors.ingest import _square
from extractors.marks import crop
from extractors.normalize import collapse_whitespace, edit_distance, normalize
from extractors.read_form import LINE_FORMATS, _ocr_field, _text_ink, _value_area
from extractors.templates import Template
from faxintake.catalog import FieldDef, FieldType, load_catalog
from faxintake.catalog.render import Flip, _draw_field
from sample_faxes import fill
from sample_faxes.degrade import Degradation, degrade_page
from sample_faxes.people import make_npi
from sample_faxes.typefaces import HAND, TYPED, Family, Typeface, register_typefaces

RECEIVED = date(2026, 11, 30)  # the fax's received date: two-digit years and birth dates are read against it
DPI = 204  # the square grid ingest resamples a fax page to (204x98 rows doubled)
MARGIN = 12.0  # points of paper round the cell, as round a cell on the form
Resolution = Literal["fine", "standard"]
RESOLUTIONS: tuple[Resolution, ...] = ("fine", "standard")
ROWS_PER_INCH = {"fine": 196, "standard": 98}


# --- Values: made up here, none from the corpus's people -----------------------------------------------------

FIRST = [
    "Maribel",
    "Teodoro",
    "Yesenia",
    "Khou",
    "Nhia",
    "Xia",
    "Bao",
    "Anh",
    "Priya",
    "Omar",
    "Fatima",
    "Dwayne",
    "Kateri",
    "Lupita",
    "Refugio",
    "Seng",
    "Lue",
    "Ying",
    "Hao",
    "Rukmini",
    "Jasmine",
    "Tyrone",
    "Walter",
    "Imelda",
    "Concepcion",
    "Ramon",
    "Toua",
    "Blia",
    "Shoua",
    "Daniela",
    "Esteban",
    "Marisol",
    "Gwen",
    "Ivan",
]
LAST = [
    "Ortega",
    "Villanueva",
    "Hernandez",
    "Kue",
    "Yaj",
    "Tran",
    "Pham",
    "Okafor",
    "Baptiste",
    "Gutierrez",
    "Fonoti",
    "Sandoval",
    "Espinoza",
    "Zamora",
    "Khang",
    "Lo",
    "Vue",
    "Hmong",
    "Patel",
    "Singh",
    "Quintero",
    "Bautista",
    "Whitfield",
    "McCarthy",
    "Abdullahi",
    "Rojas",
    "Cervantes",
    "Duong",
    "Saechao",
    "Ibarra",
    "Lemus",
    "Arredondo",
    "Fierro",
]
STREETS = [
    "Alvarado",
    "Market",
    "Alisal",
    "Sanborn",
    "Natividad",
    "Laurel",
    "Romie",
    "Abbott",
    "Front",
    "Soquel",
    "Main",
    "Riverside",
]
STREET_KINDS = ("St", "Ave", "Rd", "Blvd", "Dr", "Way", "Ln")
CITIES = ("Salinas", "Watsonville", "Merced", "Castroville", "Gilroy", "Santa Cruz", "Atwater", "Los Banos")
PHRASES = (
    "Member moved out of area",
    "Prefers Spanish interpreter",
    "Lives with daughter",
    "No transportation",
    "Needs home health",
    "Hmong, with interpreter",
    "3 visits",
    "Caregiver is son",
    "Requests female provider",
    "Uses wheelchair",
    "Lost to follow-up",
    "Two ED visits",
)
ICD = (
    ("E11.9", "type 2 diabetes"),
    ("I10", "hypertension"),
    ("F03.90", "dementia"),
    ("J45.40", "asthma"),
    ("N18.4", "CKD stage 4"),
    ("I50.9", "heart failure"),
    ("F32.9", "depression"),
    ("M17.11", "knee OA"),
    ("G20", "Parkinson"),
    ("E78.5", "hyperlipidemia"),
    ("J44.9", "COPD"),
    ("Z91.81", "falls"),
)
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Value:
    kind: str  # what it is: name, address, date M/D/YY, phone (ddd) ddd-dddd, ...
    field_type: FieldType
    form: str  # the form and field whose cell it is written in
    field: str
    written: str  # as written in the box


def _date_written(d: date, style: str) -> str:
    if style == "MM/DD/YYYY":
        return f"{d:%m/%d/%Y}"
    if style == "M/D/YY":
        return f"{d.month}/{d.day}/{d:%y}"
    if style == "M/D/YYYY":
        return f"{d.month}/{d.day}/{d.year}"
    if style == "MM-DD-YYYY":
        return f"{d:%m-%d-%Y}"
    if style == "M.D.YYYY":
        return f"{d.month}.{d.day}.{d.year}"
    return f"{MONTH_NAMES[d.month - 1]} {d.day}, {d.year}"  # Jan 5, 2026


DATE_STYLES = ("MM/DD/YYYY", "M/D/YY", "M/D/YYYY", "MM-DD-YYYY", "M.D.YYYY", "Mon D, YYYY")
PHONE_STYLES = ("(ddd) ddd-dddd", "ddd-ddd-dddd", "ddd.ddd.dddd", "ddd ddd dddd")


def _phone_written(rng: random.Random, style: str) -> str:
    a, b, c = rng.choice(("831", "209", "408", "559", "650")), f"{rng.randint(200, 999)}", f"{rng.randint(0, 9999):04d}"
    return {"(ddd) ddd-dddd": f"({a}) {b}-{c}", "ddd-ddd-dddd": f"{a}-{b}-{c}", "ddd.ddd.dddd": f"{a}.{b}.{c}"}.get(
        style, f"{a} {b} {c}"
    )


def _name(rng: random.Random) -> str:
    last = rng.choice(LAST) + (f"-{rng.choice(LAST)}" if rng.random() < 0.12 else "")
    first = rng.choice(FIRST) + (f" {rng.choice('ABCDEFGHJKLMNPRSTVW')}." if rng.random() < 0.15 else "")
    return f"{last}, {first}"


def _address(rng: random.Random) -> str:
    street = (
        f"{rng.randint(1, 9999)} {rng.choice(('', 'N ', 'W ', 'E '))}{rng.choice(STREETS)} {rng.choice(STREET_KINDS)}"
    )
    unit = f" Apt {rng.randint(1, 40)}" if rng.random() < 0.3 else ""
    return f"{street}{unit}, {rng.choice(CITIES)}"


def _icd_list(rng: random.Random) -> str:
    picked = rng.sample(ICD, rng.randint(1, 3))
    described = rng.random() < 0.5
    return ", ".join(f"{code} {what}" if described else code for code, what in picked)


def _cin(rng: random.Random) -> str:
    return "".join(str(rng.randint(0, 9)) for _ in range(8)) + rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ")


def _kinds(rng: random.Random) -> list[Callable[[], Value]]:
    """One maker per kind of value; a run cycles through them so every kind is measured about equally."""

    def dated(style: str) -> Callable[[], Value]:
        def make() -> Value:
            if rng.random() < 0.5:  # a birth date (two-digit years read as the latest not after received)
                d = date(rng.randint(1931, 2024), rng.randint(1, 12), rng.randint(1, 28))
                return Value(f"date {style}", FieldType.DATE, "cbas_referral", "member_dob", _date_written(d, style))
            d = RECEIVED - timedelta(days=rng.randint(0, 400))
            return Value(f"date {style}", FieldType.DATE, "cm_referral", "signature_date", _date_written(d, style))

        return make

    def phoned(style: str) -> Callable[[], Value]:
        return lambda: Value(
            f"phone {style}", FieldType.PHONE, "cm_referral", "member_phone", _phone_written(rng, style)
        )

    makers: list[Callable[[], Value]] = [
        lambda: Value("name", FieldType.TEXT, "cm_referral", "member_name", _name(rng)),
        lambda: Value("name", FieldType.TEXT, "cbas_referral", "caregiver_name", _name(rng)),
        lambda: Value("address", FieldType.TEXT, "cbas_referral", "preferred_center", _address(rng)),
        lambda: Value("phrase", FieldType.TEXT, "member_reassignment", "reason_other_text", rng.choice(PHRASES)),
        lambda: Value("npi", FieldType.NPI, "cm_referral", "referrer_npi", make_npi(rng)),
        lambda: Value("npi", FieldType.NPI, "cbas_referral", "pcp_npi", make_npi(rng)),
        lambda: Value("cin", FieldType.MEMBER_ID, "cm_referral", "member_id", _cin(rng)),
        lambda: Value("cin", FieldType.MEMBER_ID, "hif_met", "member_id", _cin(rng)),
        lambda: Value("icd10", FieldType.ICD10_LIST, "cbas_referral", "conditions", _icd_list(rng)),
    ]
    makers += [dated(style) for style in DATE_STYLES]
    makers += [phoned(style) for style in PHONE_STYLES]
    return makers


def make_values(count: int, seed: int) -> list[Value]:
    rng = random.Random(seed)
    makers = _kinds(rng)
    return [makers[i % len(makers)]() for i in range(count)]


def expected(value: Value) -> str:
    """The value the pipeline should report, normalized as FORMS.md says."""
    written = value.written.upper() if value.field_type is FieldType.MEMBER_ID else value.written
    n = normalize(value.field_type, written, received=RECEIVED, is_dob=value.field.endswith("_dob"))
    assert n.valid, value
    return str(n.value)


# --- Writing and faxing one cell ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Hand:
    """How one writer writes one value: a slant and a drift for the whole line, jitter for every character."""

    slant_deg: float
    drift: float  # baseline rise per point of advance
    tracking: float  # extra points between characters
    size_jitter: float
    baseline_jitter: float
    spacing_jitter: float

    @staticmethod
    def draw(rng: random.Random, hand: bool) -> Hand:
        if not hand:
            return Hand(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
        return Hand(
            slant_deg=rng.uniform(-8.0, 14.0),
            drift=rng.uniform(-0.025, 0.025),
            tracking=rng.uniform(-0.3, 1.2),
            size_jitter=rng.uniform(0.03, 0.1),
            baseline_jitter=rng.uniform(0.2, 0.8),
            spacing_jitter=rng.uniform(0.2, 0.8),
        )


def _cell_field(f: FieldDef) -> FieldDef:
    """The field moved so that its cell's top-left corner is MARGIN points from the page's. Without the prior that a
    form's own date is recent: the values here are made up (a signature date up to 400 days old), so it would
    measure the made-up dates, not the reading; the traffic families, dated as offices date forms, measure it."""
    dx, dy = MARGIN - f.cell[0], MARGIN - f.cell[1]

    def moved(b: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        return (b[0] + dx, b[1] + dy, b[2] + dx, b[3] + dy)

    return f.model_copy(update={"box": moved(f.box), "cell": moved(f.cell), "recent_days": None})


def _page_size(f: FieldDef) -> tuple[float, float]:
    return f.cell[2] + MARGIN, f.cell[3] + MARGIN


def _written_text(face: Typeface, text: str) -> str:
    return text.upper() if face.capitals_only else text


def render_cell(
    f: FieldDef, text: str | None, face: Typeface, hand: Hand, rng: random.Random, language: str = "en"
) -> bytes:
    """The field's cell as the form prints it, with `text` written in its box (None: the blank cell), as a PDF."""
    width, height = _page_size(f)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(width, height))
    flip = Flip(height)
    _draw_field(canvas, f, language, flip)
    if text:
        x0, _y0, x1, y1 = f.box
        size = face.size
        room = x1 - x0 - 6
        while _advance(canvas, text, face, size, hand) > room and size > 6:
            size -= 0.5
        x = x0 + 3 + (rng.uniform(0, 4) if face.hand else 0.0)
        baseline = y1 - 4.0 - (rng.uniform(-1.0, 1.2) if face.hand else 0.0)
        _write(canvas, text, face, size, x, baseline, hand, rng, flip)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _advance(canvas: Canvas, text: str, face: Typeface, size: float, hand: Hand) -> float:
    return sum(fill._char_width(canvas, ch, face.name, size) + hand.tracking for ch in text)


def _write(
    canvas: Canvas,
    text: str,
    face: Typeface,
    size: float,
    x: float,
    baseline: float,
    hand: Hand,
    rng: random.Random,
    flip: Flip,
) -> None:
    if not face.hand:
        canvas.setFont(face.name, size)
        canvas.drawString(x, flip.y(baseline), text)
        return
    start = x
    shear = math.tan(math.radians(hand.slant_deg))
    for ch in text:
        s = size * (1 + rng.uniform(-hand.size_jitter, hand.size_jitter))
        y = baseline - hand.drift * (x - start) + rng.uniform(-hand.baseline_jitter, hand.baseline_jitter)
        canvas.saveState()
        canvas.translate(x, flip.y(y))
        canvas.transform(1, 0, shear, 1, 0, 0)  # slanted about the character's own baseline
        advance = fill._hand_char(canvas, ch, face.name, s, 0.0, 0.0)
        canvas.restoreState()
        x += advance + hand.tracking + rng.uniform(-hand.spacing_jitter, hand.spacing_jitter) * 0.5


def _raster(pdf: bytes, rows_per_inch: int) -> Image.Image:
    page = pdfium.PdfDocument(pdf)[0]
    img = page.render(scale=DPI / 72.0, grayscale=True).to_pil().convert("L")
    if rows_per_inch != DPI:
        img = img.resize((img.width, round(img.height * rows_per_inch / DPI)), Image.Resampling.LANCZOS)
    return img


def fax_cell(pdf: bytes, resolution: Resolution, rng: random.Random) -> np.ndarray:
    """The cell through a fax machine and back through ingest: 1-bit at its resolution, squared, binarized, as
    the pipeline's page ink (bool)."""
    rows = ROWS_PER_INCH[resolution]
    img = _raster(pdf, rows)
    # degrade_page tells 204x98 from 204x196 by the page's shape (a standard page is wider than tall): a fine cell
    # is set on paper tall enough to be taken for what it is, and cut out again.
    height = img.height
    if resolution == "fine" and img.height < img.width:
        tall = Image.new("L", (img.width, img.width + 1), 255)
        tall.paste(img, (0, 0))
        img = tall
    d = Degradation(
        speck_density=rng.uniform(1.0, 6.0),
        threshold=rng.randint(140, 172),
        blur=rng.uniform(0.0, 0.6),
        fine=resolution == "fine",
    )
    faxed = np.asarray(degrade_page(img, rng, d, None).convert("L"))[:height]
    gray, _ = _square(faxed, (float(DPI), float(rows)))
    return clean.despeckle(clean.binarize(gray))


def blank_template(f: FieldDef, language: str = "en") -> Template:
    """The blank cell at the page's square resolution, as extractors.templates renders a blank form."""
    gray = np.asarray(
        _raster(
            render_cell(f, None, TYPED["dev"][0], Hand.draw(random.Random(0), False), random.Random(0), language), DPI
        )
    )
    ink = gray < 160
    grow = max(3, round(DPI / 50))
    mask = cv2.dilate(ink.astype(np.uint8), np.ones((grow, grow), np.uint8)).astype(bool)
    return Template(form_id=f.name, language=language, page=1, dpi=DPI, ink=ink, mask=mask)


# --- Reading ------------------------------------------------------------------------------------------------

SPECK = max(4, round((DPI / 100) ** 2 * 2))  # as read_form_page sets it


@dataclass(frozen=True)
class Outcome:
    family: str
    face: str
    hand: bool
    resolution: str
    kind: str
    field_type: str
    reader: str
    expected: str
    got: str
    confidence: float
    ms: float

    @property
    def exact(self) -> bool:
        return self.got == self.expected


def _aligned(page: np.ndarray, t: Template) -> np.ndarray:
    h = min(page.shape[0], t.mask.shape[0])
    w = min(page.shape[1], t.mask.shape[1])
    written = np.zeros(t.mask.shape, dtype=bool)
    written[:h, :w] = page[:h, :w] & ~t.mask[:h, :w]
    return written


def read_pipeline(f: FieldDef, written: np.ndarray, t: Template) -> tuple[str, float]:
    read = _ocr_field(f, written, t, SPECK, "en", RECEIVED)
    return str(read.value), read.confidence


def read_line_model(f: FieldDef, written: np.ndarray, t: Template) -> tuple[str, float]:
    ink = _text_ink(crop(written, _value_area(t, f)), SPECK, t.dpi)
    if not ink.any():
        return "", 0.0
    is_dob = f.name.endswith("_dob")
    if f.type in LINE_FORMATS:
        line, _ = line_model.read_box(ink, LINE_FORMATS[f.type])
        if line is not None:
            n = normalize(f.type, line.text, received=RECEIVED, is_dob=is_dob)
            if n.valid:
                return str(n.value), line.confidence
    free = line_model.read_free(line_model.probabilities(ink))
    text = free.text.upper() if f.type is FieldType.MEMBER_ID else free.text
    return str(normalize(f.type, collapse_whitespace(text), received=RECEIVED, is_dob=is_dob).value), free.confidence


def read_tesseract(f: FieldDef, written: np.ndarray, t: Template) -> tuple[str, float]:
    """The pipeline's path without the line model's second opinion on validated boxes: Tesseract's reading, what
    the second opinion is reconciled with (and calibrated against, read_form.CALIBRATION)."""
    saved = read_form._second_opinion
    read_form._second_opinion = lambda f, ink, read, received: read
    try:
        return read_pipeline(f, written, t)
    finally:
        read_form._second_opinion = saved


READERS: dict[str, Callable[[FieldDef, np.ndarray, Template], tuple[str, float]]] = {
    "pipeline": read_pipeline,
    "line model": read_line_model,
    "tesseract": read_tesseract,
}


def run(
    family: Family, values: int, typed: int, seed: int, readers: Sequence[str], faces: Sequence[Typeface] | None = None
) -> list[Outcome]:
    """Every value of the family's run written, faxed at both resolutions and read by each reader."""
    register_typefaces()
    catalog = load_catalog()
    hand_faces = list(HAND[family]) if faces is None else [f for f in faces if f.hand]
    typed_faces = list(TYPED[family]) if faces is None else [f for f in faces if not f.hand]
    plan = [(v, hand_faces[i % len(hand_faces)]) for i, v in enumerate(make_values(values, seed))] if hand_faces else []
    plan += (
        [(v, typed_faces[i % len(typed_faces)]) for i, v in enumerate(make_values(typed, seed + 1))]
        if typed_faces
        else []
    )
    rng = random.Random(seed * 1000 + (0 if family == "dev" else 1))
    templates: dict[str, Template] = {}
    out: list[Outcome] = []
    for value, face in plan:
        f = _cell_field(catalog.form(value.form).field_map[value.field])
        key = f"{value.form}.{value.field}"
        if key not in templates:
            templates[key] = blank_template(f)
        t = templates[key]
        text = _written_text(face, value.written)
        truth = expected(Value(value.kind, value.field_type, value.form, value.field, text))
        pdf = render_cell(f, text, face, Hand.draw(rng, face.hand), rng)
        for resolution in RESOLUTIONS:
            written = _aligned(fax_cell(pdf, resolution, rng), t)
            for reader in readers:
                started = time.perf_counter()
                got, confidence = READERS[reader](f, written, t)
                ms = (time.perf_counter() - started) * 1000
                out.append(
                    Outcome(
                        family,
                        face.name,
                        face.hand,
                        resolution,
                        value.kind,
                        value.field_type.value,
                        reader,
                        truth,
                        got,
                        confidence,
                        ms,
                    )
                )
    return out


# --- Reporting ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    count: int
    exact: float
    cer: float
    ms: float
    silent: int  # wrong at confidence >= 0.9: what would pass the gate unseen

    def line(self, label: str) -> str:
        return (
            f"  {label:<26} {self.exact:6.1%} exact  CER {self.cer:5.1%}  {self.ms:5.0f} ms/field  "
            f"silent {self.silent:>2}  n={self.count}"
        )


def figures(outcomes: Sequence[Outcome]) -> Figures:
    chars = sum(len(o.expected) for o in outcomes)
    errors = sum(edit_distance(o.got, o.expected) for o in outcomes)
    return Figures(
        count=len(outcomes),
        exact=sum(o.exact for o in outcomes) / len(outcomes),
        cer=errors / max(1, chars),
        ms=statistics.fmean(o.ms for o in outcomes),
        silent=sum(not o.exact and o.confidence >= 0.9 for o in outcomes),
    )


def report(outcomes: Sequence[Outcome]) -> str:
    lines: list[str] = []
    groups: dict[tuple[str, str, bool], list[Outcome]] = defaultdict(list)
    for o in outcomes:
        groups[o.family, o.reader, o.hand].append(o)
    for (family, reader, hand), group in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1], not kv[0][2])):
        lines.append(f"{family} family, {'hand-printed' if hand else 'typed'}, read by the {reader}:")
        lines.append(figures(group).line("all"))
        for resolution in RESOLUTIONS:
            lines.append(
                figures([o for o in group if o.resolution == resolution]).line(f"204x{ROWS_PER_INCH[resolution]}")
            )
        for kind in sorted({o.field_type for o in group}):
            lines.append(figures([o for o in group if o.field_type == kind]).line(f"type {kind}"))
        if hand:
            for kind in sorted({o.kind for o in group if o.kind.startswith(("date", "phone"))}):
                lines.append(figures([o for o in group if o.kind == kind]).line(f"  {kind}"))
            for face in sorted({o.face for o in group}):
                lines.append(figures([o for o in group if o.face == face]).line(f"face {face}"))
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--family", choices=("dev", "test", "both"), default="both")
    parser.add_argument("--values", type=int, default=240, help="hand-printed values per family")
    parser.add_argument("--typed", type=int, default=48, help="typed values per family, for comparison")
    parser.add_argument(
        "--reader", default="both", help="both (pipeline and line model), or readers by name, a comma between"
    )
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--model", type=Path, help="read with this line model file instead of the shipped one")
    parser.add_argument("--characters", type=Path, help="the --model's character list, when it carries none")
    parser.add_argument(
        "--hand-model", help="read with this hand-print model instead of the shipped one ('none': the base alone)"
    )
    parser.add_argument("--json", type=Path, help="write every outcome here")
    parser.add_argument("--errors", action="store_true", help="list every wrong hand-printed read (made-up values)")
    args = parser.parse_args()
    if args.model:
        line_model.use_model(args.model, args.characters)
    if args.hand_model:
        line_model.use_hand_model(None if args.hand_model == "none" else Path(args.hand_model))
    line_model.load()
    families: list[Family] = ["dev", "test"] if args.family == "both" else [args.family]
    readers = ["pipeline", "line model"] if args.reader == "both" else args.reader.split(",")
    started = time.perf_counter()
    outcomes = [o for family in families for o in run(family, args.values, args.typed, args.seed, readers)]
    print(report(outcomes))
    if args.errors:
        for o in outcomes:
            if o.hand and not o.exact:
                print(
                    f"  {o.family} {o.reader} {o.face} 204x{ROWS_PER_INCH[o.resolution]} {o.kind}: "
                    f"expected {o.expected!r} got {o.got!r} conf {o.confidence:.2f}"
                )
    print(f"{len(outcomes)} reads in {time.perf_counter() - started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps([asdict(o) for o in outcomes], indent=1))


if __name__ == "__main__":
    main()
