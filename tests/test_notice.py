"""The deficiency notice: faxable, minimum necessary, one sentence per return finding, two pages at most."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pdfplumber
import pytest

from extractors.pipeline import FaxRead
from faxintake.catalog import load_catalog
from faxintake.errors import FaxIntakeError
from faxintake.intake import sender_faxes
from faxintake.model import Cover, FaxHeader, FieldRead, Finding, PageRead, ReturnLink, Severity
from faxintake.notice import (
    FIELD_SENTENCES,
    PLAN_FAX,
    PLAN_PHONE,
    SENTENCES,
    SHORT,
    NoticeRequest,
    finding_sentence,
    notice_filename,
    reference_for,
    render_notice,
    resubmission_sentence,
    sender_fax_for,
)
from validators.rules import RULES

FULL_NAME, CIN = "Rivera, Ana", "91234567A"

# Return codes each form can produce, with the fields they concern.
FORM_FINDINGS: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "member_reassignment": [("RMR_MEMBER_LETTER_MISSING", ()), ("REQUIRED_MISSING", ("member_dob",))],
    "cm_referral": [("CMR_NO_PROGRAM", ()), ("SIGNATURE_MISSING", ("signature",))],
    "cbas_referral": [("CBAS_CONDITION_MISSING", ("conditions",)), ("INVALID_FORMAT", ("pcp_npi",))],
    "hif_met": [("REQUIRED_MISSING", ("signature_date",))],
}


def finding(
    code: str,
    fields: tuple[str, ...] = (),
    severity: Severity = Severity.RETURN,
    message: str = "Please correct the form.",
) -> Finding:
    # The inputs behind a finding may hold the member's name and CIN; the notice must never print them.
    return Finding(
        code=code,
        severity=severity,
        fields=fields,
        message=message,
        details={"member_name": FULL_NAME, "member_id": CIN},
    )


def request(findings: tuple[Finding, ...], form_id: str = "member_reassignment", **kw: object) -> NoticeRequest:
    args: dict[str, object] = {
        "form_title": load_catalog().form(form_id).title_for("en"),
        "form_id": form_id,
        "received_at": datetime(2026, 11, 20, 9, 14),
        "page_count": 4,
        "sender_fax": "831-555-0148",
        "member_initials": "A.R.",
        "member_dob": "1973-08-19",
        "findings": findings,
        "reference": reference_for("ab" * 32, 0),
        "sender_name": "Salinas Valley Family Practice",
    }
    args.update(kw)
    return NoticeRequest(**args)  # type: ignore[arg-type]


def read(path: Path) -> tuple[int, str]:
    """Page count and the text with whitespace collapsed, so wrapped sentences read as one line."""
    with pdfplumber.open(path) as pdf:
        return len(pdf.pages), flat(" ".join(p.extract_text() or "" for p in pdf.pages))


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("form_id", sorted(FORM_FINDINGS))
def test_each_form_kind_names_document_member_and_corrections(tmp_path: Path, form_id: str) -> None:
    form = load_catalog().form(form_id)
    returns = tuple(finding(code, fields) for code, fields in FORM_FINDINGS[form_id])
    review = finding("LOW_CONFIDENCE", ("member_id",), Severity.REVIEW, "Low confidence on member_id.")
    req = request((*returns, review), form_id)
    path = render_notice(req, tmp_path / "notices" / notice_filename(req.reference))
    assert path.stat().st_mode & 0o077 == 0, "a notice names the member: owner only"
    pages, text = read(path)
    assert pages == 1
    assert form.title_for("en") in text
    assert "11/20/2026 at 9:14 AM" in text and "4 pages" in text
    assert "A.R." in text and "08/19/1973" in text
    assert PLAN_FAX in text and PLAN_PHONE in text and "831-555-0148" in text
    assert req.reference in text and "Page 1 of 1" in text
    for f in returns:
        assert flat(finding_sentence(f, form)) in text
    assert "Low confidence" not in text, "review findings are not the sender's to fix"
    assert FULL_NAME not in text and "Rivera" not in text and CIN not in text


def test_fixed_sentences_and_field_labels() -> None:
    form = load_catalog().form("member_reassignment")
    letter = finding_sentence(finding("RMR_MEMBER_LETTER_MISSING"), form)
    assert letter == "Attach a copy of the letter you sent the member telling them about this request."
    assert finding_sentence(finding("REQUIRED_MISSING", ("member_dob",)), form) == "Fill in “Member date of birth”."
    assert "MM/DD/YYYY" in finding_sentence(finding("INVALID_FORMAT", ("request_date",)), form)
    assert finding_sentence(finding("SIGNATURE_MISSING", ("signature",)), None) == "Sign and date the form."
    pages = Finding(
        code="INCOMPLETE_TRANSMISSION",
        severity=Severity.RETURN,
        message="x",
        details={"expected": 5, "received": 3},
    )
    assert finding_sentence(pages) == "Only 3 of the 5 pages you sent arrived: fax all pages again."


def test_every_return_code_has_its_own_sentence() -> None:
    """No validator's return code falls back to its message, which may quote the form."""
    templated = set(SENTENCES) | set(FIELD_SENTENCES) | {"INCOMPLETE_TRANSMISSION"}
    returns = {r.code for r in RULES if r.severity is Severity.RETURN}
    assert returns and returns <= templated, sorted(returns - templated)


