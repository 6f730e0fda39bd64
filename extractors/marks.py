"""Checkboxes, choices and signatures decided from pixels: what was written is what is left after subtracting the blank form."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from faxintake.model import FieldRead

Box = tuple[int, int, int, int]  # pixels: x0, y0, x1, y1

MARKED_AT = 0.06  # share of a box's inside covered by ink
BLANK_BELOW = 0.02
SIGNED_AT = 0.004  # share of the signature area covered by strokes


def remove_specks(ink: np.ndarray, min_area: int) -> np.ndarray:
    """Drop connected blobs smaller than `min_area` pixels (fax specks), keep everything else."""
    if not ink.any():
        return ink
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    keep = np.zeros(count, dtype=bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= min_area
    return keep[labels]


def crop(ink: np.ndarray, box: Box) -> np.ndarray:
    x0, y0, x1, y1 = box
    h, w = ink.shape
    return ink[max(0, y0) : min(h, y1), max(0, x0) : min(w, x1)]


def box_fill(written: np.ndarray, box: Box, speck: int) -> float:
    """Share of the square's inside covered by written ink (its printed border was subtracted already)."""
    x0, y0, x1, y1 = box
    inset = max(1, (x1 - x0) // 8)
    inside = remove_specks(crop(written, (x0 + inset, y0 + inset, x1 - inset, y1 - inset)), speck * 2)
    inside = without_streaks(inside, thin=max(2, (x1 - x0) // 12))
    return float(inside.mean()) if inside.size else 0.0


def without_streaks(ink: np.ndarray, thin: int) -> np.ndarray:
    """Drop straight hair-lines crossing most of the area up or across: a dirty scanner glass draws them through
    whole columns of boxes (rmr_heavy_noise). A pen's X or tick is thicker and slanted; it is kept."""
    if not ink.any():
        return ink
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    h, w = ink.shape
    width, height = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]
    streak = ((width <= thin) & (height >= 0.4 * h)) | ((height <= thin) & (width >= 0.4 * w))
    keep = np.concatenate([[False], ~streak])
    return keep[labels]


def _mark_confidence(fill: float) -> float:
    if fill >= MARKED_AT * 1.5 or fill <= BLANK_BELOW / 2:
        return 0.995
    if fill >= MARKED_AT or fill <= BLANK_BELOW:
        return 0.93
    return 0.55  # a faint or partial mark, or a big speck: a person should look


def read_checkbox(written: np.ndarray, box: Box, speck: int) -> FieldRead:
    fill = box_fill(written, box, speck)
    return FieldRead(
        value=fill >= (MARKED_AT + BLANK_BELOW) / 2, confidence=_mark_confidence(fill), raw=f"fill={fill:.3f}"
    )


def read_choice(written: np.ndarray, options: dict[str, Box], speck: int) -> FieldRead:
    fills = {value: box_fill(written, box, speck) for value, box in options.items()}
    marked = [v for v, f in fills.items() if f >= (MARKED_AT + BLANK_BELOW) / 2]
    value = "" if not marked else marked[0] if len(marked) == 1 else "?"
    confidence = min(_mark_confidence(f) for f in fills.values())
    raw = " ".join(f"{v}={f:.3f}" for v, f in fills.items())
    return FieldRead(value=value, confidence=confidence, raw=raw)


def read_signature(written: np.ndarray, box: Box, speck: int) -> FieldRead:
    strokes = remove_specks(crop(written, box), speck * 4)
    area = strokes.size or 1
    share = float(strokes.sum()) / area
    confidence = 0.99 if share >= SIGNED_AT * 2 or share <= SIGNED_AT / 4 else 0.6
    return FieldRead(value=share >= SIGNED_AT, confidence=confidence, raw=f"ink={share:.4f}")


# A page that did not register has no blank form to subtract: its squares are found by their outline, which is
# then taken away (extractors/read_by_labels.py).


def find_square(ink: np.ndarray, near: Box, side: int, reach: tuple[int, int, int, int]) -> Box | None:
    """The printed square about `near`: a ring of ink about `side` pixels wide with paper just outside it, looked
    for `reach` pixels (left, up, right, down) around; whatever is marked inside does not count."""
    h, w = ink.shape
    x0, y0 = max(0, near[0] - reach[0]), max(0, near[1] - reach[1])
    x1, y1 = min(w, near[2] + reach[2]), min(h, near[3] + reach[3])
    ring, out = max(2, round(side * 0.1)), 2
    if y1 - y0 < side + 2 * out + 2 or x1 - x0 < side + 2 * out + 2:
        return None
    sums = cv2.integral(ink[y0:y1, x0:x1].astype(np.uint8), sdepth=cv2.CV_32S)
    best: tuple[float, Box] | None = None
    for s in range(max(6, side - 2), side + 3):
        outer = _box_sums(sums, s, out)
        inner = _box_sums(sums, s - 2 * ring, out + ring)
        around = _box_sums(sums, s + 2 * out, 0)
        rim = (outer - inner) / float(s * s - (s - 2 * ring) ** 2)
        halo = (around - outer) / float((s + 2 * out) ** 2 - s * s)
        score = np.where(rim >= 0.55, rim - halo, -1.0)
        iy, ix = np.unravel_index(int(np.argmax(score)), score.shape)
        if score[iy, ix] > 0.3 and (best is None or score[iy, ix] > best[0]):
            bx, by = x0 + int(ix) + out, y0 + int(iy) + out
            best = (float(score[iy, ix]), (bx, by, bx + s, by + s))
    return best[1] if best else None


def _box_sums(sums: np.ndarray, size: int, offset: int) -> np.ndarray:
    """Ink in the `size` square `offset` pixels in from each place a square `size + 2 * offset` wide fits in the
    window (indexed by that square's corner), from the window's integral image."""
    span = size + 2 * offset
    n_y, n_x = sums.shape[0] - span, sums.shape[1] - span
    a = sums[offset : offset + n_y, offset : offset + n_x]
    b = sums[offset : offset + n_y, offset + size : offset + size + n_x]
    c = sums[offset + size : offset + size + n_y, offset : offset + n_x]
    d = sums[offset + size : offset + size + n_y, offset + size : offset + size + n_x]
    return (d - b - c + a).astype(np.float64)


def without_squares(ink: np.ndarray, squares: Sequence[Box]) -> np.ndarray:
    """The page with the printed squares' outlines taken away, as registration subtracts the blank form."""
    out = ink.copy()
    for x0, y0, x1, y1 in squares:
        ring = max(2, round((x1 - x0) * 0.1)) + 1
        inside = out[y0 + ring : y1 - ring, x0 + ring : x1 - ring].copy()
        out[max(0, y0 - 1) : y1 + 1, max(0, x0 - 1) : x1 + 1] = False
        out[y0 + ring : y1 - ring, x0 + ring : x1 - ring] = inside
    return out
