"""Loading every input format, and refusing bad input with a clear InputError."""

from __future__ import annotations

import io
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from extractors.ingest import count_pages, iter_pages, sniff
from faxintake.errors import InputError

REAL = {
    "CCITT_1.TIF": 1,
    "CCITT_3.TIF": 1,
    "CCITT_8.TIF": 1,
    "G31D.TIF": 1,
    "G4.TIF": 1,
    "fax2d.tif": 1,
    "g3test.tif": 1,
}


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_faxes_load_with_square_pixels(realdata: Path, name: str) -> None:
    path = realdata / name
    pages = list(iter_pages(path))
    assert len(pages) == count_pages(path) >= 1
    for page in pages:
        h, w = page.image.shape
        assert page.image.dtype == np.uint8
        assert 7.5 < w / page.dpi < 9.0, "a fax page is about 8.5 inches wide"
        assert 10.0 < h / page.dpi < 12.5 or name in ("g3test.tif", "fax2d.tif"), (
            "square pixels: a letter page is ~11 in tall"
        )


def test_standard_resolution_is_resampled_to_square(realdata: Path) -> None:
    page = next(iter_pages(realdata / "g3test.tif"))
    assert page.source_dpi == (204.0, 98.0) or page.source_dpi[1] < 120
    assert page.image.shape[0] > 1103 * 1.9  # rows doubled


def test_corpus_formats_load(corpus: Path) -> None:
    for name, pages in (
        ("rmr_complete_abusive.tif", 4),
        ("rmr_image_pdf.pdf", 4),
        ("rmr_efax_text_layer.pdf", 4),
        ("hif_incomplete.png", 1),
        ("cbas_jpeg.jpg", 1),
        ("rmr_standard_resolution.tif", 4),
    ):
        loaded = list(iter_pages(corpus / name))
        assert len(loaded) == pages, name
    text_pages = list(iter_pages(corpus / "rmr_efax_text_layer.pdf"))
    assert all(p.words for p in text_pages), "an e-fax keeps its text layer"
    assert all(p.words is None for p in iter_pages(corpus / "rmr_image_pdf.pdf"))


def _pdf(password: str | None = None) -> bytes:
    buf = io.BytesIO()
    c = Canvas(buf, encrypt=password)
    c.drawString(72, 720, "hello")
    c.showPage()
    c.save()
    return buf.getvalue()


def _bomb_png() -> bytes:
    # A valid 50000x50000 1-bit PNG header and a tiny, highly compressed body: decoding it would need 2.5 G pixels.
    import struct

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 50000, 50000, 1, 0, 0, 0, 0)
    body = zlib.compress(b"\x00" * (50000 // 8 + 1) * 10)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def _truncated_tiff(corpus: Path) -> bytes:
    data = (corpus / "rmr_complete_abusive.tif").read_bytes()
    return data[: len(data) // 3]


BAD = {
    "empty.pdf": lambda c: b"",
    "text.pdf": lambda c: b"This is not a PDF, just words in a file named .pdf\n" * 20,
    "corrupt.pdf": lambda c: b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage garbage\n%%EOF",
    "locked.pdf": lambda c: _pdf(password="secret"),
    "bomb.png": lambda c: _bomb_png(),
    "truncated.tif": _truncated_tiff,
    "random.jpg": lambda c: b"\xff\xd8\xff" + bytes(range(256)) * 10,
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_is_refused_clearly(tmp_path: Path, corpus: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(BAD[name](corpus))
    before = path.read_bytes()
    with pytest.raises(InputError) as err:
        for _ in iter_pages(path):
            pass
    message = str(err.value)
    assert len(message) > 20 and "(" in message, "says what is wrong and what to do"
    assert path.read_bytes() == before, "the original is kept unchanged"


def test_sniffing_ignores_the_extension(tmp_path: Path, corpus: Path) -> None:
    renamed = tmp_path / "fax.pdf"
    renamed.write_bytes((corpus / "hif_incomplete.png").read_bytes())
    assert sniff(renamed) == "png"
    assert len(list(iter_pages(renamed))) == 1


def test_missing_dpi_is_inferred(tmp_path: Path) -> None:
    path = tmp_path / "nodpi.png"
    Image.new("L", (1700, 2200), 255).save(path)
    page = next(iter_pages(path))
    assert 190 <= page.dpi <= 210
