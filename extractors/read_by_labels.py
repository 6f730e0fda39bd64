"""Read a form page that did not register by its printed labels: another revision with rows moved, a page printed
at another scale, a form re-typed by the office.

The page's words are read once (Tesseract, or the PDF's text layer) and each field's label, as the form definition
prints it in the page's language, is looked for among them (`labels.find_labels`); labels in type too small for
Tesseract (6.5 pt at 204x98) are told among the page's runs of words by the line model (`labels_by_line_model`).
Where the form puts a value relative to its own label holds on such pages, scaled: text-like values are the words in
the box under the label (or, where that box is empty, typed beside the label), read again on their own when unsure,
then normalized and validated like registered reads; checkboxes and choice options are decided by the ink inside
the printed square found beside the label; a signature by the ink above its line.

Confidences stay below those of registered reads: a value read where its found label puts it carries `LABEL_READ`
times what the same read would carry registered, `CONFIRMED_READ` times where the page confirms the place in its
own way (a mark's square beside its label, a signature's line, a date, NPI or CIN that passes its check); one whose
place could not be confirmed on the page (no square beside the label, no cell around it and the label away from
where the rest of the form puts it, a value typed beside the label instead of in its box) `BY_POSITION` times; a
value read beside a label the line model found, at most `MODEL_LABEL_READ`; a field whose label was not found,
confidence 0 and raw "label not found".
"""

from __future__ import annotations

import functools
import re
import statistics
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date

import cv2
import numpy as np
from reportlab.pdfbase.pdfmetrics import stringWidth

from extractors import clean, line_model, ocr, read_form
from extractors.labels import LabelHit, Word, find_labels, has_chinese, label_tokens, lines_of, wrapped_lines
from extractors.marks import Box, crop, find_square, read_checkbox, read_choice, read_signature, without_squares
from extractors.normalize import likeness
from faxintake.catalog import FieldDef, FieldType, FormDef, load_catalog
from faxintake.catalog.model import SQUARE, localized
from faxintake.catalog.render import PlacedLabel, placed_labels
from faxintake.model import FieldRead

LABEL_READ = 0.85  # the value where its label puts it: the label could still be another's, the box misplaced
# A read the page itself confirms: a mark in the printed square found beside its label (each option's, in order),
# a signature on the line found under it, a date, NPI or CIN that passes its type's check in the box its label
# points to. On the dev family's revisions such reads were right 99.8% of 426 checkboxes, 100% of 80 choices, 35
# signatures and 71 dates, NPIs and CINs at LABEL_READ (phones, which a neighbouring phone box also fits, 97%).
CONFIRMED_READ = 0.95
EMPTY_BOX = 0.99  # nothing read in a value's box and next to no ink there
VALIDATED_BY_LABEL = (FieldType.DATE, FieldType.NPI, FieldType.MEMBER_ID)
BY_POSITION = 0.7  # the label found, the value's place not confirmed on the page
UNPLACED = 0.3  # a mark read where the form would put its square, on a page of another layout: a person looks
NOT_FOUND = "label not found"
# Labels found by the line model (labels_by_line_model): a run's score, the log probability per character of the
# label's text below the model's own best reading. On the dev revisions' 204x98 pages the runs that were the label
# scored -0.3 to -2.3, the best other runs -2.4 and below.
MODEL_LABEL_SCORE = -2.0
MODEL_WRAPPED_SCORE = -1.0  # a wrapped label's first line, shorter, fits more runs by chance: it must fit far better
MODEL_LABEL_CHARS = 5  # a shorter label ("Fax") scores well on too many runs
MODEL_LABEL_SIMILARITY = 0.8
MODEL_LABEL_READ = 0.8  # a value read by such a label: under the gate, a person looks
MODEL_RUN_INK = 20  # pixels: less is a speck, no label
MODEL_LABEL_HEIGHT = 1.1  # a run of words this many times the label's size (its boxes hug the ink) or less
LETTER_WIDTH = 0.55  # a small-type letter's width, in the height of its words' boxes
RUN_GAP = 1.5  # word heights: a wider gap ends a run of words
REST_LENGTH = 1.3  # the rest of a label lies within this many times its length in the found words' letters
REST_SIMILARITY = 0.5  # a word this much like the label's next printed word is that word misread ("Flyst", "first")
CAP_HEIGHT = {"CJK": 0.82}  # glyph tops above the baseline, in ems, where a label's ink starts (DejaVu Sans: 0.73)
PREFIX_TOKENS = 6  # a long label is looked for by its first words (fewer chances for an OCR slip to hide it)
KNOWN_LAYOUT = 0.6  # this share of the labels where the form has them: the form's own layout, scaled or shifted
TAIL_CHARACTERS = 3  # the least of a label's own last words worth checking in place
LIKE = 0.05  # a label read this much less like its printed words than its best reading is only like it
RELOCATED = 0.95  # a label found only shortened or wrapped: a little less likely to be it
SAME_PLACE_IN = 0.2  # a label this close (inches) to where the other labels put it is where the form has it
WORDS_LANGUAGE = {"en": "eng", "es": "spa+eng", "hmn": "eng", "zh-Hant": "chi_tra+eng"}
SINGLE_LINE = 7  # Tesseract's page segmentation mode for one line of text
TALL_WORD = 3.5  # times the page's usual word height: no word of a form is this tall (hand-print is about 2x)
WORDS_SCALE = 1.5  # a form's labels are printed small (6.5 pt): Tesseract reads them far better half as big again


@dataclass(frozen=True)
class Printed:
    """A label as the form prints it (first line only for one printed on several): the words looked for, where
    they start (points, top of the capitals), their size, and the width of the whole printed line."""

    key: str  # the field's name, or "field=option" for a choice's option
    field: str
    text: str
    x: float
    top: float
    size: float
    width: float  # of `text`
    line_width: float  # of the whole first line (`text` may be its first words only)
    stem: str | None = None  # the label less a last token too short to be read reliably ("... date 1")
    short: str | None = None  # the label less what it says in brackets, as another revision may print it
    # Where (points) its words stop beginning another label's too: "fax" of "Send care plans by fax" beside
    # "Send care plans by mail"; None when no other label begins as it does, or what tells it apart is shorter
    # than a word (the "3" of "date 3" has too little ink to tell where it lies on a fax).
    tail_x: float | None = None


_printed: dict[tuple[int, str, int], tuple[FormDef, tuple[Printed, ...]]] = {}


def printed_labels(form: FormDef, language: str, page: int) -> tuple[Printed, ...]:
    """Where each field's label sits on the blank form, as catalog/render.py places it (kept per form object)."""
    key = (id(form), language, page)
    if key not in _printed:
        _printed[key] = (form, _layout_labels(form, language, page))
    return _printed[key][1]


def _layout_labels(form: FormDef, language: str, page: int) -> tuple[Printed, ...]:
    placed = [label for f in form.fields if f.page == page for label in placed_labels(f, language)]
    lines = {p.key: _first_line(p) for p in placed}
    tokens = {key: label_tokens(line) for key, line in lines.items()}
    out = []
    for p in placed:
        mine, line = tokens[p.key], lines[p.key]
        if not mine:
            continue
        # Long labels are looked for by their first words, kept long enough to tell them from every other label.
        k = min(PREFIX_TOKENS, len(mine))
        while k < len(mine) and any(t[:k] == mine[:k] for other, t in tokens.items() if other != p.key):
            k += 1
        text = _prefix(line, mine[:k])
        stem = _prefix(line, mine[: k - 1]) if k >= 3 and k == len(mine) and len(mine[-1]) <= 2 else None
        top = p.baseline - CAP_HEIGHT.get(p.font, 0.73) * p.size
        width, line_width = stringWidth(text, p.font, p.size), stringWidth(line, p.font, p.size)
        bare = re.sub(r"\s*\([^)]*\)?", "", text).strip(" :")
        printed_tokens = label_tokens(text)
        if label_tokens(bare) == printed_tokens and len(mine[0]) == 1:  # "I am the:" read "(am the:"
            bare = text.split(" ", 1)[-1]
        short = bare if label_tokens(bare) != printed_tokens and len(label_tokens(bare)) >= 2 else None
        shared = max((_common_start(mine, t) for other, t in tokens.items() if other != p.key), default=0)
        distinct = 0 < shared < k and len("".join(mine[shared:k])) >= TAIL_CHARACTERS
        tail_x = p.x + stringWidth(_prefix(line, mine[:shared]) + " ", p.font, p.size) if distinct else None
        out.append(Printed(p.key, p.field, text, p.x, top, p.size, width, line_width, stem, short, tail_x))
    return tuple(out)


