"""Draw a form definition as a vector PDF: the blank form, and the canvas samples are filled on."""

from __future__ import annotations

import io
from collections.abc import Callable

from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from faxintake.catalog.model import MARGIN, FieldDef, FieldType, FormDef, FormPage, localized
from faxintake.fonts import label_font

LABEL_SIZE = 6.5
MARK_LABEL_SIZE = 8.0

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
    sans, bold = label_font(language), label_font(language, bold=True)
    # Title block: plan, title, form number, revision and page counter; a rule below.
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont(label_font("en", bold=True), 10.5)
    canvas.drawString(MARGIN, flip.y(44), form.plan_name)
    title = form.title_for(language)
    size = 15.0
    while canvas.stringWidth(title, bold, size) > width - 2 * MARGIN - 120 and size > 9:
        size -= 0.5
    canvas.setFont(bold, size)
    canvas.drawString(MARGIN, flip.y(66), title)
    if form.subtitle is not None:
        canvas.setFont(sans, 9)
        canvas.drawString(MARGIN, flip.y(79), localized(form.subtitle, language))
    canvas.setFont(label_font("en"), 8)
    right = width - MARGIN
    canvas.drawRightString(right, flip.y(40), f"Form {form_number(form, language)}  Rev. {form.version}")
    canvas.drawRightString(right, flip.y(52), f"Page {page.number} of {form.page_count}")
    canvas.setLineWidth(2)
    canvas.line(MARGIN, flip.y(88), right, flip.y(88))
    for printed in page.printed:
        x0, y0, x1, y1 = printed.box
        text = localized(printed.text, language)
        if printed.kind == "section":
            canvas.setFillColorRGB(0, 0, 0)
            canvas.rect(x0, flip.y(y1), x1 - x0, y1 - y0, stroke=0, fill=1)
            canvas.setFillColorRGB(1, 1, 1)
            canvas.setFont(bold, 8.5)
            canvas.drawString(x0 + 4, flip.y(y1) + 4, text)
            canvas.setFillColorRGB(0, 0, 0)
        else:
            font = bold if printed.bold else sans
            _paragraph(canvas, text, font, printed.size, x0, y0, x1 - x0, flip)
    for field in page.fields:
        _draw_field(canvas, field, language, flip)
    # Footer: where to send it, and the form number again (a person filing the page reads it there).
    canvas.setFont(sans, 7.5)
    canvas.drawString(MARGIN, flip.y(height - 22), localized(form.return_to, language))
    canvas.drawRightString(right, flip.y(height - 22), f"{form_number(form, language)} ({form.version})")


def _paragraph(
    canvas: Canvas, text: str, font: str, size: float, x: float, top: float, width: float, flip: Flip
) -> None:
    canvas.setFont(font, size)
    lead = size * 1.22
    for i, line in enumerate(simpleSplit(text, font, size, width)):
        canvas.drawString(x, flip.y(top + size + i * lead), line)


def _draw_field(canvas: Canvas, field: FieldDef, language: str, flip: Flip) -> None:
    sans = label_font(language)
    x0, y0, x1, y1 = field.cell
    label = field.label_for(language)
    canvas.setLineWidth(0.8)
    if field.type is FieldType.CHECKBOX:
        _square(canvas, field.box, flip)
        room = x1 - field.box[2] - 8
        size = MARK_LABEL_SIZE
        if y1 - y0 < 20:  # one line only: shrink rather than run into the next row
            while canvas.stringWidth(label, sans, size) > room and size > 5.5:
                size -= 0.25
        _paragraph(canvas, label, sans, size, field.box[2] + 4, y0 + 1.5, room, flip)
    elif field.type is FieldType.CHOICE:
        assert field.options is not None and field.option_labels is not None
        first_option = min(box[0] for box in field.options.values())
        _paragraph(canvas, label, sans, MARK_LABEL_SIZE, x0 + 2, y0 + 2, first_option - x0 - 8, flip)
        canvas.setLineWidth(0.3)
        canvas.line(x0, flip.y(y1), x1, flip.y(y1))
        canvas.setLineWidth(0.8)
        for value, box in field.options.items():
            _square(canvas, box, flip)
            canvas.setFont(sans, MARK_LABEL_SIZE)
            canvas.drawString(box[2] + 3, flip.y(box[3]) + 1.5, localized(field.option_labels[value], language))
    elif field.type is FieldType.SIGNATURE:
        line_y = flip.y(y1 - 9)
        canvas.line(x0 + 2, line_y, x1 - 6, line_y)
        canvas.setFont(sans, LABEL_SIZE)
        canvas.drawString(x0 + 2, line_y - 7, label)
    else:
        canvas.rect(x0, flip.y(y1), x1 - x0, y1 - y0, stroke=1, fill=0)
        canvas.setFont(sans, LABEL_SIZE)
        label = _fit(canvas, label, sans, LABEL_SIZE, x1 - x0 - 4 - (30 if field.hint else 0))
        canvas.drawString(x0 + 2.5, flip.y(y0 + 7), label)
        if field.hint is not None:
            canvas.setFont(sans, 5.5)
            canvas.drawRightString(x1 - 2.5, flip.y(y0 + 7), localized(field.hint, language))


def _square(canvas: Canvas, box: tuple[float, float, float, float], flip: Flip) -> None:
    x0, y0, x1, y1 = box
    canvas.rect(x0, flip.y(y1), x1 - x0, y1 - y0, stroke=1, fill=0)


def _fit(canvas: Canvas, text: str, font: str, size: float, width: float) -> str:
    if canvas.stringWidth(text, font, size) <= width:
        return text
    while text and canvas.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"
