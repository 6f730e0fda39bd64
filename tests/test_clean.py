"""Page cleaning: speck removal against its definition (blobs of one or two 8-connected pixels)."""

from __future__ import annotations

import cv2
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from extractors import clean


def _blobs_larger_than_two(ink: np.ndarray) -> np.ndarray:
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    keep = stats[:, cv2.CC_STAT_AREA] > 2
    keep[0] = False
    return keep[labels]


@settings(max_examples=200, deadline=None)
@given(arrays(np.bool_, st.tuples(st.integers(1, 24), st.integers(1, 24))))
def test_despeckle_removes_exactly_the_blobs_of_one_or_two_pixels(ink: np.ndarray) -> None:
    assert (clean.despeckle(ink) == _blobs_larger_than_two(ink)).all()


def test_despeckle_keeps_a_dot_and_a_stroke_and_drops_lone_pixels_and_pairs() -> None:
    ink = np.zeros((12, 12), dtype=bool)
    ink[1, 1] = True  # a lone pixel
    ink[1, 5:7] = True  # a lone pair
    ink[5, 5], ink[6, 6] = True, True  # a diagonal pair (8-connected)
    ink[9:11, 1:3] = True  # a 2x2 dot
    ink[9, 6:11] = True  # a stroke
    out = clean.despeckle(ink)
    assert not out[:8].any()
    assert out[9:11, 1:3].all() and out[9, 6:11].all()
