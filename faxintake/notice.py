"""The deficiency notice: a one- or two-page faxable PDF telling the office what to correct or attach.

Minimum necessary: the member appears by initials and date of birth only; no name, CIN, phone or narrative,
and nothing quoted from the form. Black on white, 11 pt and up, no grey and no hairlines, so it survives
a 204x98 dpi fax.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from reportlab.lib.pagesizes import LETTER
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from faxintake.catalog import FieldType, FormDef, load_catalog
from faxintake.errors import FaxIntakeError
from faxintake.fonts import register_fonts
from faxintake.model import Finding, ReturnLink, Severity

# The plan's own numbers, from seeds/member-reassignment-procedure.txt.
PLAN = "Central California Alliance for Health"
DEPARTMENT = "Provider Services"
PLAN_FAX = "(831) 430-5857"
PLAN_PHONE = "(800) 700-3874 ext 5504"

FONT, BOLD = "Sans", "Sans-Bold"  # DejaVu Sans: a large x-height that stays legible at 98 dpi vertical
BODY, HEADING, TITLE, FOOTER = 12.0, 14.0, 28.0, 11.0
LEADING = 1.3
RULE = 2.0  # points; a fax drops anything much thinner
W, H = LETTER
MARGIN = 54.0
TEXT_W = W - 2 * MARGIN
TOP = H - 48.0
BOTTOM = 64.0  # the footer sits below this
FOOTER_Y = 36.0
MAX_SENTENCE = 320  # a runaway message must not push the notice past two pages

FORM_NOUN = {"member_reassignment": "request", "cm_referral": "referral", "cbas_referral": "referral"}

# What to do, per code, in the office's terms.
SENTENCES = {
    "RMR_NO_REASON": "Mark at least one reason for the request in Section 3.",
    "RMR_INAPPROPRIATE_REASON": (
        "The reason given is not one the policy accepts for reassignment (minor or verbal disruption, "
        "disagreement with treatment that does not endanger the member, or a complaint the member filed). "
        "Mark an appropriate reason in Section 3 and describe the events."
    ),
    "RMR_MULTIPLE_MEMBERS": (
        "Send a separate form for each member: reassigning one member does not reassign the family."
    ),
    "RMR_APPT_DATES_INSUFFICIENT": (
        "List the dates of at least three missed appointments within one 12-month period in Section 4."
    ),
    "RMR_APPT_DATES_SPAN": (
        "List three missed-appointment dates that fall within one 12-month period, none after the request date."
    ),
    "RMR_GOODFAITH_MISSING": (
        "Mark the good-faith efforts box and describe how and when your office contacted and reminded the member."
    ),
    "RMR_MMA_COPY_MISSING": "Attach a copy of the Medication Management Agreement the member signed.",
    "RMR_MEMBER_LETTER_MISSING": ("Attach a copy of the letter you sent the member telling them about this request."),
    "RMR_NARRATIVE_NOT_SPECIFIC": (
        "In Section 5, describe the events that led to the request, with dates and specific details."
    ),
    "RMR_CORRECTIVE_EFFORTS_MISSING": (
        "In Section 5, describe what your office did to correct the problem with the member."
    ),
    "RMR_NONCOMPLIANCE_HARM_NOT_STATED": (
        "Explain how the member's refusal of treatment endangers their health or worsens a medical condition."
    ),
    "RMR_MEMBER_NOT_LINKED": (
        "Our records show the member assigned to another PCP: check the member's CIN and the PCP NPI. "
        "Only the assigned PCP can request reassignment."
    ),
    "CMR_NO_PROGRAM": "Mark at least one program.",
    "CMR_CC_NEEDS_MISSING": "For Care Coordination, mark at least one thing the member needs help with.",
    "CMR_DM_ASTHMA_AGE": (
        "The asthma Disease Management program is for children 5 to 11 years old: check the member's date of "
        "birth or choose another program."
    ),
    "CMR_DM_DIABETES_AGE": (
        "The diabetes Disease Management program is for members 18 and older: check the member's date of "
        "birth or choose another program."
    ),
    "CMR_DM_DIAGNOSIS_MISSING": (
        "Add the ICD-10 diagnosis for the Disease Management program you marked (asthma J45, diabetes E08 to E13)."
    ),
    "CMR_REASON_NOT_SPECIFIC": (
        "Describe the reason for the referral: the member's conditions and the help they need."
    ),
    "CBAS_UNDER_18": (
        "CBAS is for members 18 and older unless they live in an ICF/DD-H: check the member's date of birth, "
        "or mark the ICF/DD-H box if it applies."
    ),
    "CBAS_CRITERIA_INCOMPLETE": (
        "In Section 3, mark both medical necessity criteria the member meets, or the ICF/DD-H box if it applies."
    ),
    "CBAS_CONDITION_MISSING": "List the member's chronic or post-acute conditions with their ICD-10 codes.",
    "CBAS_SUPPORT_NETWORK_MISSING": "In Section 4, mark which support-network situation applies to the member.",
    "CBAS_NOT_FROM_PCP": (
        "A CBAS referral must come from the member's assigned PCP: check the member's CIN and the PCP NPI."
    ),
}

# Codes about particular fields: (sentence naming the fields' printed labels, sentence when none are known).
FIELD_SENTENCES = {
    "REQUIRED_MISSING": ("Fill in {labels}.", "Fill in every required field on the form."),
    "DATE_IN_FUTURE": (
        "Correct {labels}: the date is later than the day we received your fax.",
        "Correct the dates that are later than the day we received your fax.",
    ),
    "SIGNATURE_MISSING": ("Sign the form at {labels} and date it.", "Sign and date the form."),
    "INVALID_FORMAT": (
        "Correct {labels}: {how}.",
        "Correct the dates, NPIs, CINs or phone numbers we could not read as such.",
    ),
}
# What an earlier notice asked for, in a few words each, for the sentence that says this is a second return.
SHORT = {
    "RMR_NO_REASON": "no reason marked",
    "RMR_INAPPROPRIATE_REASON": "a reason the policy does not accept",
    "RMR_MULTIPLE_MEMBERS": "more than one member on one form",
    "RMR_APPT_DATES_INSUFFICIENT": "fewer than three missed-appointment dates",
    "RMR_APPT_DATES_SPAN": "missed-appointment dates not within 12 months",
    "RMR_GOODFAITH_MISSING": "good-faith efforts not described",
    "RMR_MMA_COPY_MISSING": "Medication Management Agreement not attached",
    "RMR_MEMBER_LETTER_MISSING": "letter to the member not attached",
    "RMR_NARRATIVE_NOT_SPECIFIC": "events not described specifically",
    "RMR_CORRECTIVE_EFFORTS_MISSING": "corrective efforts not described",
    "RMR_NONCOMPLIANCE_HARM_NOT_STATED": "harm from the refused treatment not explained",
    "RMR_MEMBER_NOT_LINKED": "member not assigned to the requesting PCP",
    "CMR_NO_PROGRAM": "no program marked",
    "CMR_CC_NEEDS_MISSING": "care coordination needs not marked",
    "CMR_DM_ASTHMA_AGE": "member's age outside the asthma program",
    "CMR_DM_DIABETES_AGE": "member's age outside the diabetes program",
    "CMR_DM_DIAGNOSIS_MISSING": "Disease Management diagnosis missing",
    "CMR_REASON_NOT_SPECIFIC": "reason for the referral not specific",
    "CBAS_UNDER_18": "member under 18",
    "CBAS_CRITERIA_INCOMPLETE": "medical necessity criteria not marked",
    "CBAS_CONDITION_MISSING": "conditions with ICD-10 codes missing",
    "CBAS_SUPPORT_NETWORK_MISSING": "support network not marked",
    "CBAS_NOT_FROM_PCP": "referral not from the assigned PCP",
    "INCOMPLETE_TRANSMISSION": "pages missing from the fax",
    "SIGNATURE_MISSING": "no signature",
    "DATE_IN_FUTURE": "a date later than the day we received it",
    "INVALID_FORMAT": "a date or number we could not read",
}
SHORT_ITEMS = 3  # a longer list is cut to "and N more": the earlier notice has them all
ORDINALS = ("first", "second", "third", "fourth", "fifth")
HOW_TO_WRITE = {
    FieldType.DATE: "write the date as MM/DD/YYYY",
    FieldType.NPI: "write the 10-digit NPI",
    FieldType.MEMBER_ID: "write the Medi-Cal CIN, 8 digits and a letter",
    FieldType.PHONE: "write all 10 digits of the number",
}

_INITIALS = re.compile(r"^(?:[A-Z]\.){1,4}$")
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|«[^»]*»")  # text quoted from the form: never on the notice
_CIN = re.compile(r"\b\d{8}[A-Za-z]\b")
_DIGIT_RUN = re.compile(r"\d[\d\s().-]{7,}\d")  # phone numbers and other long numbers
_SAFE_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class NoticeRequest:
    form_title: str
    form_id: str
    received_at: datetime
    page_count: int
    sender_fax: str | None
    member_initials: str
    member_dob: str  # ISO date, or "" when unknown
    findings: tuple[Finding, ...]  # all of them: only `return` findings are listed
    reference: str
    sender_name: str | None = None
    resubmission_of: ReturnLink | None = None  # the earlier return of the same member's same form, if any
    sent_on: datetime | None = None  # the notice's own date (default: the received date, for reproducible output)


def reference_for(sha256: str, document_index: int) -> str:
    """A short id, stable for one document of one fax, that a resubmission can quote."""
    return "R-" + hashlib.sha256(f"{sha256}:{document_index}".encode()).hexdigest()[:10].upper()


def notice_filename(reference: str) -> str:
    if not _SAFE_REFERENCE.match(reference):
        raise FaxIntakeError(f"notice reference {reference!r} is not a safe file name")
    return f"{reference}.pdf"


def sender_fax_for(
    cover_fax: str | None, form_fax: str | None, header_fax: str | None, directory_fax: str | None
) -> tuple[str | None, str]:
    """The number to fax the notice to, in RULES.md's order of trust, and where it came from.

    A number without 10 digits is passed over: a misread cover sheet must not send the notice astray.
    """
    for value, source in (
        (cover_fax, "cover sheet"),
        (form_fax, "form"),
        (header_fax, "fax header"),
        (directory_fax, "provider directory"),
    ):
        number = _fax_number(value)
        if number:
            return number, source
    return None, "unknown"


def _fax_number(value: str | None) -> str | None:
    digits = re.sub(r"\D", "", value or "")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}" if len(digits) == 10 else None


def finding_sentence(finding: Finding, form: FormDef | None = None) -> str:
    """One plain sentence saying what to correct or attach; `form` supplies printed field labels."""
    if finding.code in SENTENCES:
        return SENTENCES[finding.code]
    if finding.code == "INCOMPLETE_TRANSMISSION":
        counts = finding.details or {}
        expected, received = counts.get("expected"), counts.get("received")
        if isinstance(expected, int) and isinstance(received, int):
            return f"Only {received} of the {expected} pages you sent arrived: fax all pages again."
        return "Not every page of your fax arrived: fax all pages again."
    labels = _labels(finding, form)
    if finding.code in FIELD_SENTENCES:
        named, plain = FIELD_SENTENCES[finding.code]
        return named.format(labels=labels, how=_how_to_write(finding, form)) if labels else plain
    return _generic_sentence(finding.message, labels)


def resubmission_sentence(link: ReturnLink, form_id: str, form: FormDef | None = None) -> str:
    """One sentence: how many times this item has now been returned, and when and why it was returned before."""
    times = link.times_returned + 1
    ordinal = ORDINALS[times - 1] if times <= len(ORDINALS) else f"{times}th"
    items = _short_items(link.findings, form)
    shown = items[:SHORT_ITEMS] + ([f"{len(items) - SHORT_ITEMS} more"] if len(items) > SHORT_ITEMS else [])
    listed = f"{', '.join(shown[:-1])} and {shown[-1]}" if len(shown) > 1 else "".join(shown)
    return (
        f"This is the {ordinal} time this {FORM_NOUN.get(form_id, 'form')} has been returned; the earlier notice "
        f"(reference {link.reference}) was sent on {link.returned_at:%m/%d/%Y}"
        + (f" for: {listed}." if listed else ".")
    )


def _short_items(findings: tuple[Finding, ...], form: FormDef | None) -> list[str]:
    """A few words per `return` finding; the blank required fields as one item, named when there is one."""
    returns = [f for f in findings if f.severity is Severity.RETURN]
    blank = [f for f in returns if f.code == "REQUIRED_MISSING"]
    items = []
    for f in returns:
        if f.code != "REQUIRED_MISSING":
            items.append(SHORT.get(f.code, "other corrections"))
        elif f is blank[0]:
            field = form.field_map.get(f.fields[0]) if form is not None and f.fields else None
            if len(blank) == 1 and field is not None:
                items.append(f"“{field.label_for('en')}” left blank")
            else:
                items.append(f"{len(blank)} required field{'s' * (len(blank) != 1)} left blank")
    return list(dict.fromkeys(items))


def _labels(finding: Finding, form: FormDef | None) -> str:
    if form is None:
        return ""
    names = [f"“{form.field_map[n].label_for('en')}”" for n in finding.fields if n in form.field_map]
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _how_to_write(finding: Finding, form: FormDef | None) -> str:
    kinds = [form.field_map[n].type for n in finding.fields if form and n in form.field_map]
    return HOW_TO_WRITE.get(kinds[0], "write it clearly") if kinds else "write it clearly"


def _generic_sentence(message: str, labels: str) -> str:
    """The validator's own message, with anything quoted from the form and any long number taken out."""
    text = _DIGIT_RUN.sub("", _CIN.sub("", _QUOTED.sub("", message)))
    text = re.sub(r"\(\s*\)", "", text)
    text = re.sub(r"\s+([,.;:])", r"\1", " ".join(text.split())).strip(" ,;:")
    if len(text) > MAX_SENTENCE:
        text = text[:MAX_SENTENCE].rsplit(" ", 1)[0] + "…"
    if not text:
        return f"Correct or complete {labels}." if labels else "Check the form and correct it; call us if unsure."
    return text[0].upper() + text[1:] + ("" if text[-1] in ".!?…" else ".")


