"""The Medical Director's decision letters: to the requesting provider (faxable) and, on approval, to the member
(mailable). Laid out with the deficiency notice's own blocks (faxintake.notice): the same fonts, sizes and rules
that survive a 204x98 dpi fax. The provider's letter names the member by initials and date of birth only."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta

from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen.canvas import Canvas

from faxintake.fonts import register_fonts
from faxintake.notice import (
    BOLD,
    DEPARTMENT,
    FONT,
    FOOTER,
    FOOTER_Y,
    HEADING,
    MARGIN,
    PLAN,
    PLAN_FAX,
    PLAN_PHONE,
    TEXT_W,
    TITLE,
    TOP,
    W,
    _Block,
    _draw,
    _Flow,
    _initials_only,
    _us_date,
)

OUTCOMES = {"approve": "approved", "defer": "deferred", "deny": "denied"}


@dataclass(frozen=True)
class DecisionLetter:
    outcome: str  # approve, defer or deny
    reason: str
    effective: date | None  # approvals
    decided_on: date
    reference: str
    received_on: date
    provider_name: str  # the requesting PCP or office
    provider_fax: str | None
    member_initials: str
    member_dob: str  # ISO
    member_name: str = ""  # the member's letter only
    new_pcp_phone: str = PLAN_PHONE


def effective_date(approved_on: date, later: date | None = None) -> date:
    """The first day of the month after approval (the procedure's "typically"), or a later date the director sets."""
    first_next = (approved_on.replace(day=1) + _MONTH).replace(day=1)
    return later if later is not None and later > first_next else first_next


_MONTH = timedelta(days=32)  # from the first of a month, always into the next


def _letterhead(f: _Flow, title: str) -> None:
    f.right(PLAN, font=BOLD, size=HEADING, dy=HEADING + 2)
    f.right(DEPARTMENT, font=FONT, size=12.0, dy=HEADING + 2 + 12.0 * 1.3 + 2)
    f.lines(title, font=BOLD, size=TITLE)
    f.rule()


def provider_letter(d: DecisionLetter) -> bytes:
    f = _Flow()
    _letterhead(f, "FAX")
    half, label_w = TEXT_W / 2 + 6, 54.0
    f.cells((0, label_w, "To:", d.provider_name or "Provider office"), (half, label_w, "From:", DEPARTMENT))
    f.cells((0, label_w, "Fax:", d.provider_fax or "not known"), (half, label_w, "Fax:", PLAN_FAX))
    f.cells((0, label_w, "Date:", f"{d.decided_on:%m/%d/%Y}"), (half, label_w, "Phone:", PLAN_PHONE))
    f.cells((0, label_w, "Re:", f"Request for Member Reassignment, reference {d.reference}"))
    f.rule()
    outcome = OUTCOMES[d.outcome]
    f.lines(f"Your request has been {outcome}", font=BOLD, size=HEADING)
    f.space(6)
    f.lines(
        f"We received your Request for Member Reassignment on {d.received_on:%m/%d/%Y} for the member with initials "
        f"{_initials_only(d.member_initials)}, date of birth {_us_date(d.member_dob)}. Our Medical Director has "
        f"reviewed it and {outcome} it on {d.decided_on:%m/%d/%Y}."
    )
    f.space(6)
    f.lines("Reason", font=BOLD)
    f.lines(d.reason or "No reason given.")
    f.space(6)
    if d.outcome == "approve" and d.effective is not None:
        f.lines("Effective date", font=BOLD)
        f.lines(
            f"The reassignment takes effect on {d.effective:%m/%d/%Y}. Until then the member remains linked to your "
            "practice: ensure access to care by providing it yourself or referring the member to another provider, "
            "including refills of medically necessary prescriptions and authorizing any specialty care the member "
            "needs. We are notifying the member."
        )
    elif d.outcome == "defer":
        f.lines("What happens next", font=BOLD)
        f.lines(
            "The member remains linked to your practice while we review the request further. We will write to you "
            "again when a decision is made; you may fax any further information, quoting the reference above."
        )
    else:
        f.lines("What this means", font=BOLD)
        f.lines(
            "The member remains linked to your practice. Members have the right to be treated fairly; if you have "
            "questions about this decision, please call us."
        )
    f.space(10)
    f.lines(f"Questions? Call a {DEPARTMENT} Representative at {PLAN_PHONE}.")
    f.space(8)
    f.lines(
        f"Confidential: this fax is for the office named above only. If you received it in error, call {PLAN_PHONE} "
        "and destroy it.",
        font=BOLD,
        size=FOOTER,
    )
    return _pdf(f.block(), f"Reassignment decision {d.reference}", d.reference)


def member_letter(d: DecisionLetter) -> bytes:
    """To the member, on approval: the new effective date and how to choose a new primary care provider."""
    assert d.effective is not None
    f = _Flow()
    _letterhead(f, "NOTICE")
    f.lines("Your primary care provider is changing", font=BOLD, size=HEADING)
    f.space(6)
    f.lines(f"{d.decided_on:%m/%d/%Y}")
    f.space(10)
    f.lines(d.member_name or "Member")
    f.lines("(mailing address on file)")
    f.space(14)
    f.lines(f"Dear {d.member_name or 'Member'}:")
    f.space(6)
    f.lines(
        f"Your primary care provider (PCP), {d.provider_name or 'your current PCP'}, asked us to assign you to "
        f"another PCP. We have reviewed the request and approved it. Starting {d.effective:%m/%d/%Y}, you will have "
        "a new PCP."
    )
    f.space(6)
    f.lines("What you need to do", font=BOLD)
    f.lines(
        f"Call Member Services at {d.new_pcp_phone} to choose a new PCP before {d.effective:%m/%d/%Y}. If you do not "
        "choose one, we will choose one for you near your home and tell you who it is."
    )
    f.space(6)
    f.lines("Your care until then", font=BOLD)
    f.lines(
        f"Until {d.effective:%m/%d/%Y} your current PCP is still responsible for your care, including refills of "
        "the medicines you need and referrals to specialists."
    )
    f.space(6)
    f.lines("Your rights", font=BOLD)
    f.lines(
        "If you feel you were treated unfairly, you have the right to file a complaint. Call us and we will help "
        "you. You can ask for this letter in Spanish, Hmong or another language, or in large print, at no cost."
    )
    f.space(10)
    f.lines(f"{PLAN}, {DEPARTMENT}")
    return _pdf(f.block(), f"PCP reassignment notice {d.reference}", d.reference)


def _pdf(block: _Block, title: str, reference: str) -> bytes:
    """One page (the letters are short by construction; text past the page is cut, never overprinted)."""
    register_fonts()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=LETTER, invariant=1)
    c.setTitle(title)
    c.setAuthor(f"{PLAN}, {DEPARTMENT}")
    c.setFillColorRGB(0, 0, 0)
    c.setStrokeColorRGB(0, 0, 0)
    _draw(c, block, TOP)
    c.setFont(FONT, FOOTER)
    c.drawString(MARGIN, FOOTER_Y, f"Reference {reference}")
    c.drawRightString(W - MARGIN, FOOTER_Y, "Page 1 of 1")
    c.showPage()
    c.save()
    return buf.getvalue()
