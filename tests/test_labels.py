"""Cover sheet fields read by their labels: what OCR made of the marks around a value, a label read a letter off
or its colon read as a letter."""

from __future__ import annotations

from extractors.labels import MISREAD_LABEL, Word, cover_fields, read_by_labels
from faxintake.catalog import load_catalog

LABELS = {"recipient": ["To"], "sender_name": ["From"], "subject": ["Re"]}


COVER = next(k for k in load_catalog().supporting if k.kind == "fax_cover")


def word(text: str, x: float, y: float, h: float = 20.0) -> Word:
    """A word read at (x, y), 11 px a character wide, `h` high."""
    return Word(text, 0.95, (x, y, x + len(text) * 11, y + h))


def line(*words: tuple[str, float]) -> list[Word]:
    return [Word(text, conf, (100.0 * i, 10.0, 100.0 * i + 80, 30.0)) for i, (text, conf) in enumerate(words)]


def test_cover_value_without_the_marks_read_before_it() -> None:
    labels = LABELS
    assert (
        read_by_labels(line(("To:", 0.96), ("co,", 0.31), ("Provider", 0.95), ("Services", 0.94)), labels)[
            "recipient"
        ].value
        == "Provider Services"
    )
    assert (
        read_by_labels(line(("From:", 0.96), ("Dr.", 0.4), ("Neng", 0.9), ("Vue", 0.9)), labels)["sender_name"].value
        == "Dr. Neng Vue"
    )


def test_label_read_one_letter_off() -> None:
    found = read_by_labels(line(("Ta:", 0.91), ("Case", 0.96), ("Management", 0.96)), LABELS)["recipient"]
    assert found.value == "Case Management"
    assert found.confidence == MISREAD_LABEL  # the value is read well; which field it is, less surely
    assert read_by_labels(line(("Te:", 0.9), ("Referral", 0.96)), LABELS) == {}  # "To" or "Re": neither
    assert read_by_labels(line(("Tax", 0.9), ("Referral", 0.96)), LABELS) == {}  # no colon: not a label


def test_label_whose_colon_was_read_as_a_letter() -> None:
    found = read_by_labels(line(("Tor", 0.67), ("Case", 0.97), ("Management", 0.96)), LABELS)["recipient"]
    assert found.value == "Case Management"
    assert found.confidence == MISREAD_LABEL
    assert read_by_labels(line(("Tom", 0.9), ("Jones", 0.96)), LABELS) == {}  # "m" is no colon
    assert read_by_labels(line(("Tori", 0.9), ("Jones", 0.96)), LABELS) == {}  # "Tor" is no label


def test_label_missed_by_the_page_reading_is_read_again() -> None:
    def word(text: str, x: float, y: float) -> Word:
        return Word(text, 0.95, (x, y, x + 25 * len(text), y + 26))

    page = [
        word("From:", 205, 770), word("Dr.", 738, 770), word("Park", 790, 770),
        word("Phone:", 205, 940), word("(209)", 738, 940), word("300-8367", 825, 940),
        word("Case", 737, 600), word("Management", 825, 600),  # "To:" not read
    ]  # fmt: skip
    asked: list[tuple[float, float, float, float]] = []

    def read_box(box: tuple[float, float, float, float]) -> list[Word]:
        asked.append(box)
        return [word("To:", 205, 600)]  # what is read there, wherever it is asked

    cover = {"recipient": ["To"], "sender_name": ["From"], "sender_phone": ["Phone"]}
    found = cover_fields(page, cover, [], read_box)
    assert found["recipient"].value == "Case Management"  # a short reading of a line does not replace it
    label_column = [box for box in asked if box[2] < 737]
    assert len(label_column) == 1 and label_column[0][0] < 205  # only the label's column of that line
    assert cover_fields(page, cover, [])["recipient"].value == ""  # without a second look: not found


