"""Blank forms rasterized at the page's resolution: what registration aligns to and what is subtracted."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np
import pypdfium2 as pdfium

from faxintake.catalog import FormDef, load_catalog
from faxintake.catalog.render import render_form


@dataclass(frozen=True, eq=False)  # hashed by identity: instances are cached
class Template:
    form_id: str
    language: str
    page: int  # from 1
    dpi: int
    ink: np.ndarray  # bool, True where the blank form prints
    mask: np.ndarray  # the ink grown by a pixel or two: subtracting it leaves only what was written

    @property
    def shape(self) -> tuple[int, int]:
        h, w = self.ink.shape
        return h, w

    def px(self, points: float) -> int:
        return round(points * self.dpi / 72.0)


@functools.cache
def _pdf(form_id: str, language: str) -> bytes:
    return render_form(load_catalog().form(form_id), language)


@functools.lru_cache(maxsize=64)
def template(form_id: str, language: str, page: int, dpi: int) -> Template:
    doc = pdfium.PdfDocument(_pdf(form_id, language))
    gray = doc[page - 1].render(scale=dpi / 72.0, grayscale=True).to_numpy()
    if gray.ndim == 3:
        gray = gray[..., 0]
    ink = gray < 160
    grow = max(3, round(dpi / 50))  # ~1.5 pt: covers registration error and fax stroke bleed
    mask = cv2.dilate(ink.astype(np.uint8), np.ones((grow, grow), np.uint8)).astype(bool)
    return Template(form_id=form_id, language=language, page=page, dpi=dpi, ink=ink, mask=mask)


def form_of(template_: Template) -> FormDef:
    return load_catalog().form(template_.form_id)
