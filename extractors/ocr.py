"""The one place that talks to Tesseract: engines kept in process (tesserocr), one per thread and setting.

Starting an engine costs ~100 ms and pytesseract would start a process per call (MEASURED.md), so engines are
created once per worker thread and reused. Every call passes the resolution (Tesseract guesses badly without
it) and a timeout; every failure becomes an OcrError.
"""

from __future__ import annotations

import functools
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one engine per core; OpenMP inside Tesseract only adds overhead

import tesserocr
from tesserocr import OEM, PSM, RIL, PyTessBaseAPI, iterate_level

from faxintake.errors import OcrError

TIMEOUT_MS = int(float(os.environ.get("FAXINTAKE_OCR_TIMEOUT_S", "30")) * 1000)
TESSDATA_CANDIDATES = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
)


@dataclass(frozen=True)
class OcrWord:
    text: str
    confidence: float
    box: tuple[float, float, float, float]  # pixels


@dataclass(frozen=True)
class OcrLine:
    words: tuple[OcrWord, ...]
    box: tuple[int, int, int, int]  # pixels: x0, y0, x1, y1


@dataclass(frozen=True)
class OcrText:
    text: str
    confidence: float  # 0..1
    char_confidences: tuple[float, ...] = ()
    lines: tuple[OcrLine, ...] = ()  # the same text as lines of words, each with its confidence and box


def in_reading_order(result: OcrText) -> OcrText:
    """Tesseract's lines merged where they share a row, each row's words left to right, the rows top down: a
    hand-printed line drifting off its baseline comes back in pieces, in an order that scrambles the sentence."""
    rows: list[list[OcrLine]] = []
    for line in sorted(result.lines, key=lambda ln: (ln.box[1] + ln.box[3]) / 2):
        if rows and _shares_row(rows[-1], line):
            rows[-1].append(line)
        else:
            rows.append([line])
    if len(rows) == len(result.lines) and [r[0] for r in rows] == list(result.lines):
        return result
    merged = tuple(
        OcrLine(
            tuple(sorted((w for ln in row for w in ln.words), key=lambda w: w.box[0])),
            (
                min(ln.box[0] for ln in row),
                min(ln.box[1] for ln in row),
                max(ln.box[2] for ln in row),
                max(ln.box[3] for ln in row),
            ),
        )
        for row in rows
    )
    text = "\n".join(" ".join(w.text for w in ln.words) for ln in merged)
    return OcrText(text, result.confidence, (), merged)


def _shares_row(row: list[OcrLine], line: OcrLine) -> bool:
    """Pieces of one line lie side by side, its centre within the others' height; lines of a paragraph overlap
    across, and tall hand-printed letters make them overlap in height too."""
    top, bottom = min(ln.box[1] for ln in row), max(ln.box[3] for ln in row)
    centre = (line.box[1] + line.box[3]) / 2
    side_by_side = all(line.box[0] >= ln.box[2] - 2 or line.box[2] <= ln.box[0] + 2 for ln in row)
    return side_by_side and top < centre < bottom


@functools.cache
def tessdata_path() -> str:
    env = os.environ.get("TESSDATA_PREFIX")
    for candidate in (env, *TESSDATA_CANDIDATES):
        if candidate and (Path(candidate) / "eng.traineddata").exists():
            return str(candidate).rstrip("/") + "/"
    raise OcrError("no Tesseract language data found (eng.traineddata)")


def available_languages() -> set[str]:
    return {p.stem for p in Path(tessdata_path()).glob("*.traineddata")}


_local = threading.local()


def _engine(language: str, psm: int) -> PyTessBaseAPI:
    engines: dict[tuple[str, int], PyTessBaseAPI] = _local.__dict__.setdefault("engines", {})
    key = (language, psm)
    if key not in engines:
        missing = set(language.split("+")) - available_languages()
        if missing:
            raise OcrError(
                f"Tesseract language data missing: {', '.join(sorted(missing))}",
                hint="apt-get install tesseract-ocr-eng tesseract-ocr-spa tesseract-ocr-chi-tra tesseract-ocr-osd",
            )
        try:
            oem = OEM.TESSERACT_ONLY if language == "osd" else OEM.LSTM_ONLY
            engines[key] = PyTessBaseAPI(path=tessdata_path(), lang=language, psm=psm, oem=oem)
        except RuntimeError as exc:
            raise OcrError(f"cannot start Tesseract for {language}: {exc}") from exc
    return engines[key]


def start_engines(language: str = "eng") -> None:
    """Start this thread's engines for the page modes the pipeline reads with, before the first page needs them."""
    for psm in (PSM.SINGLE_LINE, PSM.SINGLE_BLOCK, PSM.AUTO):
        _engine(language, psm)


