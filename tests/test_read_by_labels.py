"""Form pages that do not register are read by their printed labels: a page printed at 85% and shifted, a revision
of the form with its rows moved, a label blotted out; and such a fax is reviewed or triaged, never returned.

The pages are made with the corpus's own tools (catalog/render.py through sample_faxes/fill.py, rasterize.py and
degrade.py), with a member and a PCP of the corpus's roster and directory.
"""

from __future__ import annotations

import io
import random
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pdfplumber
import pytest
from PIL import Image, ImageDraw

from extractors import clean, read_form
from extractors.ingest import SourcePage
from extractors.labels import LabelHit, Word, find_labels
from extractors.marks import find_square, without_squares
from extractors.pipeline import read_page
from extractors.read_by_labels import (
    BY_POSITION,
    CONFIRMED_READ,
    LABEL_READ,
    NOT_FOUND,
    VALIDATED_BY_LABEL,
    Anchor,
    Printed,
    Rules,
    _alone,
    _confirmed,
    _framed_elsewhere,
    _label_rest,
    _model_spellings,
    _Page,
    _without_label_words,
    _without_tall,
    _word_runs,
    form_by_labels,
    printed_labels,
    read_page_by_labels,
)
from extractors.read_form import FormPageRead, read_form_page
from faxintake.catalog import FieldType, FormDef, load_catalog
from faxintake.catalog.render import render_form
from faxintake.intake import References, decide_fax, read_input
from faxintake.model import FieldRead, Route, Severity
from sample_faxes.degrade import Degradation, degrade_page
from sample_faxes.fax_writer import write_tiff
from sample_faxes.fill import FillStyle, Written, fill_form
from sample_faxes.rasterize import render_pdf_pages
from sample_faxes.supporting import Office, member_letter

DPI = 204
RECEIVED = date(2026, 11, 3)
SCALE, SHIFT = 0.85, (40, 20)  # printed at 85%, 40 px right and 20 px down (the form number stays in its corner)
# Kha, Paj is in the corpus roster, assigned to Dr. Neng Vue (NPI 1055761690) of the provider directory.
WRITTEN: dict[str, Written] = {
    "request_date": "11/01/2026",
    "pcp_name": "Dr. Neng Vue",
    "practice_name": "Atwater Health Partners",
    "pcp_npi": "1055761690",
    "office_contact": "Carmen Diaz",
    "office_phone": "(209) 344-6062",
    "office_fax": "(209) 344-6063",
    "member_name": "Kha, Paj",
    "member_dob": "09/07/1994",
    "member_id": "00024719R",
    "reason_abusive_behavior": True,
    "narrative": (
        "On 07/06/2026 the member shouted at front desk staff and threw a clipboard at a medical assistant. On "
        "08/20/2026 the member threatened the physician during a visit. The physician met with the member on "
        "08/23/2026 to review our code of conduct and we sent a warning letter on 08/25/2026."
    ),
    "member_letter_date": "10/28/2026",
    "attach_member_letter": True,
    "signature": True,
    "signature_date": "11/01/2026",
}
EXPECTED = {
    "request_date": "2026-11-01",
    "pcp_name": "Dr. Neng Vue",
    "practice_name": "Atwater Health Partners",
    "pcp_npi": "1055761690",
    "office_contact": "Carmen Diaz",
    "office_phone": "209-344-6062",
    "office_fax": "209-344-6063",
    "member_name": "Kha, Paj",
    "member_dob": "1994-09-07",
    "member_id": "00024719R",
    "reason_fraud": False,
    "reason_abusive_behavior": True,
    "reason_missed_appointments": False,
    "reason_other": False,
}
KEY = ("member_name", "member_id", "member_dob", "pcp_npi", "reason_abusive_behavior")  # the fields the issue names
FAX = Degradation(skew_deg=0.3, speck_density=2.0, threshold=160, blur=0.3)


def rmr() -> FormDef:
    return load_catalog().form("member_reassignment")


def rendered(form: FormDef, page: int = 1, written: dict[str, Written] = WRITTEN) -> Image.Image:
    pdf = fill_form(form, "en", written, FillStyle(font="Typed", size=10.0, mark="x"), seed=11)
    return render_pdf_pages(pdf, dpi_x=DPI, dpi_y=DPI)[page - 1]


