"""Align a page to its blank form: ORB features, a RANSAC affine transform, and an overlap check."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import cv2
import numpy as np

from extractors import clean
from extractors.templates import Template

WORK_SCALE = 0.5  # features are found at half resolution (~100 dpi): 4x less work, same accuracy after RANSAC
MIN_INLIERS = 40
MIN_OVERLAP = 0.80  # share of the blank form's ink that lands on the page's ink once aligned


@dataclass(frozen=True)
class Registration:
    matrix: np.ndarray  # 2x3, page pixels -> template pixels
    inliers: int
    overlap: float
    labels_in_place: bool = True  # every field's printed label lies where the blank form has it (read_form checks)

    @property
    def ok(self) -> bool:
        return self.inliers >= MIN_INLIERS and self.overlap >= MIN_OVERLAP and self.labels_in_place


_orb = functools.cache(lambda: cv2.ORB_create(nfeatures=2000, scaleFactor=1.2, nlevels=4, fastThreshold=12))  # type: ignore[attr-defined]
_matcher = functools.cache(lambda: cv2.BFMatcher(cv2.NORM_HAMMING))
CELL = 100  # px at WORK_SCALE (1 inch): a feature is first compared only with the blank form's within about an inch
_NO_POINTS = np.zeros(0, dtype=np.intp)


@dataclass(frozen=True)
class _Features:
    points: np.ndarray  # (n, 2) float32, at WORK_SCALE
    descriptors: np.ndarray
    cells: dict[tuple[int, int], np.ndarray]  # indices of the features in each CELL x CELL square

    def near(self, cell: tuple[int, int]) -> np.ndarray:
        """Indices of the features in `cell` and the eight around it."""
        x, y = cell
        found = [self.cells.get((x + dx, y + dy), _NO_POINTS) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
        return np.concatenate(found)


def _features(ink: np.ndarray) -> _Features | None:
    small = cv2.resize(clean.paper(ink), None, fx=WORK_SCALE, fy=WORK_SCALE, interpolation=cv2.INTER_AREA)
    keypoints, descriptors = _orb().detectAndCompute(small, None)
    if descriptors is None or len(keypoints) < MIN_INLIERS:
        return None
    points = np.asarray(cv2.KeyPoint_convert(keypoints), dtype=np.float32)  # type: ignore[attr-defined]
    keys = (points // CELL).astype(np.intp)
    cells: dict[tuple[int, int], list[int]] = {}
    for i, (x, y) in enumerate(keys.tolist()):
        cells.setdefault((x, y), []).append(i)
    return _Features(points, descriptors, {k: np.array(v, dtype=np.intp) for k, v in cells.items()})


@functools.lru_cache(maxsize=64)
def _template_features(t: Template) -> _Features | None:
    return _features(t.ink)


def _ratio_test(page_idx: np.ndarray, page: _Features, tmpl_idx: np.ndarray, tmpl: _Features) -> list[tuple[int, int]]:
    """Pairs (page, template) whose best match is clearly better than the second best (Lowe's ratio test)."""
    if len(page_idx) == 0 or len(tmpl_idx) < 2:
        return []
    pairs = _matcher().knnMatch(page.descriptors[page_idx], tmpl.descriptors[tmpl_idx], k=2)
    return [
        (int(page_idx[m.queryIdx]), int(tmpl_idx[m.trainIdx]))
        for m, *rest in pairs
        if rest and m.distance < 0.8 * rest[0].distance
    ]


def _local_pairs(page: _Features, tmpl: _Features) -> list[tuple[int, int]]:
    """Matches between features at most about an inch apart: a deskewed fax lies close to its blank form, so this
    is a tenth of the comparisons of matching everything with everything, and fewer look-alikes from far away."""
    return [pair for cell, idx in page.cells.items() for pair in _ratio_test(idx, page, tmpl.near(cell), tmpl)]


def _all_pairs(page: _Features, tmpl: _Features) -> list[tuple[int, int]]:
    everything = np.arange(len(tmpl.points), dtype=np.intp)
    return _ratio_test(np.arange(len(page.points), dtype=np.intp), page, everything, tmpl)


def register(
    page_ink: np.ndarray, t: Template, page: _Features | None = None, *, across: bool = True
) -> Registration | None:
    """The transform that puts `page_ink` (bool, True = ink) onto template `t`, or None when none is found.
    Features are matched nearby first; a page shifted or scaled further than that is matched across the page
    (unless not `across`). `page`: the page's features, when several templates are tried on it."""
    page, tmpl = page or _features(page_ink), _template_features(t)
    if page is None or tmpl is None:
        return None
    found = _fit(page_ink, t, page, tmpl, _local_pairs(page, tmpl))
    if (found is not None and found.ok) or not across:
        return found
    return _fit(page_ink, t, page, tmpl, _all_pairs(page, tmpl)) or found


def page_features(page_ink: np.ndarray) -> _Features | None:
    """A page's features, to try several templates on it."""
    return _features(page_ink)


def _fit(
    page_ink: np.ndarray, t: Template, page: _Features, tmpl: _Features, pairs: list[tuple[int, int]]
) -> Registration | None:
    if len(pairs) < MIN_INLIERS:
        return None
    src = page.points[[p for p, _ in pairs]] / WORK_SCALE
    dst = tmpl.points[[q for _, q in pairs]] / WORK_SCALE
    # A full affine fit, not a similarity: a sending machine feeds the paper a little faster or slower than it scans
    # across (rows stretched 1-3%), which a single scale leaves as 10-20 px of error at the page's top and bottom.
    matrix, inlier_mask = cv2.estimateAffine2D(
        src, dst, method=cv2.RANSAC, ransacReprojThreshold=4.0, maxIters=3000, confidence=0.995
    )
    if matrix is None:
        return None
    scales = np.hypot(matrix[0, :2], matrix[1, :2])  # of the page's x and y axes
    if not (scales.min() > 0.85 and scales.max() < 1.15 and scales.max() / scales.min() < 1.08):
        return None
    return Registration(matrix=matrix, inliers=int(inlier_mask.sum()), overlap=_overlap(page_ink, matrix, t))


def moved_by_box(
    page_ink: np.ndarray, matrix: np.ndarray, shape: tuple[int, int], boxes: list[tuple[int, int, int, int]]
) -> np.ndarray:
    """The page's ink on the template's grid (`shape`) in `boxes` only, each box cut as `cut` does."""
    out = np.zeros(shape, dtype=bool)
    for box in boxes:
        x0, y0, x1, y1 = max(0, box[0]), max(0, box[1]), min(shape[1], box[2]), min(shape[0], box[3])
        if x1 > x0 and y1 > y0:
            out[y0:y1, x0:x1] = cut(page_ink, matrix, (x0, y0, x1, y1))
    return out


def cut(page_ink: np.ndarray, matrix: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """What lies on the page under template box `box`: the page's own pixels, moved by the whole number of pixels
    `matrix` (page -> template) gives at the box's centre (white beyond the page's edge and beyond the box's own
    extent on the page). A value's glyphs are never resampled, so a fraction of a pixel more or less of
    registration (another set of matched features) leaves them as they are, where a warp would double or drop a row
    or column of pixels somewhere in them. On a page reduced to fit, the box is smaller than its template: a cut of
    the template's size would reach past the box's rule into the next cell (a 9-inch row at 91% by 0.4 in)."""
    x0, y0, x1, y1 = box
    to_page = cv2.invertAffineTransform(matrix)
    corners = np.array([[x0, y0, 1], [x1, y0, 1], [x0, y1, 1], [x1, y1, 1]], dtype=np.float64) @ to_page.T
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    dx = round(float(to_page[0, 0] * cx + to_page[0, 1] * cy + to_page[0, 2] - cx))
    dy = round(float(to_page[1, 0] * cx + to_page[1, 1] * cy + to_page[1, 2] - cy))
    out = np.zeros((y1 - y0, x1 - x0), dtype=bool)
    h, w = page_ink.shape
    # the box's extent on the page, in the template's grid as moved: never wider than the cut
    left = max(x0, -dx, math.floor(corners[:, 0].min()) - dx)
    top = max(y0, -dy, math.floor(corners[:, 1].min()) - dy)
    right = min(x1, w - dx, math.ceil(corners[:, 0].max()) - dx)
    bottom = min(y1, h - dy, math.ceil(corners[:, 1].max()) - dy)
    if right > left and bottom > top:
        out[top - y0 : bottom - y0, left - x0 : right - x0] = page_ink[top + dy : bottom + dy, left + dx : right + dx]
    return out


def _overlap(page_ink: np.ndarray, matrix: np.ndarray, t: Template) -> float:
    """Share of the blank form's ink the page's ink lands on. At quarter resolution with a little slack: speed, and
    tolerance to thin broken fax strokes."""
    quarter = matrix.copy()
    quarter[:, 2] /= 4  # the same transform between quarter-size images
    small_tmpl = _quarter_template(t)
    small_page = cv2.warpAffine(
        _quarter(page_ink).view(np.uint8), quarter, small_tmpl.shape[::-1], flags=cv2.INTER_NEAREST, borderValue=0
    )
    grown = cv2.dilate(small_page, np.ones((3, 3), np.uint8)) > 0
    total = int(small_tmpl.sum())
    return float((grown & small_tmpl).sum()) / total if total else 0.0


def _quarter(ink: np.ndarray) -> np.ndarray:
    return np.asarray(cv2.resize(ink.astype(np.uint8), None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA) > 0)


@functools.lru_cache(maxsize=64)
def _quarter_template(t: Template) -> np.ndarray:
    return _quarter(t.ink)