def test_cover_values_under_their_labels_in_table_cells() -> None:
    """A boxed cover: two cells a row, each label over its value; two cells' labels side by side ("FAX  FROM") are
    not the label "Fax from", and a speck between a label and its value does not hide the value."""
    words = [
        word("FAX", 70, 100), word("FROM", 330, 100),
        word(".", 250, 122),
        word("(831)", 70, 135), word("430-5857", 135, 135), word("Merced", 330, 135), word("Pediatrics", 410, 135),
        word("FROM", 70, 185), word("FAX", 125, 185), word("PAGES", 330, 185),
        word("(209)", 70, 220), word("300-8368", 135, 220), word("4", 330, 220),
    ]  # fmt: skip
    spec = COVER
    fields = cover_fields(words, spec.fields, spec.other_labels, party_labels=spec.party_labels)
    assert fields["sender_name"].value == "Merced Pediatrics"
    assert fields["sender_fax"].value == "209-300-8368"  # 'FAX' under no party read: 'FROM FAX' says whose
    assert fields["pages_total"].value == "4"
    assert fields["sender_name"].confidence < 0.95  # placed by layout: a little less sure than beside its label


def test_a_fax_or_phone_label_is_the_party_s_it_is_printed_under() -> None:
    """'Fax:' under 'To:' is the recipient's number, under 'Sender:' the sender's, in a memo and in two columns; a
    title that starts with 'Fax' is no label."""
    spec = COVER

    def read(words: list[Word]) -> dict[str, str]:
        found = cover_fields(words, spec.fields, spec.other_labels, party_labels=spec.party_labels)
        return {name: str(r.value) for name, r in found.items() if r.value}

    memo = [
        word("FAX", 90, 40), word("TRANSMISSION", 140, 40),
        word("To:", 90, 100), word("Provider", 140, 100), word("Services", 240, 100),
        word("Fax:", 90, 130), word("(831)", 140, 130), word("430-5857", 205, 130),
        word("Sender:", 90, 160), word("Dr.", 175, 160), word("Park", 210, 160),
        word("Fax:", 90, 190), word("(209)", 140, 190), word("300-8368", 205, 190),
        word("Phone:", 90, 220), word("(209)", 160, 220), word("300-8367", 225, 220),
        word("Total", 90, 250), word("pages:", 150, 250), word("3", 230, 250),
    ]  # fmt: skip
    assert read(memo) == {
        "recipient": "Provider Services",
        "sender_name": "Dr. Park",
        "sender_fax": "209-300-8368",
        "sender_phone": "209-300-8367",
        "pages_total": "3",
    }
    columns = [
        word("Recipient:", 72, 100), word("Sender:", 400, 100),
        word("Case", 72, 130), word("Management", 130, 130), word("Dr.", 400, 130), word("Park", 440, 130),
        word("Fax:", 72, 170), word("Fax:", 400, 170),
        word("(831)", 72, 200), word("430-5857", 135, 200), word("(209)", 400, 200), word("300-8368", 465, 200),
    ]  # fmt: skip
    assert read(columns) == {"recipient": "Case Management", "sender_name": "Dr. Park", "sender_fax": "209-300-8368"}


def test_the_rest_of_a_label_up_to_its_colon_and_a_label_of_another_cell_are_no_value() -> None:
    """'From office:' where only 'From' is known: the value starts after the colon. 'Subject:' with another cell's
    label a column's gap to its right ('Office phone:', 'Phone' known): both values are on the line below."""
    spec = COVER
    words = [
        word("From", 90, 40), word("office:", 150, 40), word("Dr.", 240, 40), word("Park", 280, 40),
        word("Subject:", 90, 100), word("Office", 500, 100), word("phone:", 575, 100),
        word("Referral", 90, 130), word("(209)", 500, 130), word("300-8367", 565, 130),
    ]  # fmt: skip
    found = cover_fields(words, spec.fields, spec.other_labels, party_labels=spec.party_labels)
    assert found["sender_name"].value == "Dr. Park"
    assert found["subject"].value == "Referral"


def test_a_row_of_small_capitals_read_as_no_label_is_read_again_enlarged() -> None:
    spec = COVER
    words = [
        word("T", 70, 100), word("pate", 82, 100), word("Tro", 330, 100),
        word("11/04/2026", 70, 135), word("Provider", 330, 135), word("Services", 430, 135),
    ]  # fmt: skip
    asked: list[tuple[float, float, float, float]] = []

    def read_box(box: tuple[float, float, float, float]) -> list[Word]:
        asked.append(box)
        return [word("DATE", 70, 100), word("TO", 330, 100)] if box[1] < 100 < box[3] else []

    found = cover_fields(words, spec.fields, spec.other_labels, read_box, party_labels=spec.party_labels)
    assert found["recipient"].value == "Provider Services"
    assert found["date"].value == "2026-11-04"
    assert len(asked) == 1  # the line of values has digits: not a row of labels


