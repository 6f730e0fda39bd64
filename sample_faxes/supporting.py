"""Pages that travel with the forms, as offices send them: cover sheets, member letters, MMAs, chart notes."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from reportlab.lib.pagesizes import LETTER
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from faxintake.fonts import register_fonts

W, H = LETTER


@dataclass(frozen=True)
class Office:
    practice: str
    pcp_name: str
    phone: str  # as printed, "(831) 555-0147"
    fax: str
    address: str


@dataclass(frozen=True)
class CoverInfo:
    office: Office
    recipient: str
    recipient_fax: str
    pages_total: int
    sent: date
    subject: str


def _pdf(draw: Callable[[Canvas], None]) -> bytes:
    register_fonts()
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=LETTER, invariant=1, pageCompression=1)
    draw(canvas)
    canvas.showPage()
    canvas.save()
    return buf.getvalue()


def _para(canvas: Canvas, text: str, x: float, y: float, width: float, font: str = "Typed", size: float = 11) -> float:
    canvas.setFont(font, size)
    for line in simpleSplit(text, font, size, width):
        canvas.drawString(x, y, line)
        y -= size * 1.35
    return y


def _letterhead(canvas: Canvas, office: Office) -> None:
    canvas.setFont("Sans-Bold", 14)
    canvas.drawString(72, H - 60, office.practice)
    canvas.setFont("Typed", 9.5)
    canvas.drawString(72, H - 75, f"{office.address}   Tel {office.phone}   Fax {office.fax}")
    canvas.setLineWidth(1)
    canvas.line(72, H - 82, W - 72, H - 82)


def cover_sheet(info: CoverInfo, template: int = 0) -> bytes:
    """A fax cover sheet; templates differ in layout and label wording, like the offices' own."""

    def draw(c: Canvas) -> None:
        o = info.office
        if template % 2 == 0:
            c.setFont("Sans-Bold", 40)
            c.drawString(72, H - 100, "FAX")
            c.setFont("Typed", 11)
            c.drawString(72, H - 125, o.practice)
            c.drawString(72, H - 140, o.address)
            rows = [
                ("Date:", info.sent.strftime("%m/%d/%Y")),
                ("To:", info.recipient),
                ("To fax:", info.recipient_fax),
                ("From:", o.pcp_name if template % 4 == 0 else o.practice),
                ("From fax:", o.fax),
                ("Phone:", o.phone),
                ("Pages (including cover):", str(info.pages_total)),
                ("Re:", info.subject),
            ]
            y = H - 190
            for label, value in rows:
                c.setFont("Sans-Bold", 12)
                c.drawString(72, y, label)
                c.setFont("Typed", 12)
                c.drawString(260, y, value)
                c.setLineWidth(0.5)
                c.line(255, y - 3, W - 72, y - 3)
                y -= 30
        else:
            c.setFont("Sans-Bold", 22)
            c.drawCentredString(W / 2, H - 80, "FACSIMILE TRANSMITTAL")
            c.setFont("Typed", 10)
            c.drawCentredString(W / 2, H - 96, f"{o.practice} · {o.address}")
            c.setLineWidth(1.2)
            left = [("TO:", info.recipient), ("FAX:", info.recipient_fax), ("RE:", info.subject)]
            right = [("FROM:", o.practice), ("SENDER FAX:", o.fax), ("PHONE:", o.phone)]
            y = H - 150
            for (l1, v1), (l2, v2) in zip(left, right, strict=True):
                c.setFont("Sans-Bold", 11)
                c.drawString(72, y, l1)
                c.drawString(320, y, l2)
                c.setFont("Typed", 11)
                c.drawString(112, y, v1[:30])
                c.setFont("Typed", 11 if c.stringWidth(v2, "Typed", 11) < W - 72 - 410 - 14 else 9)
                c.drawString(410, y, v2)
                y -= 26
            c.setFont("Sans-Bold", 11)
            c.drawString(72, y, "DATE:")
            c.drawString(320, y, "PAGES:")
            c.setFont("Typed", 11)
            c.drawString(112, y, info.sent.strftime("%B %d, %Y").replace(" 0", " "))
            c.drawString(410, y, f"{info.pages_total} (including this cover)")
            c.rect(62, y - 14, W - 124, H - 136 - y + 14, stroke=1, fill=0)
        _para(
            c,
            "CONFIDENTIALITY NOTICE: This facsimile contains protected health information that is privileged and "
            "confidential. If you are not the intended recipient, notify the sender by telephone and destroy all copies.",
            72,
            160,
            W - 144,
            "Typed",
            9,
        )

    return _pdf(draw)


