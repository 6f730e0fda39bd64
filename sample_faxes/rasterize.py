"""Vector PDF pages to fax-grid grayscale images."""

from __future__ import annotations

import pypdfium2 as pdfium
from PIL import Image


def render_pdf_pages(pdf: bytes, *, dpi_x: float = 204, dpi_y: float = 196) -> list[Image.Image]:
    """Each page rendered at dpi_x and resampled to dpi_y rows per inch (fax grids are not square)."""
    doc = pdfium.PdfDocument(pdf)
    pages = []
    for page in doc:
        img = page.render(scale=dpi_x / 72.0, grayscale=True).to_pil().convert("L")
        if dpi_y != dpi_x:
            img = img.resize((img.width, round(img.height * dpi_y / dpi_x)), Image.Resampling.LANCZOS)
        pages.append(img)
    return pages
