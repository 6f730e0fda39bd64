"""Page images for the review app: each page of the kept original rendered upright (as the reader saw it: turned
and levelled by the rotation and skew the store recorded) as a grayscale PNG, once, and kept in the store; and
where each field's box lies on it."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from sqlalchemy import select

from extractors import clean
from extractors.ingest import iter_pages
from faxintake.catalog import FieldDef
from faxintake.errors import FaxIntakeError
from faxintake.store import Store
from faxintake.store.models import Fax, Page, PageImage

RENDER_DPI = 150  # sharp enough to read hand-print on screen, a tenth of a megabyte a page as PNG
_rendering: dict[int, threading.Lock] = {}  # per fax: the browser asks for its pages at once, one renders them
_locks = threading.Lock()


class PageMissing(FaxIntakeError):
    """The kept original is gone or cannot be read (moved by hand, deleted): the fields are still shown."""

    hint = "the original fax file is no longer where the store says it is kept"


@dataclass(frozen=True)
class FieldPlace:
    """A field's box on a fax page, in page points (1/72 inch from the upright page's top left)."""

    page: int  # fax page number
    box: tuple[float, float, float, float]
    exact: bool  # False: the page did not register, the box is where the blank form has it


def page_png(store: Store, fax_id: int, number: int) -> bytes:
    """The page as PNG: from the store when rendered before, else rendered now (every page of the fax at once:
    a multi-page TIFF is decoded in one pass) and kept."""
    with _locks:
        lock = _rendering.setdefault(fax_id, threading.Lock())
    with lock:
        return _page_png(store, fax_id, number)


def _page_png(store: Store, fax_id: int, number: int) -> bytes:
    with store.session("read a page image") as s:
        png = s.scalar(select(PageImage.png).where(PageImage.fax_id == fax_id, PageImage.number == number))
        if png is not None:
            return png
        fax = s.get(Fax, fax_id)
        if fax is None:
            raise PageMissing(f"no fax {fax_id}")
        source = Path(fax.source)
        turns = {p.number: (p.rotation, p.skew) for p in s.scalars(select(Page).where(Page.fax_id == fax_id))}
    rendered = _render(source, turns)
    if number not in rendered:
        raise PageMissing(f"the fax has no page {number}")
    with store.session("keep the page images", write=True) as s:
        done = set(s.scalars(select(PageImage.number).where(PageImage.fax_id == fax_id)))
        for n, (data, width, height) in rendered.items():
            if n not in done:  # another request may have rendered them meanwhile
                s.add(PageImage(fax_id=fax_id, number=n, dpi=RENDER_DPI, width=width, height=height, png=data))
    return rendered[number][0]


def _render(source: Path, turns: dict[int, tuple[int, float]]) -> dict[int, tuple[bytes, int, int]]:
    if not source.is_file():
        raise PageMissing(f"the original {source.name} is not where the store keeps it")
    out = {}
    try:
        for page in iter_pages(source):
            rotation, skew = turns.get(page.number, (0, 0.0))
            gray = page.image
            if abs(skew) > 0.05:
                gray = clean.deskew(gray, skew)
            gray = clean.rotate(gray, rotation)
            scale = RENDER_DPI / page.dpi
            if abs(scale - 1) > 0.01:
                gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
            ok, data = cv2.imencode(".png", np.ascontiguousarray(gray), [cv2.IMWRITE_PNG_COMPRESSION, 6])
            if ok:
                out[page.number] = (data.tobytes(), int(gray.shape[1]), int(gray.shape[0]))
    except FaxIntakeError as exc:
        raise PageMissing(f"the original {source.name} cannot be read again: {exc.args[0]}") from exc
    return out


def field_place(
    f: FieldDef, doc_pages: list[int], page_rows: dict[int, tuple[int | None, list[float] | None]]
) -> FieldPlace | None:
    """Where field `f` lies: the fax page of the document holding its form page, the box mapped by that page's
    registration (`page_rows`: fax page -> (form page, form_to_page))."""
    fax_page = next((n for n in doc_pages if page_rows.get(n, (None, None))[0] == f.page), None)
    if fax_page is None:
        return None
    boxes = [f.box, *(f.options or {}).values()]
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    matrix = page_rows[fax_page][1]
    if not matrix:
        return FieldPlace(fax_page, (x0, y0, x1, y1), exact=False)
    a, b, c, d, e, g = matrix
    xs = [a * x + b * y + c for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1))]
    ys = [d * x + e * y + g for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1))]
    return FieldPlace(fax_page, (min(xs), min(ys), max(xs), max(ys)), exact=True)