def scaled(page: Image.Image, scale: float = SCALE, shift: tuple[int, int] = SHIFT) -> Image.Image:
    small = page.resize((round(page.width * scale), round(page.height * scale)), Image.Resampling.LANCZOS)
    out = Image.new("L", page.size, 255)
    out.paste(small, shift)
    return out


def faxed(page: Image.Image) -> Image.Image:
    return degrade_page(page, random.Random(1), FAX, None)


def ink_of(page: Image.Image) -> np.ndarray:
    """The page as the pipeline cleans it before reading: binarized, deskewed, despeckled."""
    gray = np.asarray(page.convert("L"))
    binary = clean.binarize(gray)
    skew = clean.estimate_skew(binary)
    if abs(skew) > 0.05:
        binary = clean.binarize(clean.deskew(gray, skew))
    return clean.despeckle(binary)


def read(page: Image.Image, form_page: int = 1) -> FormPageRead:
    return read_form_page(ink_of(faxed(page)), DPI, rmr(), "en", form_page, received=RECEIVED)


def wrong(fields: dict[str, Any], expected: dict[str, object]) -> dict[str, tuple[object, object, float]]:
    return {
        name: (value, fields[name].value, fields[name].confidence)
        for name, value in expected.items()
        if fields[name].value != value
    }


def misread(fields: dict[str, Any], expected: dict[str, object]) -> dict[str, tuple[object, object, float]]:
    """The key fields read wrong at any confidence, the others read wrong at more than a coin's toss: an OCR slip
    in a practice's name ("Heaith") is honest at 0.51."""
    return {
        name: slip
        for name, slip in wrong(fields, expected).items()
        if name in KEY or slip[2] > read_form.DISAGREEMENT_CAP
    }


def revision() -> FormDef:
    """Another revision of the form: the member section moved above the provider's, the provider's two rows
    swapped, two rows of reasons swapped, a longer introduction pushing everything down."""
    data = rmr().model_dump(exclude_defaults=True)
    blocks = data["pages"][0]["blocks"]
    blocks[0]["height"] += 40
    section = next(i for i, b in enumerate(blocks) if "Section 2" in str(b.get("section", "")))
    member = blocks[section : section + 2]
    del blocks[section : section + 2]
    first = next(i for i, b in enumerate(blocks) if "Section 1" in str(b.get("section", "")))
    blocks[first:first] = member
    rows = [i for i, b in enumerate(blocks) if "row" in b]
    provider = [i for i in rows if blocks[i]["row"][0]["name"] in ("request_date", "pcp_npi")]
    blocks[provider[0]], blocks[provider[1]] = blocks[provider[1]], blocks[provider[0]]
    reasons = [i for i in rows if blocks[i]["row"][0]["name"].startswith("reason_") and len(blocks[i]["row"]) == 2]
    blocks[reasons[0]], blocks[reasons[1]] = blocks[reasons[1]], blocks[reasons[0]]
    return FormDef.model_validate(data)


@pytest.fixture(scope="module")
def registered() -> FormPageRead:
    """The same filled page at its own size: it registers, and is read from the blank form's boxes."""
    result = read(rendered(rmr()))
    assert result.registration is not None and result.registration.ok
    return result


@pytest.fixture(scope="module")
def shrunk() -> FormPageRead:
    return read(scaled(rendered(rmr())))


def test_a_page_printed_smaller_does_not_register(shrunk: FormPageRead) -> None:
    assert shrunk.registration is None or not shrunk.registration.ok


def test_a_page_printed_smaller_is_read_by_its_labels(shrunk: FormPageRead) -> None:
    assert not misread(shrunk.fields, EXPECTED)
    assert all(not r.raw.startswith(("not registered", NOT_FOUND)) for r in shrunk.fields.values())


