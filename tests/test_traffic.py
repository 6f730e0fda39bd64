"""The traffic families (sample_faxes/traffic.py) and what they taught: a letter that names the agreement is a
letter, a cover sheet of a design the classifier never saw is a cover and its fields are read, a hand-printed form
page at 204x98 is known and read, and every date style FORMS.md allows normalizes."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from extractors.classify import classify_supporting
from extractors.normalize import parse_date
from faxintake.intake import References, decide_fax, read_input
from faxintake.model import Route
from sample_faxes.build import build_case, write_references
from sample_faxes.cases import CASES, make_world
from sample_faxes.covers import DEV_COVERS, TEST_COVERS, CoverDesign
from sample_faxes.letters import DEV_LETTERS
from sample_faxes.traffic import FAMILIES, draw_variation
from sample_faxes.typefaces import HAND

CASE = {c.case_id: c for c in CASES}


def test_the_families_share_no_face_cover_letter_stamp_note_or_geometry() -> None:
    dev, test = FAMILIES["dev"], FAMILIES["test"]
    assert not {f.path for f in dev.typed + dev.hand} & {f.path for f in test.typed + test.hand}
    assert not {c.title.lower() for c in dev.covers} & {c.title.lower() for c in test.covers}
    assert not {w.wording_id for w in dev.letters} & {w.wording_id for w in test.letters}
    assert not set(dev.stamps) & set(test.stamps) and not set(dev.notes) & set(test.notes)
    for ours, theirs in ((dev.scales, test.scales), (dev.skews, test.skews)):
        for a in ours:
            for b in theirs:
                assert a[1] <= b[0] or b[1] <= a[0], (a, b)


@pytest.mark.parametrize("wording", [w for w in DEV_LETTERS if "greement" in " ".join(w.paragraphs)])
def test_a_letter_that_names_the_agreement_in_its_sentences_is_a_letter(wording) -> None:  # type: ignore[no-untyped-def]
    text = "\n".join([wording.salutation.format(name="Mai Vang"), *wording.paragraphs, wording.closing])
    cls = classify_supporting(text)
    assert cls.doc_type == "member_letter" and cls.confidence >= 0.75
    # with the agreement's title standing on a line of its own too, the page may be either: in doubt, never proof
    # that the agreement is missing
    titled = classify_supporting("Medication Management Agreement (copy)\n" + text)
    assert titled.doc_type == "member_letter" and titled.confidence < 0.75


@pytest.mark.parametrize("wording", DEV_LETTERS)
def test_letters_in_each_language_are_letters(wording) -> None:  # type: ignore[no-untyped-def]
    text = "\n".join([wording.salutation.format(name="Mai Vang"), *wording.paragraphs, wording.closing])
    assert classify_supporting(text).doc_type == "member_letter"


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("1/26/26", "2026-01-26"),
        ("11/3/26", "2026-11-03"),
        ("06-23-2026", "2026-06-23"),
        ("Jan 5, 2026", "2026-01-05"),
        ("11/03/2026", "2026-11-03"),
        ("1/26/2026", "2026-01-26"),
    ],
)
def test_every_date_style_forms_md_allows_normalizes(written: str, iso: str) -> None:
    parsed = parse_date(written, received=date(2026, 11, 20))
    assert parsed is not None and parsed.isoformat() == iso


def _one_fax(tmp_path: Path, case_id: str, **variation: object) -> tuple[Path, dict]:  # type: ignore[type-arg]
    """One of the corpus's scenarios, sent the way `variation` says (the rest drawn from the dev family)."""
    v = replace(draw_variation("dev", random.Random(case_id), hand=False), **variation)  # type: ignore[arg-type]
    case = replace(CASE[case_id], case_id=f"t-{case_id}")
    truth = build_case(case, 0, make_world(), tmp_path, v)
    write_references(tmp_path, [case], make_world())
    return tmp_path / str(truth["file"]), truth


def _decided(path: Path, truth: dict, settings):  # type: ignore[no-untyped-def,type-arg]
    settings = replace(settings, roster_path=path.parent / "members.csv", providers_path=path.parent / "providers.csv")
    read = read_input(path, settings)
    return read, decide_fax(read, settings, References.load(settings), source_name=path.name)


