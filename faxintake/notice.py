"""The deficiency notice: a one- or two-page faxable PDF telling the office what to correct or attach.

Minimum necessary: the member appears by initials and date of birth only. Black on white, 11 pt and up,
no hairlines or grey, so it survives a 204x98 dpi fax.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from reportlab.lib.pagesizes import LETTER
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from faxintake.fonts import register_fonts
from faxintake.model import Finding, Severity

PLAN = "Central California Alliance for Health"
PLAN_FAX = "(831) 430-5857"
PLAN_PHONE = "(800) 700-3874 ext 5504"
BODY = 11.5
W, H = LETTER
MARGIN = 60.0

# What to do, per code, in the office's terms. Codes without a sentence here use the finding's own message.
SENTENCES = {
    "RMR_MEMBER_LETTER_MISSING": "Attach a copy of the letter you sent the member telling them about this request.",
    "RMR_MMA_COPY_MISSING": "Attach a copy of the Medication Management Agreement the member signed.",
    "RMR_NO_REASON": "Mark at least one reason for the request in Section 3.",
    "RMR_MULTIPLE_MEMBERS": "Send a separate form for each member; reassigning one member does not reassign the family.",
    "RMR_APPT_DATES_INSUFFICIENT": "List the dates of at least three missed appointments within one 12-month period.",
    "RMR_APPT_DATES_SPAN": "List three missed-appointment dates that fall within one 12-month period, none after the request date.",
    "RMR_GOODFAITH_MISSING": "Mark the good-faith box and describe how and when your office contacted and reminded the member.",
    "RMR_NARRATIVE_NOT_SPECIFIC": "Describe the events that led to the request, with dates and specific details.",
    "RMR_CORRECTIVE_EFFORTS_MISSING": "Describe what your office did to correct the problem with the member.",
    "RMR_NONCOMPLIANCE_HARM_NOT_STATED": "Explain how the member's refusal of treatment endangers their health or worsens a condition.",
    "RMR_MEMBER_NOT_LINKED": "Only the member's assigned PCP can request reassignment: check the member and the PCP NPI.",
    "CMR_NO_PROGRAM": "Mark at least one program.",
    "CMR_CC_NEEDS_MISSING": "For Care Coordination, mark what the member needs help with.",
    "CMR_DM_DIAGNOSIS_MISSING": "Add the ICD-10 diagnosis that fits the Disease Management program you marked.",
    "CMR_REASON_NOT_SPECIFIC": "Describe the reason for the referral: the member's conditions and the help needed.",
    "CBAS_CRITERIA_INCOMPLETE": "Mark both medical necessity criteria in Section 3, or the ICF/DD-H box if it applies.",
    "CBAS_CONDITION_MISSING": "List the member's chronic or post-acute conditions with their ICD-10 codes.",
    "CBAS_SUPPORT_NETWORK_MISSING": "Mark which support-network situation applies to the member in Section 4.",
    "CBAS_NOT_FROM_PCP": "A CBAS referral must come from the member's assigned PCP.",
    "INCOMPLETE_TRANSMISSION": "Not all pages arrived: fax the complete request again.",
}


@dataclass(frozen=True)
class NoticeRequest:
    form_title: str
    form_id: str
    received_at: datetime
    page_count: int
    sender_fax: str | None
    member_initials: str
    member_dob: str
    findings: tuple[Finding, ...]
    reference: str
    sender_name: str | None = None
    linked_previous: str | None = None
    sent_on: datetime | None = None  # the notice's own date (default: the received date, for reproducible output)


def reference_for(sha256: str, document_index: int) -> str:
    return "R-" + hashlib.sha256(f"{sha256}:{document_index}".encode()).hexdigest()[:10].upper()


def notice_filename(reference: str) -> str:
    return f"{reference}.pdf"


def sender_fax_for(
    cover_fax: str | None, form_fax: str | None, header_fax: str | None, directory_fax: str | None
) -> tuple[str | None, str]:
    """The number to fax the notice to, in RULES.md's order of trust, and where it came from."""
    for value, source in (
        (cover_fax, "cover sheet"),
        (form_fax, "form"),
        (header_fax, "fax header"),
        (directory_fax, "provider directory"),
    ):
        if value:
            return value, source
    return None, "unknown"