def _common_start(a: list[str], b: list[str]) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def _first_line(label: PlacedLabel) -> str:
    """The label's first printed line, less a word cut short to fit (it would not match)."""
    line = label.lines[0]
    return line[:-1].rsplit(" ", 1)[0] if line.endswith("…") else line


def _prefix(text: str, tokens: list[str]) -> str:
    """The longest start of `text` whose tokens are `tokens`."""
    for end in range(len(text), 0, -1):
        if label_tokens(text[:end]) == tokens:
            return text[:end].rstrip()
    return text


# --- which form a page is, by its labels -------------------------------------------------------------------

FORM_LABELS_NEEDED = 3  # labels of two words or more, of one form page, found on the page
FORM_LABELS_SHARE = 0.35  # ... and this share of that page's such labels
FORM_LABELS_MARGIN = 0.15  # ... ahead of every other form's best page by this share (forms share labels)
# ... or this many of them, when no other form's are as many as the margin: at 204x98 a re-typed form's 6.5 pt labels
# read a third at most (dev revisions: 5 of 19 and 6 of 19, none of another form's); a letter that names the
# agreement or a reason shows one or two.
FORM_LABELS_MANY = 5
BY_LABELS = 0.9  # a page known by its labels: a revision of the form, or the form without its number and title


@functools.cache
def _catalog_labels() -> dict[tuple[str, str, int], tuple[str, ...]]:
    """Every form page's field labels of two words or more (one word, "Fax", is on any page), as looked for."""
    out: dict[tuple[str, str, int], tuple[str, ...]] = {}
    for form in load_catalog().forms:
        for language in form.languages:
            for n in range(1, form.page_count + 1):
                texts = {p.text for p in printed_labels(form, language, n) if "=" not in p.key}
                out[(form.form_id, language, n)] = tuple(sorted(t for t in texts if len(label_tokens(t)) >= 2))
    return out


def form_by_labels(words: list[Word]) -> tuple[str, str, int, float] | None:
    """(form id, language, page, confidence) of the form page most of whose labels the words have, whatever the
    layout: a revision with another number and title, or none. None when no page has enough of them or two forms
    fit alike."""
    found_labels = _found_labels(words)
    # The share is of the labels only that page's form prints: "Member name (last, first)" and "Medi-Cal CIN" are on
    # three forms and tell none of them (a CM referral that showed its shared labels and few others was taken for
    # the CBAS referral, whose page has fewer labels).
    scored = sorted(
        (
            len(distinct & found_labels) / max(1, len(distinct)),
            len(set(_catalog_labels()[key]) & found_labels),
            len(distinct & found_labels),
            key,
        )
        for key, distinct in _distinctive_labels().items()
    )[::-1]
    share, found, distinct_found, (form_id, language, page) = scored[0]
    others = [s for s, _, _, k in scored if k[0] != form_id]
    if found < FORM_LABELS_NEEDED or (share < FORM_LABELS_SHARE and distinct_found < FORM_LABELS_MANY):
        return None
    if others and share - others[0] < FORM_LABELS_MARGIN:
        return None
    return form_id, language, page, round(BY_LABELS * min(1.0, 0.5 + share), 3)


def labels_seen(words: list[Word]) -> bool:
    """Whether the words have two labels of one form page: worth reading the whole page to tell which form."""
    return any(found >= 2 for found in _labels_found(words).values())


def _labels_found(words: list[Word]) -> dict[tuple[str, str, int], int]:
    """How many of each form page's labels (of two words or more) the words have."""
    found = _found_labels(words)
    return {key: len(set(texts) & found) for key, texts in _catalog_labels().items()}


def _found_labels(words: list[Word]) -> set[str]:
    """The catalog's labels (of two words or more) the words have."""
    return set(find_labels(words, {t: t for texts in _catalog_labels().values() for t in texts}))


@functools.cache
def _distinctive_labels() -> dict[tuple[str, str, int], frozenset[str]]:
    """Each form page's labels that no other form prints."""
    catalog = _catalog_labels()
    return {
        key: frozenset(texts) - {t for other, ts in catalog.items() if other[0] != key[0] for t in ts}
        for key, texts in catalog.items()
    }


# --- the page's words ----------------------------------------------------------------------------------------

_memo = threading.local()  # the last page's words: a page that fits no form page is tried as each of them


def _words_language(language: str) -> str:
    available = ocr.available_languages()
    wanted = [lang for lang in WORDS_LANGUAGE.get(language, "eng").split("+") if lang in available]
    return "+".join(wanted) or "eng"


def page_words(ink: np.ndarray, dpi: int, language: str) -> list[Word]:
    """Every word on the page with its box (page pixels), once per page and language; type on black bars left out."""
    last = getattr(_memo, "last", None)
    if last is not None and last[0] is ink and last[1:3] == (dpi, language):
        return list(last[3])
    img = cv2.resize(clean.paper(ink), None, fx=WORDS_SCALE, fy=WORDS_SCALE, interpolation=cv2.INTER_CUBIC)
    found = ocr.read_words(img, dpi=round(dpi * WORDS_SCALE), language=_words_language(language))
    words = [Word(w.text, w.confidence, _scaled_box(w.box, 1 / WORDS_SCALE)) for w in found]
    words = _without_tall([w for w in words if not _on_dark(ink, w)])
    _memo.last = (ink, dpi, language, tuple(words))
    return words


def _without_tall(words: list[Word]) -> list[Word]:
    """The page's words less any far taller than its usual one: a bar or a logo read as a word, which would join the
    lines above and below it into one."""
    if not words:
        return words
    usual = statistics.median(w.box[3] - w.box[1] for w in words)
    return [w for w in words if w.box[3] - w.box[1] <= TALL_WORD * usual]


def _scaled_box(box: tuple[float, float, float, float], k: float) -> tuple[float, float, float, float]:
    return box[0] * k, box[1] * k, box[2] * k, box[3] * k


def _on_dark(ink: np.ndarray, w: Word) -> bool:
    """White type on a black bar (section headings): neither a label nor a value. Such a word's surroundings are
    ink; an ordinary word's are paper, but for a rule along one side."""
    x0, y0, x1, y1 = (round(v) for v in w.box)
    m = 3
    h, width = ink.shape
    if x0 < m or y0 < m or x1 + m > width or y1 + m > h:
        return False
    around = ink[y0 - m : y1 + m, x0 - m : x1 + m]
    margin = int(around.sum()) - int(ink[y0:y1, x0:x1].sum())
    return margin > 0.6 * (around.size - (y1 - y0) * (x1 - x0))


# --- where the page puts the form ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Fit:
    """Page pixels = scale * form pixels + shift, from the labels found where the rest of the form puts them."""

    scale: float
    shift: tuple[float, float]
    inliers: int
    dpi: int

    @property
    def found(self) -> bool:
        return self.inliers >= 3

    def at(self, x_pt: float, y_pt: float) -> tuple[float, float]:
        k = self.dpi / 72.0
        return self.scale * k * x_pt + self.shift[0], self.scale * k * y_pt + self.shift[1]

    def distance(self, p: Printed, box: Box) -> float:
        x, y = self.at(p.x, p.top)
        return float(np.hypot(box[0] - x, box[1] - y))

    def in_place(self, p: Printed, box: Box) -> bool:
        return self.found and self.distance(p, box) < SAME_PLACE_IN * self.dpi


def fit_labels(printed: Sequence[Printed], hits: dict[str, list[tuple[LabelHit, Box]]], dpi: int) -> Fit:
    """The scale from the labels' widths, then scale and shift from the labels found once each, those away from
    where the others put them (a moved row, a label read elsewhere) left out. `hits`: each label text's
    candidates with their boxes."""
    k = dpi / 72.0
    unique = [(p, hits[p.text][0][1]) for p in printed if len(hits.get(p.text, ())) == 1]
    ratios = [
        (b[2] - b[0]) / (p.width * k) for p, b in unique if hits[p.text][0][0].similarity >= 0.95 and p.width >= 25
    ]
    scale = statistics.median(ratios) if ratios else 1.0
    if not unique:
        return Fit(scale, (0.0, 0.0), 0, dpi)
    shift = (
        statistics.median(b[0] - scale * k * p.x for p, b in unique),
        statistics.median(b[1] - scale * k * p.top for p, b in unique),
    )
    rough = Fit(scale, shift, 3, dpi)
    near = [(p, h) for p, h in unique if rough.in_place(p, h)]
    if len(near) < 3:
        return Fit(scale, shift, len(near), dpi)
    form_xy = np.array([(p.x * k, p.top * k) for p, _ in near])
    page_xy = np.array([(b[0], b[1]) for _, b in near])
    fc, pc = form_xy - form_xy.mean(axis=0), page_xy - page_xy.mean(axis=0)
    spread = float((fc**2).sum())
    if spread > len(near) * dpi**2:  # labels an inch or more apart: their positions fix the scale better
        scale = float((fc * pc).sum()) / spread
    tx, ty = page_xy.mean(axis=0) - scale * form_xy.mean(axis=0)
    fine = Fit(scale, (float(tx), float(ty)), 3, dpi)
    return Fit(scale, fine.shift, sum(fine.in_place(p, b) for p, b in unique), dpi)