def test_label_reads_are_less_sure_than_registered_reads(shrunk: FormPageRead, registered: FormPageRead) -> None:
    assert not wrong(registered.fields, EXPECTED)
    for name in ("member_name", "member_id", "member_dob", "pcp_npi", "reason_abusive_behavior", "reason_fraud"):
        by_label, by_box = shrunk.fields[name].confidence, registered.fields[name].confidence
        assert 0 < by_label < by_box, (name, by_label, by_box)
        assert by_label <= (CONFIRMED_READ if name.startswith("reason_") or name != "member_name" else LABEL_READ)
    # Words read by label cannot return a form on their own; a mark in the square found beside its label, a
    # signature on its line, a date, NPI or CIN that passes its check in the box, and an empty box with no word
    # about it and its label can.
    confirmed = (*VALIDATED_BY_LABEL, FieldType.CHECKBOX, FieldType.CHOICE, FieldType.SIGNATURE)
    words = {n: r for n, r in shrunk.fields.items() if rmr().field_map[n].type not in confirmed and r.value}
    assert words and all(r.confidence < 0.9 for r in words.values())


def test_label_reads_say_where_on_the_page_they_were_found(shrunk: FormPageRead) -> None:
    box = shrunk.fields["member_id"].box
    assert box is not None
    form_box = rmr().field_map["member_id"].box
    # Page points: the form's box, scaled and shifted as the page was.
    expected = [v * SCALE + SHIFT[i % 2] * 72 / DPI for i, v in enumerate(form_box)]
    assert np.allclose(box, expected, atol=4), (box, expected)


def test_page_two_printed_smaller_is_read_by_its_labels() -> None:
    result = read(scaled(rendered(rmr(), page=2)), form_page=2)
    assert result.registration is None or not result.registration.ok
    assert not wrong(
        result.fields, {"member_letter_date": "2026-10-28", "attach_member_letter": True, "attach_mma": False}
    )
    assert result.fields["signature"].value is True
    assert result.fields["narrative"].content_confidence is not None
    assert "threatened the physician" in str(result.fields["narrative"].value)


def test_a_revision_with_rows_moved_is_read_by_its_labels() -> None:
    moved = revision()
    placed = {f.name: f.box for f in moved.fields}
    assert placed["member_name"][1] < placed["request_date"][1] and placed["pcp_npi"][1] < placed["request_date"][1]
    result = read(rendered(moved))
    assert result.registration is None or not result.registration.ok
    assert not misread(result.fields, EXPECTED)
    # The labels are where the revision prints them, not where this form does; the cells around them are there.
    assert all(0 < result.fields[name].confidence <= CONFIRMED_READ for name in EXPECTED)


def test_a_revision_is_read_as_the_page_it_is() -> None:
    """Neither page of the form registers: the page whose labels are found is the one read."""
    gray = np.asarray(faxed(rendered(revision())).convert("L"))
    page = read_page(SourcePage(number=1, image=gray, dpi=DPI, words=None, source_dpi=(DPI, DPI)), received=RECEIVED)
    assert (page.doc_type, page.form_page) == ("member_reassignment", 1)
    assert not misread(page.fields, EXPECTED)


def test_a_blotted_out_label_leaves_its_field_unread_and_the_others_read() -> None:
    page = scaled(rendered(rmr()))
    label = next(p for p in printed_labels(rmr(), "en", 1) if p.key == "member_id")
    k = SCALE * DPI / 72
    x, y = label.x * k + SHIFT[0], label.top * k + SHIFT[1]
    ImageDraw.Draw(page).rectangle((x - 3, y - 4, x + label.width * k + 4, y + label.size * k + 2), fill=255)
    result = read(page)
    assert result.registration is None or not result.registration.ok
    cin = result.fields["member_id"]
    assert (cin.confidence, cin.raw, cin.value) == (0.0, NOT_FOUND, "")
    assert not misread(result.fields, {k: v for k, v in EXPECTED.items() if k != "member_id"})
    assert all(result.fields[name].confidence > 0 for name in EXPECTED if name != "member_id")


def _line(*texts: str, y: float = 100.0) -> list[Word]:
    return [Word(t, 0.9, (100.0 * i, y, 100.0 * i + 80, y + 20)) for i, t in enumerate(texts)]


