"""Read the line the sending machine prints across the top of every page of one fax.

The machine prints the same line at the same place on each page; only the page number (and now and then the
minute) changes. So the first page's line is read in full and a later page's only where its pixels differ from
the first's, a word either side for context; the words that did not change are taken from the first reading.
A line that differs anywhere the first reading has no word for is read in full.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from extractors import clean, ocr

CONTEXT = 1  # words re-read either side of a changed one: a lone digit reads worse than "Page 3 of"
PAD = 6  # pixels around the re-read stretch
SPECK = 4  # changed blobs smaller than this (pixels) are fax noise
NEW_TEXT = 40  # a changed blob this big outside every word of the first reading is new text


@dataclass(frozen=True)
class _Reference:
    ink: np.ndarray  # bool, despeckled
    words: tuple[ocr.OcrWord, ...]


class HeaderReader:
    """Reads header bands of one fax in page order (one reader per fax; not shared between threads)."""

    def __init__(self) -> None:
        self._reference: _Reference | None = None

    def read(self, band: np.ndarray, dpi: int) -> str:
        """The text of a page's header band (grayscale)."""
        ink = clean.despeckle(band < 128)
        if self._reference is not None:
            text = _read_changes(band, ink, dpi, self._reference)
            if text is not None:
                return text
        result = ocr.read_line(band, dpi=dpi)
        words = tuple(w for line in result.lines for w in line.words)
        if words:
            self._reference = _Reference(ink, words)
        return result.text


def _read_changes(band: np.ndarray, ink: np.ndarray, dpi: int, ref: _Reference) -> str | None:
    """The line with only its changed words read again; None when it must be read in full."""
    if ink.shape != ref.ink.shape:
        return None
    count, _, stats, _ = cv2.connectedComponentsWithStats((ink ^ ref.ink).astype(np.uint8), connectivity=8)
    changed: set[int] = set()
    for x, _, w, _, area in stats[1:count]:
        if area < SPECK:
            continue
        hit = {i for i, word in enumerate(ref.words) if x <= word.box[2] + PAD and word.box[0] - PAD <= x + w}
        if not hit and area >= NEW_TEXT:  # something printed where the first page printed nothing
            return None
        changed |= hit
    words = [w.text for w in ref.words]
    # Each run of changed words (with their context) is read again on its own, last first so indices hold.
    for first, last in reversed(_runs(sorted(changed), len(words))):
        x0 = max(0, int(ref.words[first].box[0]) - PAD)
        x1 = min(ink.shape[1], int(ref.words[last].box[2]) + PAD)
        again = ocr.read_line(band[:, x0:x1], dpi=dpi).text
        if not again:
            return None
        words[first : last + 1] = [again]
    return " ".join(words)


def _runs(changed: list[int], n: int) -> list[tuple[int, int]]:
    """Runs of word indices to read again: each changed word with CONTEXT words either side, overlaps merged."""
    runs: list[tuple[int, int]] = []
    for i in changed:
        first, last = max(0, i - CONTEXT), min(n - 1, i + CONTEXT)
        if runs and first <= runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], last)
        else:
            runs.append((first, last))
    return runs
