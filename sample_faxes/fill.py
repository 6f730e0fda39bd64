"""Write values onto a form the way an office does: typed or hand-printed, X / check / filled marks, ink signatures."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from faxintake.catalog.model import FieldDef, FieldType, FormDef, FormPage
from faxintake.catalog.render import Flip, PageHook, render_form
from faxintake.fonts import HAND_FONTS, register_fonts

MarkStyle = Literal["x", "check", "fill"]
Written = str | bool | tuple[str, ...]  # text as written; a checkbox or signature; the options marked on a choice


@dataclass(frozen=True)
class FillStyle:
    font: str  # a name from faxintake.fonts (Typed*, Hand-*)
    size: float = 10.0
    mark: MarkStyle = "x"

    @property
    def hand(self) -> bool:
        return self.font in HAND_FONTS


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
    while canvas.stringWidth(text, style.font, size) > (x1 - x0 - 6) and size > 6:
        size -= 0.5
    baseline = y1 - 4.0 - (rng.uniform(-1.0, 1.2) if style.hand else 0.0)
    _text(canvas, text, style, size, x0 + 3 + (rng.uniform(0, 4) if style.hand else 0), baseline, rng, flip)


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
        canvas.setFont(style.font, s)
        canvas.drawString(x, flip.y(baseline + rng.uniform(-0.5, 0.5)), ch)
        x += canvas.stringWidth(ch, style.font, s) + rng.uniform(-0.2, 0.5)


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
