"""Read a whole fax, page by page: the extraction stages in order, as plain functions (flows/ wraps them)."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Literal

import cv2
import numpy as np

from extractors import clean, line_model, ocr
from extractors.assemble import assemble
from extractors.classify import PageClass, classify_form, classify_plan_form, classify_supporting
from extractors.fax_header import parse_fax_header
from extractors.header_line import HeaderReader
from extractors.ingest import SourcePage, iter_pages, sha256_of
from extractors.labels import ReadBox, Word, cover_fields, letter_fields, lines_of, read_by_labels
from extractors.read_by_labels import form_by_labels, labels_seen, page_words
from extractors.read_form import FormPageRead, Lexicon, PageWord, labels_in_place, read_form_page
from extractors.register import page_features, register
from extractors.templates import template
from faxintake.catalog import FormDef, load_catalog
from faxintake.errors import FaxIntakeError
from faxintake.model import ROUTABLE_FORMS, Cover, Document, FaxHeader, FieldRead, PageRead

log = logging.getLogger(__name__)
# Parallelism comes from worker processes, one per core (as Tesseract runs one thread, ocr.py): OpenCV's own thread
# pool would oversubscribe the cores, two workers each running two threads.
cv2.setNumThreads(1)
EXTRACTION_VERSION = "2026.11.6"


@dataclass(frozen=True)
class FaxRead:
    """Everything read from one fax, before any rule is applied."""

    source: str
    sha256: str
    pages: tuple[PageRead, ...]
    cover: Cover | None
    documents: tuple[Document, ...]

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def headers(self) -> list[FaxHeader]:
        return [p.header for p in self.pages if p.header is not None]

    def header_date(self) -> datetime | None:
        return next((h.sent_at for h in self.headers if h.sent_at is not None), None)


def start_worker() -> None:
    """What a worker process does once, before its first fax: keep freed memory for reuse, load the form catalog and
    the line model, start the OCR engines (the flow's worker pool runs it as each worker's first fax arrives). A
    failure here is left for the first read to raise, as that fax's own recorded error: a pool whose initializer
    raised would fail every fax alike."""
    _keep_freed_memory()
    try:
        load_catalog()
        line_model.load()
        ocr.start_engines()
    except FaxIntakeError:
        log.debug("worker start incomplete; the first read will report why")
    gc.freeze()  # what is loaded now lives as long as the worker: the collector need not scan it again and again


# glibc's mallopt parameters (malloc.h)
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3


def _keep_freed_memory() -> None:
    """Each page allocates and frees a few dozen page-sized arrays. By default glibc gives such blocks back to the
    kernel when freed, and the next array faults its memory in again, page by page: on the corpus, 850 000 faults
    and 1.3 s of system time, 3% of reading it in one process and 9% of the wall time with two workers (they contend
    in the kernel). Kept in the heap instead, they are reused; the worker's peak memory is unchanged, and it keeps
    that high-water mark between faxes."""
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c")).mallopt
    except (OSError, AttributeError, TypeError):  # not glibc: its own allocator's defaults stand
        return
    mallopt(M_MMAP_THRESHOLD, 32 << 20)  # the most glibc accepts; a page is a few megabytes
    mallopt(M_TRIM_THRESHOLD, 256 << 20)


def read_fax(path: Path, *, received: date | None = None, lexicon: Lexicon | None = None) -> FaxRead:
    """Read `path` (any supported format); raises InputError when the file cannot be read as a fax at all."""
    digest = sha256_of(path)
    headers = HeaderReader()
    pages = [read_page(p, received=received, lexicon=lexicon, headers=headers) for p in iter_pages(path)]
    return finish(str(path), digest, pages)


def finish(source: str, digest: str, pages: list[PageRead]) -> FaxRead:
    cover, documents = assemble(pages)
    return FaxRead(
        source=source, sha256=digest, pages=tuple(pages), cover=cover, documents=tuple(_complete(d) for d in documents)
    )


def _complete(doc: Document) -> Document:
    """Every field of the form is present in the result, a page that did not arrive read as blank with no confidence."""
    if doc.doc_type not in ROUTABLE_FORMS:
        return doc
    form = load_catalog().form(doc.doc_type)
    missing = {
        f.name: FieldRead(value=f.type.blank, confidence=0.0, raw="page not received", box=f.box)
        for f in form.fields
        if f.name not in doc.fields
    }
    if not missing:
        return doc
    return doc.model_copy(update={"fields": {f.name: doc.fields.get(f.name) or missing[f.name] for f in form.fields}})


def read_page(
    page: SourcePage, *, received: date | None, lexicon: Lexicon | None = None, headers: HeaderReader | None = None
) -> PageRead:
    """Orientation, skew, header line, what the page is, and its fields. `headers` reads the header lines of one
    fax's pages in order (the first in full, the others where they differ)."""
    dpi = page.dpi
    if page.words is not None:
        return _read_text_layer_page(page, received)
    gray = page.image
    header_band, _ = clean.split_header_band(gray, dpi=dpi)
    header = _header(header_band, dpi, headers or HeaderReader())
    ink, skew = _cleaned(gray)
    rotation = 0
    # Told after deskewing: before it, a skewed page of a few lines can look as if its lines ran down the page.
    if clean.coarse_orientation(ink) == 90:  # lines run down the page: fed sideways
        gray, rotation = clean.upright(gray, dpi=dpi)
        if rotation:
            ink, skew = _cleaned(gray)
    found = _form_number(ink, dpi)
    if found is None:
        turned = np.rot90(ink, 2)
        found = _form_number(turned, dpi)
        if found is not None:
            ink, rotation = np.ascontiguousarray(turned), (rotation + 180) % 360
    if found is None:
        ink, turn, words, cls = _read_supporting(clean.without_glass_streaks(ink, skew), dpi)
        rotation = (rotation + turn) % 360
        found = cls if cls.is_form else _form_footer(ink, dpi)
        if found is None and cls.doc_type == "unknown":
            found = _form_by_its_look(ink, dpi)
    if found is None:
        fields = _supporting_fields(cls.doc_type, words, _box_reader(ink, dpi), received)
        return PageRead(
            number=page.number,
            doc_type=cls.doc_type,
            rotation=rotation,
            skew=round(skew, 2),
            header=header,
            classify_confidence=cls.confidence,
            fields=fields,
        )
    form = load_catalog().form(found.doc_type)
    language = found.language or "en"
    read, form_page, language = _read_best_page(
        ink, dpi, form, language, found.form_page, received, lexicon=lexicon, by_labels=found.evidence == "labels"
    )
    return PageRead(
        number=page.number,
        doc_type=found.doc_type,
        language=language,
        form_page=form_page,
        rotation=rotation,
        skew=round(skew, 2),
        header=header,
        classify_confidence=found.confidence,
        read_by=_read_by(read),
        fields=read.fields,
        form_to_page=_form_to_page(read, dpi),
    )


