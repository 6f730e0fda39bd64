"""Read every field of a registered form page: marks by pixels, text by OCR of what was written (or the text layer)."""

from __future__ import annotations

import dataclasses
import difflib
import functools
import itertools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import cv2
import numpy as np

from extractors import line_model, ocr, proofread, read_by_labels, vote
from extractors.labels import Word, lines_of
from extractors.line_model import Format, Segment
from extractors.marks import crop, read_checkbox, read_choice, read_signature
from extractors.normalize import (
    MONTHS,
    alnum_count,
    date_spellings,
    edit_distance,
    normalize,
    phone_spellings,
    strip_accents_fold,
)
from extractors.register import Registration, moved_by_box, register
from extractors.templates import Template, template
from faxintake.catalog import FieldDef, FieldType, FormDef
from faxintake.model import FieldRead, Known

# What each typed box can hold: Tesseract then cannot read a letter into a date or a CIN.
CHARSETS = {
    FieldType.DATE: "0123456789/-.",
    FieldType.PHONE: "0123456789()-. ",
    FieldType.NPI: "0123456789",
    FieldType.MEMBER_ID: "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
}
DATE_IN_WORDS = "0123456789/-., ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
VALIDATED = (FieldType.DATE, FieldType.PHONE, FieldType.NPI, FieldType.MEMBER_ID)
_DIGITS = "0123456789"


def _date(sep: str) -> Format:
    return (
        Segment(_DIGITS, 1, 2),
        Segment(sep, 1, 1),
        Segment(_DIGITS, 1, 2),
        Segment(sep, 1, 1),
        Segment(_DIGITS, 2, 4),
    )


# A North American number's area code and exchange begin 2-9 (NANP's NXX-NXX-XXXX): a reading prior for the second
# reader ("131-786-9042" is no number; "831" is), not a validity check (a number written so is kept as read).
_NXX = (Segment("23456789", 1, 1), Segment(_DIGITS, 2, 2))


def _phone(sep: str) -> Format:
    return (*_NXX, Segment(sep, 1, 1), *_NXX, Segment(sep, 1, 1), Segment(_DIGITS, 4, 4))


