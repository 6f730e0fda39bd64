"""The sample generator's hand print: letters the hand font lacks are still drawn, as a writer would print them."""

from __future__ import annotations

import io

import numpy as np
import pypdfium2 as pdfium
import pytest
from reportlab.pdfgen.canvas import Canvas

from faxintake.catalog import load_catalog
from faxintake.fonts import register_fonts
from sample_faxes.fill import FillStyle, _glyph_font, _hand_char, _width, fill_form, has_glyph, stroked

HUMOR = FillStyle(font="Hand-Humor", size=10.5)


@pytest.fixture(autouse=True, scope="module")
def _fonts() -> None:
    register_fonts()


def _ink_rows(ch: str, font: str = "Hand-Humor", size: float = 60.0) -> tuple[np.ndarray, float]:
    """Rows of the glyph's ink (black pixels, top down) drawn alone on a small page, and its advance."""
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=(100, 100), invariant=1)
    advance = _hand_char(canvas, ch, font, size, 10, 20)
    canvas.showPage()
    canvas.save()
    pixels = np.asarray(pdfium.PdfDocument(buf.getvalue())[0].render(scale=2).to_pil().convert("L")) < 128
    return np.flatnonzero(pixels.any(axis=1)), advance


def test_missing_glyphs_come_from_the_character_map() -> None:
    assert has_glyph("Hand-Humor", "N") and not has_glyph("Hand-Humor", "Ñ")
    assert has_glyph("Hand-DKG", "Ñ")


def test_accented_letters_missing_from_the_font_are_base_letter_plus_pen_stroke() -> None:
    assert stroked("Hand-Humor", "Ñ") == ("N", "\u0303")
    assert stroked("Hand-Humor", "é") == ("e", "\u0301")
    assert stroked("Hand-Humor", "Ü") == ("U", "\u0308")
    assert stroked("Hand-Humor", "N") is None  # the font has it
    assert stroked("Hand-DKG", "Ñ") is None  # this font has it: its own glyph is used
    assert stroked("Hand-Humor", "Ç") is None  # a cedilla is not stroked: another hand font lends its glyph
    assert _glyph_font("Hand-Humor", "Ç") == "Hand-DKG"


def test_n_tilde_is_the_n_with_ink_above_it() -> None:
    n_rows, n_advance = _ink_rows("N")
    enye_rows, enye_advance = _ink_rows("Ñ")
    assert enye_advance == n_advance
    assert enye_rows.max() == n_rows.max()  # same baseline
    above = enye_rows[enye_rows < n_rows.min()]
    assert len(above) >= 6  # a stroke of its own (60 pt at 144 dpi), not a stray pixel
    assert n_rows.min() - above.max() >= 2  # with a gap: the tilde does not merge into the N


def test_text_the_font_covers_is_measured_as_before() -> None:
    canvas = Canvas(io.BytesIO())
    assert _width(canvas, "ESPANOL", HUMOR, 10.5) == canvas.stringWidth("ESPANOL", "Hand-Humor", 10.5)
    assert _width(canvas, "ESPAÑOL", HUMOR, 10.5) == pytest.approx(canvas.stringWidth("ESPANOL", "Hand-Humor", 10.5))


def test_a_stroked_letter_keeps_the_fill_deterministic() -> None:
    form = load_catalog().form("hif_met")
    written: dict[str, str | bool | tuple[str, ...]] = {"preferred_language": "ESPAÑOL", "member_name": "PEÑA, JOSÉ"}
    assert fill_form(form, "es", written, HUMOR, seed=5) == fill_form(form, "es", written, HUMOR, seed=5)