def test_labels_are_found_through_ocr_slips_but_not_for_another_number() -> None:
    words = _line("LJ", "Missed", "appomtment", "date", "2.", "Medi", "Cal", "CIN", "Office", "fax")
    labels = {"appt1": "Missed appointment date 1", "appt2": "Missed appointment date 2", "cin": "Medi-Cal CIN"}
    found = find_labels(words, {**labels, "phone": "Office phone", "fax": "Office fax"})
    assert set(found) == {"appt2", "cin", "fax"}
    assert [w.text for w in found["appt2"][0].words] == ["Missed", "appomtment", "date", "2."]  # not the mark "LJ"
    assert found["cin"][0].similarity == 1.0 and found["appt2"][0].similarity < 1.0
    assert find_labels(_line("您", "的", "姓名"), {"name": "您的姓名"})["name"][0].similarity == 1.0


def test_a_square_is_found_by_its_outline_whatever_is_marked_inside() -> None:
    ink = np.zeros((80, 80), dtype=bool)
    ink[20:44, 30:32] = ink[20:44, 52:54] = ink[20:22, 30:54] = ink[42:44, 30:54] = True  # a 24-px square
    ink[25:39, 35:49] = np.eye(14, dtype=bool) | np.fliplr(np.eye(14, dtype=bool))  # an X in it
    assert find_square(ink, (26, 24, 50, 48), 24, (24, 12, 8, 12)) == (30, 20, 54, 44)
    cleaned = without_squares(ink, [(30, 20, 54, 44)])
    assert not cleaned[20:22].any() and cleaned[25:39, 35:49].sum() == ink[25:39, 35:49].sum()
    assert find_square(np.zeros((80, 80), dtype=bool), (26, 24, 50, 48), 24, (24, 12, 8, 12)) is None


def test_confidence_levels_are_ordered() -> None:
    assert 0 < BY_POSITION < LABEL_READ < 0.9  # below the confidence gate: words read by label never return a form
    assert LABEL_READ < CONFIRMED_READ < 1  # a mark in its square found beside its label: as sure as it is measured


def test_a_fax_whose_form_does_not_register_is_reviewed_not_returned(tmp_path: Path, settings: Any) -> None:
    letter = member_letter(
        Office("Atwater Health Partners", "Dr. Neng Vue", "(209) 344-6062", "(209) 344-6063", "1 Main St, Atwater"),
        "Paj",
        "Kha",
        date(2026, 10, 28),
    )
    pages = [scaled(rendered(rmr())), rendered(rmr(), page=2), render_pdf_pages(letter, dpi_x=DPI, dpi_y=DPI)[0]]
    path = tmp_path / "shrunk.tif"
    write_tiff([faxed(p) for p in pages], path, compression="group4", dpi=(DPI, DPI))
    settings = replace(settings, received_at=datetime(2026, 11, 3, 9, 30))
    fax = read_input(path, settings)
    result = decide_fax(fax, settings, References.load(settings), source_name=path.name)
    assert [p.doc_type for p in result.pages] == ["member_reassignment", "member_reassignment", "member_letter"]
    (doc,) = result.documents
    assert doc.fields["member_name"].value == "Kha, Paj" and doc.fields["pcp_npi"].value == "1055761690"
    assert doc.route in (Route.PROVIDER_SERVICES, Route.MANUAL_TRIAGE)
    assert not [f for f in doc.findings if f.severity is Severity.RETURN]
    assert "LOW_CONFIDENCE" in {f.code for f in doc.findings}


def small_revision() -> FormDef:
    """A revision that only swaps two rows of the same grid: it registers on the rules (overlap ~0.99)."""
    data = rmr().model_dump(exclude_defaults=True)
    blocks = data["pages"][0]["blocks"]
    rows = [i for i, b in enumerate(blocks) if "row" in b]
    provider = [i for i in rows if blocks[i]["row"][0]["name"] in ("request_date", "pcp_npi")]
    blocks[provider[0]], blocks[provider[1]] = blocks[provider[1]], blocks[provider[0]]
    return FormDef.model_validate(data)


def test_rows_moved_within_the_same_grid_are_caught_by_their_labels_and_read_by_them() -> None:
    result = read(rendered(small_revision()))
    assert result.registration is not None and not result.registration.labels_in_place
    assert not wrong(result.fields, {k: EXPECTED[k] for k in ("request_date", "pcp_npi", "pcp_name", "member_id")})


def test_labels_of_a_registered_page_are_in_place(registered: FormPageRead) -> None:
    assert registered.registration is not None and registered.registration.labels_in_place


