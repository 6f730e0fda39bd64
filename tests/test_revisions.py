"""Revisions of our forms faxintake was never written against (sample_faxes/revisions/): the same fields and labels in
another layout, told by their labels and read by them.

The golden faxes are the first of the benchmark's `test-revisions` family (same seed): test revisions only, none of
which any tuning has looked at (`benchmarks.corpus --family test-revisions` measures how well they read). Reading
them is not perfect; deciding them must be safe, and every form page must say it was read by its labels.
"""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw

from extractors.ingest import SourcePage
from extractors.labels import Word
from extractors.pipeline import read_page
from extractors.read_by_labels import (
    MODEL_LABEL_READ,
    NOT_FOUND,
    form_by_labels,
    labels_by_line_model,
    locate_labels,
    page_words,
    printed_labels,
)
from faxintake.catalog import FormDef, load_catalog
from faxintake.catalog.render import placed_labels, render_form
from faxintake.errors import FormDefinitionError
from faxintake.intake import References, decide_fax, read_input
from sample_faxes.degrade import Degradation, degrade_page
from sample_faxes.fill import FillStyle, fill_form
from sample_faxes.rasterize import render_pdf_pages
from sample_faxes.revisions import REVISIONS_DIR, load_revision, revision, revisions
from sample_faxes.traffic import build_family
from sample_faxes.typefaces import register_typefaces
from tests.test_read_by_labels import ink_of

COUNT = 6
DPI = 204


@pytest.mark.parametrize(("revision_id", "form"), revisions(), ids=[r for r, _ in revisions()])
def test_a_revision_has_its_forms_fields_and_renders_in_each_language(revision_id: str, form: FormDef) -> None:
    catalog = load_catalog().form(form.form_id)
    assert [(f.name, f.type, f.page) for f in sorted(form.fields, key=lambda f: f.name)] == [
        (f.name, f.type, f.page) for f in sorted(catalog.fields, key=lambda f: f.name)
    ]
    assert form.fields != catalog.fields  # another layout, not the form's own
    register_typefaces()
    for language in form.languages:
        assert render_form(form, language).startswith(b"%PDF")


def test_each_form_has_a_test_revision_and_a_dev_one() -> None:
    families = {(r.form_id, family) for family in ("dev", "test") for _, r in revisions(family)}
    assert families == {(f.form_id, family) for f in load_catalog().forms for family in ("dev", "test")}


def test_a_revision_that_leaves_out_a_field_is_refused(tmp_path: Path) -> None:
    text = (REVISIONS_DIR / "cm305-2018.yaml").read_text().replace("      - row: [support_lives_alone]\n", "")
    (tmp_path / "broken.yaml").write_text(text)
    with pytest.raises(FormDefinitionError, match="support_lives_alone"):
        load_revision(tmp_path / "broken.yaml")


# --- told by its labels --------------------------------------------------------------------------------------


def page_of(form: FormDef, written: dict[str, Any], page: int = 1, language: str = "en") -> Image.Image:
    register_typefaces()
    pdf = fill_form(form, language, written, FillStyle(font="Typed", size=10.0, mark="x"), seed=3)
    image = render_pdf_pages(pdf, dpi_x=DPI, dpi_y=DPI)[page - 1]
    return degrade_page(image, random.Random(2), Degradation(skew_deg=0.4, speck_density=1.0, threshold=160), None)


def read_image(image: Image.Image) -> Any:
    gray = np.asarray(image.convert("L"))
    return read_page(SourcePage(number=1, image=gray, dpi=DPI, words=None, source_dpi=(DPI, DPI)), received=None)


CBAS = {
    "referral_date": "11/02/2026",
    "member_name": "Vang, Karla",
    "member_dob": "10/23/1956",
    "member_id": "00450179Y",
    "pcp_name": "Dr. Susan Park",
    "pcp_npi": "1075364558",
    "resides_icf_ddh": True,
    "signature": True,
}


def test_a_revision_with_no_form_number_and_another_title_is_told_by_its_labels() -> None:
    page = read_image(page_of(revision("cm305-retyped"), CBAS))
    assert (page.doc_type, page.form_page, page.read_by) == ("cbas_referral", 1, "labels")
    assert page.fields["member_id"].value == "00450179Y"
    assert page.fields["pcp_npi"].value == "1075364558"
    assert page.fields["resides_icf_ddh"].value is True


def test_a_page_with_a_few_of_a_forms_labels_is_not_taken_for_the_form() -> None:
    words = [
        Word(t, 0.9, (100.0 * i, 100.0, 100.0 * i + 90, 120.0))
        for i, t in enumerate(["Member", "name", "Date", "of", "birth"])
    ]
    assert form_by_labels(words) is None


def test_a_label_printed_shorter_or_wrapped_in_another_layout_is_still_found() -> None:
    form = load_catalog().form("member_reassignment")
    printed = [p for p in printed_labels(form, "en", 1) if p.key in ("member_name", "office_contact")]
    words = [
        Word("Member", 0.9, (100, 100, 180, 120)),  # "Member name" without its "(last, first)"
        Word("name", 0.9, (186, 100, 240, 120)),
        Word("Huang,", 0.9, (400, 98, 480, 122)),
        Word("Office", 0.9, (100, 200, 160, 220)),  # "Office contact person" wrapped in its label column
        Word("contact", 0.9, (166, 200, 240, 220)),
        Word("person", 0.9, (100, 224, 170, 244)),
        Word("Becker", 0.9, (400, 222, 480, 246)),
    ]
    anchors = locate_labels(printed, words, np.zeros((400, 700), dtype=bool), DPI, "en")
    assert [w.text for w in anchors["member_name"].hit.words] == ["Member", "name"]
    assert [w.text for w in anchors["office_contact"].hit.words] == ["Office", "contact", "person"]