def _sentence(f: Finding) -> str:
    return SENTENCES.get(f.code, f.message)


def render_notice(req: NoticeRequest, path: Path) -> Path:
    register_fonts()
    returns = [f for f in req.findings if f.severity is Severity.RETURN]
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=LETTER, invariant=1)
    c.setTitle(f"Deficiency notice {req.reference}")
    pages = _layout(req, returns)
    for number, lines in enumerate(pages, start=1):
        y = H - MARGIN
        for font, size, text, gap in lines:
            c.setFont(font, size)
            for line in simpleSplit(text, font, size, W - 2 * MARGIN) or [""]:
                c.drawString(MARGIN, y, line)
                y -= size * 1.3
            y -= gap * size
        c.setFont("Typed", 11)
        c.drawRightString(W - MARGIN, 40, f"Reference {req.reference}   Page {number} of {len(pages)}")
        c.showPage()
    c.save()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue())
    return path


Line = tuple[str, float, str, float]  # font, size, text, space after (in lines)


def _layout(req: NoticeRequest, returns: list[Finding]) -> list[list[Line]]:
    head: list[Line] = [
        ("Sans-Bold", 20, "FAX: Request returned for correction", 0.6),
        ("Typed", BODY, f"To: {req.sender_name or 'Provider office'}    Fax: {req.sender_fax or 'unknown'}", 0.2),
        ("Typed", BODY, f"From: {PLAN}, Provider Services    Fax {PLAN_FAX}    Phone {PLAN_PHONE}", 0.2),
        ("Typed", BODY, f"Date: {(req.sent_on or req.received_at):%m/%d/%Y}", 1.0),
        ("Sans-Bold", 13, "What we received", 0.3),
        (
            "Typed",
            BODY,
            f"{req.form_title}, received {req.received_at:%m/%d/%Y at %H:%M}, {req.page_count} page(s).",
            0.2,
        ),
        (
            "Typed",
            BODY,
            f"Member: initials {req.member_initials or 'not given'}, date of birth {_us_date(req.member_dob)}.",
            0.2,
        ),
        ("Typed", BODY, f"Our reference: {req.reference}", 0.2),
    ]
    if req.linked_previous:
        head.append(("Typed", BODY, f"This is a resubmission of our earlier return {req.linked_previous}.", 0.2))
    head += [("Typed", 4, "", 0.0), ("Sans-Bold", 13, "What to correct or attach", 0.3)]
    items: list[Line] = [("Typed", BODY, f"{i}. {_sentence(f)}", 0.3) for i, f in enumerate(returns, start=1)]
    tail: list[Line] = [
        ("Typed", 4, "", 0.0),
        ("Sans-Bold", 13, "How to resubmit", 0.3),
        (
            "Typed",
            BODY,
            f"Correct the form, attach what is asked above, and fax the complete request with this page to "
            f"Provider Services at {PLAN_FAX}. Quote reference {req.reference}. Questions: {PLAN_PHONE}.",
            0.2,
        ),
        (
            "Typed",
            BODY,
            "This notice contains no clinical information. If you received it in error, please call us and destroy it.",
            0.0,
        ),
    ]
    # Fit on one page when it can; otherwise the findings continue on a second page.
    budget = 34
    used = len(head) + len(tail) + sum(1 + len(_sentence(f)) // 80 for f in returns)
    if used <= budget:
        return [head + items + tail]
    first = head + items[: max(1, budget - len(head) - 2)]
    rest = items[len(first) - len(head) :]
    return [first, [("Sans-Bold", 13, "What to correct or attach (continued)", 0.3), *rest, *tail]]


def _us_date(iso: str) -> str:
    if len(iso) == 10 and iso[4] == "-":
        return f"{iso[5:7]}/{iso[8:10]}/{iso[:4]}"
    return iso or "not given"
