"""Write degraded pages as a fax file: multi-page G3/G4 TIFF, image-only PDF, or an e-fax PDF with text."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path
from typing import Literal

import pypdfium2 as pdfium
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from faxintake.fonts import register_fonts
from sample_faxes.degrade import FaxHeaderLine


def write_tiff(
    pages: list[Image.Image], path: Path, *, compression: Literal["group4", "group3"], dpi: tuple[float, float]
) -> None:
    bilevel = [p.convert("1") for p in pages]
    bilevel[0].save(path, format="TIFF", save_all=True, append_images=bilevel[1:], compression=compression, dpi=dpi)


def write_image_pdf(pages: list[Image.Image], path: Path, *, dpi: tuple[float, float]) -> None:
    """Each page a 1-bit image on a letter page (Pillow stores 1-bit images compactly); no text layer."""
    squared = [
        p.convert("1").resize((p.width, round(p.height * dpi[0] / dpi[1])), Image.Resampling.NEAREST) for p in pages
    ]
    squared[0].save(path, format="PDF", save_all=True, append_images=squared[1:], resolution=dpi[0])
    _strip_dates(path)


def _strip_dates(path: Path) -> None:
    # Pillow stamps creation/modification dates: blank them so a seed gives the same bytes.
    data = path.read_bytes()
    data = re.sub(
        rb"/(CreationDate|ModDate) ?\(D:[0-9+\-Z']*\)", lambda m: b"/" + m.group(1) + b" (D:20260101000000)", data
    )
    path.write_bytes(data)


def write_text_pdf(vector_pdf: bytes, headers: list[FaxHeaderLine], path: Path) -> None:
    """The e-fax case: the sender's own PDF (with its text layer), each page's fax header drawn on as text."""
    register_fonts()
    src = pdfium.PdfDocument(vector_pdf)
    if len(src) != len(headers):
        raise ValueError(f"{len(src)} pages but {len(headers)} header lines")
    overlay = io.BytesIO()
    canvas = Canvas(overlay, invariant=1)
    for page, header in zip(src, headers, strict=True):
        w, h = page.get_size()
        canvas.setPageSize((w, h))
        canvas.setFont("Mono", 8)
        canvas.drawString(14, h - 12, header.text())
        canvas.showPage()
    canvas.save()
    over = pdfium.PdfDocument(overlay.getvalue())
    out = pdfium.PdfDocument.new()
    for i in range(len(src)):
        out.import_pages(src, [i])
        page = out[i]
        xobject = over.page_as_xobject(i, out)
        page.insert_obj(xobject.as_pageobject())
        page.gen_content()
    buf = io.BytesIO()
    out.save(buf)
    path.write_bytes(_fixed_id(buf.getvalue()))


def _fixed_id(pdf: bytes) -> bytes:
    """PDFium writes a random document /ID: derive it from the content so the same input gives the same bytes."""
    pdf = re.sub(
        rb"/(CreationDate|ModDate) ?\(D:[0-9+\-Z']*\)", lambda m: b"/" + m.group(1) + b"(D:20260101000000+00'00')", pdf
    )
    digest = (
        hashlib.md5(re.sub(rb"/ID ?\[<[0-9A-Fa-f]+> ?<[0-9A-Fa-f]+>\]", b"", pdf), usedforsecurity=False)
        .hexdigest()
        .upper()
    )
    return re.sub(rb"/ID ?\[<[0-9A-Fa-f]+> ?<[0-9A-Fa-f]+>\]", f"/ID[<{digest}><{digest}>]".encode(), pdf)