# The formats the second reader may read a validated box as (spaces count as gaps, not characters).
LINE_FORMATS: dict[FieldType, tuple[Format, ...]] = {
    FieldType.DATE: (_date("/"), _date("-"), _date(".")),
    FieldType.PHONE: (
        (Segment("(", 1, 1), *_NXX, Segment(")", 1, 1), *_phone("-")[3:]),
        _phone("-"),
        _phone("."),
        (*_NXX, *_NXX, Segment(_DIGITS, 4, 4)),
    ),
    FieldType.NPI: ((Segment(_DIGITS, 10, 10),),),
    FieldType.MEMBER_ID: ((Segment(_DIGITS, 8, 8), Segment("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 1, 1)),),
}
SURE = 0.95  # a read this sure is not read a second time
# A validated box's Tesseract reading is taken alone only from here up: on hand-print Tesseract is right 86% of the
# time at 0.95-0.98, 96% above (vote.CALIBRATION); the line model is asked below it.
VALIDATED_SURE = 0.99
DISAGREEMENT_CAP = 0.6  # two readers that disagree on a value: a person decides
OCR_LANGUAGE = {"en": "eng", "es": "spa+eng", "hmn": "eng", "zh-Hant": "eng"}
TEXT_LAYER_CONFIDENCE = 0.99  # a PDF's own text: what was typed, not a reading of it


@dataclass(frozen=True)
class PageWord:
    """A word of a PDF's text layer, in the page image's pixels."""

    text: str
    box: tuple[float, float, float, float]


@dataclass(frozen=True)
class FormPageRead:
    fields: dict[str, FieldRead]
    registration: Registration | None


def read_form_page(
    page_ink: np.ndarray,
    dpi: int,
    form: FormDef,
    language: str,
    form_page: int,
    *,
    received: date | None,
    words: tuple[PageWord, ...] | None = None,
    lexicon: Lexicon | None = None,
) -> FormPageRead:
    """All fields of page `form_page` of `form`; fields that cannot be read safely come back with low confidence."""
    t = template(form.form_id, language, form_page, dpi)
    reg = register(page_ink, t)
    fields = [f for f in form.fields if f.page == form_page]
    if reg is not None and reg.ok and not labels_in_place(page_ink, reg.matrix, t, form, language, form_page):
        reg = dataclasses.replace(reg, labels_in_place=False)  # rows moved in a revision: the grid alone fits
    if reg is None or not reg.ok:  # another revision, scale, a re-typed form: read by labels
        layer = [Word(w.text, TEXT_LAYER_CONFIDENCE, w.box) for w in words] if words else None
        return FormPageRead(
            read_by_labels.read_page_by_labels(
                page_ink, dpi, form, language, form_page, received=received, words=layer, lexicon=lexicon
            ),
            reg,
        )
    areas = [area for f in fields for area in _field_areas(t, f)]
    written = moved_by_box(page_ink & ~_mask_on_page(t, reg.matrix, page_ink.shape), reg.matrix, t.shape, areas)
    speck = max(4, round((dpi / 100) ** 2 * 2))
    text_words = _words_in_template_frame(words, reg) if words else None
    out: dict[str, FieldRead] = {}
    for f in fields:
        out[f.name] = _read_field(f, written, t, speck, language, received, text_words)
    if lexicon is not None and text_words is None:
        out = check_hypotheses(out, lexicon, form, lambda f: _text_ink(crop(written, _value_area(t, f)), speck, t.dpi))
    return FormPageRead(out, reg)


def _field_areas(t: Template, f: FieldDef) -> list[tuple[int, int, int, int]]:
    """What a field's reading looks at, each part with a margin for the cell's rules: its box, and each of a choice's
    options on its own. Each part is moved by the offset registration gives at its own centre: on a page printed
    at 97% the options of one question lie up to 15 px from where one offset for them all would put them."""
    return [_px(t, box, pad=max(4, t.dpi // 25)) for box in (f.box, *(f.options or {}).values())]


def _mask_on_page(t: Template, matrix: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The blank form's ink (grown a pixel or two) where it lies on the page. Subtracted in the page's own frame, the
    printed form comes off wherever registration puts it, at any scale; cut out first and subtracted on the
    template's grid, every box's rules and labels were off by the scale times their distance from its centre."""
    warped = cv2.warpAffine(
        t.mask.view(np.uint8),
        matrix,
        (shape[1], shape[0]),
        flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP,
        borderValue=0,
    )
    return warped.view(bool)


LABELS_IN_PLACE = 0.5  # share of a label's printed ink the aligned page must have on it (corpus: 0.73 and up)


def labels_in_place(
    page_ink: np.ndarray, matrix: np.ndarray, t: Template, form: FormDef, language: str, form_page: int
) -> bool:
    """Whether every field's label is where the blank form prints it. A revision that moves rows within the same
    grid registers on its rules (overlap 0.99) while each box holds another field; its labels give it away
    (measured: moved labels 0.0-0.6 of their ink in place, the corpus's pages 0.73 and up)."""
    page = page_ink.view(np.uint8)
    for p in read_by_labels.printed_labels(form, language, form_page):
        spans = [(p.x, p.x + p.width)] + ([(p.tail_x, p.x + p.width)] if p.tail_x is not None else [])
        # A label that begins as another does is in place only if its own last words are ("Send care plans by
        # portal" printed where the form has "... by fax" matches most of its ink).
        if not all(_ink_in_place(page, matrix, t, (x0, p.top, x1, p.top + p.size * 0.75)) for x0, x1 in spans):
            return False
    return True


def _ink_in_place(page: np.ndarray, matrix: np.ndarray, t: Template, box: tuple[float, float, float, float]) -> bool:
    """Whether the page bears LABELS_IN_PLACE of the blank form's ink in `box` (points) where `matrix` puts it."""
    x0, y0, x1, y1 = t.px(box[0]), t.px(box[1]), t.px(box[2]) + 1, t.px(box[3]) + 1
    printed = t.ink[y0:y1, x0:x1]
    # The page under the label through the whole transform (a label is as wide as a scale error adds up over), a
    # pixel more each side, for the slack.
    to_box = matrix - np.array([[0, 0, x0 - 1], [0, 0, y0 - 1]])
    seen = cv2.warpAffine(page, to_box, (x1 - x0 + 2, y1 - y0 + 2), flags=cv2.INTER_NEAREST, borderValue=0)
    grown = cv2.dilate(seen, np.ones((3, 3), np.uint8))[1:-1, 1:-1] > 0
    overlap = (grown[: printed.shape[0], : printed.shape[1]] & printed).sum()
    return not printed.any() or overlap >= LABELS_IN_PLACE * printed.sum()


# Values known from outside the image for some fields, given what the page was read as (the name, birth date and
# CIN of each roster member one identity field read names; a directory provider's name and practice): each is
# checked against the line models' frames, never just taken.
Lexicon = Callable[[Mapping[str, FieldRead]], Mapping[str, Sequence[Known]]]
# How much less likely than the model's own best reading a known value may be and still be taken. On the
# corpus's names the right spelling scored within e^-5 of the best path, another member's name e^-28 or less, a
# one-letter variant in loose hand-print as close as e^-2.5 (the CIN and birth date already match the member).
HYPOTHESIS_MARGIN = math.exp(-3.0)
# The same for a value one character from the reading, of the row the form's two other identity fields already
# name: a CIN and a birth date together name one member, so the likelier story is that the model misread one
# letter of a hand-print it never saw (the dev family's R read K at e^-6 to e^-7, Z read E at e^-5.6).
CORROBORATED_MARGIN = math.exp(-8.0)


def check_hypotheses(
    reads: dict[str, FieldRead],
    lexicon: Lexicon,
    form: FormDef,
    ink_of: Callable[[FieldDef], np.ndarray],
) -> dict[str, FieldRead]:
    """Check what the lexicon offers against the ink written in each field's box (`ink_of`); one confirmed value
    can make another field checkable, so go round again."""
    out = dict(reads)
    for _ in range(3):
        changed = False
        for name, values in lexicon(out).items():
            f, read = form.field_map.get(name), out.get(name)
            if f is None or read is None or not read.raw:
                continue
            same_letters = [v.value for v in values if v.value.casefold() == str(read.value).casefold()]
            if same_letters:  # read already; OCR's letter case is its weakest guess ("internal") unless in capitals
                if str(read.value) != same_letters[0] and not _mostly_upper(str(read.value)):
                    out[name] = read.model_copy(update={"value": same_letters[0]})
                continue
            ink = ink_of(f)
            if not ink.any():
                continue
            checked = _checked(f, read, values, ink)
            if checked is not None:
                out[name], changed = checked, True
        if not changed:
            break
    return out


def _checked(f: FieldDef, read: FieldRead, values: Sequence[Known], ink: np.ndarray) -> FieldRead | None:
    """The first of `values` the frames of one of the line models bear out, as this field's read; None when none
    is. Each model is its own witness: on the dev family the hand-print model bore out the roster's spelling of a
    name or CIN (within e^-0.5) where the base model had read a letter wrong (e^-4 to e^-14), typed or written.
    The hand-print model is run only when the base model does not bear a value out."""

    @functools.cache
    def witness(hand: bool) -> line_model.LineProbabilities:
        return line_model.probabilities(ink, hand=hand)

    @functools.cache
    def best(hand: bool, in_words: bool) -> float:
        """The log probability of the best reading of the value's own kind: any text for a name or a date in
        words, the best CIN-shaped or date-shaped reading for a CIN or a numeric date (the model's free reading may
        drop a faint last letter that the box's format requires)."""
        probs = witness(hand)
        shaped = (
            line_model.read_format(probs, LINE_FORMATS[f.type]) if f.type in LINE_FORMATS and not in_words else None
        )
        return shaped.log_probability if shaped is not None else line_model.free_log_probability(probs)

    def borne_out(written: str, margin: float, hand: bool) -> line_model.LineRead | None:
        line = line_model.read_literal(witness(hand), written)
        in_words = f.type is FieldType.DATE and any(c.isalpha() for c in written)
        return line if line is not None and line.log_probability - best(hand, in_words) >= math.log(margin) else None

    models = (False, True) if line_model.has_hand_model() else (False,)
    for known in values:
        value = known.value
        near = edit_distance(strip_accents_fold(value), strip_accents_fold(str(read.value))) <= 1
        margin = CORROBORATED_MARGIN if known.corroborated and near else HYPOTHESIS_MARGIN
        for written in _written_forms(f.type, value):
            line = next((line for hand in models if (line := borne_out(written, margin, hand))), None)
            if line is None:
                continue
            if f.type is FieldType.TEXT and _mostly_upper(str(read.value)):
                value = value.upper()  # written in capitals, as hand-printed forms often are
            return read.model_copy(
                update={
                    "value": value,
                    "valid": True,
                    "codes": None,
                    "confidence": max(read.confidence, line.confidence),
                }
            )
    return None


def _mostly_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.7 * len(letters)


def _written_forms(field_type: FieldType, value: str) -> list[str]:
    """How a known value may be written in its box, or seen there: a date or phone number in every style FORMS.md
    allows (`normalize.date_spellings`, `phone_spellings`), a name with or without its periods and commas; letter
    case is the literal search's own concern."""
    if field_type is FieldType.DATE:
        return date_spellings(date.fromisoformat(value))
    if field_type is FieldType.PHONE:
        return phone_spellings(value)
    # A period or comma is a few pixels a fax often loses: the known spelling stands where only they are missing.
    bare = " ".join(re.sub(r"[.,]", " ", value).split())
    return [value, bare] if bare != value else [value]


def _px(t: Template, box: tuple[float, float, float, float], pad: int = 0) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = (t.px(v) for v in box)
    return x0 - pad, y0 - pad, x1 + pad, y1 + pad


def _read_field(
    f: FieldDef,
    written: np.ndarray,
    t: Template,
    speck: int,
    language: str,
    received: date | None,
    words: list[PageWord] | None,
) -> FieldRead:
    if f.type is FieldType.CHECKBOX:
        return _with_box(read_checkbox(written, _px(t, f.box), speck), f)
    if f.type is FieldType.CHOICE:
        assert f.options is not None
        return _with_box(read_choice(written, {v: _px(t, b) for v, b in f.options.items()}, speck), f)
    if f.type is FieldType.SIGNATURE:
        return _with_box(read_signature(written, _px(t, f.box), speck), f)
    if words is not None:
        return _from_text_layer(f, t, words, received)
    return _ocr_field(f, written, t, speck, language, received)


def _with_box(read: FieldRead, f: FieldDef) -> FieldRead:
    return read.model_copy(update={"box": f.box})


def _ocr_field(
    f: FieldDef, written: np.ndarray, t: Template, speck: int, language: str, received: date | None
) -> FieldRead:
    ink = _text_ink(crop(written, _value_area(t, f)), speck, t.dpi, f.type in PERIODS_MATTER)
    return read_written(f, ink, t.dpi, language, received).model_copy(update={"box": f.box})


def read_written(f: FieldDef, ink: np.ndarray, page_dpi: int, language: str, received: date | None) -> FieldRead:
    """A text-like field from what was written in its box (the printed form taken away): Tesseract within the
    type's characters, unsure words voted on, validated values read again by the line model, normalized."""
    amount = int(ink.sum())
    letter = (page_dpi / 72.0 * 7) ** 2 * 0.12  # about the ink of one small printed character
    if amount < letter * 0.6:
        return FieldRead(value=f.type.blank, confidence=0.99 if amount < letter * 0.2 else 0.75, raw="")
    img, dpi = _for_ocr(ink, page_dpi)
    lang = OCR_LANGUAGE.get(language, "eng")
    if f.type is FieldType.MULTILINE:
        result = ocr.in_reading_order(ocr.read_block(img, dpi=dpi, language=lang))
    else:
        result = ocr.read_line(img, dpi=dpi, charset=CHARSETS.get(f.type), language=lang)
    text = result.text if f.type is FieldType.MULTILINE else _strip_edge_junk(result.text)
    confidence = result.confidence if f.type is FieldType.MULTILINE else _confidence(result)
    if f.type in VOTED and (f.type is FieldType.MULTILINE or confidence < SURE):
        words = _voted(img, result, language)
        if words:
            return _line_model_text(f, ink, _from_words(f, words, received), received, language)
    if f.type is FieldType.MEMBER_ID and not SHAPES[FieldType.MEMBER_ID].fullmatch(text.replace(" ", "")):
        split = _read_cin_in_parts(ink, dpi=page_dpi, language=lang)
        if split is not None:
            text, confidence = split
    weakest = min(result.char_confidences, default=confidence)
    if f.type is FieldType.ICD10_LIST:
        confidence = min(confidence, _codes_confidence(result))
    read = _normalized(f, text, confidence, received, weakest)
    if f.type is FieldType.DATE and not read.valid:  # perhaps written in words ('Sep 1, 1989'), as FORMS.md allows
        worded = ocr.read_line(img, dpi=dpi, charset=DATE_IN_WORDS, language=lang)
        in_words = _normalized(f, _strip_edge_junk(worded.text), _confidence(worded), received)
        if in_words.valid and in_words.value:
            read = in_words
    if f.type in LINE_FORMATS and (read.confidence < VALIDATED_SURE or not read.valid):
        read = _second_opinion(f, ink, read, received)
    if f.type is FieldType.DATE:
        read = _recent_date(f, ink, read, received)
    read = _line_model_text(f, ink, read, received, language)
    if f.type is FieldType.MULTILINE:
        words_read = max(1, len(text.split()))
        exact = confidence ** max(1.0, words_read / WORDS_PER_CONFIDENCE_STEP)
        read = read.model_copy(update={"confidence": round(exact, 3), "content_confidence": round(confidence, 3)})
    return read


LETTERS = {"es": "áéíóúüñÁÉÍÓÚÜÑ"}  # a language's letters beyond English's
VOTED = (FieldType.TEXT, FieldType.MULTILINE, FieldType.ICD10_LIST)  # words: read again and voted on when unsure
LINE_SURE = 0.93  # a word Tesseract is this sure of is not read again (unless next to one it is unsure of)


def _voted(img: np.ndarray, result: ocr.OcrText, language: str) -> list[list[vote.Word]]:
    """The stretch of each of Tesseract's lines that holds its unsure words (and a word either side) read again by
    the line model, the two readings reconciled word by word (with the English word list on English forms); English
    prose then proofread (extractors/proofread.py), with the height of capitals Tesseract read as evidence."""
    english = language == "en"
    known = vote.english_word if english else None
    lift = line_model.writes(LETTERS.get(language, ""))
    lines = []
    for line in result.lines:
        ours = [_as_seen(img, line, w) if english else vote.Word(w.text, w.confidence) for w in line.words]
        unsure = [i for i, w in enumerate(line.words) if w.confidence < LINE_SURE]
        if not unsure:
            lines.append(ours)
            continue
        first, last = max(0, unsure[0] - 1), min(len(ours) - 1, unsure[-1] + 1)
        _, y0, _, y1 = line.box
        x0, x1 = int(line.words[first].box[0]), int(line.words[last].box[2])
        ink = img[max(0, y0 - 2) : y1 + 2, max(0, x0 - 4) : x1 + 4] < 128
        if not ink.any():
            lines.append(ours)
            continue
        # Free reading, so no stretch: the model's cost grows with the width read, and two equal characters side
        # by side (what stretching is for) matter little in words.
        free = line_model.read_free(line_model.probabilities(ink, stretch=1.0))
        again = vote.reconcile(
            ours[first : last + 1], vote.words_of(free.text, free.char_confidences), known, lift=lift
        )
        lines.append([*ours[:first], *again, *ours[last + 1 :]])
    lines = [line for line in lines if line]
    if english and proofread.is_prose([w for line in lines for w in line]):
        return proofread.proofread(lines)
    return lines


def _as_seen(img: np.ndarray, line: ocr.OcrLine, word: ocr.OcrWord) -> vote.Word:
    """Tesseract's word, and for a capital that differs from its small letter in size only ("Staff"), the small
    letter when the glyph stands no higher than the line's small letters: evidence the proofreader weighs."""
    text = word.text.lstrip("(\"'‘“")
    if len(text) < 2 or not text[0].isupper() or text[0].casefold() not in proofread.SIZE_AMBIGUOUS:
        return vote.Word(word.text, word.confidence)
    if not text[1:].rstrip(".,;:!?)\"'’”").islower() or not _initial_is_small(img, line, word):
        return vote.Word(word.text, word.confidence)
    at = len(word.text) - len(text)
    return vote.Word(word.text, word.confidence, word.text[:at] + text[0].lower() + text[1:])


GLYPH_MIN_HEIGHT = 0.3  # of the line's height: smaller blobs are punctuation and dots, not letters


def _initial_is_small(img: np.ndarray, line: ocr.OcrLine, word: ocr.OcrWord) -> bool:
    """Whether the word's first glyph rises above the baseline only as far as the line's small letters (x-height),
    not as far as its capitals and ascenders. Measured over the first letter's width only: fax type runs letters
    together ("st" in one blob, as high as its t)."""
    x0, y0, x1, y1 = line.box
    ink = (img[y0:y1, x0:x1] < 128).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    glyphs = [i for i in range(1, count) if stats[i][3] >= GLYPH_MIN_HEIGHT * (y1 - y0)]
    wx0, wx1 = word.box[0] - x0, word.box[2] - x0
    mine = [i for i in glyphs if wx0 - 2 <= stats[i][0] <= wx1]
    if len(glyphs) < 5 or not mine:
        return False
    baseline = float(np.median([stats[i][1] + stats[i][3] for i in glyphs]))
    rises = [baseline - stats[i][1] for i in glyphs]
    tall = float(np.percentile(rises, 90))
    small = [r for r in rises if r < 0.85 * tall]
    if not small:
        return False
    x_height = float(np.median(small))
    if x_height > 0.8 * tall:  # small and tall letters not told apart on this line
        return False
    initial = min(mine, key=lambda i: stats[i][0])
    left, width = stats[initial][0], max(1, min(stats[initial][2], round(0.8 * x_height)))
    rows = np.nonzero((labels[:, left : left + width] == initial).any(axis=1))[0]
    return bool(baseline - rows[0] < (x_height + tall) / 2)


def _from_words(f: FieldDef, lines: list[list[vote.Word]], received: date | None) -> FieldRead:
    """A voted text field: its value, and a confidence from its words' (all of a paragraph's, for MULTILINE)."""
    if f.type is FieldType.MULTILINE:  # a cell's rule read at a line's end ('| | |') is never prose
        lines = [kept for line in lines if (kept := [w for w in line if w.text.strip("|")])]
        if not lines:
            return FieldRead(value=f.type.blank, confidence=0.3, raw="")
    words = [w for line in lines for w in line]
    text = "\n".join(" ".join(w.text for w in line) for line in lines)
    mean = sum(w.confidence for w in words) / len(words)
    if f.type is FieldType.MULTILINE:
        exact = math.prod(w.confidence for w in words)  # the paragraph is right when every word is
        read = _normalized(f, text, exact, received)
        return read.model_copy(update={"confidence": round(exact, 3), "content_confidence": round(mean, 3)})
    text = _strip_edge_junk(text)
    confidence = 0.5 * mean + 0.5 * min(w.confidence for w in words)
    if f.type is FieldType.ICD10_LIST:  # a code letter misread (E11 as F11) changes the decision
        codes = [w.confidence for w in words if re.search(CODE_HEAD, w.text)]
        confidence = min([confidence, *codes])
        read = _normalized(f, text, confidence, received)
        return read.model_copy(update={"content_confidence": max(read.confidence, _entries_confidence(words))})
    return _normalized(f, text, confidence, received)


def _entries_confidence(words: list[vote.Word]) -> float:
    """How sure a diagnosis list is of what each entry is, which is what the rules ask (is one of them diabetes,
    asthma): an entry is told by its code or by its description ("I10 essential hypertension" is no diabetes
    entry, however unsure the I), so by the surer of the two; a description counts only when all its words are
    English words. Measured on the dev family: a list read exactly at 0.47 for its code alone sent a diabetes
    referral without a diabetes code to review instead of back."""
    entries: list[list[vote.Word]] = []
    for w in words:
        if re.search(CODE_HEAD, w.text) or not entries:
            entries.append([w])
        else:
            entries[-1].append(w)
    sure = 1.0
    for code, *description in entries:
        judged = [(w.confidence, vote.english_word(w.text)) for w in description]  # None: digits, codes
        words_of = [c for c, english in judged if english is not None]
        told = 0.0 if False in (english for _, english in judged) else min(words_of, default=0.0)
        sure = min(sure, max(code.confidence, told))
    return round(sure, 3)


def _second_opinion(f: FieldDef, ink: np.ndarray, read: FieldRead, received: date | None) -> FieldRead:
    """Read an unsure validated box again with the line model, within the box's format, and reconcile."""
    line, probs = line_model.read_box(
        ink, LINE_FORMATS[f.type], accept=lambda text: _normalized(f, text, 1.0, received).valid
    )
    if f.type is FieldType.DATE:
        line = _date_in_words(ink, probs, f, received) or line
    if line is None:
        return read
    other = _normalized(f, line.text, line.confidence, received)
    if not other.valid:
        if not read.valid and other.value == read.value:  # two readers read the same invalid value: it is written so
            return read.model_copy(update={"confidence": round(vote.agreement(read.confidence, other.confidence), 3)})
        return read
    if not read.valid:
        # The format search finds a formatted path wherever the frames allow one. When it had to add a character
        # the model itself did not see (a clearly written 9-digit phone), the box really lacks it: it stays
        # invalid unless the model believes the formatted reading more than Tesseract believes its own.
        free = line_model.read_free(probs)
        added = alnum_count(line.text) > alnum_count(free.text)
        if added and _typed_short(f, ink, read, free):
            sure = round(min(SHORT_AND_TYPED, vote.agreement(read.confidence, free.confidence)), 3)
            if _line_model_surer(free, read):  # the digits as the surer reader read them: short either way
                return _normalized(f, free.text, sure, received).model_copy(update={"confidence": sure})
            return read.model_copy(update={"confidence": sure})
        return other if not added or _line_model_surer(line, read) else read
    if other.value == read.value:  # two different readers agree
        return read.model_copy(update={"confidence": round(vote.agreement(read.confidence, other.confidence), 3)})
    best = other if _line_model_surer(line, read) else read  # by the chance each is right, not their own scales
    short = [r for r in (read, other) if len(r.raw.replace(" ", "")) < line_model.glyph_count(ink)]
    if len(short) == 1:  # one reader ran two of the ink's separate glyphs into one character ("11" as "1")
        best = other if short[0] is read else read
    return best.model_copy(update={"confidence": min(best.confidence, DISAGREEMENT_CAP)})


UNUSUAL_DATE = 0.85  # a form's own date read long before the fax arrived: below the gate, a person looks
RECENT_CANDIDATES = 6
# How much less likely than a line model's best reading a recent date may be and still be taken for an old one;
# and how fast the prior falls with the days before receipt (offices date a form the day they send it, about).
# On the dev family a hand-printed '11/11/26' read '1/11/26' scored e^-4.3 below the best reading, '10/11/26' e^-2.3.
RECENT_MARGIN = -5.0
RECENT_DAYS_SCALE = 10.0


def _recent_date(f: FieldDef, ink: np.ndarray, read: FieldRead, received: date | None) -> FieldRead:
    """A date written as the form is sent (`recent_days`) read as one long before the fax arrived is most likely
    misread: '11/03/2026' as '1/03/2026' (two ones run together) or '2026' as '2016'. The recent dates written one
    or two characters from the reading are scored against both line models' frames, each weighed by how recent it
    is; the likeliest is taken when the ink bears it out, else the reading stays, in doubt. A date after receipt is
    the rules' to find (DATE_IN_FUTURE), not a misread."""
    if f.recent_days is None or received is None or not read.valid or not read.value or not read.raw:
        return read
    if date.fromisoformat(str(read.value)) >= received - timedelta(days=f.recent_days):
        return read
    doubtful = read.model_copy(update={"confidence": min(read.confidence, UNUSUAL_DATE)})
    written = " ".join(read.raw.split())
    near: list[tuple[int, int, str]] = []
    for days in range(f.recent_days + 1):
        forms = _written_forms(FieldType.DATE, (received - timedelta(days=days)).isoformat())
        distance, form = min((edit_distance(form, written), form) for form in forms)
        if distance <= 2:
            near.append((distance, days, form))
    candidates = sorted(near)[:RECENT_CANDIDATES]
    if not candidates:  # nothing to check: the line models need not run
        return doubtful
    best: tuple[float, line_model.LineRead] | None = None
    for hand in (False, True) if line_model.has_hand_model() else (False,):
        probs = line_model.probabilities(ink, hand=hand)
        shaped = line_model.read_format(probs, LINE_FORMATS[f.type])
        if shaped is None:
            continue
        for _, days, form in candidates:
            line = line_model.read_literal(probs, form)
            if line is None or (closeness := line.log_probability - shaped.log_probability) < RECENT_MARGIN:
                continue
            if best is None or closeness - days / RECENT_DAYS_SCALE > best[0]:
                best = (closeness - days / RECENT_DAYS_SCALE, line)
    if best is None:
        return doubtful
    taken = _normalized(f, best[1].text, max(doubtful.confidence, best[1].confidence), received)
    return taken if taken.valid else doubtful


MONTH_WORD = re.compile(r"[A-Za-z]{3,}")


def _date_in_words(
    ink: np.ndarray, probs: line_model.LineProbabilities, f: FieldDef, received: date | None
) -> line_model.LineRead | None:
    """A date written with its month in words ('Jun 20, 1992', as FORMS.md allows): the line models' free readings
    when one names a month and parses as a date, reconciled as their format readings are. The formats are numeric
    only, so on such a box they force digits onto the month ('0.20.1992')."""
    readings = [line_model.read_free(probs)]
    if sum(c.isalpha() for c in readings[0].text) < 2:  # digits only: a numeric date, however misread
        return None
    if line_model.has_hand_model():
        readings.append(line_model.read_free(line_model.probabilities(ink, hand=True)))
    worded = [
        r
        for r in readings
        if (word := MONTH_WORD.search(r.text)) is not None
        and word.group(0)[:3].lower() in MONTHS
        and _normalized(f, r.text, 1.0, received).valid
    ]
    if not worded:
        return None
    if len(readings) == 2 and len(worded) == 2:
        return line_model.reconciled(*worded)
    return line_model.LineRead(worded[0].text, tuple(min(c, DISAGREEMENT_CAP) for c in worded[0].char_confidences))


TEXT_MARGIN = 0.1  # how much likelier right the line model's reading of a whole text box must be to replace it


def _line_model_text(f: FieldDef, ink: np.ndarray, read: FieldRead, received: date | None, language: str) -> FieldRead:
    """A one-line text Tesseract is unsure of read again whole by the line model: where the two differ, the reading
    more likely right by each reader's measured chance, left unsure (a person looks). Any other read as it is."""
    if f.type is not FieldType.TEXT or read.confidence >= SURE:
        return read
    line = line_model.read_free(line_model.probabilities(ink, stretch=1.0))
    text = _respaced(line.text, str(read.raw or read.value))
    other = _normalized(f, _strip_edge_junk(text), line.confidence, received)
    if not other.value or str(other.value).replace(" ", "") == str(read.value).replace(" ", ""):
        return read
    foreign = set(str(other.value)) - set(str(read.value)) - set(LETTERS.get(language, ""))
    if any(not ch.isascii() for ch in foreign):  # a letter of another language's ("Leé" on an English form)
        return read
    if vote.calibrated("line model", line.confidence) < vote.calibrated("tesseract", read.confidence) + TEXT_MARGIN:
        return read
    return other.model_copy(update={"confidence": min(other.confidence, DISAGREEMENT_CAP)})


def _respaced(text: str, spaced: str) -> str:
    """`text` with the spaces of `spaced` where the two align: the line model runs words together ("Lee,Wei"),
    Tesseract's words keep their gaps."""
    bare, model = spaced.replace(" ", ""), text.replace(" ", "")
    gaps = [len(spaced[:i].replace(" ", "")) for i, ch in enumerate(spaced) if ch == " "]  # gap before bare[k]
    to_model: dict[int, int] = {}
    for tag, a0, a1, b0, b1 in difflib.SequenceMatcher(None, bare, model, autojunk=False).get_opcodes():
        for k in range(a0, a1 + 1):
            to_model.setdefault(k, b0 + min(k - a0, b1 - b0) if tag != "equal" else b0 + (k - a0))
    cuts = sorted({to_model[k] for k in gaps if k in to_model and 0 < to_model[k] < len(model)})
    out, last = [], 0
    for c in cuts:
        out.append(model[last:c])
        last = c
    out.append(model[last:])
    return " ".join(part for part in out if part)


SHORT_AND_TYPED = 0.95  # a number both readers see a digit short, every digit a glyph of its own in even type
EVEN_PITCH = 0.2  # typed digits stand this evenly apart (of their pitch); hand-print does not
MERGED_WIDTH = 1.25  # a glyph this much wider than the pitch is two digits touching, not one


def _typed_short(f: FieldDef, ink: np.ndarray, read: FieldRead, free: line_model.LineRead) -> bool:
    """Whether a phone number is written with a digit missing, not misread: Tesseract and the line model's own
    reading see the same short count of digits, the box holds exactly as many separate glyphs as that reading has
    characters, and its digits stand at the even pitch of type, none as wide as two. Two hand-printed 1s that touch
    read as one glyph and one digit: uneven hand-print says nothing, so it stays under the gate."""
    digits = sum(c.isdigit() for c in read.raw)
    if f.type is not FieldType.PHONE or digits != sum(c.isdigit() for c in free.text) or not 7 <= digits < 10:
        return False
    chars = [c for c in free.text if not c.isspace()]
    spans = line_model.glyph_spans(ink)
    if len(spans) != len(chars):
        return False
    centres = [(x0 + x1) / 2 for (x0, x1, _), c in zip(spans, chars, strict=True) if c.isdigit()]
    widths = [x1 - x0 for (x0, x1, _), c in zip(spans, chars, strict=True) if c.isdigit()]
    steps = [b - a for a, b in itertools.pairwise(centres)]
    pitch = float(np.median(steps))
    within = [d for d in steps if d <= 1.5 * pitch]  # a step over a hyphen or a space is wider
    return (
        len(within) >= digits - 4
        and all(abs(d - pitch) <= EVEN_PITCH * pitch for d in within)
        and max(widths) < MERGED_WIDTH * pitch
    )


def _line_model_surer(line: line_model.LineRead, read: FieldRead) -> bool:
    return vote.calibrated("line model", line.confidence) > vote.calibrated("tesseract", read.confidence)


WORDS_PER_CONFIDENCE_STEP = 10  # a paragraph's chance of being exact falls with its length
CODE_HEAD = r"[A-Z0-9|(!l][0-9OoIl]{2}"  # an ICD-10 code's letter and two digits, as OCR may misread them


def _codes_confidence(result: ocr.OcrText) -> float:
    """The weakest character inside the ICD-10 codes: a code letter misread (E11 as F11) changes the decision."""
    compact = [ch for ch in result.text if not ch.isspace()]
    if len(compact) != len(result.char_confidences):
        return result.confidence
    positions = [i for i, ch in enumerate(compact) if ch.isalnum()]
    text = "".join(compact)
    weakest = 1.0
    for m in re.finditer(CODE_HEAD + r"(?:\.[0-9A-Z]{1,4})?", text):
        weakest = min([weakest, *(result.char_confidences[i] for i in range(m.start(), m.end()))])
    return weakest if positions else result.confidence


def _read_cin_in_parts(ink: np.ndarray, *, dpi: int, language: str) -> tuple[str, float] | None:
    """A CIN is 8 digits and a letter: read the last glyph as a letter and the rest as digits."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    glyphs = sorted((stats[i][0], i) for i in range(1, count) if stats[i][4] >= 6)
    if len(glyphs) < 2:
        return None
    last = glyphs[-1][1]
    x0 = stats[last][0]
    if not ink[:, : max(1, x0 - 1)].any():  # the last glyph spans the others (a rule read as part of the box)
        return None
    digits_img, _ = _for_ocr(ink[:, : max(1, x0 - 1)], dpi)
    letter_img, _ = _for_ocr(labels == last, dpi)
    digits = ocr.read_line(digits_img, dpi=dpi * UPSCALE, charset="0123456789", language=language)
    letter = ocr.read_line(letter_img, dpi=dpi * UPSCALE, charset="ABCDEFGHIJKLMNOPQRSTUVWXYZ", language=language)
    text = digits.text.replace(" ", "") + letter.text.strip()[:1]
    return text, min(_confidence(digits), _confidence(letter))


def _value_area(t: Template, f: FieldDef) -> tuple[int, int, int, int]:
    """The box a value is written in, kept a point clear of the cell's right and bottom rules."""
    x0, y0, x1, y1 = _px(t, f.box)
    margin = max(2, t.px(1.0))
    return x0 - 2, y0 - 2, x1 - margin, y1 - margin // 2


PUNCTUATION_REACH_IN = 0.07  # a monospaced period's gap from its letter: about half a 10-pitch cell
PERIODS_MATTER = (FieldType.MULTILINE, FieldType.ICD10_LIST)  # sentences, codes ('J45.40'); in a name, a speck
RULE_REMNANT_IN = 0.35  # a thin line this long is a rule's remnant: hand-printed letters stand about 0.15 in


def _text_ink(ink: np.ndarray, speck: int, dpi: int, periods_apart: bool = False) -> np.ndarray:
    """What was written in a text box, without specks, stray bits of the cell's rules, or isolated dots;
    `periods_apart` keeps a dot on a letter's baseline farther along the line (see PERIODS_MATTER)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    if count <= 1:
        return ink
    h, width = ink.shape
    thin = max(3, dpi // 60)
    x, y, w, hh, area = (stats[:, i] for i in range(5))
    # A line crossing the whole box (a rule left by registration error, a fax streak) is never punctuation, however
    # close to a letter; a thin written 1 may look like a rule's piece but stays inside the box.
    rule = ((hh > 0.6 * h) & (w <= thin)) | ((w > 8 * hh) & (hh <= thin))
    # The same line left slanted (a page skewed up to 3.4 degrees or fed unevenly): longer than any written stroke
    # and nowhere thicker than a stroke (a letter that touches it keeps it, and itself, in).
    long, slant = RULE_REMNANT_IN * dpi, 0.06
    upright = (hh > 0.6 * h) & (hh >= long) & (area <= thin * hh) & (w <= thin + slant * hh)
    flat = (w >= long) & (area <= thin * w) & (hh <= thin + slant * w)
    for i in np.flatnonzero((upright | flat) & ~rule):
        piece = labels[y[i] : y[i] + hh[i], x[i] : x[i] + w[i]] == i
        rule[i] = int(piece.sum(axis=1 if upright[i] else 0).max()) <= thin + 1
    on_edge = (x == 0) | (y == 0) | (x + w >= width) | (y + hh >= h)
    dash_low = (hh <= thin) & (w >= 2 * hh) & (y > 0.7 * h)  # a piece of the bottom rule, not a letter
    rule_piece = rule | dash_low | (on_edge & (np.minimum(w, hh) <= thin + 1))  # left by registration error
    crossing = rule_piece & (((y == 0) & (y + hh >= h) & (w <= thin)) | ((x == 0) & (x + w >= width) & (hh <= thin)))
    keep = ~rule_piece & (area >= speck * 2.5)
    keep[0] = False  # the background
    # A small blob this close to a letter is punctuation (a period, an i's dot); farther, noise.
    reach = dpi * 0.03
    small = ~keep & ~crossing & (area >= 2)
    small[0] = False
    if keep.any() and small.any():
        big = stats[keep]
        bx0, by0, bx1, by1 = big[:, 0], big[:, 1], big[:, 0] + big[:, 2], big[:, 1] + big[:, 3]
        sx0, sy0, sx1, sy1 = (v[small][:, None] for v in (x, y, x + w, y + hh))
        near = (sx0 - reach <= bx1) & (bx0 <= sx1 + reach) & (sy0 - reach <= by1) & (by0 <= sy1 + reach)
        if periods_apart:  # a monospaced font sets a period mid-cell, on the letter's baseline but farther off
            on_baseline = (np.abs(sy1 - by1) <= reach) | ((sy0 <= by1) & (sy1 >= by1))
            dot = (area[small] >= speck)[:, None]  # as big as a period; fax noise is mostly smaller
            near |= dot & on_baseline & (sx0 - dpi * PUNCTUATION_REACH_IN <= bx1) & (bx0 <= sx1 + reach)
        keep[np.flatnonzero(small)[near.any(axis=1)]] = True
    return keep[labels]


UPSCALE = 2  # fax type has an x-height of ~14 px at 204 dpi; Tesseract reads best near 30 px


def _for_ocr(ink: np.ndarray, dpi: int) -> tuple[np.ndarray, int]:
    ys, xs = np.nonzero(ink)
    pad = 10
    img = np.full((ys.max() - ys.min() + 1 + 2 * pad, xs.max() - xs.min() + 1 + 2 * pad), 255, np.uint8)
    img[pad:-pad, pad:-pad][ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]] = 0
    return cv2.resize(img, None, fx=UPSCALE, fy=UPSCALE, interpolation=cv2.INTER_LINEAR), dpi * UPSCALE


EDGE_JUNK = " |:;'`‘’°*_~,=!"


def _strip_edge_junk(text: str) -> str:
    """Bits of box rules and specks read as punctuation at either end of a one-line value."""
    text = text.strip(EDGE_JUNK)
    while text.endswith((" .", " -")):
        text = text[:-2].rstrip(EDGE_JUNK)
    return text


def _confidence(result: ocr.OcrText) -> float:
    if not result.text.strip():
        return 0.0
    chars = result.char_confidences
    weakest = min(chars) if chars else result.confidence
    # The weakest character matters: one misread digit makes a date or a CIN wrong.
    return max(0.0, min(1.0, 0.5 * result.confidence + 0.5 * weakest))


# The shape each validated type must have: when the whole read does not parse, the part that does is the value
# (a stray bit of a box rule read as a digit), at a lower confidence.
SHAPES = {
    FieldType.DATE: re.compile(r"\d{1,2}\s?[/\-.]\s?\d{1,2}\s?[/\-.]\s?(?:\d{4}|\d{2})"),
    FieldType.PHONE: re.compile(r"\(?\d{3}\)?[\s.\-]?\d{3}[\s.\-]?\d{4}"),
    FieldType.NPI: re.compile(r"\d{10}"),
    FieldType.MEMBER_ID: re.compile(r"\d{8}[A-Z]"),
}


def _normalized(
    f: FieldDef, text: str, confidence: float, received: date | None, weakest_char: float | None = None
) -> FieldRead:
    weakest_char = confidence if weakest_char is None else weakest_char
    n = normalize(f.type, text, received=received, is_dob=f.name.endswith("_dob"))
    if not n.valid and f.type in SHAPES:
        parts = SHAPES[f.type].findall(text)
        if len(parts) == 1:
            candidate = normalize(f.type, parts[0], received=received, is_dob=f.name.endswith("_dob"))
            if candidate.valid:
                n, confidence = candidate, confidence * 0.85
    if (
        f.type is FieldType.DATE
        and n.valid
        and n.value
        and not _plausible_date(str(n.value), received, f.name.endswith("_dob"))
    ):
        confidence = min(confidence, IMPLAUSIBLE_DATE)  # '2070' for a hand-printed '2026': a person looks
    if f.type is FieldType.TEXT and _looks_misread(f, str(n.value)):
        confidence = min(confidence, LOOKS_MISREAD)
    if f.type in VALIDATED:
        # Valid: the format check backs the read. Invalid: an OCR slip or a real error; only sure characters
        # make it a real error (weakest_char), so an unsure read goes to review instead of back to the sender.
        confidence = min(1.0, confidence * 1.05) if n.valid else min(confidence, weakest_char) * 0.95
    return FieldRead(value=n.value, confidence=round(confidence, 3), raw=text, box=f.box, valid=n.valid, codes=n.codes)


# A period is two or three pixels at fax resolution and often lost: 'Dr Kevin Tran' may well be 'Dr. Kevin Tran'.
TITLE_WITHOUT_PERIOD = re.compile(r"\b(?:Dr|Mr|Mrs|Ms)\b(?!\.)")
LOOKS_MISREAD = 0.85  # the confidence a text value with such a mark is kept at: below the gate
STRAY_LAST_TOKEN = re.compile(r"\s[^\w\s]$|\s\d$")  # 'Lee, Wei 3', 'Community Clinic {': a speck or a rule read
MARK_FOR_LETTER = re.compile(r"[A-Za-z][!|]|[!|][A-Za-z]")  # 'Pau! Grant', 'Wi|son': an l or i read as a mark


def _looks_misread(f: FieldDef, value: str) -> bool:
    """A text value with the marks of a misread that OCR's own confidence misses (measured on the test family: most
    wrong names read at 0.95 and above were these): a courtesy title without its period, a stray last character, a
    mark inside a word, or a name the form asks for as 'last, first' read without its comma (a comma is a few
    pixels, like a period)."""
    last_first = "last, first" in f.label_for("en").lower()
    return bool(
        TITLE_WITHOUT_PERIOD.search(value)
        or STRAY_LAST_TOKEN.search(value)
        or MARK_FOR_LETTER.search(value)
        or (last_first and "," not in value and len(value.split()) >= 2)
    )


IMPLAUSIBLE_DATE = 0.5  # the confidence of a date no form of this fax could carry: below the gate, never a return
LATEST_AFTER_RECEIVED = timedelta(days=366)  # a form's dates: its own date, appointments, an effective date
EARLIEST_BEFORE_RECEIVED = timedelta(days=3653)  # missed appointments, letters, referrals: within years, not decades
OLDEST_MEMBER = timedelta(days=int(115 * 365.25))


def _plausible_date(iso: str, received: date | None, is_dob: bool) -> bool:
    """Whether a date read could be what an office wrote on a form received on `received`."""
    if received is None:
        return True
    when = date.fromisoformat(iso)
    if is_dob:
        return received - OLDEST_MEMBER <= when <= received
    return received - EARLIEST_BEFORE_RECEIVED <= when <= received + LATEST_AFTER_RECEIVED


def _words_in_template_frame(words: tuple[PageWord, ...], reg: Registration) -> list[PageWord]:
    m = reg.matrix
    out = []
    for w in words:
        x0, y0, x1, y1 = w.box
        (ax, ay), (bx, by) = ((m @ np.array([x, y, 1.0])) for x, y in ((x0, y0), (x1, y1)))
        out.append(PageWord(w.text, (float(ax), float(ay), float(bx), float(by))))
    return out


def _from_text_layer(f: FieldDef, t: Template, words: list[PageWord], received: date | None) -> FieldRead:
    x0, y0, x1, y1 = _px(t, f.box, pad=2)
    inside = [w for w in words if x0 <= (w.box[0] + w.box[2]) / 2 <= x1 and y0 <= (w.box[1] + w.box[3]) / 2 <= y1]
    # In reading order by text lines (hand-print's letters sit on drifting baselines), each left to right.
    text = " ".join(w.text for line in lines_of([Word(w.text, 1.0, w.box) for w in inside]) for w in line)
    if not text.strip():
        return FieldRead(value=f.type.blank, confidence=0.99, raw="", box=f.box)
    return _normalized(f, text, 0.99, received)