def member_letter(
    office: Office, member_first: str, member_last: str, letter_date: date, language: str = "en"
) -> bytes:
    """The practice's written notification to the member that it has asked the plan to reassign them."""

    def draw(c: Canvas) -> None:
        _letterhead(c, office)
        c.setFont("Typed", 11)
        y = H - 120
        c.drawString(72, y, letter_date.strftime("%B %d, %Y").replace(" 0", " "))
        y -= 40
        if language == "es":
            c.drawString(72, y, f"Estimado/a {member_first} {member_last}:")
            body = (
                "Le escribimos para informarle que hemos solicitado a Central California Alliance for Health que lo "
                "reasigne a otro proveedor de atención primaria (reassignment). Seguirá siendo nuestro paciente hasta la "
                "fecha en que la Alliance haga efectivo el cambio, y le seguiremos atendiendo o refiriendo mientras tanto. "
                "Para elegir otro médico, llame a Servicios para Miembros de la Alliance."
            )
            closing = "Atentamente,"
        else:
            c.drawString(72, y, f"Dear {member_first} {member_last},")
            body = (
                "This letter is to let you know that our office has asked Central California Alliance for Health to "
                "reassign you to another primary care provider. You will remain our patient until the effective date "
                "the Alliance sets, and we will continue to provide or arrange your care until then. To choose another "
                "doctor, please call Alliance Member Services. If you have questions about this letter, call our office."
            )
            closing = "Sincerely,"
        y = _para(c, body, 72, y - 30, W - 144) - 20
        c.drawString(72, y, closing)
        c.drawString(72, y - 50, office.pcp_name)
        c.drawString(72, y - 64, office.practice)

    return _pdf(draw)


def medication_agreement(office: Office, member_name: str, signed: date) -> bytes:
    """A copy of the Medication Management Agreement the member signed."""

    def draw(c: Canvas) -> None:
        _letterhead(c, office)
        c.setFont("Sans-Bold", 15)
        c.drawString(72, H - 118, "Medication Management Agreement")
        c.setFont("Typed", 11)
        c.drawString(72, H - 145, f"Patient name: {member_name}")
        c.drawString(360, H - 145, f"Date: {signed.strftime('%m/%d/%Y')}")
        terms = [
            "I will take my medicines only as prescribed and will not change the dose without talking to my provider.",
            "I will get controlled substance prescriptions from this provider only and fill them at one pharmacy.",
            "I will not sell, share or trade my medicines. Lost or stolen medicines will not be replaced early.",
            "I agree to urine drug screens and pill counts when asked.",
            "I understand that breaking this agreement may end my prescriptions and my care at this office.",
        ]
        y = H - 180
        for i, term in enumerate(terms, start=1):
            y = _para(c, f"{i}. {term}", 84, y, W - 170) - 8
        c.line(72, y - 40, 290, y - 40)
        c.line(330, y - 40, W - 72, y - 40)
        c.setFont("Typed", 9)
        c.drawString(72, y - 52, "Patient signature")
        c.drawString(330, y - 52, "Provider signature")

    return _pdf(draw)


def chart_note(office: Office, member_name: str, entries: list[tuple[date, str]], title: str = "Outreach Log") -> bytes:
    """Chart notes or an outreach log the office attaches as documentation."""

    def draw(c: Canvas) -> None:
        _letterhead(c, office)
        c.setFont("Sans-Bold", 15)
        c.drawString(72, H - 118, title)
        c.setFont("Typed", 11)
        c.drawString(72, H - 140, f"Patient: {member_name}")
        y = H - 175
        c.setFont("Sans-Bold", 10)
        c.drawString(72, y, "Date")
        c.drawString(160, y, "Note")
        y -= 18
        for when, text in entries:
            c.setFont("Typed", 10)
            c.drawString(72, y, when.strftime("%m/%d/%Y"))
            y = _para(c, text, 160, y, W - 240, "Typed", 10) - 6

    return _pdf(draw)


def stray_page(kind: int) -> bytes:
    """A page that is none of ours (an ad, a lab's price list): it must come out `unknown`."""

    def draw(c: Canvas) -> None:
        if kind % 2 == 0:
            c.setFont("Sans-Bold", 28)
            c.drawCentredString(W / 2, H - 120, "OFFICE SUPPLY CLEARANCE")
            c.setFont("Typed", 14)
            y = H - 170
            for line in (
                "Toner cartridges 40% off",
                "Copy paper, 10 reams: $39.99",
                "Free delivery on orders over $100",
                "Call today to place your order",
                "To be removed from our list, reply STOP",
            ):
                c.drawCentredString(W / 2, y, line)
                y -= 28
        else:
            c.setFont("Sans-Bold", 18)
            c.drawString(72, H - 90, "Coastal Reference Laboratory")
            c.setFont("Typed", 11)
            c.drawString(72, H - 110, "Courier schedule and specimen pickup times, effective next month")
            y = H - 150
            for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
                c.drawString(90, y, f"{day}: 10:30 AM and 3:30 PM")
                y -= 20

    return _pdf(draw)