def _read_by(read: FormPageRead) -> Literal["template", "labels"]:
    return "template" if read.registration is not None and read.registration.ok else "labels"


def _form_to_page(read: FormPageRead, dpi: int) -> tuple[float, float, float, float, float, float] | None:
    """The registration as a map from form points to page points (what the review app draws boxes with)."""
    if read.registration is None or not read.registration.ok:
        return None
    to_page = cv2.invertAffineTransform(read.registration.matrix)  # template pixels -> page pixels, same dpi
    (a, b, c), (d, e, f) = to_page.tolist()
    return (a, b, c * 72.0 / dpi, d, e, f * 72.0 / dpi)


def _read_best_page(
    ink: np.ndarray,
    dpi: int,
    form: FormDef,
    language: str,
    page_hint: int | None,
    received: date | None,
    words: tuple[PageWord, ...] | None = None,
    lexicon: Lexicon | None = None,
    by_labels: bool = False,
) -> tuple[FormPageRead, int, str]:
    """Read the page as the form page and language its number says; when unsure or it does not fit, the page that
    fits best. A page that fits none in that language is tried in the form's others (a language suffix misread:
    'CM-110-2H'); when it fits none of them either, it is read by labels in the language it was classified in. A
    page told by its labels (`by_labels`) is read as the page and language they said."""
    candidates = [page_hint] if page_hint and page_hint <= form.page_count else []
    if by_labels and candidates:  # its labels said which page and language: reading the others by them is waste
        read = read_form_page(ink, dpi, form, language, candidates[0], received=received, words=words, lexicon=lexicon)
        return read, candidates[0], language
    candidates += [n for n in range(1, form.page_count + 1) if n not in candidates]
    best: tuple[FormPageRead, int] | None = None
    for n in candidates:
        read = read_form_page(ink, dpi, form, language, n, received=received, words=words, lexicon=lexicon)
        if read.registration is not None and read.registration.ok:
            return read, n, language
        if best is None or _fits_better(read, best[0]):
            best = (read, n)
        if n == page_hint and _share_read(read) >= HINT_READ:  # the page its counter says, read by most labels
            break
    for other in (lang for lang in form.languages if lang != language):
        for n in candidates:
            t = template(form.form_id, other, n, dpi)
            reg = register(ink, t)
            if reg is not None and reg.ok:
                read = read_form_page(ink, dpi, form, other, n, received=received, words=words, lexicon=lexicon)
                if read.registration is not None and read.registration.ok:
                    return read, n, other
    assert best is not None
    return (*best, language)