def test_a_field_whose_label_is_not_on_the_page_is_unread_and_the_form_goes_to_a_person(
    tmp_path: Path, settings: Any
) -> None:
    form = revision("cm305-retyped")
    image = page_of(form, CBAS)
    label = next(p for f in form.fields if f.name == "member_id" for p in placed_labels(f, "en", "TeXGyre-Heros"))
    k = DPI / 72
    ImageDraw.Draw(image).rectangle(
        (label.x * k - 4, (label.baseline - 8) * k, (label.x + 60) * k, (label.baseline + 2) * k), fill=255
    )
    page = read_image(image)
    cin = page.fields["member_id"]
    assert (cin.value, cin.confidence, cin.raw) == ("", 0.0, NOT_FOUND)
    path = tmp_path / "cbas.png"
    image.save(path, dpi=(DPI, DPI))
    fax = read_input(path, settings)
    (doc,) = decide_fax(fax, settings, References.load(settings), source_name=path.name).documents
    assert doc.route is not None and doc.route.value != "return_to_sender"


# --- golden faxes of the held-back revisions -------------------------------------------------------------------


@pytest.fixture(scope="session")
def test_revisions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_family("test", COUNT, out_dir=tmp_path_factory.mktemp("test-revisions"), revised=True)


@pytest.mark.parametrize("number", range(COUNT))
def test_a_fax_of_a_held_back_revision_is_told_read_by_labels_and_decided_safely(
    test_revisions: Path, settings: Any, number: int
) -> None:
    [truth_path] = test_revisions.glob(f"test-rev-{number:03d}-*.truth.json")
    truth = json.loads(truth_path.read_text())
    settings = replace(
        settings, roster_path=test_revisions / "members.csv", providers_path=test_revisions / "providers.csv"
    )
    read = read_input(test_revisions / truth["file"], settings)
    decided = decide_fax(read, settings, References.load(settings), source_name=truth["file"])
    kinds = [p.doc_type for p in read.pages]
    assert kinds == [p["doc_type"] for p in truth["pages"]], truth["case"]
    assert all(
        p.read_by == "labels" for p in read.pages if p.doc_type in truth.get("variation", {}).get("revisions", {})
    )
    got = {(d.doc_type, d.pages[0] if d.pages else 0): d for d in decided.documents}
    for doc in truth["documents"]:
        mine = got.get((doc["doc_type"], doc["pages"][0] if doc["pages"] else 0))
        route = mine.route.value if mine and mine.route else "missing"
        if doc["route"] != "return_to_sender":
            assert route != "return_to_sender", f"{truth['case']}: expected {doc['route']}, got a wrong return"


def test_the_result_says_how_each_form_page_was_read(test_revisions: Path, settings: Any) -> None:
    [truth_path] = sorted(test_revisions.glob("test-rev-*.truth.json"))[:1]
    truth = json.loads(truth_path.read_text())
    read = read_input(test_revisions / truth["file"], settings)
    pages = decide_fax(read, settings, References.load(settings), source_name=truth["file"]).to_result()["pages"]
    assert {p["read_by"] for p in pages if p["doc_type"] in load_catalog_ids()} == {"labels"}
    assert all(p["read_by"] is None for p in pages if p["doc_type"] not in load_catalog_ids())


def load_catalog_ids() -> set[str]:
    return {f.form_id for f in load_catalog().forms}


def test_pages_of_the_corpus_say_they_were_read_on_their_template(settings: Any) -> None:
    corpus = Path(__file__).parent.parent / "sample_faxes" / "corpus"
    read = read_input(corpus / "rmr_complete_missed_appts.tif", settings)
    assert [p.read_by for p in read.pages if p.doc_type == "member_reassignment"] == ["template", "template"]


def test_labels_too_small_for_tesseract_at_204x98_are_found_by_the_line_model_where_printed() -> None:
    form = revision("cm305-retyped")
    register_typefaces()
    pdf = fill_form(form, "en", CBAS, FillStyle(font="Typed", size=10.0, mark="x"), seed=3)
    standard = render_pdf_pages(pdf, dpi_x=DPI, dpi_y=98)[0]
    standard = degrade_page(standard, random.Random(2), Degradation(skew_deg=0.0, speck_density=0.5), None)
    squared = standard.resize((standard.width, round(standard.height * DPI / 98)))
    gray, ink = np.asarray(squared.convert("L")), ink_of(squared)
    words = page_words(ink, DPI, "en")
    printed = [p for p in printed_labels(form, "en", 1) if "=" not in p.key]
    anchors = locate_labels(printed, words, ink, DPI, "en")
    found = labels_by_line_model([p for p in printed if p.key not in anchors], words, anchors, ink, DPI)
    assert len(found) >= 3, sorted(anchors)
    k = DPI / 72
    for key, anchor in found.items():
        label = placed_labels(form.field_map[key], "en")[0]
        x0, y0, _, y1 = anchor.label
        assert abs(x0 - label.x * k) < 0.15 * DPI and y0 - 0.1 * DPI < label.baseline * k < y1 + 0.1 * DPI, key
    page = read_page(SourcePage(number=1, image=gray, dpi=DPI, words=None, source_dpi=(DPI, 98)), received=None)
    for key in found:
        assert page.fields[key].confidence <= MODEL_LABEL_READ
    assert any(page.fields[key].value == CBAS[key] for key in found if key in CBAS)
