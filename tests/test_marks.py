"""Checkboxes from pixels: a mark is ink inside the square; specks and a scanner's hair-line through it are not."""

from __future__ import annotations

import cv2
import numpy as np

from extractors.marks import read_checkbox

SIDE = 30  # a 10-pt square at 204 dpi, its border already subtracted
BOX = (10, 10, 10 + SIDE, 10 + SIDE)


def page() -> np.ndarray:
    return np.zeros((60, 60), dtype=bool)


def with_x(ink: np.ndarray) -> np.ndarray:
    drawn = ink.astype(np.uint8)
    cv2.line(drawn, (16, 16), (34, 34), 1, 4)
    cv2.line(drawn, (34, 16), (16, 34), 1, 4)
    return drawn.astype(bool)


def with_streak(ink: np.ndarray, x: int = 27) -> np.ndarray:
    out = ink.copy()
    out[:, x] = True  # a dirty scanner glass: one pixel wide, the whole page down
    return out


def test_an_x_is_marked_and_an_empty_box_is_not() -> None:
    assert read_checkbox(with_x(page()), BOX, speck=8).value is True
    blank = read_checkbox(page(), BOX, speck=8)
    assert blank.value is False and blank.confidence > 0.9


def test_a_hair_line_through_an_empty_box_is_no_mark() -> None:
    read = read_checkbox(with_streak(page()), BOX, speck=8)
    assert read.value is False and read.confidence > 0.9


def test_a_hair_line_through_a_marked_box_leaves_the_mark() -> None:
    assert read_checkbox(with_streak(with_x(page()), x=20), BOX, speck=8).value is True