HINT_READ = 0.6  # share of a page's fields its labels were found for: it is the page its counter says


def _fits_better(read: FormPageRead, best: FormPageRead) -> bool:
    """Of two form pages neither of which registered: the one more of whose labels were found on the page (it was
    read by them), else the one more of whose blank form lies on the page's ink."""
    found, best_found = _share_read(read), _share_read(best)
    if found != best_found:
        return found > best_found
    return bool(read.registration and best.registration and read.registration.overlap > best.registration.overlap)


def _share_read(read: FormPageRead) -> float:
    return sum(r.confidence > 0 for r in read.fields.values()) / max(1, len(read.fields))


def _header(band: np.ndarray, dpi: int, headers: HeaderReader) -> FaxHeader | None:
    if (band < 128).mean() < 0.002:
        return None
    return parse_fax_header(headers.read(band, dpi))


HEADER_BOTTOM_IN = 0.3  # below this, the page's own text (the sending machine's line is read from the band above)
SUPPORTING_TOP = 0.6  # what identifies a cover sheet, letter or agreement, and the cover's fields, sit in the top 60%
FIRST_BAND = 0.2  # read first; the rest of the top only when what the page is, or its fields, are not known by then
READABLE = 0.6  # mean word confidence above which the page is taken to be upright
WORDS_DPI = 150  # supporting pages are typed at 10 pt and up: 150 dpi reads them as well, in half the time


def _read_supporting(ink: np.ndarray, dpi: int) -> tuple[np.ndarray, int, list[Word], PageClass]:
    """A page with no form number in its corner: its words top down until what it is and its fields are known, read
    as it lies (cheap); only when they read badly, Tesseract's orientation detection turns it and it is read
    again. (A page whose lines run down it was turned already.)"""
    words, cls = _top_words(ink, dpi)
    readable = cls.is_form or (bool(words) and sum(w.confidence for w in words) / len(words) >= READABLE)
    rotation = 0
    if not readable:  # read_page turned it already when its lines ran down the page
        turned, rotation = clean.upright(clean.paper(ink), dpi=dpi)
        if rotation:
            ink = turned < 128
            words, cls = _top_words(ink, dpi)
    if cls.doc_type == "unknown" and dpi > WORDS_DPI:  # noisy pages can need every pixel: read again in full
        words = _words(ink, dpi, _body_top(ink, dpi), int(ink.shape[0] * SUPPORTING_TOP), full=True)
        cls = _form_title(words, dpi) or classify_supporting(_text(words))
    return ink, rotation, words, cls