def test_a_speck_after_a_label_is_no_value_and_the_value_under_it_is_read() -> None:
    """'To: .' with the value on the line under it, in the label's column (a cover of two columns)."""
    h = 20.0

    def word(text: str, x: float, y: float) -> Word:
        return Word(text, 0.95, (x, y, x + len(text) * 11, y + h))

    words = [
        word("To:", 70, 100), word(".", 120, 104), word("From:", 420, 100),
        word("Provider", 70, 130), word("Services", 170, 130), word("Santa", 420, 130), word("Cruz", 490, 130),
    ]  # fmt: skip
    found = read_by_labels(words, LABELS)
    assert found["recipient"].value == "Provider Services"
    assert found["sender_name"].value == "Santa Cruz"


def test_a_quote_mark_before_a_capital_is_a_speck_and_a_box_edge_is_no_value() -> None:
    found = read_by_labels(line(("To:", 0.96), ("Case", 0.95), ("‘Management", 0.8)), LABELS)
    assert found["recipient"].value == "Case Management"
    found = read_by_labels(line(("Re:", 0.96), ("[", 0.5), ("Referral", 0.95)), LABELS)
    assert found["subject"].value == "Referral"
    found = read_by_labels(line(("From:", 0.96), ("O'Brien", 0.95), ("Clinic", 0.95)), LABELS)
    assert found["sender_name"].value == "O'Brien Clinic"  # an apostrophe inside a word stays


def test_a_cover_date_misread_by_a_character_is_the_sending_day_it_can_only_be() -> None:
    from datetime import date

    spec = COVER
    received = date(2026, 11, 18)
    for written, expected in (("41/18/2026", "2026-11-18"), ("11-16+2026", "2026-11-16")):
        fields = cover_fields(line(("Date:", 0.96), (written, 0.9)), spec.fields, spec.other_labels, received=received)
        assert fields["date"].value == expected and fields["date"].confidence <= 0.6
    fields = cover_fields(line(("Date:", 0.96), ("41/18/2026", 0.9)), spec.fields, spec.other_labels)
    assert not fields["date"].valid  # without the received date nothing is guessed
    far = cover_fields(line(("Date:", 0.96), ("3/02/2025", 0.9)), spec.fields, spec.other_labels, received=received)
    assert far["date"].value == "2025-03-02"  # as written: no day of the span is a character from it


def test_boxed_cover_labels_with_their_box_read_into_them_and_values_where_the_hand_puts_them() -> None:
    """A box's corner read before its label ("(DATE", "‘TTo"); a hand-printed value in the right-hand column that
    starts left of its label belongs to that label, not the left one's; a short label ("To", no ascender or
    descender) heads a box as far below it as "Date" does; a speck read as a period inside a name is dropped."""
    words = [
        word("(DATE", 70, 100), word("‘TTo", 500, 100, 16.0),
        word("11/16/2026", 75, 143, 26.0), word("Provider.", 505, 143, 26.0), word("Services", 620, 143, 26.0),
        word("To:", 70, 200, 16.0), word("From:", 500, 200),
        word("Case", 72, 232), word("Management", 130, 232), word("Merced", 440, 232), word("Pediatrics", 520, 232),
    ]  # fmt: skip
    spec = COVER
    fields = cover_fields(words, spec.fields, spec.other_labels)
    assert fields["date"].value == "2026-11-16"
    assert fields["recipient"].value == "Provider Services"
    assert fields["sender_name"].value == "Merced Pediatrics"
    assert (
        cover_fields(
            [word("To", 70, 100, 16.0), word("Provider", 75, 143, 24.0), word("Services", 180, 143, 24.0)],
            spec.fields,
            spec.other_labels,
        )["recipient"].value
        == "Provider Services"
    )