def render_notice(req: NoticeRequest, path: Path) -> Path:
    """Write the notice to `path` (parents created) and return it. Same request, same bytes."""
    register_fonts()
    form = _form(req.form_id)
    sentences = list(dict.fromkeys(finding_sentence(f, form) for f in req.findings if f.severity is Severity.RETURN))
    pages = _paginate(req, sentences)
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=LETTER, invariant=1)
    c.setTitle(f"Deficiency notice {req.reference}")
    c.setAuthor(f"{PLAN}, {DEPARTMENT}")
    for number, blocks in enumerate(pages, start=1):
        c.setFillColorRGB(0, 0, 0)
        c.setStrokeColorRGB(0, 0, 0)
        y = TOP
        for block in blocks:
            _draw(c, block, y)
            y -= block.height
        c.setFont(FONT, FOOTER)
        c.drawString(MARGIN, FOOTER_Y, f"Reference {req.reference}")
        c.drawRightString(W - MARGIN, FOOTER_Y, f"Page {number} of {len(pages)}")
        c.showPage()
    c.save()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it names the member: owner only
    with os.fdopen(fd, "wb") as fh:
        fh.write(buf.getvalue())
    return path


def _form(form_id: str) -> FormDef | None:
    try:
        return load_catalog().form(form_id)
    except KeyError:
        return None


