"""Page cleaning: binarize, remove fax specks and streaks, find skew and orientation. Each returns a new array."""

from __future__ import annotations

import cv2
import numpy as np

from extractors import ocr

HEADER_BAND_IN = 0.32  # sending machines print their line in the top third of an inch


_PAPER = np.full(256, 255, np.uint8)
_PAPER[1] = 0


def paper(ink: np.ndarray) -> np.ndarray:
    """Ink (bool) drawn black on white, as Tesseract and the feature detector read it (a table lookup: a full page
    in half a millisecond, where np.where takes several)."""
    return np.asarray(cv2.LUT(np.ascontiguousarray(ink).view(np.uint8), _PAPER))


def without_rules(ink: np.ndarray, letter: float) -> np.ndarray:
    """The ink without the rules through it (a table's lines, a box, an underline): strokes longer than three
    letters are wide, or one and a half tall, taken away with the pixels touching them. `letter`: a letter's
    height in pixels."""
    region = ink.astype(np.uint8)
    wide, tall = max(10, round(3 * letter)), max(6, round(1.5 * letter))
    rules = np.maximum(
        cv2.morphologyEx(region, cv2.MORPH_OPEN, np.ones((1, wide), np.uint8)),
        cv2.morphologyEx(region, cv2.MORPH_OPEN, np.ones((tall, 1), np.uint8)),
    )
    return (region > 0) & (cv2.dilate(rules, np.ones((3, 3), np.uint8)) == 0)


def binarize(gray: np.ndarray) -> np.ndarray:
    """True where there is ink (Otsu's threshold; fax pages are already nearly two-tone)."""
    _, out = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return out > 0


def despeckle(ink: np.ndarray) -> np.ndarray:
    """Remove isolated blobs of one or two pixels (8-connected): fax line noise, smaller than any printed dot at
    200 dpi. Told by counting neighbours (a lone pixel has none; a lone pair, one each) rather than labelling every
    blob of the page, in bytes: no full-page temporaries of wider types."""
    ink = np.ascontiguousarray(ink)
    around = _block_sums(ink)  # the pixel and its eight neighbours
    paired = ink & (around == 2)  # ink with exactly one neighbour
    speck = (around == 1) | (paired & (_block_sums(paired) == 2))
    return ink & ~speck


def _block_sums(pixels: np.ndarray) -> np.ndarray:
    """Each pixel's 3x3 block summed (pixels: bool, so at most 9), in bytes."""
    return np.asarray(cv2.boxFilter(pixels.view(np.uint8), -1, (3, 3), normalize=False, borderType=cv2.BORDER_CONSTANT))


def estimate_skew(ink: np.ndarray, max_angle: float = 6.0) -> float:
    """Degrees to rotate counter-clockwise to level the text lines: projection profiles, coarse then fine. Small
    angles are tried as shears of the ink's coordinates (a bincount each) rather than by rotating the image."""
    scale = 0.35
    small = cv2.resize(ink.view(np.uint8) * 255, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    if small.mean() < 0.5:
        return 0.0
    ys, xs = np.nonzero(small)
    weights = small[ys, xs].astype(np.float64)
    across = xs - small.shape[1] / 2

    def score(angle: float, every: int = 1) -> float:
        rows = np.round(ys[::every] - across[::every] * np.tan(np.radians(angle))).astype(np.int64)
        profile = np.bincount(rows - rows.min(), weights=weights[::every])
        return float(np.square(np.diff(profile)).sum())

    # The coarse pass needs only every third ink pixel to pick its half degree (corpus: the same angle every page).
    best = max(np.arange(-max_angle, max_angle + 0.01, 0.5), key=lambda a: score(float(a), every=3))
    fine = max(np.arange(best - 0.5, best + 0.51, 0.1), key=lambda a: score(float(a)))
    return round(float(fine), 2)


STREAK_SHARE = 0.5  # of the page's rows a line must cross to be a streak (a table's borders cross far fewer)


def without_glass_streaks(ink: np.ndarray, skew: float) -> np.ndarray:
    """The page's ink without the lines a dirty scanner glass draws down the whole page. Straight down the page as
    sent, they lean by the skew the page was levelled by; Tesseract's page layout takes one for a column gap and
    reads the words either side of it apart, or not at all."""
    ys, xs = np.nonzero(ink)
    if len(xs) == 0:
        return ink
    h = ink.shape[0]
    best: tuple[np.ndarray, np.ndarray] | None = None
    for angle in {skew, -skew}:  # whichever way the levelling turned it
        across = np.round(xs + (ys - h / 2) * np.tan(np.radians(angle))).astype(np.int64)
        counts = np.bincount(across - across.min())
        if best is None or counts.max() > best[0].max():
            best = (counts, across - across.min())
    assert best is not None
    counts, across = best
    streaks = np.flatnonzero(counts > STREAK_SHARE * h)
    if len(streaks) == 0:
        return ink
    hit = np.isin(across, np.concatenate([streaks - 1, streaks, streaks + 1]))
    out = ink.copy()
    out[ys[hit], xs[hit]] = False
    return out


def deskew(gray: np.ndarray, angle: float) -> np.ndarray:
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def rotate(image: np.ndarray, degrees_clockwise: int) -> np.ndarray:
    turns = {0: 0, 90: 3, 180: 2, 270: 1}[degrees_clockwise % 360]
    return np.ascontiguousarray(np.rot90(image, turns))


def coarse_orientation(ink: np.ndarray) -> int | None:
    """0 when text lines run across the page, 90 when they run down it, None when it cannot tell (cheap)."""
    small = cv2.resize(ink.astype(np.uint8) * 255, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    if small.mean() < 0.5:
        return None
    across = float(np.square(np.diff(small.sum(axis=1, dtype=np.float64))).mean())
    down = float(np.square(np.diff(small.sum(axis=0, dtype=np.float64))).mean())
    if across > 1.5 * down:
        return 0
    if down > 1.5 * across:
        return 90
    return None


def upright(gray: np.ndarray, *, dpi: int) -> tuple[np.ndarray, int]:
    """The page turned upright and the clockwise rotation applied (Tesseract's OSD decides; unsure: as is)."""
    found = ocr.detect_orientation(gray, dpi=dpi)
    if found is None:
        return gray, 0
    rotation, confidence = found
    if rotation == 0 or confidence < 1.5:
        return gray, 0
    return rotate(gray, rotation), rotation


def split_header_band(gray: np.ndarray, *, dpi: int) -> tuple[np.ndarray, np.ndarray]:
    cut = int(HEADER_BAND_IN * dpi)
    return gray[:cut], gray[cut:]