def _top_words(ink: np.ndarray, dpi: int) -> tuple[list[Word], PageClass]:
    """The words below the sending machine's line (read on its own), top down until what the page is and its fields
    are known: the first band, then the rest of the top; a letter (its salutation read) a few lines at a time, as
    what it is about is in its first sentence and its body need not be read."""
    top = _body_top(ink, dpi)
    bottom = int(ink.shape[0] * SUPPORTING_TOP)
    cut = _cut_below(ink, max(top, int(ink.shape[0] * FIRST_BAND)), dpi)
    words = _words(ink, dpi, top, cut)
    form = _form_title(words, dpi) or _form_labels(ink, dpi, words)  # a form whose number did not read
    if form is not None:
        return words, form
    cls = _known(words)
    steps = LETTER_STEPS if SALUTATION.search(_text(words)) else 0
    while cls is None and cut < bottom and steps:
        step = min(bottom, _cut_below(ink, cut + int(LETTER_STEP_IN * dpi), dpi))
        words += _words(ink, dpi, cut, step)
        cut, cls, steps = step, _known(words), steps - 1
    if cls is None:
        words += _words(ink, dpi, cut, bottom)
        cls = _form_labels(ink, dpi, words) or classify_supporting(_text(words))
    return words, cls


def _form_labels(ink: np.ndarray, dpi: int, words: list[Word]) -> PageClass | None:
    """A form of ours under a number and title we do not know (another revision, re-typed): told by its labels
    before the page's words are taken for a cover sheet's or a letter's. Two of them seen among the words read so
    far, the whole page is read, as reading it by its labels needs."""
    if not labels_seen(words):
        return None
    return _form_by_labels(page_words(ink, dpi, "en"))


def _form_by_labels(words: list[Word]) -> PageClass | None:
    found = form_by_labels(words)
    if found is None:
        return None
    form_id, language, form_page, confidence = found
    return PageClass(form_id, language, form_page, confidence, "labels")


SALUTATION = re.compile(r"\b(?:dear|estimad[oa]|querid[oa]|nyob zoo)\b", re.IGNORECASE)
LETTER_STEP_IN = 0.2  # about a line of a letter's body
LETTER_STEPS = 4  # its first sentence; another letter's body is then read in one go


def _known(words: list[Word]) -> PageClass | None:
    """What the page is, once that and all its fields are read."""
    cls = classify_supporting(_text(words))
    if cls.doc_type == "unknown" or not all(f.value for f in _supporting_fields(cls.doc_type, words).values()):
        return None
    return cls


def _body_top(ink: np.ndarray, dpi: int) -> int:
    return _quiet_row(ink, int(HEADER_BOTTOM_IN * dpi), dpi)