# --- layout: blocks of lines measured before drawing, so pagination is exact -----------------------------


@dataclass(frozen=True)
class _Text:
    x: float
    dy: float  # baseline, below the block's top
    font: str
    size: float
    text: str
    right: bool = False  # x is the right edge


@dataclass(frozen=True)
class _Rule:
    dy: float


@dataclass(frozen=True)
class _Block:
    ops: tuple[_Text | _Rule, ...]
    height: float


class _Flow:
    """Lines stacked downward into one block, which is kept together on a page."""

    def __init__(self) -> None:
        self.ops: list[_Text | _Rule] = []
        self.y = 0.0

    def lines(self, text: str, *, font: str = FONT, size: float = BODY, x: float = 0.0, width: float = TEXT_W) -> None:
        for line in simpleSplit(text, font, size, width) or [""]:
            self.ops.append(_Text(MARGIN + x, self.y + size, font, size, line))
            self.y += size * LEADING

    def cells(self, *cells: tuple[float, float, str, str], size: float = BODY) -> None:
        """One row of label/value cells (x, label width, label, value); values wrap within their cell."""
        top, bottom = self.y, self.y
        for i, (x, label_w, label, value) in enumerate(cells):
            right = cells[i + 1][0] if i + 1 < len(cells) else TEXT_W
            self.y = top
            self.ops.append(_Text(MARGIN + x, top + size, BOLD, size, label))
            self.lines(value, size=size, x=x + label_w, width=right - x - label_w - 8)
            bottom = max(bottom, self.y)
        self.y = bottom

    def right(self, text: str, *, font: str, size: float, dy: float) -> None:
        self.ops.append(_Text(W - MARGIN, dy, font, size, text, right=True))

    def rule(self) -> None:
        self.y += 4
        self.ops.append(_Rule(self.y))
        self.y += RULE + 8

    def space(self, points: float) -> None:
        self.y += points

    def block(self) -> _Block:
        return _Block(tuple(self.ops), self.y)