@pytest.mark.parametrize(
    ("form_id", "language"), [(f.form_id, lang) for f in load_catalog().forms for lang in f.languages]
)
def test_each_label_is_looked_for_where_the_blank_form_prints_it(form_id: str, language: str) -> None:
    """Text, start, size and width of every label the reader looks for, against the blank form's text layer."""
    form = load_catalog().form(form_id)
    with pdfplumber.open(io.BytesIO(render_form(form, language))) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            for p in printed_labels(form, language, number):
                line = sorted(
                    (c for c in page.chars if c["top"] <= p.top + p.size / 2 <= c["bottom"] and c["x0"] > p.x - 0.01),
                    key=lambda c: c["x0"],
                )[: len(p.text)]
                assert "".join(c["text"] for c in line) == p.text, p.key
                assert (line[0]["x0"], line[-1]["x1"]) == pytest.approx((p.x, p.x + p.width), abs=0.01), p.key
                assert all(c["size"] == pytest.approx(p.size) for c in line), p.key


def test_labels_that_begin_alike_in_a_reordered_row_are_each_found_where_printed() -> None:
    """A revision prints the care-plan row portal, fax, mail: where the form has "Send care plans by fax", the page
    has "... by provider portal", which begins the same. Each label is taken where it is read as printed, not where
    a neighbour's only looks like it."""
    data = load_catalog().form("cm_referral").model_dump(exclude_defaults=True)
    [row] = [b["row"] for p in data["pages"] for b in p["blocks"] if "careplan_fax" in str(b.get("row", ""))]
    fax, mail, portal = row
    row[:] = [{**portal, "width": fax["width"]}, fax, {k: v for k, v in mail.items() if k != "width"}]
    reordered = FormDef.model_validate(data)
    written = {"careplan_fax": True, "careplan_mail": False, "careplan_portal": False}
    pdf = fill_form(reordered, "en", written, FillStyle(font="Typed", size=10.0, mark="x"), seed=11)
    page = render_pdf_pages(pdf, dpi_x=DPI, dpi_y=DPI)[0]
    cm = load_catalog().form("cm_referral")
    result = read_form_page(ink_of(faxed(page)), DPI, cm, "en", 1, received=RECEIVED)
    assert {name: result.fields[name].value for name in written} == written


def test_a_form_is_told_by_the_labels_only_it_prints() -> None:
    """Labels three forms print ("Member name (last, first)", "Medi-Cal CIN") tell none of them: a CM referral that
    shows those and a few of its own is a CM referral, though the CBAS referral's page has fewer labels."""
    shared = ["Member name (last, first)", "Member date of birth", "Medi-Cal CIN", "Member phone", "Date signed"]
    own = [
        "Send care plans by fax",
        "Send care plans by mail",
        "Help finding community resources",
        "Care Coordination",
        "Complex Case Management",
        "Reason for referral",
        "Preferred language",
    ]
    words = [
        Word(w, 0.95, (10.0 + 40 * i, 30.0 * n, 40.0 + 40 * i, 30.0 * n + 20))
        for n, text in enumerate(shared + own)
        for i, w in enumerate(text.split())
    ]
    found = form_by_labels(words)
    assert found is not None and found[0] == "cm_referral"


def _label_lines(texts: list[str]) -> list[Word]:
    return [
        Word(w, 0.95, (10.0 + 40 * i, 30.0 * n, 40.0 + 40 * i, 30.0 * n + 20))
        for n, text in enumerate(texts)
        for i, w in enumerate(text.split())
    ]


def test_a_form_whose_small_labels_read_a_quarter_is_told_by_how_many_only_it_prints() -> None:
    """At 204x98 a re-typed form's 6.5 pt labels read a third at most: five of the reassignment request's own
    labels and none of another form's tell it, though they are under the share; four, as a letter naming reasons
    may, tell nothing."""
    own = [
        "Failure to keep scheduled appointments",
        "Abusive or disruptive behaviors",
        "Violation of Medication Management Agreement",
        "Member fraud",
        "Non-compliance with case management or",
    ]
    found = form_by_labels(_label_lines(own))
    assert found is not None and found[0] == "member_reassignment" and found[3] < 0.9
    assert form_by_labels(_label_lines(own[:4])) is None


