"""Align a page to its blank form: ORB features, a RANSAC similarity transform, and an overlap check."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np

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


_orb = functools.cache(lambda: cv2.ORB_create(nfeatures=3000, scaleFactor=1.2, nlevels=6, fastThreshold=12))  # type: ignore[attr-defined]
_matcher = functools.cache(lambda: cv2.BFMatcher(cv2.NORM_HAMMING))


def _features(ink: np.ndarray) -> tuple[list[cv2.KeyPoint], np.ndarray | None]:
    small = cv2.resize(
        np.where(ink, 0, 255).astype(np.uint8), None, fx=WORK_SCALE, fy=WORK_SCALE, interpolation=cv2.INTER_AREA
    )
    keypoints, descriptors = _orb().detectAndCompute(small, None)
    return list(keypoints), descriptors


@functools.lru_cache(maxsize=64)
def _template_features(t: Template) -> tuple[list[cv2.KeyPoint], np.ndarray | None]:
    return _features(t.ink)


def register(page_ink: np.ndarray, t: Template) -> Registration | None:
    """The transform that puts `page_ink` (bool, True = ink) onto template `t`, or None when none is found."""
    kp_page, des_page = _features(page_ink)
    kp_tmpl, des_tmpl = _template_features(t)
    if des_page is None or des_tmpl is None or len(kp_page) < MIN_INLIERS:
        return None
    pairs = _matcher().knnMatch(des_page, des_tmpl, k=2)
    good = [m for m, *rest in pairs if rest and m.distance < 0.8 * rest[0].distance]
    if len(good) < MIN_INLIERS:
        return None
    src = np.array([kp_page[m.queryIdx].pt for m in good], dtype=np.float32) / WORK_SCALE
    dst = np.array([kp_tmpl[m.trainIdx].pt for m in good], dtype=np.float32) / WORK_SCALE
    matrix, inlier_mask = cv2.estimateAffinePartial2D(
        src, dst, method=cv2.RANSAC, ransacReprojThreshold=4.0, maxIters=3000, confidence=0.995
    )
    if matrix is None:
        return None
    scale = float(np.hypot(matrix[0, 0], matrix[1, 0]))
    if not 0.85 < scale < 1.15:
        return None
    warped = warp(page_ink, matrix, t.shape)
    return Registration(matrix=matrix, inliers=int(inlier_mask.sum()), overlap=_overlap(warped, t))


def warp(page_ink: np.ndarray, matrix: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    out = cv2.warpAffine(
        page_ink.astype(np.uint8), matrix, (shape[1], shape[0]), flags=cv2.INTER_NEAREST, borderValue=0
    )
    return out.astype(bool)


def _overlap(warped: np.ndarray, t: Template) -> float:
    # Compare at quarter resolution with a little slack: speed, and tolerance to thin broken fax strokes.
    small_page = cv2.resize(warped.astype(np.uint8), None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA) > 0
    small_tmpl = cv2.resize(t.ink.astype(np.uint8), None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA) > 0
    grown = cv2.dilate(small_page.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    total = int(small_tmpl.sum())
    return float((grown & small_tmpl).sum()) / total if total else 0.0
