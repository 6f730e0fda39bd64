"""Draw a form definition as a vector PDF: the blank form, and the canvas samples are filled on."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from faxintake.catalog.model import MARGIN, FieldDef, FieldType, FormDef, FormPage, localized
from faxintake.fonts import label_font

LABEL_SIZE = 6.5
MARK_LABEL_SIZE = 8.0
LEADING = 1.22  # line pitch, in ems, of text printed on several lines

# Called after a page's printed form is drawn, to put values on it (the sample generator).
PageHook = Callable[[Canvas, FormPage], None]


def form_number(form: FormDef, language: str) -> str:
    suffix = {"en": "", "es": "-ES", "zh-Hant": "-ZH", "hmn": "-HMN"}[language]
    return f"{form.form_number}{suffix}"


def render_form(form: FormDef, language: str = "en", on_page: PageHook | None = None) -> bytes:
    """The form as a PDF (bytes); `on_page` may draw on each page after the printed form."""
    if language not in form.languages:
        raise ValueError(f"{form.form_id} has no {language!r} version (has {form.languages})")
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=form.page_size_pt, invariant=1, pageCompression=1)
    canvas.setTitle(f"{form.title_for(language)} ({form_number(form, language)} rev. {form.version})")
    canvas.setCreator("faxintake")
    for page in form.pages_laid_out:
        _draw_page(canvas, form, page, language)
        if on_page is not None:
            on_page(canvas, page)
        canvas.showPage()
    canvas.save()
    return buf.getvalue()


class Flip:
    """Converts top-left-origin points (the catalog's) to reportlab's bottom-left origin."""

    def __init__(self, height: float) -> None:
        self.height = height

    def y(self, top_y: float) -> float:
        return self.height - top_y


def _draw_page(canvas: Canvas, form: FormDef, page: FormPage, language: str) -> None:
    width, height = form.page_size_pt
    flip = Flip(height)
    look = form.look
    sans, bold = _faces(form, language)
    # Title block: plan, title, form number, revision and page counter; a rule below.
    canvas.setFillColorRGB(0, 0, 0)
    right = width - MARGIN
    centre = width / 2 if look.title == "centered" else None
    plan_font = bold if look.font and language != "zh-Hant" else label_font("en", bold=True)
    _title_line(canvas, form.plan_name, plan_font, 10.5, 44, centre, flip)
    title = form.title_for(language)
    size = 15.0
    while canvas.stringWidth(title, bold, size) > width - 2 * MARGIN - 120 and size > 9:
        size -= 0.5
    _title_line(canvas, title, bold, size, 66, centre, flip)
    if form.subtitle is not None:
        _title_line(canvas, localized(form.subtitle, language), sans, 9, 79, centre, flip)
    canvas.setFont(label_font("en"), 8)
    number = f"Form {form_number(form, language)}  " if look.number == "corner" and form.form_number else ""
    canvas.drawRightString(right, flip.y(40), f"{number}Rev. {form.version}")
    canvas.drawRightString(right, flip.y(52), f"Page {page.number} of {form.page_count}")
    canvas.setLineWidth(2)
    canvas.line(MARGIN, flip.y(88), right, flip.y(88))
    for printed in page.printed:
        x0, y0, x1, y1 = printed.box
        text = localized(printed.text, language)
        if printed.kind == "section" and look.sections == "bar":
            canvas.setFillColorRGB(0, 0, 0)
            canvas.rect(x0, flip.y(y1), x1 - x0, y1 - y0, stroke=0, fill=1)
            canvas.setFillColorRGB(1, 1, 1)
            canvas.setFont(bold, 8.5)
            canvas.drawString(x0 + 4, flip.y(y1) + 4, text)
            canvas.setFillColorRGB(0, 0, 0)
        elif printed.kind == "section":
            canvas.setFont(bold, 9)
            canvas.drawString(x0, flip.y(y1) + 4, text)
            canvas.setLineWidth(0.6)
            canvas.line(x0, flip.y(y1) + 1, x1, flip.y(y1) + 1)
        else:
            font = bold if printed.bold else sans
            lines = simpleSplit(text, font, printed.size, x1 - x0)
            _lines(canvas, lines, font, printed.size, x0, y0 + printed.size, flip)
    for field in page.fields:
        _draw_field(canvas, field, language, flip, sans)
    # Footer: where to send it, and the form number again (a person filing the page reads it there).
    canvas.setFont(sans, 7.5)
    canvas.drawString(MARGIN, flip.y(height - 22), localized(form.return_to, language))
    if look.number != "none" and form.form_number:
        canvas.drawRightString(right, flip.y(height - 22), f"{form_number(form, language)} ({form.version})")


def _faces(form: FormDef, language: str) -> tuple[str, str]:
    """The label and heading faces: the look's own for Latin scripts (a revision's), else the language's."""
    if form.look.font is None or language == "zh-Hant":
        return label_font(language), label_font(language, bold=True)
    return form.look.font, form.look.font


def _title_line(
    canvas: Canvas, text: str, font: str, size: float, top: float, centre: float | None, flip: Flip
) -> None:
    canvas.setFont(font, size)
    if centre is None:
        canvas.drawString(MARGIN, flip.y(top), text)
    else:
        canvas.drawCentredString(centre, flip.y(top), text)