def test_the_misread_rest_of_a_label_found_by_its_first_words_is_no_part_of_the_value() -> None:
    printed = Printed("member_name", "member_name", "Member name", 0.0, 0.0, 6.5, 40.0, 80.0)
    found = (Word("Mamber", 0.7, (100, 100, 160, 120)), Word("name", 0.8, (170, 104, 210, 120)))
    anchor = Anchor(printed, LabelHit("Member name", found, 0.9), (100, 100, 210, 120), 1.0, 204, False)
    rest = [Word("(Iast,", 0.6, (225, 99, 280, 122)), Word("Flyst)", 0.4, (288, 99, 345, 122))]
    value = [Word("Ramirez,", 0.97, (380, 100, 470, 122)), Word("Jorge", 0.9, (480, 100, 530, 122))]
    assert _label_rest([*rest, *value], anchor, "Member name (last, first)") == rest
    # a value typed right after the label printed short is the value, however close
    assert _label_rest(value, anchor, "Member name (last, first)") == []
    assert _label_rest([*rest, *value], anchor, "Member name") == []
    # wrapped by a narrow column: the rest starts the next line under the label
    wrapped = [Word("(Last.", 0.7, (225, 99, 280, 122)), Word("Flrst)", 0.2, (102, 127, 150, 147))]
    assert _label_rest([*wrapped, *value], anchor, "Member name (last, first)") == wrapped  # part on its line
    found = (*found, wrapped[0])
    anchor = replace(anchor, hit=LabelHit("Member name (last,", found, 0.9))
    assert _label_rest([wrapped[1], *value], anchor, "Member name (last, first)") == wrapped[1:]


def test_a_wrapped_labels_first_line_is_one_of_its_spellings_for_the_line_model_where_it_begins_no_other() -> None:
    form = load_catalog().form("cm_referral")
    printed = [p for p in printed_labels(form, "en", 1) if "=" not in p.key]
    name = next(p for p in printed if p.key == "member_name")
    spellings = dict(_model_spellings(name, printed))
    assert spellings["Member name (last, first)"] is False and spellings["Member name"] is False  # as printed, short
    assert spellings["Member name (last,"] is True  # only where a line below starts under it
    dob = next(p for p in printed if p.key == "member_dob")
    assert "Member date" in dict(_model_spellings(dob, printed))
    assert "Member" not in dict(_model_spellings(dob, printed))  # one word begins too many labels


def test_an_empty_box_beside_its_label_is_sure_only_with_no_word_read_about_them() -> None:
    f = load_catalog().form("member_reassignment").field_map["office_contact"]
    printed = Printed("office_contact", "office_contact", "Office contact person", 0.0, 0.0, 6.5, 60.0, 60.0)
    label = (100, 100, 260, 120)
    anchor = Anchor(printed, LabelHit("Office contact person", (), 1.0), label, 1.0, 204, False)
    box = (100, 125, 700, 160)

    def page(words: list[Word]) -> Any:
        return _Page(np.zeros((400, 800), bool), 204, 8, "en", None, words, [label], Rules((), ()), [])

    blank = FieldRead(value="", confidence=0.99, raw="")
    assert _confirmed(LABEL_READ, blank, f, lambda: _alone(anchor, box, page([]))) == CONFIRMED_READ
    level_with_wrapped_label = [Word("Moua,", 0.9, (411, 123, 485, 150))]  # the box was placed wrong: a person looks
    assert _confirmed(LABEL_READ, blank, f, lambda: _alone(anchor, box, page(level_with_wrapped_label))) == LABEL_READ
    speck = [Word(".", 0.3, (400, 130, 404, 134))]
    assert _confirmed(LABEL_READ, blank, f, lambda: _alone(anchor, box, page(speck))) == CONFIRMED_READ
    read = FieldRead(value="Tom Becker", confidence=0.9, raw="Tom Becker")
    assert _confirmed(LABEL_READ, read, f, lambda: True) == LABEL_READ  # words: no check of their own