def test_unknown_code_uses_its_message_without_quotes_or_numbers() -> None:
    quoted = finding("NEW_CODE", message=f"Remove the second member (“{FULL_NAME}”) or CIN {CIN}, tel 831 555 0101")
    sentence = finding_sentence(quoted)
    assert "Rivera" not in sentence and CIN not in sentence and "555" not in sentence
    assert sentence.startswith("Remove the second member") and sentence.endswith(".")
    assert (
        finding_sentence(finding("NEW_CODE", message="“Rivera”")) == "Check the form and correct it; call us if unsure."
    )


def test_member_is_shown_by_initials_even_when_given_a_name(tmp_path: Path) -> None:
    req = request((finding("RMR_NO_REASON"),), member_initials="Ana Rivera", member_dob="08/19/1973 per chart")
    _, text = read(render_notice(req, tmp_path / "n.pdf"))
    assert "initials A.R." in text and "Rivera" not in text
    assert "per chart" not in text and "date of birth not given" in text


def earlier_return(*codes: str, times: int = 1, fields: tuple[str, ...] = ()) -> ReturnLink:
    return ReturnLink(
        document_id=7,
        reference=reference_for("cd" * 32, 1),
        returned_at=datetime(2026, 11, 12, 15, 40),
        findings=tuple(finding(c, fields) for c in codes),
        times_returned=times,
    )


def test_a_second_return_says_when_and_why_it_was_returned_before(tmp_path: Path) -> None:
    earlier = earlier_return("RMR_NO_REASON", "SIGNATURE_MISSING")
    req = request((finding("RMR_MEMBER_LETTER_MISSING"),), resubmission_of=earlier)
    pages, text = read(render_notice(req, tmp_path / "n.pdf"))
    assert pages == 1
    assert (
        f"This is the second time this request has been returned; the earlier notice (reference {earlier.reference}) "
        "was sent on 11/12/2026 for: no reason marked and no signature." in text
    )
    assert "initials A.R., date of birth 08/19/1973" in text
    assert FULL_NAME not in text and "Rivera" not in text and CIN not in text


def test_resubmission_sentence_counts_returns_and_keeps_the_list_short() -> None:
    form = load_catalog().form("member_reassignment")
    one_blank = earlier_return("REQUIRED_MISSING", times=2, fields=("member_dob",))
    assert resubmission_sentence(one_blank, "member_reassignment", form).startswith("This is the third time this")
    assert "for: “Member date of birth” left blank." in resubmission_sentence(one_blank, "member_reassignment", form)
    many = earlier_return(
        "RMR_NO_REASON", "RMR_GOODFAITH_MISSING", "RMR_MMA_COPY_MISSING", "RMR_MEMBER_LETTER_MISSING", "NEW_CODE"
    )
    assert resubmission_sentence(many, "cm_referral").endswith(
        "for: no reason marked, good-faith efforts not described, "
        "Medication Management Agreement not attached and 2 more."
    )
    two = (finding("REQUIRED_MISSING", ("member_dob",)), finding("REQUIRED_MISSING", ("pcp_npi",)))
    blanks = earlier_return().model_copy(update={"findings": two})
    assert resubmission_sentence(blanks, "member_reassignment", form).endswith("for: 2 required fields left blank.")
    assert "time this referral has" in resubmission_sentence(many, "cm_referral")
    assert resubmission_sentence(earlier_return(), "cbas_referral").endswith("was sent on 11/12/2026.")


def test_every_return_code_has_a_short_phrase() -> None:
    """The sentence about an earlier return never falls back to "other corrections" for a known code."""
    returns = {r.code for r in RULES if r.severity is Severity.RETURN}
    assert returns <= set(SHORT) | {"REQUIRED_MISSING"}, sorted(returns - set(SHORT))


def test_three_findings_fit_one_page_and_many_wrap_to_two(tmp_path: Path) -> None:
    codes = ("RMR_MEMBER_LETTER_MISSING", "RMR_NO_REASON", "RMR_GOODFAITH_MISSING")
    pages, _ = read(render_notice(request(tuple(finding(c) for c in codes)), tmp_path / "three.pdf"))
    assert pages == 1

    form = load_catalog().form("member_reassignment")
    many = tuple(finding("REQUIRED_MISSING", (f.name,)) for f in form.fields[:25])
    pages, text = read(render_notice(request(many), tmp_path / "many.pdf"))
    assert pages == 2
    assert "Pages: 2, including this page" in text and "Page 1 of 2" in text and "Page 2 of 2" in text
    for i, f in enumerate(many, start=1):
        assert f"{i}. {flat(finding_sentence(f, form))}" in text
    assert "How to resubmit" in text and text.rindex("How to resubmit") > text.index("25. ")