def _draw(c: Canvas, block: _Block, top: float) -> None:
    for op in block.ops:
        if isinstance(op, _Rule):
            c.setLineWidth(RULE)
            c.line(MARGIN, top - op.dy, W - MARGIN, top - op.dy)
            continue
        c.setFont(op.font, op.size)
        if op.right:
            c.drawRightString(op.x, top - op.dy, op.text)
        else:
            c.drawString(op.x, top - op.dy, op.text)


def _cover(req: NoticeRequest, pages: int) -> _Block:
    f = _Flow()
    f.right(PLAN, font=BOLD, size=HEADING, dy=HEADING + 2)
    f.right(DEPARTMENT, font=FONT, size=BODY, dy=HEADING + 2 + BODY * LEADING + 2)
    f.lines("FAX", font=BOLD, size=TITLE)
    f.rule()
    half, label_w = TEXT_W / 2 + 6, 54.0
    noun = FORM_NOUN.get(req.form_id, "form")
    f.cells((0, label_w, "To:", req.sender_name or "Provider office"), (half, label_w, "From:", DEPARTMENT))
    f.cells((0, label_w, "Fax:", req.sender_fax or "not known"), (half, label_w, "Fax:", PLAN_FAX))
    f.cells(
        (0, label_w, "Date:", f"{(req.sent_on or req.received_at):%m/%d/%Y}"), (half, label_w, "Phone:", PLAN_PHONE)
    )
    f.cells((0, label_w, "Pages:", f"{pages}, including this page"))
    f.cells((0, label_w, "Re:", f"Your {noun} is returned for correction. Reference {req.reference}"))
    f.rule()
    return f.block()


