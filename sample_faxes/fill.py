"""Write values onto a form the way an office does: typed or hand-printed, X / check / filled marks, ink signatures."""

from __future__ import annotations

import functools
import random
import struct
import unicodedata
from dataclasses import dataclass
from typing import Literal

from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from faxintake.catalog.model import FieldDef, FieldType, FormDef, FormPage
from faxintake.catalog.render import Flip, PageHook, render_form
from faxintake.fonts import HAND_FONTS, register_fonts

MarkStyle = Literal["x", "check", "fill"]
Written = str | bool | tuple[str, ...]  # text as written; a checkbox or signature; the options marked on a choice


@dataclass(frozen=True)
class FillStyle:
    font: str  # a registered font: faxintake.fonts (Typed*, Hand-*) or sample_faxes.typefaces
    size: float = 10.0
    mark: MarkStyle = "x"
    hand_printed: bool = False  # for a face that is not one of faxintake.fonts' HAND_FONTS
    raise_pt: float = 0.0  # line values written this far above where they belong (above the line, over the box top)
    indent_pt: float = 0.0  # ... and this far to the right of it (negative: starting over the box's left edge)

    @property
    def hand(self) -> bool:
        return self.hand_printed or self.font in HAND_FONTS


def fill_form(form: FormDef, language: str, written: dict[str, Written], style: FillStyle, seed: int) -> bytes:
    """The form with `written` values on it, as a vector PDF; randomness (hand jitter, marks) from `seed`."""
    register_fonts()
    unknown = set(written) - set(form.field_map)
    if unknown:
        raise ValueError(f"{form.form_id} has no fields {sorted(unknown)}")
    rng = random.Random(seed)
    return render_form(form, language, _hook(form, written, style, rng))


def _hook(form: FormDef, written: dict[str, Written], style: FillStyle, rng: random.Random) -> PageHook:
    flip = Flip(form.page_size_pt[1])

    def draw(canvas: Canvas, page: FormPage) -> None:
        canvas.setFillColorRGB(0, 0, 0)
        canvas.setStrokeColorRGB(0, 0, 0)
        for field in page.fields:
            value = written.get(field.name)
            if value in (None, "", False, ()):
                continue
            if field.type is FieldType.CHECKBOX:
                _mark(canvas, field.box, style.mark, rng, flip)
            elif field.type is FieldType.CHOICE:
                assert field.options is not None and isinstance(value, tuple)
                for option in value:
                    _mark(canvas, field.options[option], style.mark, rng, flip)
            elif field.type is FieldType.SIGNATURE:
                _signature(canvas, field, rng, flip)
            elif field.type is FieldType.MULTILINE:
                _block(canvas, field, str(value), style, rng, flip)
            else:
                _line(canvas, field, str(value), style, rng, flip)

    return draw


def _line(canvas: Canvas, field: FieldDef, text: str, style: FillStyle, rng: random.Random, flip: Flip) -> None:
    x0, _y0, x1, y1 = field.box
    size = style.size
    while _width(canvas, text, style, size) > (x1 - x0 - 6) and size > 6:
        size -= 0.5
    baseline = y1 - 4.0 - (rng.uniform(-1.0, 1.2) if style.hand else 0.0) - style.raise_pt
    x = x0 + 3 + (rng.uniform(0, 4) if style.hand else 0) + style.indent_pt
    _text(canvas, text, style, size, x, baseline, rng, flip)


def _block(canvas: Canvas, field: FieldDef, text: str, style: FillStyle, rng: random.Random, flip: Flip) -> None:
    x0, y0, x1, y1 = field.box
    size = style.size
    while True:
        lines = simpleSplit(text, style.font, size, x1 - x0 - 8)
        if len(lines) * size * 1.3 <= (y1 - y0 - 4) or size <= 6:
            break
        size -= 0.5
    for i, line in enumerate(lines):
        baseline = y0 + size * 1.05 + i * size * 1.3 + 2
        if baseline > y1 - 2:
            break
        _text(canvas, line, style, size, x0 + 4, baseline + (rng.uniform(-0.6, 0.6) if style.hand else 0), rng, flip)


def _text(
    canvas: Canvas, text: str, style: FillStyle, size: float, x: float, baseline: float, rng: random.Random, flip: Flip
) -> None:
    if not style.hand:
        canvas.setFont(style.font, size)
        canvas.drawString(x, flip.y(baseline), text)
        return
    # Hand-print: letters drawn one by one with small shifts in place and size.
    for ch in text:
        s = size * rng.uniform(0.94, 1.06)
        y = flip.y(baseline + rng.uniform(-0.5, 0.5))
        x += _hand_char(canvas, ch, style.font, s, x, y) + rng.uniform(-0.2, 0.5)


