"""The deficiency notice: faxable, minimum necessary, one sentence per return finding."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pdfplumber

from faxintake.model import Finding, Severity
from faxintake.notice import NoticeRequest, notice_filename, reference_for, render_notice, sender_fax_for


def request(findings: tuple[Finding, ...]) -> NoticeRequest:
    return NoticeRequest(
        form_title="Request for Member Reassignment",
        form_id="member_reassignment",
        received_at=datetime(2026, 11, 20, 9, 14),
        page_count=4,
        sender_fax="831-555-0148",
        member_initials="A.R.",
        member_dob="1973-08-19",
        findings=findings,
        reference=reference_for("ab" * 32, 0),
        sender_name="Salinas Valley Family Practice",
    )


def finding(code: str, severity: Severity = Severity.RETURN) -> Finding:
    return Finding(code=code, severity=severity, fields=(), message=f"Fix {code.lower()}.")


def test_notice_names_the_document_member_and_corrections(tmp_path: Path) -> None:
    req = request(
        (finding("RMR_MEMBER_LETTER_MISSING"), finding("SIGNATURE_MISSING"), finding("LOW_CONFIDENCE", Severity.REVIEW))
    )
    path = render_notice(req, tmp_path / notice_filename(req.reference))
    with pdfplumber.open(path) as pdf:
        assert len(pdf.pages) == 1
        text = "\n".join(p.extract_text() for p in pdf.pages)
        sizes = {round(c["size"]) for p in pdf.pages for c in p.chars}
    assert "A.R." in text and "08/19/1973" in text
    assert "Request for Member Reassignment" in text and "11/20/2026" in text and "4 page" in text
    assert "Attach a copy of the letter you sent the member" in text
    assert "fix signature_missing" in text.lower()
    assert "low_confidence" not in text.lower(), "review findings are not the sender's to fix"
    assert "(831) 430-5857" in text and req.reference in text
    assert min(sizes) >= 11


def test_many_findings_wrap_to_two_pages_at_most(tmp_path: Path) -> None:
    codes = [
        "REQUIRED_MISSING",
        "INVALID_FORMAT",
        "DATE_IN_FUTURE",
        "SIGNATURE_MISSING",
        "RMR_NO_REASON",
        "RMR_MULTIPLE_MEMBERS",
        "RMR_APPT_DATES_INSUFFICIENT",
        "RMR_APPT_DATES_SPAN",
        "RMR_GOODFAITH_MISSING",
        "RMR_MMA_COPY_MISSING",
        "RMR_MEMBER_LETTER_MISSING",
        "RMR_NARRATIVE_NOT_SPECIFIC",
        "RMR_CORRECTIVE_EFFORTS_MISSING",
        "RMR_NONCOMPLIANCE_HARM_NOT_STATED",
        "RMR_MEMBER_NOT_LINKED",
        "INCOMPLETE_TRANSMISSION",
        "RMR_INAPPROPRIATE_REASON",
    ]
    path = render_notice(request(tuple(finding(c) for c in codes)), tmp_path / "n.pdf")
    with pdfplumber.open(path) as pdf:
        assert 1 <= len(pdf.pages) <= 2
        text = "\n".join(p.extract_text() for p in pdf.pages)
    assert text.count("\n1. ") + text.startswith("1. ") >= 1 and f"{len(codes)}. " in text


def test_notice_is_deterministic(tmp_path: Path) -> None:
    req = request((finding("RMR_NO_REASON"),))
    assert render_notice(req, tmp_path / "a.pdf").read_bytes() == render_notice(req, tmp_path / "b.pdf").read_bytes()


def test_sender_fax_order_of_trust() -> None:
    assert sender_fax_for("1", "2", "3", "4") == ("1", "cover sheet")
    assert sender_fax_for(None, "2", "3", "4") == ("2", "form")
    assert sender_fax_for(None, None, "3", "4") == ("3", "fax header")
    assert sender_fax_for(None, None, None, "4") == ("4", "provider directory")
    assert sender_fax_for(None, None, None, None) == (None, "unknown")