def _received(req: NoticeRequest, count: int) -> _Block:
    f = _Flow()
    f.lines("What we received", font=BOLD, size=HEADING)
    f.space(2)
    label_w = max(stringWidth(label, BOLD, BODY) for label in ("Document:", "Received:", "Member:", "Reference:")) + 12
    f.cells((0, label_w, "Document:", req.form_title))
    f.cells((0, label_w, "Received:", f"{_when(req.received_at)}, {req.page_count} page{'s' * (req.page_count != 1)}"))
    f.cells(
        (
            0,
            label_w,
            "Member:",
            f"initials {_initials_only(req.member_initials)}, date of birth {_us_date(req.member_dob)}",
        )
    )
    f.cells((0, label_w, "Reference:", f"{req.reference} (quote it when you resubmit)"))
    if req.resubmission_of is not None:
        f.space(6)
        f.lines(resubmission_sentence(req.resubmission_of, req.form_id, _form(req.form_id)), font=BOLD)
    f.space(10)
    f.lines("What to correct or attach", font=BOLD, size=HEADING)
    f.space(2)
    noun = FORM_NOUN.get(req.form_id, "form")
    if count:
        f.lines(f"We cannot process this {noun} until you correct or attach the following:")
    else:
        f.lines(f"This {noun} needs correction; please call us at {PLAN_PHONE} for details.")
    f.space(4)
    return f.block()