# --- Letters the hand font lacks -----------------------------------------------------------------------------
# Humor Sans has no Ñ, no accented vowels: drawn as is they vanish and the page no longer says what the ground
# truth says. A writer prints the base letter and adds the accent as a pen stroke, so that is what is drawn; what
# cannot be built that way comes from another font that has the glyph.

STROKED_MARKS = ("\u0301", "\u0300", "\u0302", "\u0303", "\u0308")  # acute, grave, circumflex, tilde, diaeresis
INVERTED = {"¿": "?", "¡": "!"}  # Spanish opening marks: the closing mark turned upside down
FALLBACK_FONTS = ("Hand-Humor", "Hand-DKG", "Typed")  # hand fonts first: a borrowed glyph should still look written


def has_glyph(font: str, ch: str) -> bool:
    """Whether the registered TrueType font maps `ch` to a real glyph (not .notdef), by its character map."""
    return pdfmetrics.getFont(font).face.charToGlyph.get(ord(ch), 0) != 0


@functools.cache
def glyph_box(font: str, ch: str) -> tuple[float, float, float, float]:
    """The outline box (x_min, y_min, x_max, y_max) of `ch`'s glyph in 1/1000 em, from the font's glyf table."""
    face = pdfmetrics.getFont(font).face
    gid = face.charToGlyph[ord(ch)]
    start = face.get_table_pos("glyf")[0] + face.glyphPos[gid]
    _contours, x_min, y_min, x_max, y_max = struct.unpack(">5h", face.get_chunk(start, 10))
    scale = 1000.0 / face.unitsPerEm
    return x_min * scale, y_min * scale, x_max * scale, y_max * scale


def stroked(font: str, ch: str) -> tuple[str, str] | None:
    """(base letter, combining marks) when `ch` is missing from `font` and can be printed as base + pen strokes."""
    if has_glyph(font, ch):
        return None
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], decomposed[1:]
    if marks and has_glyph(font, base) and all(m in STROKED_MARKS for m in marks):
        return base, marks
    return None


def _glyph_font(font: str, ch: str) -> str:
    """`font` when it has `ch`, else the first fallback that has it (else `font`: nothing better to draw)."""
    if has_glyph(font, ch):
        return font
    return next((f for f in FALLBACK_FONTS if has_glyph(f, ch)), font)


def _upturned(font: str, ch: str) -> str | None:
    """For ¿ or ¡ missing from `font`: the mark to draw turned upside down, when the font has it."""
    mark = INVERTED.get(ch)
    return mark if mark is not None and not has_glyph(font, ch) and has_glyph(font, mark) else None


def _char_width(canvas: Canvas, ch: str, font: str, size: float) -> float:
    if (parts := stroked(font, ch)) is not None:
        return canvas.stringWidth(parts[0], font, size)
    if (mark := _upturned(font, ch)) is not None:
        return canvas.stringWidth(mark, font, size)
    return canvas.stringWidth(ch, _glyph_font(font, ch), size)


def _width(canvas: Canvas, text: str, style: FillStyle, size: float) -> float:
    # Text the font covers is measured whole, exactly as before, so faxes without such letters stay byte for byte.
    if not style.hand or all(has_glyph(style.font, ch) for ch in text):
        return canvas.stringWidth(text, style.font, size)
    return sum(_char_width(canvas, ch, style.font, size) for ch in text)


def _hand_char(canvas: Canvas, ch: str, font: str, size: float, x: float, y: float) -> float:
    """Draw one hand-printed character with its baseline at PDF point (x, y); returns its advance."""
    if (parts := stroked(font, ch)) is not None:
        base, marks = parts
        canvas.setFont(font, size)
        canvas.drawString(x, y, base)
        _marks(canvas, marks, glyph_box(font, base), size, x, y)
    elif (mark := _upturned(font, ch)) is not None:
        _inverted(canvas, mark, font, size, x, y)
    else:
        canvas.setFont(_glyph_font(font, ch), size)
        canvas.drawString(x, y, ch)
    return _char_width(canvas, ch, font, size)