def reset_engines() -> None:
    """Drop this thread's engines: after a failure their state is suspect; the next read starts new ones."""
    for api in _local.__dict__.pop("engines", {}).values():
        api.End()


def _set_image(api: PyTessBaseAPI, image: np.ndarray, dpi: int) -> None:
    if image.dtype != np.uint8 or image.ndim != 2:
        raise OcrError(f"OCR needs a 2-D uint8 image, got {image.dtype} {image.shape}")
    img = np.ascontiguousarray(image)
    h, w = img.shape
    api.SetImageBytes(img.tobytes(), w, h, 1, w)
    api.SetSourceResolution(int(dpi))


def _recognize(api: PyTessBaseAPI) -> None:
    try:
        ok = api.Recognize(timeout=TIMEOUT_MS)
    except RuntimeError as exc:
        raise OcrError(f"Tesseract failed: {exc}") from exc
    if not ok:
        raise OcrError(f"Tesseract did not finish within {TIMEOUT_MS / 1000:.0f} s")


def read_line(image: np.ndarray, *, dpi: int, charset: str | None = None, language: str = "eng") -> OcrText:
    """One line of text (PSM 7); `charset` restricts what Tesseract may read."""
    return _read(image, dpi=dpi, charset=charset, language=language, psm=PSM.SINGLE_LINE)


def read_block(image: np.ndarray, *, dpi: int, language: str = "eng", psm: int = PSM.SINGLE_BLOCK) -> OcrText:
    """A block of several lines."""
    return _read(image, dpi=dpi, charset=None, language=language, psm=psm)


def _read(image: np.ndarray, *, dpi: int, charset: str | None, language: str, psm: int) -> OcrText:
    api = _engine(language, psm)
    api.SetVariable("tessedit_char_whitelist", charset or "")
    _set_image(api, image, dpi)
    _recognize(api)
    text = api.GetUTF8Text().strip()
    chars: list[float] = []
    iterator = api.GetIterator()
    if iterator is not None:
        for symbol in iterate_level(iterator, RIL.SYMBOL):
            try:
                if symbol.GetUTF8Text(RIL.SYMBOL).strip():
                    chars.append(symbol.Confidence(RIL.SYMBOL) / 100.0)
            except RuntimeError:  # an empty symbol slot: nothing to score
                continue
    mean = api.MeanTextConf() / 100.0 if text else 0.0
    lines = _lines(api) if text else ()
    api.Clear()
    return OcrText(text=text, confidence=max(0.0, mean), char_confidences=tuple(chars), lines=lines)


def _lines(api: PyTessBaseAPI) -> tuple[OcrLine, ...]:
    lines: list[OcrLine] = []
    words: list[OcrWord] = []
    box: tuple[int, int, int, int] | None = None
    iterator = api.GetIterator()
    if iterator is None:
        return ()
    for word in iterate_level(iterator, RIL.WORD):
        if word.IsAtBeginningOf(RIL.TEXTLINE):
            if words and box is not None:
                lines.append(OcrLine(tuple(words), box))
            words, box = [], word.BoundingBox(RIL.TEXTLINE)
        try:
            text = word.GetUTF8Text(RIL.WORD)
        except RuntimeError:
            continue
        word_box = word.BoundingBox(RIL.WORD)
        if text and text.strip() and word_box:
            words.append(OcrWord(text.strip(), word.Confidence(RIL.WORD) / 100.0, tuple(float(v) for v in word_box)))  # type: ignore[arg-type]
    if words and box is not None:
        lines.append(OcrLine(tuple(words), box))
    return tuple(lines)


def read_words(image: np.ndarray, *, dpi: int, language: str = "eng", psm: int = PSM.AUTO) -> list[OcrWord]:
    """Every word on the page with its box: for classification and reading pages by their labels."""
    api = _engine(language, psm)
    api.SetVariable("tessedit_char_whitelist", "")
    _set_image(api, image, dpi)
    _recognize(api)
    words = [w for line in _lines(api) for w in line.words]
    api.Clear()
    return words


def detect_orientation(image: np.ndarray, *, dpi: int) -> tuple[int, float] | None:
    """Degrees to turn the page clockwise to make it upright, and Tesseract's confidence; None when unsure."""
    api = _engine("osd", PSM.OSD_ONLY)
    _set_image(api, image, dpi)
    try:
        result = api.DetectOrientationScript()
    except RuntimeError:
        result = None
    api.Clear()
    if not result:
        return None
    return (360 - int(result["orient_deg"])) % 360, float(result["orient_conf"])


def version() -> str:
    return str(tesserocr.tesseract_version().splitlines()[0])