def test_never_more_than_two_pages(tmp_path: Path) -> None:
    many = tuple(
        finding(f"CODE_{i}", message=f"Correct item {i}, which takes a long sentence to say.") for i in range(90)
    )
    pages, text = read(render_notice(request(many), tmp_path / "n.pdf"))
    assert pages == 2
    assert "more items: call us at" in text and "How to resubmit" in text


def test_faxable_type_black_only_and_no_hairlines(tmp_path: Path) -> None:
    many = tuple(finding(c) for c in ("RMR_NO_REASON", "RMR_MMA_COPY_MISSING", "RMR_MULTIPLE_MEMBERS") * 9)
    render_notice(request(many, resubmission_of=earlier_return("RMR_NO_REASON")), tmp_path / "n.pdf")
    with pdfplumber.open(tmp_path / "n.pdf") as pdf:
        chars = [c for p in pdf.pages for c in p.chars]
        lines = [ln for p in pdf.pages for ln in p.lines]
        rects = [r for p in pdf.pages for r in p.rects]
    assert chars and min(c["size"] for c in chars) >= 11
    assert {tuple(c["non_stroking_color"] or (0,)) for c in chars} <= {(0,), (0, 0, 0)}
    assert lines and min(ln["linewidth"] for ln in lines) >= 2
    assert {tuple(ln["stroking_color"] or (0,)) for ln in lines} <= {(0,), (0, 0, 0)}
    assert not rects, "no filled boxes: grey or black fills smear on a fax"


def test_notice_is_deterministic(tmp_path: Path) -> None:
    req = request((finding("RMR_NO_REASON"), finding("REQUIRED_MISSING", ("member_dob",))))
    assert render_notice(req, tmp_path / "a.pdf").read_bytes() == render_notice(req, tmp_path / "b.pdf").read_bytes()


def test_notice_is_dated_when_sent(tmp_path: Path) -> None:
    req = request((finding("RMR_NO_REASON"),), sent_on=datetime(2026, 11, 21, 8, 0))
    _, text = read(render_notice(req, tmp_path / "n.pdf"))
    assert "Date: 11/21/2026" in text and "Received: 11/20/2026" in text


def test_reference_is_short_stable_and_per_document() -> None:
    ref = reference_for("ab" * 32, 0)
    assert ref == reference_for("ab" * 32, 0) and ref != reference_for("ab" * 32, 1)
    assert len(ref) == 12 and notice_filename(ref) == f"{ref}.pdf"
    with pytest.raises(FaxIntakeError):
        notice_filename("../etc/passwd")


def test_sender_fax_order_of_trust() -> None:
    a, b, c, d = "831-555-0101", "831-555-0102", "831-555-0103", "831-555-0104"
    assert sender_fax_for(a, b, c, d) == (a, "cover sheet")
    assert sender_fax_for(None, b, c, d) == (b, "form")
    assert sender_fax_for(None, None, c, d) == (c, "fax header")
    assert sender_fax_for(None, None, None, d) == (d, "provider directory")
    assert sender_fax_for(None, None, None, None) == (None, "unknown")


def test_sender_fax_skips_numbers_that_are_not_fax_numbers() -> None:
    assert sender_fax_for("831-555", "", "1 (831) 555-0103", None) == ("831-555-0103", "fax header")
    assert sender_fax_for("(831) 555 0101", None, None, None) == ("831-555-0101", "cover sheet")


def test_a_fax_number_read_unsurely_is_not_faxed_to() -> None:
    """The notice carries member data: a cover sheet's number read below the gate gives way to the number the
    header lines agree on; a number only one of several header lines shows is not taken either."""

    def fax(cover: FieldRead, *header_faxes: str | None) -> FaxRead:
        pages = tuple(
            PageRead(number=n, doc_type="fax_cover" if n == 1 else "unknown", header=FaxHeader(sender_fax=h))
            for n, h in enumerate(header_faxes, start=1)
        )
        return FaxRead("f.tif", "0" * 64, pages, Cover(pages=(1,), fields={"sender_fax": cover}), ())

    sure = FieldRead(value="831-321-6235", confidence=0.95)
    unsure = FieldRead(value="832-321-6235", confidence=0.32)
    assert sender_faxes(fax(sure, "831-321-6235", "831-321-6235"), 0.9) == ("831-321-6235", "831-321-6235")
    assert sender_faxes(fax(unsure, "831-321-6235", "831-321-6235"), 0.9) == (None, "831-321-6235")
    assert sender_faxes(fax(unsure, "831-321-6235", "831-521-6235"), 0.9) == (None, None)
    assert sender_faxes(fax(unsure, "831-321-6235"), 0.9) == (None, "831-321-6235")
