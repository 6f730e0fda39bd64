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


def test_a_page_headed_by_the_plan_s_name_is_told_by_its_title_s_words_in_another_revision() -> None:
    """A revision's title in other words than ours ('Request to Reassign a Member to Another PCP'), its number and
    page counter misread at 204x98: the form it names most of the words of, read by its labels, under the gate."""
    from extractors.classify import PLAN_FORM, classify_plan_form

    top = "Central California Alliance for Health Fortin MR-/ Rev 2026 0\nPage Lot?\nRequest to Reassign a Member to Another PCP"
    found = classify_plan_form(top)
    assert found is not None and found.doc_type == "member_reassignment" and found.confidence == PLAN_FORM
    # a practice's letter about the same thing is not headed by the plan's name
    assert classify_plan_form("Watsonville Community Clinic\nRequest to Reassign a Member to Another PCP") is None
    # a title whose words fit two forms about as well names neither
    assert classify_plan_form("Central California Alliance for Health\nCase Management Services Referral") is None


def test_a_letter_s_topic_is_found_with_a_letter_misread_or_a_stray_mark_between_its_words() -> None:
    letter = (
        "Estimado/a paciente Paj Lin:\nle notificamos que hemos solicitado a la Alliance su cambio a otro\n“\n"
        "proveedor de atencién primaria.\nCordialmente,"
    )
    assert classify_supporting(letter).doc_type == "member_letter"
    # a short word is still matched whole: one letter off is another word
    assert (
        classify_supporting("Estimado/a paciente:\nnuevo provecto de la Alianza\nCordialmente,").doc_type == "unknown"
    )