def _marks(canvas: Canvas, marks: str, box: tuple[float, float, float, float], size: float, x: float, y: float) -> None:
    """Accents as pen strokes just above the base glyph's outline, centred on it, in the font's stroke weight."""
    x_min, _y_min, x_max, y_max = (v * size / 1000 for v in box)
    cx, half = x + (x_min + x_max) / 2, max((x_max - x_min) * 0.32, size * 0.14)
    low, h = y + y_max + size * 0.09, size * 0.13  # the stroke's band: a small gap above the letter, then h tall
    canvas.saveState()
    canvas.setLineWidth(size * 0.075)
    canvas.setLineCap(1)  # round ends, as a pen leaves them
    for mark in marks:
        if mark == "\u0303":  # tilde: one S-shaped wave, deep enough to stay a wave at 98 lines per inch
            path = canvas.beginPath()
            path.moveTo(cx - half, low + h * 0.1)
            path.curveTo(cx - half * 0.45, low + h * 2.2, cx + half * 0.45, low - h * 0.9, cx + half, low + h * 1.1)
            canvas.drawPath(path, stroke=1, fill=0)
        elif mark == "\u0301":  # acute: rising to the right
            canvas.line(cx - half * 0.35, low, cx + half * 0.45, low + h * 1.3)
        elif mark == "\u0300":  # grave: rising to the left
            canvas.line(cx + half * 0.35, low, cx - half * 0.45, low + h * 1.3)
        elif mark == "\u0302":  # circumflex: a small roof
            canvas.lines([(cx - half * 0.6, low, cx, low + h * 1.2), (cx, low + h * 1.2, cx + half * 0.6, low)])
        else:  # diaeresis: two dots
            for dx in (-half * 0.5, half * 0.5):
                canvas.circle(cx + dx, low + h * 0.5, size * 0.05, stroke=0, fill=1)
        low += h * 1.6  # a second mark goes above the first
    canvas.restoreState()


def _inverted(canvas: Canvas, mark: str, font: str, size: float, x: float, y: float) -> None:
    """¿ or ¡ as the writer makes it: ? or ! turned about its centre and lowered, its tail below the line."""
    x_min, y_min, x_max, y_max = (v * size / 1000 for v in glyph_box(font, mark))
    canvas.saveState()
    canvas.translate(x + (x_min + x_max) / 2, y + (y_min + y_max) / 2 - (y_max - y_min) * 0.25)
    canvas.rotate(180)
    canvas.setFont(font, size)
    canvas.drawString(-(x_min + x_max) / 2, -(y_min + y_max) / 2, mark)
    canvas.restoreState()


def _mark(
    canvas: Canvas, box: tuple[float, float, float, float], mark: MarkStyle, rng: random.Random, flip: Flip
) -> None:
    x0, y0, x1, y1 = box
    j = lambda: rng.uniform(-0.8, 0.8)  # noqa: E731
    canvas.setLineWidth(1.4)
    if mark == "x":
        canvas.line(x0 + 1.5 + j(), flip.y(y0 + 1.5 + j()), x1 - 1.5 + j(), flip.y(y1 - 1.5 + j()))
        canvas.line(x0 + 1.5 + j(), flip.y(y1 - 1.5 + j()), x1 - 1.5 + j(), flip.y(y0 + 1.5 + j()))
    elif mark == "check":
        path = canvas.beginPath()
        path.moveTo(x0 + 1.5 + j(), flip.y(y0 + 5.5 + j()))
        path.lineTo(x0 + 4.2 + j(), flip.y(y1 - 1.0))
        path.lineTo(x1 + 1.5 + j(), flip.y(y0 - 2.0 + j()))
        canvas.drawPath(path, stroke=1, fill=0)
    else:
        canvas.rect(x0 + 1.2, flip.y(y1 - 1.2), x1 - x0 - 2.4, y1 - y0 - 2.4, stroke=0, fill=1)
    canvas.setLineWidth(0.8)


def _signature(canvas: Canvas, field: FieldDef, rng: random.Random, flip: Flip) -> None:
    x0, y0, _x1, y1 = field.box
    canvas.setLineWidth(1.3)
    path = canvas.beginPath()
    x, y = x0 + rng.uniform(8, 30), y1 - rng.uniform(3, 8)
    path.moveTo(x, flip.y(y))
    for _ in range(rng.randint(4, 7)):
        nx = x + rng.uniform(12, 30)
        ny = rng.uniform(y0 + 3, y1 - 2)
        path.curveTo(
            x + rng.uniform(0, 12),
            flip.y(rng.uniform(y0, y1)),
            nx - rng.uniform(0, 12),
            flip.y(rng.uniform(y0, y1)),
            nx,
            flip.y(ny),
        )
        x, y = nx, ny
    canvas.drawPath(path, stroke=1, fill=0)
    canvas.setLineWidth(0.8)