def test_a_complete_request_whose_letter_names_the_agreement_is_not_returned(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    letter = next(w for w in DEV_LETTERS if w.wording_id == "dev-en-agreement")
    path, truth = _one_fax(tmp_path, "rmr_complete_abusive", letter=letter, scale=1.0, skew_deg=0.3, stretch=1.0)
    read, decided = _decided(path, truth, settings)
    assert [p.doc_type for p in read.pages] == [p["doc_type"] for p in truth["pages"]]
    [doc] = [d for d in decided.documents if d.doc_type == "member_reassignment"]
    assert doc.route is not Route.RETURN_TO_SENDER
    assert not any(f.code == "RMR_MEMBER_LETTER_MISSING" and f.severity.value == "return" for f in doc.findings)


UNSEEN_COVER = CoverDesign(  # a design of neither family: a boxed grid of capitals under a title in a banner
    "unseen-boxed-capitals",
    "Facsimile Cover",
    "table",
    {
        "date": "Date sent",
        "to": "Attention",
        "to_fax": "Fax number",
        "from": "From",
        "from_fax": "Sender fax",
        "phone": "Telephone",
        "pages": "Number of pages",
        "re": "Subject",
    },
    capitals=True,
    colon=False,
    banner=True,
)


def test_a_cover_of_a_design_the_classifier_never_saw_is_read(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    assert UNSEEN_COVER.title not in {c.title for c in DEV_COVERS + TEST_COVERS}
    path, truth = _one_fax(tmp_path, "rmr_complete_abusive", cover=UNSEEN_COVER, scale=0.97, skew_deg=0.8)
    read, _ = _decided(path, truth, settings)
    assert read.pages[0].doc_type == "fax_cover"
    assert read.cover is not None
    expected = {name: f["value"] for name, f in truth["cover"]["fields"].items()}
    got = {name: read.cover.fields[name].value for name in ("sender_fax", "pages_total", "recipient")}
    assert got == {k: expected[k] for k in got}


def test_a_hand_printed_form_page_at_standard_resolution_is_known_and_read(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    face = next(f for f in HAND["dev"] if f.name == "Patrick-Hand")
    case = replace(CASE["rmr_complete_abusive"], fine=False, fmt="tiff-g3")
    v = replace(draw_variation("dev", random.Random(5), hand=True), face=face, scale=0.96, raise_pt=0.0)
    truth = build_case(replace(case, case_id="t-standard-hand"), 0, make_world(), tmp_path, v)
    write_references(tmp_path, [case], make_world())
    read, decided = _decided(tmp_path / str(truth["file"]), truth, settings)
    form_pages = [p["number"] for p in truth["pages"] if p["doc_type"] == "member_reassignment"]
    assert [read.pages[n - 1].doc_type for n in form_pages] == ["member_reassignment"] * len(form_pages)
    [doc] = [d for d in decided.documents if d.doc_type == "member_reassignment"]
    expected = truth["documents"][0]["fields"]
    marks = [n for n in ("reason_abusive_behavior", "signature", "attach_member_letter") if n in expected]
    assert {n: doc.fields[n].value for n in marks} == {n: expected[n]["value"] for n in marks}


def test_a_letter_with_a_streak_down_the_page_is_still_read(tmp_path: Path) -> None:
    """dev fax 19: a dirty scanner glass drew a line down the whole page as sent; levelled, it leans through the
    letter's text, and Tesseract's layout took it for a column gap and read almost none of the letter."""
    from extractors.ingest import iter_pages
    from extractors.pipeline import read_page
    from sample_faxes.traffic import draw_cases

    case, variation = draw_cases("dev", 20)[19]
    truth = build_case(case, 19, make_world(), tmp_path, variation)
    letter = [p["number"] for p in truth["pages"] if p["doc_type"] == "member_letter"]
    pages = [p for p in iter_pages(tmp_path / str(truth["file"])) if p.number in letter]
    assert pages and [read_page(p, received=date(2026, 11, 3)).doc_type for p in pages] == ["member_letter"]


def test_a_form_page_whose_number_and_title_no_words_place_is_known_by_its_look(tmp_path: Path) -> None:
    """A received stamp over the form number, the footer's number smudged away, a title in Chinese (the page's
    words are read in English): the page is still the survey, known by registering on its blank form."""
    from PIL import ImageDraw

    from extractors.ingest import iter_pages
    from extractors.pipeline import read_page
    from faxintake.catalog import load_catalog
    from sample_faxes.fax_writer import write_tiff
    from sample_faxes.fill import FillStyle, fill_form
    from sample_faxes.rasterize import render_pdf_pages

    form = load_catalog().form("hif_met")
    pdf = fill_form(form, "zh-Hant", {}, FillStyle("Typed", 10.0, "x"), seed=3)
    page = render_pdf_pages(pdf, dpi_x=204, dpi_y=196)[0]
    draw = ImageDraw.Draw(page)
    w, h = page.size
    draw.rectangle((int(w * 0.5), 0, w, int(1.6 * 196)), fill=0)  # the stamp: the corner's number is gone
    draw.rectangle((int(w * 0.5), h - int(1.3 * 196), w, h), fill=255)  # the footer's number smudged away
    path = tmp_path / "survey.tif"
    write_tiff([page.convert("1")], path, compression="group4", dpi=(204, 196))
    [source] = list(iter_pages(path))
    read = read_page(source, received=date(2026, 11, 3))
    assert (read.doc_type, read.language) == ("hif_met", "zh-Hant")