def test_a_checkbox_label_also_read_in_a_heading_is_taken_where_its_square_is() -> None:
    f = load_catalog().form("cm_referral").field_map["program_care_coordination"]
    printed = next(p for p in printed_labels(load_catalog().form("cm_referral"), "en", 1) if p.key == f.name)
    ink = np.zeros((400, 1000), bool)
    ink[100:128, 500:528] = True  # the square printed left of the label, 28 px (10 pt at 204 dpi)
    ink[103:125, 503:525] = False
    heading = (Word("Care", 0.9, (100, 300, 150, 320)), Word("Coordination", 0.9, (160, 300, 300, 320)))
    boxed = (Word("Care", 0.9, (540, 104, 590, 124)), Word("Coordination", 0.9, (600, 104, 740, 124)))
    words = [*heading, Word("needs", 0.9, (310, 300, 370, 320)), *boxed]
    anchor = Anchor(printed, LabelHit(printed.text, heading, 1.0), (100, 300, 300, 320), 1.0, 204, False)
    page = _Page(ink, 204, 8, "en", None, words, [anchor.label], Rules((), ()), [])
    moved = _framed_elsewhere(f, anchor, words, page)
    assert moved is not None and moved.hit.words == boxed
    ink[100:128, 500:528] = False  # no square beside it either: nowhere is the box's label
    assert _framed_elsewhere(f, anchor, words, replace(page, ink=ink)) is None


def test_a_bar_read_as_one_tall_word_does_not_join_a_label_to_the_value_below_it() -> None:
    label = [Word("Member", 0.7, (146, 425, 210, 441)), Word("name", 0.7, (218, 425, 262, 441))]
    value = [Word("Vang,", 0.9, (153, 465, 225, 489)), Word("Karla", 0.9, (250, 462, 376, 489))]
    bar = Word("EC", 0.2, (134, 343, 307, 429))  # a section's black bar broken by a streak, 87 px tall
    words = _without_tall([*label, *value, bar, *(Word("x", 0.9, (0, y, 9, y + 17)) for y in range(0, 200, 20))])
    assert bar not in words and all(w in words for w in (*label, *value))
    runs = _word_runs(words)
    assert [w.text for w in next(r for r in runs if r[0] is label[0])] == ["Member", "name"]


def test_a_cells_side_parts_a_hint_from_the_next_cells_label() -> None:
    """At 204x98 a cell's hint ("MM/DD/YYYY") stands as close to the next cell's label as a word to the next; the
    cell's side between them makes two runs, so the label is scored on its own ink."""
    hint = [Word("MAY", 0.3, (807, 497, 840, 505)), Word("YY", 0.3, (845, 497, 870, 505))]
    label = [Word("DP", 0.3, (880, 492, 900, 505)), Word("tcod", 0.3, (905, 492, 935, 505))]
    assert len(_word_runs([*hint, *label])) == 1
    runs = _word_runs([*hint, *label], [(875, 480, 560)])
    assert [[w.text for w in r] for r in runs] == [["MAY", "YY"], ["DP", "tcod"]]


def test_a_label_word_inside_the_value_is_the_values() -> None:
    label = {"practice", "clinic", "name"}
    words = [
        Word(t, 0.9, (100 + 80 * i, 10, 170 + 80 * i, 30)) for i, t in enumerate(["Salinas", "Family", "Practice"])
    ]
    assert [w.text for w in _without_label_words(words, label)] == ["Salinas", "Family", "Practice"]
    rest = [Word("(clinic", 0.6, (100, 10, 160, 30)), Word("name)", 0.6, (170, 10, 230, 30))]
    assert _without_label_words(rest, label) == []


def test_a_date_hint_printed_in_an_empty_value_cell_is_no_value() -> None:
    """A revision that prints "MM/DD/YYYY" at the right of the value's own cell (labels left inside ruled cells), at
    91%: the empty missed-appointment dates come out blank, not the hint read as a date ('2000-01-01') or as letters
    ('muvopiyvvy')."""
    from sample_faxes.revisions import revision as printed_revision
    from sample_faxes.typefaces import register_typefaces

    register_typefaces()
    page = scaled(rendered(printed_revision("ps104-2022")), 0.91, (30, 20))
    fields = read_page_by_labels(ink_of(faxed(page)), DPI, rmr(), "en", 1, received=RECEIVED)
    for name in ("missed_appt_1", "missed_appt_2", "missed_appt_3", "missed_appt_4"):
        assert fields[name].value == "", (name, fields[name])
    assert fields["member_dob"].value == "1994-09-07"  # a date written in such a cell is still read
