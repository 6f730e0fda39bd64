"""The sending machine's line read once per fax, later pages only where they differ: same headers, less reading."""

from __future__ import annotations

import pytest

from extractors import clean, header_line, ocr
from extractors.fax_header import parse_fax_header
from extractors.ingest import iter_pages
from sample_faxes.build import CORPUS_DIR


def test_later_pages_read_only_where_they_differ(monkeypatch: pytest.MonkeyPatch) -> None:
    widths: list[int] = []
    read_line = ocr.read_line

    def spy(image, **kwargs):  # type: ignore[no-untyped-def]
        widths.append(image.shape[1])
        return read_line(image, **kwargs)

    monkeypatch.setattr(header_line.ocr, "read_line", spy)
    reader = header_line.HeaderReader()
    pages = list(iter_pages(CORPUS_DIR / "rmr_complete_abusive.tif"))  # four pages, "... P.001/004"
    headers = []
    for page in pages:
        band, _ = clean.split_header_band(page.image, dpi=page.dpi)
        widths.clear()
        headers.append(parse_fax_header(reader.read(band, page.dpi)))
        if page.number > 1:  # the page number and a word either side, not the line
            assert widths and sum(widths) < band.shape[1] / 2
    assert [h.page if h else None for h in headers] == [1, 2, 3, 4]
    assert len({(h.sent_at, h.sender_fax) for h in headers if h}) == 1


def test_a_different_line_is_read_in_full() -> None:
    first, other = (
        next(iter(iter_pages(CORPUS_DIR / f"{case}.tif"))) for case in ("rmr_complete_abusive", "cbas_complete")
    )
    reader = header_line.HeaderReader()
    for page in (first, other):
        band, _ = clean.split_header_band(page.image, dpi=page.dpi)
        assert reader.read(band, page.dpi) == ocr.read_line(band, dpi=page.dpi).text