def _quiet_row(ink: np.ndarray, row: int, dpi: int) -> int:
    """The row at or below `row`, within a third of an inch, with the least ink: a cut there splits no text line."""
    counts = ink[row : row + dpi // 3].sum(axis=1)
    return row + int(np.argmin(counts)) if len(counts) else row


CUT_SEARCH_IN = 1.5  # how far below a band's end a row with no ink is looked for


def _cut_below(ink: np.ndarray, row: int, dpi: int) -> int:
    """The first row at or below `row` with no ink: a cut there splits no text line, and no ruled box (a cover
    sheet's table read in two halves reads worse). Failing one, the quietest row within a third of an inch."""
    blank = np.flatnonzero(~ink[row : row + int(CUT_SEARCH_IN * dpi)].any(axis=1))
    return row + int(blank[0]) if len(blank) else _quiet_row(ink, row, dpi)


def _text(words: list[Word]) -> str:
    """The words as text, a line of the page a line of text (a title stands apart from the sentences about it)."""
    return "\n".join(" ".join(w.text for w in line) for line in lines_of(words))


def _words(ink: np.ndarray, dpi: int, top: int, bottom: int, *, full: bool = False) -> list[Word]:
    """Words of rows `top` to `bottom`, with boxes in the page's own pixels, read at WORDS_DPI (or the page's
    resolution when `full`)."""
    if bottom <= top:
        return []
    img = clean.paper(ink[top:bottom])
    scale = 1.0 if full else min(1.0, WORDS_DPI / dpi)
    if scale < 1.0:
        img = np.asarray(cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    words = ocr.read_words(img, dpi=round(dpi * scale))
    return [
        Word(w.text, w.confidence, (w.box[0] / scale, w.box[1] / scale + top, w.box[2] / scale, w.box[3] / scale + top))
        for w in words
    ]


def _cleaned(gray: np.ndarray) -> tuple[np.ndarray, float]:
    """The page's ink, levelled and despeckled, and the skew it was levelled by."""
    binary = clean.binarize(gray)
    skew = clean.estimate_skew(binary)
    if abs(skew) > 0.05:
        binary = clean.binarize(clean.deskew(gray, skew))
    return clean.despeckle(binary), skew


# Where our forms print their number, in inches from the page's top: 0.5-0.8 as printed, but a sending machine that
# reduces the page to 90% moves it half an inch down, and one that shifts it, a third of an inch either way.
CORNER_TOP_IN, CORNER_BOTTOM_IN = 0.2, 1.5


def _form_number(ink: np.ndarray, dpi: int) -> PageClass | None:
    """Our forms print their number top right ('Form PS-104 Rev. 2026-01', 'Page 1 of 2'): read only that corner."""
    w = ink.shape[1]
    corner = ink[int(CORNER_TOP_IN * dpi) : int(CORNER_BOTTOM_IN * dpi), int(w * 0.55) : w - int(0.1 * dpi)]
    if corner.mean() < 0.003:
        return None
    return classify_form(ocr.read_block(clean.paper(corner), dpi=dpi, psm=6).text, by_title=False)


TITLE_TOP_IN, TITLE_BOTTOM_IN = 0.4, 2.2  # where a form's title can be: ours print it at 0.7-1.15 in, as printed


def _form_title(words: list[Word], dpi: int) -> PageClass | None:
    """A form whose number did not read (another revision, a smudged corner, a page printed smaller or shifted) by
    its title, from the words already read from the top of the page, line by line."""
    top = [w for w in words if TITLE_TOP_IN * dpi <= (w.box[1] + w.box[3]) / 2 <= TITLE_BOTTOM_IN * dpi]
    if not top:
        return None
    text = "\n".join(_text(line) for line in lines_of(top))
    return classify_form(text) or classify_plan_form(text)


def _form_by_its_look(ink: np.ndarray, dpi: int) -> PageClass | None:
    """A page no words placed (a stamp over its form number, a title in a script the words were not read in): one of
    our forms when it registers on one of their pages, blank form and labels in place. Its features are found once
    and matched within an inch only: a page of ours lies about where its blank form does."""
    features = page_features(ink)
    if features is None:
        return None
    for form in load_catalog().forms:
        for language in form.languages:
            for n in range(1, form.page_count + 1):
                t = template(form.form_id, language, n, dpi)
                reg = register(ink, t, features, across=False)
                if reg is not None and reg.ok and labels_in_place(ink, reg.matrix, t, form, language, n):
                    return PageClass(form.form_id, language, n, LOOKS_LIKE, "registered")
    return None


LOOKS_LIKE = 0.85  # known by its printed form alone


def _form_footer(ink: np.ndarray, dpi: int) -> PageClass | None:
    """Our forms print their number in the footer too."""
    h, w = ink.shape
    footer = ink[h - int(FOOTER_TOP_IN * dpi) : h - int(0.1 * dpi), int(w * 0.5) :]
    if footer.mean() < 0.002:
        return None
    return classify_form(ocr.read_block(_enlarged(footer), dpi=dpi * 2, psm=6).text, by_title=False)


FOOTER_TOP_IN = 1.3  # ours print it 0.4 in from the bottom; a page reduced to 90% lifts it half an inch


def _text_band(ink: np.ndarray) -> np.ndarray:
    """The crop's line of text alone: the band of rows holding the most ink, without the tops of the next line's
    letters, a broken rule's dashes or a speck above it, which make Tesseract read a line as nothing."""
    rows = ink.sum(axis=1)
    gap = max(2, round(0.05 * ink.shape[0]))  # an i's dot stands this far above its letter
    bands: list[tuple[int, int]] = []
    for y in np.flatnonzero(rows):
        if bands and y - bands[-1][1] <= gap:
            bands[-1] = (bands[-1][0], int(y))
        else:
            bands.append((int(y), int(y)))
    if len(bands) < 2:
        return ink
    top, bottom = max(bands, key=lambda b: rows[b[0] : b[1] + 1].sum())
    out = np.zeros_like(ink)
    out[top : bottom + 1] = ink[top : bottom + 1]
    return out


def _enlarged(ink: np.ndarray) -> np.ndarray:
    """Printed labels are small at fax resolution: twice the size reads far better."""
    img = clean.paper(ink)
    return cv2.GaussianBlur(cv2.resize(img, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC), (3, 3), 0)


def _below_header(words: list[Word], dpi: int) -> list[Word]:
    return [w for w in words if w.box[1] > HEADER_BOTTOM_IN * dpi]


def _supporting_fields(
    kind: str, words: list[Word], read_box: ReadBox | None = None, received: date | None = None
) -> dict[str, FieldRead]:
    spec = next((k for k in load_catalog().supporting if k.kind == kind), None)
    if kind == "fax_cover" and spec is not None:
        return cover_fields(words, spec.fields, spec.other_labels, read_box, received, spec.party_labels)
    if kind == "member_letter":
        return letter_fields(words)
    if kind == "mma" and spec is not None:
        found = read_by_labels(words, spec.fields, spec.other_labels)
        return {"member_name": found.get("member_name", FieldRead(value="", confidence=0.5))}
    return {}


def _box_reader(ink: np.ndarray, dpi: int) -> ReadBox:
    """Reads one line of the page's ink in a box, enlarged as printed labels need; words in page pixels."""

    def read_box(box: tuple[float, float, float, float]) -> list[Word]:
        h, w = ink.shape
        x0, y0, x1, y1 = max(0, int(box[0])), max(0, int(box[1])), min(w, int(box[2])), min(h, int(box[3]))
        if x1 - x0 < 4 or y1 - y0 < 4 or not ink[y0:y1, x0:x1].any():
            return []
        # the crop is a line and a third of its height each side: a letter is about 0.6 of it
        found = ocr.read_line(
            _enlarged(_text_band(clean.without_rules(ink[y0:y1, x0:x1], 0.6 * (y1 - y0)))), dpi=dpi * 2
        )
        return [
            Word(word.text, word.confidence, (x0 + b[0] / 2, y0 + b[1] / 2, x0 + b[2] / 2, y0 + b[3] / 2))
            for line in found.lines
            for word in line.words
            for b in (word.box,)
        ]

    return read_box


def _read_text_layer_page(page: SourcePage, received: date | None) -> PageRead:
    """An e-faxed PDF: classify and read text from its text layer; marks and signatures still from the pixels."""
    assert page.words is not None
    dpi = page.dpi
    words = [Word(w.text, 0.99, w.box) for w in page.words]
    top = [w for w in words if w.box[1] < 0.3 * dpi]
    header = parse_fax_header(" ".join(w.text for w in sorted(top, key=lambda w: w.box[0]))) if top else None
    body = _below_header(words, dpi)
    from extractors.labels import lines_of

    text = "\n".join(" ".join(w.text for w in line) for line in lines_of(body))
    found = classify_form(text) or _form_by_labels(body)
    if found is None:
        cls = classify_supporting(text)
        return PageRead(
            number=page.number,
            doc_type=cls.doc_type,
            header=header,
            text_layer=True,
            classify_confidence=cls.confidence,
            fields=_supporting_fields(cls.doc_type, body, received=received),
        )
    form = load_catalog().form(found.doc_type)
    language = found.language or "en"
    ink = clean.binarize(page.image)
    page_words = tuple(PageWord(w.text, w.box) for w in body)
    read, form_page, language = _read_best_page(
        ink, dpi, form, language, found.form_page, received, page_words, by_labels=found.evidence == "labels"
    )
    return PageRead(
        number=page.number,
        doc_type=found.doc_type,
        language=language,
        form_page=form_page,
        header=header,
        text_layer=True,
        classify_confidence=found.confidence,
        read_by=_read_by(read),
        fields=read.fields,
        form_to_page=_form_to_page(read, dpi),
    )
