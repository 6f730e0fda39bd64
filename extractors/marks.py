"""Checkboxes, choices and signatures decided from pixels: what was written is what is left after subtracting the blank form."""

from __future__ import annotations

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
    return float(inside.mean()) if inside.size else 0.0


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