@dataclass(frozen=True)
class Anchor:
    """A found label: form points around it map to page pixels by the page's scale."""

    printed: Printed
    hit: LabelHit
    label: Box  # the label's ink on the page
    scale: float
    dpi: int
    in_place: bool  # where the rest of the form's labels put it

    @property
    def px_per_pt(self) -> float:
        return self.scale * self.dpi / 72.0

    @property
    def square_side(self) -> int:
        """A printed checkbox's side in page pixels at the label's scale."""
        return max(6, round(SQUARE * self.px_per_pt))

    def px(self, x_pt: float, y_pt: float) -> tuple[float, float]:
        k = self.px_per_pt
        return self.label[0] + (x_pt - self.printed.x) * k, self.label[1] + (y_pt - self.printed.top) * k

    def box(self, box: tuple[float, float, float, float], inset_pt: float = 0.0) -> Box:
        x0, y0 = self.px(box[0] + inset_pt, box[1] + inset_pt)
        x1, y1 = self.px(box[2] - inset_pt, box[3] - inset_pt)
        return round(x0), round(y0), round(x1), round(y1)

    def points(self, box: Box) -> tuple[float, float, float, float]:
        """A page-pixel box in points of the page, for FieldRead.box."""
        k = 72.0 / self.dpi
        x0, y0, x1, y1 = box
        return round(x0 * k, 1), round(y0 * k, 1), round(x1 * k, 1), round(y1 * k, 1)


def locate_labels(
    printed: Sequence[Printed], words: list[Word], ink: np.ndarray, dpi: int, language: str
) -> dict[str, Anchor]:
    """Each label's place on the page: where the rest of the form puts it (a label read without its last short
    token, "date" for "date 1", only there), else looked for again there in a crop read at twice the size, else
    the nearest place it was read elsewhere (a moved row); with too few labels to tell where the form is, the
    best-read place."""
    searched = {p.text for p in printed} | {p.stem for p in printed if p.stem}
    found = find_labels(words, {t: t for t in searched})
    shorts = {p.short for p in printed if p.short and p.text not in found}
    wrapped = {p.text for p in printed if p.text not in found}
    if shorts | wrapped:  # not found as printed: printed shorter, or wrapped on two lines in another layout
        lines = wrapped_lines(words)
        more = find_labels(words, {t: t for t in shorts}) | find_labels(words, {t: t for t in wrapped}, lines)
        for p in printed:
            again = more.get(p.text) or more.get(p.short or "")
            if p.text not in found and again:
                found[p.text] = [replace(h, similarity=round(h.similarity * RELOCATED, 3)) for h in again]
    found = _owned(found)
    hits = {t: [(h, _inked(h.box, ink)) for h in candidates] for t, candidates in found.items()}
    fit = fit_labels(printed, hits, dpi)
    out: dict[str, Anchor] = {}
    for p in printed:
        whole = hits.get(p.text, [])
        best = max((c[0].similarity for c in whole), default=0.0)
        # a label read as printed beats one only like it ("Member date" is not "Member name")
        whole = [c for c in whole if c[0].similarity >= best - LIKE]
        chosen: tuple[LabelHit, Box] | None = None
        if fit.found:
            here = [c for c in whole or hits.get(p.stem or "", []) if fit.in_place(p, c[1])]
            chosen = min(here, key=lambda c: fit.distance(p, c[1])) if here else _read_again(p, fit, ink, language)
            # Read as printed elsewhere, and only like it where the form has it: a row that moved, its place now
            # another label's that begins the same ("Send care plans by fax" where "... by portal" is printed).
            if whole and (chosen is None or chosen[0].similarity < best - LIKE):
                chosen = min(whole, key=lambda c: fit.distance(p, c[1]))
        elif whole:
            chosen = max(whole, key=lambda c: c[0].similarity)
        if chosen is not None:
            hit, box = chosen
            out[p.key] = Anchor(p, hit, box, fit.scale, dpi, fit.in_place(p, box))
    return out


def _owned(found: dict[str, list[LabelHit]]) -> dict[str, list[LabelHit]]:
    """Each label's hits less those on words another label reads clearly better: "Send care plans by" is the start
    of "Send care plans by provider portal" read whole, not "Send care plans by fax" read in part (two fields on
    one label's words read one square twice)."""
    best_on: dict[tuple[float, float, float, float], list[tuple[float, str]]] = {}
    for text, candidates in found.items():
        for h in candidates:
            for w in h.words:
                best_on.setdefault(w.box, []).append((h.similarity, text))

    def taken(h: LabelHit, text: str) -> bool:
        return any(s > h.similarity + LIKE and other != text for w in h.words for s, other in best_on[w.box])

    out = {text: [h for h in candidates if not taken(h, text)] for text, candidates in found.items()}
    return {text: candidates for text, candidates in out.items() if candidates}


def _inked(box: tuple[float, float, float, float], ink: np.ndarray) -> Box:
    """A word box shrunk to the ink inside it (Tesseract's boxes of Chinese words run well below the glyphs)."""
    x0, y0, x1, y1 = (round(v) for v in box)
    region = crop(ink, (x0, y0, x1, y1))
    rows, cols = np.flatnonzero(region.sum(axis=1) >= 2), np.flatnonzero(region.any(axis=0))
    if rows.size == 0 or cols.size == 0:
        return x0, y0, x1, y1
    return x0 + int(cols[0]), y0 + int(rows[0]), x0 + int(cols[-1]) + 1, y0 + int(rows[-1]) + 1