def test_a_table_row_of_labels_with_a_rule_read_as_a_glyph_and_one_cell_misread() -> None:
    """'[pate sent  |  SEND TO': the cell's rule read as '|' parts no cell from its gap, and a row where one cell
    reads as no label is read again, the new reading taken where more of its cells start with a label; the words
    after 'DATE' on its line ('SENT', no digit) are the rest of a label, the date is in the cell below."""
    spec = COVER
    words = [
        word("[pate", 246, 100), word("SENT", 329, 100), word("|", 834, 100), word("SEND", 864, 100),
        word("To", 933, 100),
        word("11/03/26", 262, 135), word("Provider", 865, 135), word("Services", 974, 135),
    ]  # fmt: skip
    asked: list[tuple[float, float, float, float]] = []

    def read_box(box: tuple[float, float, float, float]) -> list[Word]:
        asked.append(box)
        row = [word("DATE", 246, 100), word("SENT", 329, 100), word("SEND", 864, 100), word("TO", 933, 100)]
        return row if box[1] < 100 < box[3] else []

    found = cover_fields(words, spec.fields, spec.other_labels, read_box, party_labels=spec.party_labels)
    assert found["recipient"].value == "Provider Services"
    assert found["date"].value == "2026-11-03"
    assert len(asked) == 1
    without = cover_fields(words, spec.fields, spec.other_labels, party_labels=spec.party_labels)
    assert without["recipient"].value == "Provider Services"  # the rule glyph is no word between the cells
    assert without["date"].value == ""  # 'SENT' is no date, and no date label was read


def test_a_number_s_label_with_no_number_after_it_and_a_label_row_below_is_left_empty() -> None:
    """'Number of pages including cover:' printed over its own value: nothing after it with a digit, and the line
    below is the next label's ('RE:  Referral'), not this one's value."""
    spec = COVER
    words = [
        word("Number", 209, 100), word("of", 345, 100), word("pages", 386, 100), word("including", 492, 100),
        word("cover:", 650, 100), word("__", 773, 100),
        word("RE:", 209, 130), word("Referral", 633, 130),
    ]  # fmt: skip
    found = cover_fields(words, spec.fields, spec.other_labels, party_labels=spec.party_labels)
    assert found["pages_total"].value == "" and found["pages_total"].confidence == 0.5
    assert found["subject"].value == "Referral"


def test_a_fax_number_under_no_party_gives_way_to_the_one_under_the_sender() -> None:
    """A table whose party label was not read: the first 'FAX NUMBER' is taken for the sender's until a 'FAX NUMBER'
    printed under 'FROM' says which is."""
    spec = COVER
    words = [
        word("FAX", 261, 100), word("NUMBER", 313, 100), word("FROM", 864, 100),
        word("(831)", 261, 135), word("430-5857", 333, 135), word("Watsonville", 862, 135), word("Clinic", 1000, 135),
        word("PHONE", 261, 185), word("FAX", 864, 185), word("NUMBER", 916, 185),
        word("(831)", 261, 220), word("786-9042", 334, 220), word("(831)", 864, 220), word("786-9043", 937, 220),
    ]  # fmt: skip
    found = cover_fields(words, spec.fields, spec.other_labels, party_labels=spec.party_labels)
    assert found["sender_fax"].value == "831-786-9043"
    assert found["sender_phone"].value == "831-786-9042"


def test_the_rest_of_a_long_label_and_a_label_we_do_not_know_on_the_line_below() -> None:
    """'To the attention of:' where 'To' is known; 'Sender's phone no.:.' with a speck after its colon; 'Pages (with
    cover);' with its colon read as a semicolon; and a value never taken from a line below that starts with a label
    of its own, known or not ("Recipient's fax:")."""
    spec = COVER
    words = [
        word("To", 278, 100), word("the", 325, 100), word("attention", 388, 100), word("of:", 500, 100),
        word("Case", 677, 100), word("Management", 750, 100),
        word("Recipient's", 281, 130), word("fax:", 460, 130), word("(831)", 678, 130), word("430-5857", 749, 130),
        word("Sender's", 281, 160), word("phone", 380, 160), word("no.:.", 445, 160), word("(831)", 678, 160),
        word("321-6234", 750, 160),
        word("Pages", 281, 190), word("(with", 385, 190), word("cover);", 473, 190), word("2", 678, 190),
    ]  # fmt: skip
    found = cover_fields(words, spec.fields, spec.other_labels, party_labels=spec.party_labels)
    assert found["recipient"].value == "Case Management"
    assert found["sender_phone"].value == "831-321-6234"
    assert found["pages_total"].value == "2"
    # the recipient's value missing: the unknown label's line below is not taken for it
    no_value = [w for w in words if w.text not in ("Case", "Management")]
    found = cover_fields(no_value, spec.fields, spec.other_labels, party_labels=spec.party_labels)
    assert found["recipient"].value == ""