def _item(number: int, sentence: str) -> _Block:
    f = _Flow()
    f.cells((0, 30.0, f"{number}.", sentence))
    f.space(4)
    return f.block()


def _resubmit(req: NoticeRequest) -> _Block:
    noun = FORM_NOUN.get(req.form_id, "form")
    f = _Flow()
    f.space(8)
    f.lines("How to resubmit", font=BOLD, size=HEADING)
    f.space(2)
    f.lines(
        f"Correct the form and attach what is asked above. Then fax the complete {noun}, every page with its "
        f"attachments, to {DEPARTMENT} at {PLAN_FAX}, with this notice or its reference {req.reference} "
        f"on your cover sheet."
    )
    f.space(4)
    f.lines(f"Questions? Call a {DEPARTMENT} Representative at {PLAN_PHONE}.")
    f.space(8)
    f.lines(
        f"Confidential: this fax is for the office named above only. If you received it in error, call "
        f"{PLAN_PHONE} and destroy it.",
        font=BOLD,
        size=FOOTER,
    )
    return f.block()


def _continued(req: NoticeRequest, items: bool) -> _Block:
    f = _Flow()
    f.lines(f"Reference {req.reference}, continued", font=BOLD, size=HEADING)
    f.rule()
    if items:
        f.lines("What to correct or attach (continued)", font=BOLD, size=HEADING)
        f.space(6)
    return f.block()


def _more(hidden: int) -> _Block:
    f = _Flow()
    f.lines(f"And {hidden} more item{'s' * (hidden != 1)}: call us at {PLAN_PHONE} for the full list.", font=BOLD)
    return f.block()


def _paginate(req: NoticeRequest, sentences: list[str]) -> list[list[_Block]]:
    """One page when it all fits; else the findings continue on page 2, never past it."""
    room = TOP - BOTTOM
    items = [_item(i, s) for i, s in enumerate(sentences, start=1)]
    tail = _resubmit(req)
    head = [_cover(req, 1), _received(req, len(items))]
    used = sum(b.height for b in head)
    if used + sum(b.height for b in items) + tail.height <= room:
        return [[*head, *items, tail]]
    first = 0
    while first < len(items) and used + items[first].height <= room:
        used += items[first].height
        first += 1
    rest = items[first:]
    cont = _continued(req, bool(rest))
    hidden = 0
    while (
        rest
        and cont.height + sum(b.height for b in rest) + (_more(hidden).height if hidden else 0) + tail.height > room
    ):
        rest.pop()
        hidden += 1
    page2 = [cont, *rest, *([_more(hidden)] if hidden else []), tail]
    return [[_cover(req, 2), _received(req, len(items)), *items[:first]], page2]


def _when(moment: datetime) -> str:
    return f"{moment:%m/%d/%Y} at {moment.strftime('%I:%M %p').lstrip('0')}"


def _us_date(iso: str) -> str:
    try:
        return f"{date.fromisoformat(iso.strip()):%m/%d/%Y}"
    except ValueError:
        return "not given"  # never print an unparsed value: it could be anything read off the form


def _initials_only(text: str) -> str:
    """Initials as given ("A.R."); a full name that slipped through is cut down to its initials."""
    t = text.strip()
    if _INITIALS.match(t):
        return t
    compact = re.sub(r"[\s.]", "", t)
    if compact.isalpha() and compact.isupper() and len(compact) <= 3:
        return "".join(f"{ch}." for ch in compact)
    if "," in t:
        last, _, first = t.partition(",")
        parts = [*first.split()[:1], *last.split()[:1]]
    else:
        words = t.split()
        parts = [*words[:1], *words[-1:]] if len(words) > 1 else words
    return "".join(f"{p[0].upper()}." for p in parts if p[:1].isalpha()) or "not given"