def _read_again(p: Printed, fit: Fit, ink: np.ndarray, language: str) -> tuple[LabelHit, Box] | None:
    """A label the page's reading missed (small type), read where the other labels put it: in a crop without the
    rules around it, at twice the size, in the label's own script."""
    x, y = fit.at(p.x, p.top)
    k = fit.scale * fit.dpi / 72.0
    pad = round(3 * k)
    x0, y0 = max(0, round(x) - pad), max(0, round(y) - pad)
    region = crop(ink, (x0, y0, round(x + p.width * k) + 4 * pad, round(y + p.size * k) + pad)).astype(np.uint8)
    if region.size == 0 or not region.any():
        return None
    text = clean.without_rules(region, p.size * k)
    img = cv2.copyMakeBorder(clean.paper(text), 10, 10, 10, 10, cv2.BORDER_CONSTANT, value=255)
    img = cv2.resize(img, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
    script = "chi_tra" if has_chinese(p.text) and "chi_tra" in ocr.available_languages() else None
    found = ocr.read_words(img, dpi=fit.dpi * 2, language=script or _words_language(language), psm=SINGLE_LINE)
    x0, y0 = x0 - 10, y0 - 10
    words = [
        Word(w.text, w.confidence, (x0 + w.box[0] / 2, y0 + w.box[1] / 2, x0 + w.box[2] / 2, y0 + w.box[3] / 2))
        for w in found
    ]
    hits = [(h, _inked(h.box, ink)) for h in find_labels(words, {p.text: p.text}).get(p.text, [])]
    return min(hits, key=lambda c: fit.distance(p, c[1])) if hits else None


# --- reading ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Page:
    ink: np.ndarray
    dpi: int
    speck: int
    language: str
    received: date | None
    words: list[Word]  # the words that are no field's label
    labels: list[Box]  # the labels found, their ink
    rules: Rules  # the printed lines: cells' edges, underlines
    wrapped: list[Box]  # the last words of labels wrapped onto their next line, their ink


def read_page_by_labels(
    page_ink: np.ndarray,
    dpi: int,
    form: FormDef,
    language: str,
    form_page: int,
    *,
    received: date | None,
    words: Sequence[Word] | None = None,
    lexicon: read_form.Lexicon | None = None,
) -> dict[str, FieldRead]:
    """Every field of page `form_page` of `form`, read beside its printed label; `words` (the PDF's text layer, in
    page pixels) instead of OCR when the page has them; the `lexicon`'s values checked as on a registered page."""
    printed = printed_labels(form, language, form_page)
    all_words = list(words) if words is not None else page_words(page_ink, dpi, language)
    fields_labels = [p for p in printed if "=" not in p.key]  # options are found beside their question
    anchors = locate_labels(fields_labels, all_words, page_ink, dpi, language)
    rules = page_rules(page_ink, dpi)
    by_model: set[str] = set()
    if words is None:  # labels in type too small for Tesseract at 204x98, told apart by the line model
        missing = [p for p in fields_labels if p.key not in anchors]
        found = labels_by_line_model(missing, all_words, anchors, page_ink, dpi, rules.vertical)
        by_model = set(found)
        anchors |= found
    if sum(a.in_place for a in anchors.values()) < KNOWN_LAYOUT * len(anchors):
        # Another layout: a label that happens to lie where the form has it says nothing of where its value is, and
        # labels printed in another face say nothing of the page's scale (faxes print at 90-100%).
        anchors = {k: replace(a, in_place=False, scale=1.0) for k, a in anchors.items()}
    label_words = {id(w) for a in anchors.values() for w in a.hit.words}
    others = [w for w in all_words if id(w) not in label_words]
    full_labels = {f.name: f.label_for(language) for f in form.fields if f.page == form_page}
    wrapped: list[Box] = []
    for key, a in anchors.items():
        if key in full_labels and (rest := _label_rest(others, a, full_labels[key])):
            x0, y0, x1, y1 = a.label
            on_line = [w for w in rest if (w.box[1] + w.box[3]) / 2 <= y1]
            if on_line:  # the label's ink runs on to the rest's end on its line; where it starts stays its place
                anchors[key] = replace(a, label=(x0, y0, max(x1, _inked(on_line[-1].box, page_ink)[2]), y1))
            # on the next line: no value's ink, and no other label a value stops at
            wrapped += [_inked(w.box, page_ink) for w in rest if all(w is not o for o in on_line)]
            label_words |= {id(w) for w in rest}
    others = [w for w in others if id(w) not in label_words]
    # a field's printed hint ("MM/DD/YYYY"), wherever this layout prints it (in the box, under the label): no value
    hinted_fields = {f.name: localized(f.hint, language).upper() for f in form.fields if f.page == form_page and f.hint}
    hints = set(hinted_fields.values())
    label_heights = sorted(w.box[3] - w.box[1] for a in anchors.values() for w in a.hit.words)
    small = label_heights[len(label_heights) // 2] if label_heights else 0.0
    near = [_hint_band(a) for key, a in anchors.items() if key in hinted_fields]
    hinted = [w for w in others if _in_a_band(w, near) and _printed_hint(w, hints, page_ink, small)]
    wrapped += [_inked(w.box, page_ink) for w in hinted]
    others = [w for w in others if all(w is not h for h in hinted)]
    speck = max(4, round((dpi / 100) ** 2 * 2))
    labels = [a.label for a in anchors.values()]
    page = _Page(page_ink, dpi, speck, language, received, others, labels, rules, wrapped)
    out: dict[str, FieldRead] = {}
    for f in (f for f in form.fields if f.page == form_page):
        anchor = anchors.get(f.name)
        if anchor is not None and not anchor.in_place and not _framed(f, anchor, page):
            # Read away from its place, with nothing printed around it that the form prints there: the label's words
            # elsewhere on the page may be (a heading "Care Coordination needs" above the box "Care Coordination");
            # a one-word label ("Fax", "Phone") is more likely a word of some other line than the label.
            anchor = _framed_elsewhere(f, anchor, all_words, page) or (
                anchor if len(label_tokens(anchor.printed.text)) > 1 else None
            )
        if anchor is None:
            out[f.name] = FieldRead(value=f.type.blank, confidence=0.0, raw=NOT_FOUND)
        elif f.type is FieldType.CHECKBOX:
            out[f.name] = _checkbox(f, anchor, page)
        elif f.type is FieldType.CHOICE:
            options = {p.key.split("=", 1)[1]: p for p in printed if p.field == f.name and p.key != f.name}
            out[f.name] = _choice(f, anchor, options, page)
        elif f.type is FieldType.SIGNATURE:
            out[f.name] = _signature(f, anchor, page)
        else:
            out[f.name] = _text(f, anchor, page)
        if f.name in by_model:
            out[f.name] = _capped(out[f.name], MODEL_LABEL_READ)
    if lexicon is None or words is not None:
        return out

    def ink_of(f: FieldDef) -> np.ndarray:
        anchor = anchors.get(f.name)
        if anchor is None or out[f.name].raw == NOT_FOUND:
            return np.zeros((1, 1), dtype=bool)
        return _written_ink(_clipped(_value_box(f, anchor, page, 1.0), anchor, page), page)

    return read_form.check_hypotheses(out, lexicon, form, ink_of)


HINT_LIKENESS = 0.5  # small type: 'MMIDDY', 'MM/DONYYYY', 'MMIODINYYY' are how a fax's 'MM/DD/YYYY' reads
HINT_MIN_CHARS = 5
HINT_MARGIN = -4.0  # log probability below the line model's best reading at which a word still reads as the hint


def _hint_band(anchor: Anchor) -> tuple[float, float, float]:
    """Where a field's hint can be printed: right of its label's start, from a line above it to two below (its
    value's cell, or under the label)."""
    x0, y0, _, y1 = anchor.label
    height = y1 - y0
    return x0, y0 - height, y1 + 2.5 * height


def _in_a_band(w: Word, bands: list[tuple[float, float, float]]) -> bool:
    mid = (w.box[1] + w.box[3]) / 2
    return any(w.box[0] >= x0 and top <= mid <= bottom for x0, top, bottom in bands)


def _printed_hint(w: Word, hints: set[str], ink: np.ndarray, small: float) -> bool:
    """Whether a word is a field's printed hint: read as one, or else (Tesseract's 'muvopiyvvy' for a 6.5 pt
    'MM/DD/YYYY') an unsure word of no digit in type no taller than the labels' that the line model's frames read
    as the hint about as well as anything."""
    seen = w.text.strip("()[]:;.,").upper()
    if len(seen) < HINT_MIN_CHARS:
        return False
    if any(likeness(seen, h) >= HINT_LIKENESS for h in hints):
        return True
    if w.confidence >= read_form.SURE or any(c.isdigit() for c in seen) or w.box[3] - w.box[1] > small:
        return False
    candidates = [h for h in hints if 0.6 * len(h) <= len(seen) <= 1.5 * len(h)]
    if not candidates:
        return False
    x0, y0, x1, y1 = (round(v) for v in w.box)
    word = crop(ink, (x0 - 2, y0 - 2, x1 + 2, y1 + 2))
    if not word.any():
        return False
    probs = line_model.probabilities(word)
    best = line_model.free_log_probability(probs)
    return any(
        (lit := line_model.read_literal(probs, h)) is not None and lit.log_probability - best >= HINT_MARGIN
        for h in candidates
    )


def _word_runs(words: list[Word], vertical: Sequence[tuple[int, int, int]] = ()) -> list[list[Word]]:
    """Each line's words in runs set apart by gaps wider than about a word's height, or by a cell's side (`vertical`
    rules, x, y0, y1): a box's label, a question. (A hint printed at a cell's right end, "MM/DD/YYYY", stands as
    close to the next cell's label as a word to the next.)"""
    runs: list[list[Word]] = []
    for line in lines_of(words):
        run = [line[0]]
        for w in line[1:]:
            height = max(w.box[3] - w.box[1], run[-1].box[3] - run[-1].box[1])
            mid = (w.box[1] + w.box[3]) / 2
            side = any(run[-1].box[2] - 2 <= x <= w.box[0] + 2 and y0 < mid < y1 for x, y0, y1 in vertical)
            if w.box[0] - run[-1].box[2] < RUN_GAP * height and not side:
                run.append(w)
            else:
                runs.append(run)
                run = [w]
        runs.append(run)
    return runs


def labels_by_line_model(
    missing: Sequence[Printed],
    words: list[Word],
    anchors: dict[str, Anchor],
    ink: np.ndarray,
    dpi: int,
    vertical: Sequence[tuple[int, int, int]] = (),
) -> dict[str, Anchor]:
    """Labels Tesseract's reading of the page missed (6.5 pt type at 204x98 reads as 'Mecertace eractiat (hast,
    fant'), found among the page's runs of words by the line model: each missing label's printed text is scored
    against each run of about its length (how much less likely the text is than the model's own best reading, per
    character), and labels and runs are paired best first, each once, while the score holds. The model tells which
    of a few known labels a run is far better than it reads the run."""
    wanted = [p for p in missing if not has_chinese(p.text) and len(p.text.replace(" ", "")) >= MODEL_LABEL_CHARS]
    if not wanted:
        return {}
    everyone = [*missing, *(a.printed for a in anchors.values())]
    spellings = [_model_spellings(p, everyone) for p in wanted]
    taken = {id(w) for a in anchors.values() for w in a.hit.words}
    runs = [_without_specks(r) for r in _word_runs(words, vertical) if not any(id(w) in taken for w in r)]
    scale = statistics.median([a.scale for a in anchors.values()]) if anchors else 1.0
    tallest = MODEL_LABEL_HEIGHT * max(p.size for p in wanted) * dpi / 72.0  # values are written larger
    scores: list[tuple[float, int, int]] = []
    for j, run in enumerate(runs):
        x0, y0 = min(w.box[0] for w in run), min(w.box[1] for w in run)
        x1, y1 = max(w.box[2] for w in run), max(w.box[3] for w in run)
        height = statistics.median(w.box[3] - w.box[1] for w in run)
        if height > tallest:
            continue
        letters = (x1 - x0) / (LETTER_WIDTH * height)  # about how many characters the run holds
        fits = [
            (i, text, wrapped)
            for i, texts in enumerate(spellings)
            for text, wrapped in texts
            if 0.6 <= letters / len(text) <= 1.7
        ]
        if any(wrapped for _, _, wrapped in fits) and not any(  # a line below starts under the run's first word,
            y1 < (w.box[1] + w.box[3]) / 2 <= y1 + WRAPPED_REACH * height  # as a label's wrapped words do
            and abs(w.box[0] - x0) <= 2 * LETTER_WIDTH * height
            for w in words
        ):
            fits = [fit for fit in fits if not fit[2]]
        if not fits:
            continue
        region = crop(ink, (round(x0) - 2, round(y0) - 2, round(x1) + 2, round(y1) + 2))
        if int(region.sum()) < MODEL_RUN_INK:
            continue
        probs = line_model.probabilities(region)
        free = line_model.free_log_probability(probs)
        for i, text, wrapped in fits:
            read = line_model.read_literal(probs, text)
            score = None if read is None else (read.log_probability - free) / len(text.replace(" ", ""))
            if score is not None and score >= (MODEL_WRAPPED_SCORE if wrapped else MODEL_LABEL_SCORE):
                scores.append((score, i, j))
    out: dict[str, Anchor] = {}
    used: set[int] = set()
    for score, i, j in sorted(scores, reverse=True):
        if score < MODEL_LABEL_SCORE:
            break
        p = wanted[i]
        if p.key in out or j in used:
            continue
        used.add(j)
        hit = LabelHit(p.text, tuple(runs[j]), MODEL_LABEL_SIMILARITY)
        out[p.key] = Anchor(p, hit, _inked(hit.box, ink), scale, dpi, False)
    return out


def _without_specks(run: list[Word]) -> list[Word]:
    """A run's words less those far smaller than the rest (a speck read as a mark after a label), which a label's
    text, read against the run's ink, cannot account for."""
    height = statistics.median(w.box[3] - w.box[1] for w in run)
    return [w for w in run if w.box[3] - w.box[1] >= 0.5 * height] or run


def _model_spellings(p: Printed, everyone: Sequence[Printed]) -> list[tuple[str, bool]]:
    """A label as printed; as another revision prints it shorter ("Member name" for "Member name (last, first)");
    and its first words, of two or more, as a narrow column wraps it (where they begin no other label), each with
    whether it is a wrapped label's first line."""
    words = p.text.split()
    heads = [" ".join(words[:k]) for k in range(2, len(words))]
    distinct = [h for h in heads if h != p.short and not any(o.text.startswith(h) for o in everyone if o.key != p.key)]
    whole = dict.fromkeys([p.text, *([p.short] if p.short else [])])
    return [(text, False) for text in whole] + [(h, True) for h in distinct]


def _framed_elsewhere(f: FieldDef, anchor: Anchor, words: list[Word], page: _Page) -> Anchor | None:
    """Another place the page reads a checkbox's label, with the square the form prints beside it there."""
    if f.type is not FieldType.CHECKBOX:
        return None
    for hit in find_labels(words, {anchor.printed.text: anchor.printed.text}).get(anchor.printed.text, []):
        if hit.box != anchor.hit.box:
            other = replace(anchor, hit=hit, label=_inked(hit.box, page.ink))
            if _framed(f, other, page):
                return other
    return None


def _framed(f: FieldDef, anchor: Anchor, page: _Page) -> bool:
    """What the form prints with the label is there too: the cell's rule above a text label, the square beside a
    checkbox's or an option's, the line above a signature's."""
    if f.type is FieldType.CHECKBOX:
        return (_square_near(anchor.box(f.box), anchor, page) or _square_left_of(anchor, page)) is not None
    if f.type is FieldType.CHOICE:
        assert f.options is not None
        return any(_square_near(anchor.box(b), anchor, page) is not None for b in f.options.values())
    if f.type is FieldType.SIGNATURE:
        return _line_above(f, anchor, page) or _beside_label(f, anchor, page) is not None
    return _cell_above(anchor, page) or _beside_label(f, anchor, page) is not None


def _adjusted(read: FieldRead, adjust: Callable[[float], float], **update: object) -> FieldRead:
    """The read with both its confidences adjusted alike."""
    update["confidence"] = adjust(read.confidence)
    if read.content_confidence is not None:
        update["content_confidence"] = adjust(read.content_confidence)
    return read.model_copy(update=update)


def _scaled(read: FieldRead, factor: float, box: tuple[float, float, float, float]) -> FieldRead:
    return _adjusted(read, lambda c: round(c * factor, 3), box=box)


def _capped(read: FieldRead, cap: float) -> FieldRead:
    return _adjusted(read, lambda c: min(c, cap))


# Text-like fields ---------------------------------------------------------------------------------------------


def _text(f: FieldDef, anchor: Anchor, page: _Page) -> FieldRead:
    ruled = _ruled_place(f, anchor, page)
    area, inner = (_clipped(box, anchor, page) for box in _boxes_at(ruled, f, anchor, 0.0, 1.0))
    label = set() if f.type is FieldType.MULTILINE else set(label_tokens(f.label_for(page.language)))
    # The rest of a label found by its first words or printed shorter ("(describe)") is not the value (a paragraph's
    # words are: its long prompt has most of the little words).
    inside = _without_label_words([w for w in page.words if _centre_in(w, area)], label)
    # The value's place confirmed: the form's own layout, the cell the label heads, or the lines printed about it.
    placed = anchor.in_place or _cell_above(anchor, page) or ruled is not None
    factor = LABEL_READ if placed else BY_POSITION
    if not inside:
        beside = _beside(f, anchor, page)
        if beside:
            inside, factor = beside, BY_POSITION
    if f.type is FieldType.MULTILINE:
        written = None if anchor.in_place else _written(f, inner, page)
        read = written or (_paragraph(f, inside, page) if inside else _blank(f, anchor, inner, page))
        return _scaled(read, _confirmed(factor, read, f, lambda: _alone(anchor, area, page)), anchor.points(area))
    line = _words_read(f, inside, page) if inside else None
    if line is None or not line.valid or line.confidence < read_form.SURE:
        # Words read with the whole page are read again on their own: with the type's characters only where the
        # form's layout holds; in another layout, as a registered box is read, the lines about it taken away.
        zonal = _zonal(f, inner, page) if anchor.in_place else _written(f, inner, page)
        line = _reconciled(line, zonal) if zonal is not None else line
    read = line or _blank(f, anchor, inner, page)
    return _scaled(read, _confirmed(factor, read, f, lambda: _alone(anchor, area, page)), anchor.points(area))


def _without_label_words(words: list[Word], label: set[str]) -> list[Word]:
    """The words in a value's box without the label's own that lead a line (its rest, "(describe)"): a label's
    word after the value's first ("Practice" of "Salinas Valley Family Practice", beside "Practice / clinic name")
    is the value's."""
    out = []
    for line in lines_of(words):
        lead = True
        for w in line:
            tokens = set(label_tokens(w.text))
            lead = lead and tokens <= label
            if tokens and not lead:
                out.append(w)
    return out


def _confirmed(factor: float, read: FieldRead, f: FieldDef, alone: Callable[[], bool]) -> float:
    """A read where the value's place is confirmed is sure of its place when the box confirms it too: a date, NPI or
    CIN that passes its check, or a box with no ink in it and no word the page read anywhere about the label and
    its box (`alone`, asked only then): on the dev revisions all 85 blank boxes beside a found label were blank, but on the test
    revisions a box placed under a label wrapped onto two lines missed the value written level with its second line,
    which the page's words had."""
    if factor != LABEL_READ:
        return factor
    if f.type in VALIDATED_BY_LABEL and read.valid and read.value:
        return CONFIRMED_READ
    if read.raw == "" and not read.value and read.confidence >= EMPTY_BOX and alone():
        return CONFIRMED_READ
    return factor


def _alone(anchor: Anchor, area: Box, page: _Page) -> bool:
    """No word the page read (but labels) about a label and its value's box: right of the label to the box's end,
    from the label's top to two lines below it or the box's bottom."""
    x0, y0, x1, y1 = anchor.label
    near = (min(x0, area[0]), y0, max(x1, area[2]), max(area[3], y1 + 2 * (y1 - y0)))
    return not any(_centre_in(w, near) and len(w.text.strip(".,:;'-_|")) > 1 for w in page.words)


def _label_rest(words: list[Word], anchor: Anchor, label: str) -> list[Word]:
    """A label found by its first words or as it is printed shorter ("Member name" of "Member name (last, first)"):
    the rest of it, misread ("(Iast, Flyst)"), which is no part of the value: the words on the label's line, right
    after it and within the rest's length, that read like the rest's next words in turn."""
    rest = label_tokens(label)[len(label_tokens(" ".join(w.text for w in anchor.hit.words))) :]
    if not rest:
        return []
    x0, y0, x1, y1 = anchor.hit.box
    per_char = (x1 - x0) / max(1, sum(len(w.text) for w in anchor.hit.words))
    same_line = [w for w in words if y0 <= (w.box[1] + w.box[3]) / 2 <= y1 and w.box[0] >= x1 - per_char]
    out = _reading_like(same_line, rest, x1 + REST_LENGTH * per_char * (len(" ".join(rest)) + 2))
    rest = rest[len(label_tokens(" ".join(w.text for w in out))) :]
    if not rest:
        return out
    # wrapped onto the next line by a narrow column: its first word starts under the label's
    below = [w for w in words if y1 < (w.box[1] + w.box[3]) / 2 <= y1 + WRAPPED_REACH * (y1 - y0)]
    starts = [w for w in below if abs(w.box[0] - x0) <= 2 * per_char]
    if not starts:
        return out
    first = min(starts, key=lambda w: w.box[1])
    line = [w for w in below if abs(w.box[1] - first.box[1]) <= 0.5 * (y1 - y0) and w.box[0] >= first.box[0]]
    return out + _reading_like(line, rest, first.box[0] + REST_LENGTH * per_char * (len(" ".join(rest)) + 2))


def _reading_like(line: list[Word], rest: list[str], end: float) -> list[Word]:
    """The words of `line`, left to right from its first, while they read like the `rest` of a label's words in
    turn and start before `end`."""
    out: list[Word] = []
    for w in sorted(line, key=lambda w: w.box[0]):
        tokens = label_tokens(w.text)
        if w.box[0] > end or not tokens or len(tokens) > len(rest):
            break
        if not all(_reads_like(t, r) for t, r in zip(tokens, rest, strict=False)):
            break
        out.append(w)
        rest = rest[len(tokens) :]
        if not rest:
            break
    return out


def _reads_like(seen: str, printed: str) -> bool:
    return likeness(seen, printed) >= REST_SIMILARITY


def _written(f: FieldDef, area: Box, page: _Page) -> FieldRead | None:
    """What was written in `area` read as a registered box is (read_form.read_written): the printed lines about
    it and the labels in it taken away; None when nothing was written there."""
    ink = _written_ink(area, page, f.type in read_form.PERIODS_MATTER)
    if ink.sum() < _letter(page) * 0.6:
        return None
    return read_form.read_written(f, ink, page.dpi, page.language, page.received)


def _written_ink(area: Box, page: _Page, periods_apart: bool = False) -> np.ndarray:
    """The ink written in `area`: the printed lines about it and the labels in it taken away."""
    region = crop(page.ink, area).astype(np.uint8)
    if region.size == 0:
        return np.zeros((1, 1), dtype=bool)
    rules = cv2.morphologyEx(region, cv2.MORPH_OPEN, np.ones((1, round(RULE_MIN_IN[0] * page.dpi)), np.uint8))
    rules = np.maximum(rules, cv2.morphologyEx(region, cv2.MORPH_OPEN, np.ones((round(0.25 * page.dpi), 1), np.uint8)))
    for b in (*page.labels, *page.wrapped):  # a neighbour's label the area runs into
        if (inside := _part_in(b, area)) is not None:
            rules[inside] = 1
    kept = (region > 0) & (cv2.dilate(rules, np.ones((3, 3), np.uint8)) == 0)
    return read_form._text_ink(kept, page.speck, page.dpi, periods_apart)


# Where a value is, from the page's own printed lines ------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    """The page's printed lines, in page pixels: horizontal ones (y, x0, x1) and vertical ones (x, y0, y1)."""

    horizontal: tuple[tuple[int, int, int], ...]
    vertical: tuple[tuple[int, int, int], ...]


RULE_MIN_IN = (0.35, 0.2)  # shortest horizontal and vertical rule: longer than any letter is wide, or tall
RULE_MAX_THICK_IN = 0.06  # thicker is a section's black bar, not a rule


def page_rules(ink: np.ndarray, dpi: int) -> Rules:
    img = ink.astype(np.uint8)
    found: list[tuple[tuple[int, int, int], ...]] = []
    for kernel, horizontal in (((1, round(RULE_MIN_IN[0] * dpi)), True), ((round(RULE_MIN_IN[1] * dpi), 1), False)):
        lines = cv2.morphologyEx(img, cv2.MORPH_OPEN, np.ones(kernel, np.uint8))
        _, _, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
        out = []
        for x, y, w, h, _area in stats[1:]:
            thick = h if horizontal else w
            if thick <= RULE_MAX_THICK_IN * dpi:
                out.append(
                    (int(y + h // 2), int(x), int(x + w)) if horizontal else (int(x + w // 2), int(y), int(y + h))
                )
        found.append(tuple(out))
    return Rules(found[0], found[1])


def _value_box(f: FieldDef, anchor: Anchor, page: _Page, inset_pt: float = 0.0) -> Box:
    return _value_boxes(f, anchor, page, inset_pt)[0]


def _value_boxes(f: FieldDef, anchor: Anchor, page: _Page, *insets_pt: float) -> list[Box]:
    """Where the field's value is, once per inset (points): where the form puts it from its label when the label is
    where the form has it; else (another layout) from the lines printed about the label: the line it is written on
    right of the label (an underline, the bottom of a cell the label starts), or the cell under the label down to
    the cell's bottom rule. With no such line, where the form would put it."""
    return _boxes_at(_ruled_place(f, anchor, page), f, anchor, *insets_pt)


def _boxes_at(found: Box | None, f: FieldDef, anchor: Anchor, *insets_pt: float) -> list[Box]:
    """The value's box once per inset: `found` from the lines printed about the label, else where the form puts it."""
    if found is None:
        return [anchor.box(f.box, inset_pt) for inset_pt in insets_pt]
    x0, y0, x1, y1 = found
    insets = [round(inset_pt * anchor.px_per_pt) for inset_pt in insets_pt]
    return [(x0 + inset, y0 + inset, x1 - inset, y1 - inset) for inset in insets]


def _ruled_place(f: FieldDef, anchor: Anchor, page: _Page) -> Box | None:
    """In another layout, the value's box as the lines printed about its label make it; None in the form's own
    layout, or where no such line is printed."""
    if anchor.in_place:
        return None
    found = _beside_label(f, anchor, page)
    if found is None and f.type is not FieldType.SIGNATURE:  # a signature's label is printed under it
        found = _under_label(f, anchor, page)
    return found


def _line_height(anchor: Anchor) -> float:
    return float(statistics.median(w.box[3] - w.box[1] for w in anchor.hit.words))


BESIDE_REACH = 1.6  # line heights below a label's line that the rule a value is written on right of it may lie
WRAPPED_REACH = 2.6  # ... a label's line found by its first words, its last ones wrapped onto the next line


def _beside_label(f: FieldDef, anchor: Anchor, page: _Page) -> Box | None:
    """A value written right of its label: on a rule that runs under the label's line right of it."""
    if f.type is FieldType.MULTILINE:
        return None
    _lx0, ly0, lx1, ly1 = anchor.label
    lh = _line_height(anchor)
    k = page.dpi
    gap = 0.08 * k
    candidates = [
        (y, x0, x1)
        for y, x0, x1 in page.rules.horizontal
        if ly1 - 0.4 * lh <= y <= ly1 + WRAPPED_REACH * lh
        and x0 <= lx1 + 1.2 * k
        and x1 >= lx1 + 0.4 * k
        # further down, only a rule that starts right of the label (under a label's wrapped last words), not the
        # bottom of the cell the label heads
        and (y <= ly1 + BESIDE_REACH * lh or x0 >= lx1 - lh)
    ]
    if not candidates:
        return None
    y, x0, x1 = min(candidates, key=lambda r: (abs(r[0] - ly1), max(0, r[1] - lx1)))
    start = max(x0, round(lx1 + gap))
    stop = min([x1, *(v for v, v0, v1 in page.rules.vertical if start < v < x1 and v0 < y - lh < v1)])
    stop = min([stop, *(round(b[0]) - 2 for b in page.labels if start < b[0] < stop and b[1] < ly1 and ly0 < b[3])])
    above = [r for r, r0, r1 in page.rules.horizontal if y - 0.6 * k < r < y - 1.5 * lh and r0 < stop and r1 > start]
    top = max(above) + 2 if above else round(y - max(2.6 * lh, 0.25 * k))
    top = min(max(top, round(ly0 - 0.8 * lh)), round(ly0 - 0.3 * lh))  # the value is level with its label
    return start, top, stop, y - 1


def _under_label(f: FieldDef, anchor: Anchor, page: _Page) -> Box | None:
    """A value written under its label, in the label's cell: down to the first rule below that runs under the
    label, across to the cell's sides (its vertical rules, else that rule's ends)."""
    lx0, _ly0, lx1, ly1 = anchor.label
    lh = _line_height(anchor)
    k = page.dpi
    reach = max(0.6 * k, 1.4 * (f.cell[3] - f.cell[1]) * anchor.px_per_pt)
    below = [
        (y, x0, x1) for y, x0, x1 in page.rules.horizontal if ly1 < y <= ly1 + reach and x0 <= lx0 + lh and x1 >= lx1
    ]
    if not below:
        return None
    y, x0, x1 = min(below)
    if y - ly1 < BESIDE_REACH * lh:  # the cell ends under the label: the value is beside it, not below
        return None
    lefts = [v for v, v0, v1 in page.rules.vertical if x0 - 2 <= v <= lx0 and v0 < (ly1 + y) / 2 < v1]
    rights = [v for v, v0, v1 in page.rules.vertical if lx1 <= v <= x1 + 2 and v0 < (ly1 + y) / 2 < v1]
    left = max(lefts) + 2 if lefts else x0
    right = min(rights) - 2 if rights else x1
    return left, round(ly1 + 1), right, y - 1


def _paragraph(f: FieldDef, inside: list[Word], page: _Page) -> FieldRead:
    """A multiline box: its confidence is the chance the whole paragraph is right, as for a registered read."""
    inside = [w for w in inside if len(w.text) > 2 or any(ch.isalnum() for ch in w.text)] or inside  # specks
    text = " ".join(" ".join(w.text for w in line) for line in lines_of(inside))
    content = sum(w.confidence for w in inside) / len(inside)
    read = read_form._normalized(f, text, content, page.received)
    exact = content ** max(1.0, len(inside) / read_form.WORDS_PER_CONFIDENCE_STEP)
    return read.model_copy(update={"confidence": round(exact, 3), "content_confidence": round(content, 3)})


def _words_read(f: FieldDef, inside: list[Word], page: _Page) -> FieldRead | None:
    text = read_form._strip_edge_junk(" ".join(" ".join(w.text for w in line) for line in lines_of(inside)))
    if not text:
        return None
    confidences = [w.confidence for w in inside]
    weakest = min(confidences)
    confidence = max(0.0, min(1.0, 0.5 * sum(confidences) / len(confidences) + 0.5 * weakest))
    if f.type is FieldType.ICD10_LIST:
        confidence = min([confidence, *(w.confidence for w in inside if CODE.search(w.text))])
    return read_form._normalized(f, text, confidence, page.received, weakest)


CODE = re.compile(r"[A-Z][0-9OIl]{2}")


def _zonal(f: FieldDef, area: Box, page: _Page) -> FieldRead | None:
    """The box read on its own as one line, with the characters its type allows, as a registered box is."""
    region = _unprinted(area, page)
    if region.size == 0:
        return None
    ink = read_form._text_ink(region, page.speck, page.dpi, f.type in read_form.PERIODS_MATTER)
    if ink.sum() < _letter(page) * 0.6:
        return None
    img, dpi = read_form._for_ocr(ink, page.dpi)
    language = read_form.OCR_LANGUAGE.get(page.language, "eng")
    result = ocr.read_line(img, dpi=dpi, charset=read_form.CHARSETS.get(f.type), language=language)
    text = read_form._strip_edge_junk(result.text)
    confidence = read_form._confidence(result)
    weakest = min(result.char_confidences, default=confidence)
    if f.type is FieldType.MEMBER_ID and not read_form.SHAPES[f.type].fullmatch(text.replace(" ", "")):
        split = read_form._read_cin_in_parts(ink, dpi=page.dpi, language=language)
        if split is not None:
            text, confidence = split
            weakest = confidence
    if not text:
        return None
    return read_form._normalized(f, text, confidence, page.received, weakest)


def _unprinted(area: Box, page: _Page) -> np.ndarray:
    """The page's ink in `area` without the rest of a label or a printed hint that the area runs into."""
    region = crop(page.ink, area).copy()
    for b in page.wrapped:
        if (inside := _part_in(b, area, grow=1)) is not None:
            region[inside] = 0
    return region


def _part_in(b: Box, area: Box, grow: int = 0) -> tuple[slice, slice] | None:
    """The rows and columns of a crop of `area` that box `b` (page pixels, grown by `grow` right and down) covers;
    None when it lies wholly above or left of the crop."""
    x0, y0 = max(0, round(b[0]) - area[0]), max(0, round(b[1]) - area[1])
    x1, y1 = round(b[2]) - area[0] + grow, round(b[3]) - area[1] + grow
    return (slice(y0, y1), slice(x0, x1)) if x1 > 0 and y1 > 0 else None


def _reconciled(words: FieldRead | None, zonal: FieldRead) -> FieldRead:
    """Two Tesseract readings of one box are not independent: agreeing, the surer stands; disagreeing, a valid
    reading beats an invalid one, and two valid different ones leave it to a person."""
    if words is None:
        return zonal
    if str(words.value).casefold() == str(zonal.value).casefold():
        return max((words, zonal), key=lambda r: r.confidence)
    if words.valid != zonal.valid:
        return words if words.valid else zonal
    best = max((words, zonal), key=lambda r: r.confidence)
    return best.model_copy(update={"confidence": min(best.confidence, read_form.DISAGREEMENT_CAP)})


def _letter(page: _Page) -> float:
    return (page.dpi / 72.0 * 7) ** 2 * 0.12  # about the ink of one small printed character


def _centre_in(w: Word, box: Box) -> bool:
    cx, cy = (w.box[0] + w.box[2]) / 2, (w.box[1] + w.box[3]) / 2
    return box[0] <= cx <= box[2] and box[1] <= cy <= box[3]


def _clipped(area: Box, anchor: Anchor, page: _Page) -> Box:
    """The value's box, ending where another label starts inside it (a row that moved, a re-typed layout)."""
    x0, y0, x1, y1 = area
    for b in page.labels:
        if b == anchor.label or not (b[0] < x1 and x0 < b[2] and b[1] < y1 and y0 < b[3]):
            continue
        if b[1] > y0 + (y1 - y0) * 0.3:
            y1 = min(y1, round(b[1]) - 1)
        elif b[0] > x0:
            x1 = min(x1, round(b[0]) - 1)
    return x0, y0, x1, y1


def _beside(f: FieldDef, anchor: Anchor, page: _Page) -> list[Word]:
    """Words typed on the label's own line, right of the printed label, within its cell (the printed hint apart)."""
    _, top, _, bottom = anchor.label
    start = anchor.label[0] + anchor.printed.line_width * anchor.px_per_pt
    stop = anchor.px(f.cell[2] - (32 if f.hint else 2), 0)[0]
    stop = min([stop, *(b[0] for b in page.labels if b[0] > start and b[1] < bottom and top < b[3])])
    return [w for w in page.words if start < w.box[0] and w.box[2] <= stop and top < (w.box[1] + w.box[3]) / 2 < bottom]


def _blank(f: FieldDef, anchor: Anchor, inner: Box, page: _Page) -> FieldRead:
    """Nothing read in the box (`inner`: kept a point clear of its edges): blank when there is no ink either, else
    something a person should look at."""
    region = _unprinted(inner, page)
    amount = int(read_form._text_ink(region, page.speck, page.dpi).sum()) if region.size else 0
    letter = _letter(page) * anchor.scale**2
    confidence = EMPTY_BOX if amount < letter * 0.2 else 0.75 if amount < letter * 0.6 else 0.3
    return FieldRead(value=f.type.blank, confidence=confidence, raw="")


def _cell_above(anchor: Anchor, page: _Page) -> bool:
    """A text field's label sits at the top of its printed cell: a rule runs just above it."""
    x0, y0, x1, _ = anchor.label
    reach = max(3, round(4 * anchor.px_per_pt))
    band = crop(page.ink, (round(x0), round(y0) - reach, round(x1), round(y0)))
    return bool(band.size) and float(band.mean(axis=1).max()) >= 0.8


# Marks ------------------------------------------------------------------------------------------------------


def _square_near(expected: Box, anchor: Anchor, page: _Page) -> Box | None:
    side = anchor.square_side
    return find_square(page.ink, expected, side, (side, side // 2, side // 3, side // 2))


def _checkbox(f: FieldDef, anchor: Anchor, page: _Page) -> FieldRead:
    """The square printed left of the label; where none is seen, the place the form puts it."""
    expected = anchor.box(f.box)
    found = _square_near(expected, anchor, page) or _square_left_of(anchor, page)
    box = found or expected
    read = read_checkbox(without_squares(page.ink, [found]) if found else page.ink, box, page.speck)
    if found is None and not anchor.in_place:  # where the form would put the square says nothing here
        return _scaled(read, UNPLACED / max(read.confidence, UNPLACED), anchor.points(box))
    return _scaled(read, CONFIRMED_READ if found else BY_POSITION, anchor.points(box))


def _square_left_of(anchor: Anchor, page: _Page) -> Box | None:
    """The square just left of a label's first line, in another layout's spacing."""
    first = anchor.hit.words[0].box
    return _square_before(first[0], (first[1] + first[3]) / 2, anchor, page)


def _square_before(x: float, mid: float, anchor: Anchor, page: _Page) -> Box | None:
    """The printed square that ends just left of `x` on the line through `mid`, or that OCR read as the word's
    first character (a box read "[" or "O" and run into the label): looked for across the word's left edge."""
    side = anchor.square_side
    near = (round(x) - side - side // 2, round(mid) - side // 2, round(x) - side // 2, round(mid) - side // 2 + side)
    return find_square(page.ink, near, side, (side, side // 2, side + side // 2, side // 2))


def _choice(f: FieldDef, anchor: Anchor, options: dict[str, Printed], page: _Page) -> FieldRead:
    """Each option's square where the form puts it beside the question, else left of the option's printed word on
    the question's line; where neither is seen, the place the form puts it."""
    assert f.options is not None
    in_order = None if anchor.in_place else _squares_on_line(anchor, page, len(f.options))
    if in_order is not None:  # another layout: its squares on the question's line, one per option, in order
        boxes = dict(zip(f.options, in_order, strict=True))
        read = read_choice(without_squares(page.ink, in_order), boxes, page.speck)
        return _scaled(read, CONFIRMED_READ, anchor.points(_span(in_order)))
    boxes = {}
    found: list[Box] = []
    for value, square in f.options.items():
        expected = anchor.box(square)
        # In the form's layout its square is where the form puts it; in another, the option's word says where.
        at = _square_near(expected, anchor, page) if anchor.in_place else None
        word = _option_word(options[value], anchor, expected, page) if at is None and value in options else None
        if word is not None:  # the square is printed just left of its option's word
            at = _square_before(word.box[0], (word.box[1] + word.box[3]) / 2, anchor, page)
        if at is None and not anchor.in_place:
            at = _square_near(expected, anchor, page)
        if at in found:  # one square, one option
            at = None
        boxes[value] = at or expected
        if at is not None:
            found.append(at)
    read = read_choice(without_squares(page.ink, found), boxes, page.speck)
    if len(found) < len(boxes) and not anchor.in_place:  # where the form would put a square says nothing here
        return _scaled(read, UNPLACED / max(read.confidence, UNPLACED), anchor.points(expected))
    span = _span(list(boxes.values()))
    return _scaled(read, CONFIRMED_READ if len(found) == len(boxes) else BY_POSITION, anchor.points(span))


def _span(boxes: list[Box]) -> Box:
    return min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)


def _squares_on_line(anchor: Anchor, page: _Page, count: int) -> list[Box] | None:
    """The printed squares right of a question on its first line, left to right, when there are exactly `count`."""
    side = anchor.square_side
    first = anchor.hit.words[0].box
    mid = (first[1] + first[3]) / 2
    band = (round(anchor.label[2]), round(mid - side), page.ink.shape[1] - 1, round(mid + side))
    ink = page.ink.copy()
    found: list[Box] = []
    while len(found) <= count:
        square = find_square(ink, band, side, (0, 0, 0, 0))
        if square is None:
            break
        found.append(square)
        ink[square[1] : square[3], square[0] : square[2]] = False
    return sorted(found) if len(found) == count else None


def _option_word(option: Printed, anchor: Anchor, expected: Box, page: _Page) -> Word | None:
    """The option's printed word on the question's line, right of the question (a mark may run into it)."""
    wanted = label_tokens(option.text)
    if not wanted:
        return None
    height = expected[3] - expected[1]
    for w in sorted(page.words, key=lambda w: abs(w.box[0] - expected[2])):
        mid = (w.box[1] + w.box[3]) / 2
        if w.box[0] <= anchor.label[2] or not expected[1] - height < mid < expected[3] + height:
            continue
        got = label_tokens(w.text)
        if got and got[-1].endswith(wanted[-1]):
            return w
    return None


def _signature(f: FieldDef, anchor: Anchor, page: _Page) -> FieldRead:
    """Ink above the signature line (the label is printed under it), the line itself taken away; where no line
    runs there though the label is in its place, above a line printed right of the label ("PCP signature ____",
    as some revisions set it)."""
    area = _value_box(f, anchor, page)
    read, lined = _signed_above(area, page)
    if not lined and anchor.in_place and (beside := _beside_label(f, anchor, page)) is not None:
        again, lined = _signed_above(beside, page)
        if lined:
            read, area = again, beside
    if read is None:
        return FieldRead(value=False, confidence=0.0, raw=NOT_FOUND)
    return _scaled(read, CONFIRMED_READ if lined else BY_POSITION, anchor.points(area))


def _signed_above(area: Box, page: _Page) -> tuple[FieldRead | None, bool]:
    """The signature read in `area`, and whether a line runs along its bottom."""
    x0, y0, x1, y1 = area
    region = crop(page.ink, (x0, y0, x1, y1 + max(3, (y1 - y0) // 3))).astype(np.uint8)
    if region.size == 0:
        return None, False
    lines = _long_lines(region)
    strokes = (region > 0) & (cv2.dilate(lines, np.ones((3, 3), np.uint8)) == 0)
    inside = strokes[: y1 - y0]
    read = read_signature(inside, (0, 0, inside.shape[1], inside.shape[0]), page.speck)
    return read, bool(lines[max(0, y1 - y0 - 2) :].any())


def _long_lines(region: np.ndarray) -> np.ndarray:
    """Horizontal rules a third of the region wide or more (the signature line; strokes of a signature are not)."""
    return cv2.morphologyEx(region, cv2.MORPH_OPEN, np.ones((1, max(10, region.shape[1] // 3)), np.uint8))


def _line_above(f: FieldDef, anchor: Anchor, page: _Page) -> bool:
    """The signature line runs along the bottom of the signature's area."""
    x0, y0, x1, y1 = anchor.box(f.box)
    region = crop(page.ink, (x0, y1 - (y1 - y0) // 4, x1, y1 + (y1 - y0) // 3)).astype(np.uint8)
    return bool(region.size) and bool(_long_lines(region).any())
