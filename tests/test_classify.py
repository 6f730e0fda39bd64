"""Supporting pages told by their words, as OCR reads them."""

from __future__ import annotations

from extractors.classify import classify_form, classify_supporting


def test_a_phrase_is_found_with_its_spaces_misplaced() -> None:
    read = "Merced Pediatrics Group Medication Ma nagement Agreement Patient name: Elena Lopez"
    assert classify_supporting(read).doc_type == "mma"
    assert classify_supporting("Outreach Log Patient: Pa Her").doc_type == "attachment"
    assert classify_supporting("OutreachLog Patient: Pa Her").doc_type == "attachment"


def test_a_short_word_is_not_made_of_two() -> None:
    # "of axes" holds "fax" only once its space is gone: no fax cover, whatever else the page says
    assert classify_supporting("Table of axes To: the reader From: the author Pages: 3").doc_type == "unknown"
    assert classify_supporting("FAX To: Provider Services From: Dr. Tran Pages: 3").doc_type == "fax_cover"


def test_a_cover_s_short_labels_without_colons_count_where_they_start_a_line() -> None:
    memo = (
        "Fax Cover Letter\nDATE 2026-11-08\nTO Case Management\nKAX (831) 430-5857\nFROM. Atwater Health\nRE Referral"
    )
    assert classify_supporting(memo).doc_type == "fax_cover"
    # a sentence wrapped to start a line with "to" is no label
    note = "Chart note, date of visit 11/02. Faxed from the clinic; the member was asked\nto call back after the visit"
    assert classify_supporting(note).doc_type == "attachment"
    assert classify_supporting(note.replace("Chart note, d", "D")).doc_type == "unknown"


def test_a_corners_tail_of_a_title_is_no_other_forms_title() -> None:
    # The corner crop of a centred "Case Management Program Referral Form" holds its tail, much like "CBAS Referral
    # Form": the corner and the footer are read for the form number only, titles from whole lines.
    corner = "gram Referral Form\nRev. 2024-07\nPage 1 of 1"
    assert classify_form(corner, by_title=False) is None
    assert classify_form("Form CM-201 Rev. 2026-01\nPage 1 of 1", by_title=False) is not None
    found = classify_form("Case Management Program Referral Form")
    assert found is not None and found.doc_type == "cm_referral"