def _lines(canvas: Canvas, lines: Sequence[str], font: str, size: float, x: float, baseline: float, flip: Flip) -> None:
    canvas.setFont(font, size)
    lead = size * LEADING
    for i, line in enumerate(lines):
        canvas.drawString(x, flip.y(baseline + i * lead), line)


def _draw_label(canvas: Canvas, label: PlacedLabel, flip: Flip) -> None:
    _lines(canvas, label.lines, label.font, label.size, label.x, label.baseline, flip)


def _draw_field(canvas: Canvas, field: FieldDef, language: str, flip: Flip, font: str | None = None) -> None:
    x0, y0, x1, y1 = field.cell
    label, *options = placed_labels(field, language, font)
    canvas.setLineWidth(0.8)
    if field.type is FieldType.CHECKBOX:
        _square(canvas, field.box, flip)
        _draw_label(canvas, label, flip)
    elif field.type is FieldType.CHOICE:
        assert field.options is not None
        _draw_label(canvas, label, flip)
        canvas.setLineWidth(0.3)
        canvas.line(x0, flip.y(y1), x1, flip.y(y1))
        canvas.setLineWidth(0.8)
        for box, option in zip(field.options.values(), options, strict=True):
            _square(canvas, box, flip)
            _draw_label(canvas, option, flip)
    elif field.type is FieldType.SIGNATURE and field.label_width is None:
        line_y = flip.y(y1 - 9)
        canvas.line(x0 + 2, line_y, x1 - 6, line_y)
        _draw_label(canvas, label, flip)
    elif field.ruled == "underline" or field.type is FieldType.SIGNATURE:
        canvas.line(field.box[0], flip.y(field.box[3]), field.box[2], flip.y(field.box[3]))
        _draw_label(canvas, label, flip)
    else:
        canvas.rect(x0, flip.y(y1), x1 - x0, y1 - y0, stroke=1, fill=0)
        _draw_label(canvas, label, flip)
        if field.hint is not None:
            canvas.setFont(label.font, 5.5)
            canvas.drawRightString(x1 - 2.5, flip.y(y0 + 7), localized(field.hint, language))


def _square(canvas: Canvas, box: tuple[float, float, float, float], flip: Flip) -> None:
    x0, y0, x1, y1 = box
    canvas.rect(x0, flip.y(y1), x1 - x0, y1 - y0, stroke=1, fill=0)


@dataclass(frozen=True)
class PlacedLabel:
    """A field's label, or a choice's option label, where the blank form prints it (points, top-left origin). The
    form is drawn from these and read by them (extractors/read_by_labels.py), so the two cannot drift apart."""

    key: str  # the field's name, or "field=option" for a choice's option
    field: str
    lines: tuple[str, ...]  # as printed: wrapped to its room, or shortened to it with "…" (text fields)
    font: str
    size: float
    x: float
    baseline: float  # of the first line; each next one LEADING * size lower


def placed_labels(field: FieldDef, language: str, font: str | None = None) -> tuple[PlacedLabel, ...]:
    """The field's label, then (a choice) each option's label in the options' order, in `font` (the language's
    label font by default)."""
    font, label = font or label_font(language), field.label_for(language)
    x0, y0, x1, y1 = field.cell

    def placed(lines: Sequence[str], x: float, y: float, size: float = MARK_LABEL_SIZE, key: str = "") -> PlacedLabel:
        return PlacedLabel(key or field.name, field.name, tuple(lines), font, size, x, y)

    if field.type is FieldType.CHECKBOX:
        room, size = x1 - field.box[2] - 8, MARK_LABEL_SIZE
        if y1 - y0 < 20:  # one line only: shrink rather than run into the next row
            while stringWidth(label, font, size) > room and size > 5.5:
                size -= 0.25
        return (placed(simpleSplit(label, font, size, room), field.box[2] + 4, y0 + 1.5 + size, size),)
    if field.type is FieldType.CHOICE:
        assert field.options is not None and field.option_labels is not None
        room = min(box[0] for box in field.options.values()) - x0 - 8  # left of the first option's square
        return placed(simpleSplit(label, font, MARK_LABEL_SIZE, room), x0 + 2, y0 + 2 + MARK_LABEL_SIZE), *(
            placed([localized(field.option_labels[v], language)], b[2] + 3, b[3] - 1.5, key=f"{field.name}={v}")
            for v, b in field.options.items()
        )
    if field.label_width is not None:  # left of the value, in its column, level with the value's line
        size = MARK_LABEL_SIZE
        lines = simpleSplit(label, font, size, field.label_width - 4)
        while len(lines) * size * LEADING > y1 - y0 - 2 and size > 5.5:
            size -= 0.25
            lines = simpleSplit(label, font, size, field.label_width - 4)
        first = field.box[3] - 3 - (len(lines) - 1) * size * LEADING
        return (placed(lines, x0 + 2, first, size),)
    if field.type is FieldType.SIGNATURE:
        return (placed([label], x0 + 2, y1 - 2, LABEL_SIZE),)  # under the signature line
    room = x1 - x0 - 4 - (30 if field.hint else 0)  # the hint is printed at the cell's right
    return (placed([_fit(label, font, LABEL_SIZE, room)], x0 + 2.5, y0 + 7, LABEL_SIZE),)


def _fit(text: str, font: str, size: float, width: float) -> str:
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"
