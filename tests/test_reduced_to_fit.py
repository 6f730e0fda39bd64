"""Pages a sending machine printed at 92-97% of their size: the printed form still comes off cleanly, so empty
option boxes read empty, marked ones marked, and a narrative box does not take in the printed instruction line.

The repro of the robustness issue: the blank HIF/MET rasterized at 204 dpi, scaled about the page centre, written
as a 1-bit G4 TIFF at 204x196, read by the pipeline.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from faxintake.catalog import load_catalog
from faxintake.catalog.model import FieldType
from faxintake.intake import read_input
from sample_faxes.degrade import Degradation, degrade_page
from sample_faxes.fax_writer import write_tiff
from sample_faxes.fill import FillStyle, Written, fill_form
from sample_faxes.rasterize import render_pdf_pages

SCALES = (0.92, 0.95, 0.97)


def _fax(tmp_path: Path, form_id: str, written: dict[str, Written], scale: float) -> Path:
    form = load_catalog().form(form_id)
    pdf = fill_form(form, "en", written, FillStyle("Typed", 10.0, "x"), seed=7)
    images = [
        degrade_page(raster, random.Random(3), Degradation(scale=scale, speck_density=0.5, threshold=150), None)
        for raster in render_pdf_pages(pdf, dpi_x=204, dpi_y=196)
    ]
    path = tmp_path / f"{form_id}-{scale}.tif"
    write_tiff(images, path, compression="group4", dpi=(204, 196))
    return path


@pytest.mark.parametrize("scale", SCALES)
def test_blank_survey_printed_smaller_has_every_choice_empty(tmp_path: Path, settings, scale: float) -> None:  # type: ignore[no-untyped-def]
    read = read_input(_fax(tmp_path, "hif_met", {}, scale), settings)
    [doc] = [d for d in read.documents if d.doc_type == "hif_met"]
    form = load_catalog().form("hif_met")
    choices = {f.name: doc.fields[f.name] for f in form.fields if f.type is FieldType.CHOICE}
    assert choices
    assert {name: r.value for name, r in choices.items() if r.value != ""} == {}
    assert all(r.confidence >= 0.9 for r in choices.values())


@pytest.mark.parametrize("scale", SCALES)
def test_marked_survey_printed_smaller_reads_each_mark(tmp_path: Path, settings, scale: float) -> None:  # type: ignore[no-untyped-def]
    form = load_catalog().form("hif_met")
    choice_fields = [f for f in form.fields if f.type is FieldType.CHOICE and f.options]
    # Mark a different option of each question: the first, the last, and so on.
    marked = {f.name: (list(f.options or {})[i % len(f.options or {})],) for i, f in enumerate(choice_fields)}
    read = read_input(_fax(tmp_path, "hif_met", dict(marked), scale), settings)
    [doc] = [d for d in read.documents if d.doc_type == "hif_met"]
    wrong = {
        name: (doc.fields[name].value, want[0]) for name, want in marked.items() if doc.fields[name].value != want[0]
    }
    assert wrong == {}


@pytest.mark.parametrize("scale", (0.92, 0.97))
def test_narrative_printed_smaller_does_not_take_in_the_instruction_line(
    tmp_path: Path, settings, scale: float
) -> None:  # type: ignore[no-untyped-def]
    text = "On 07/06/2026 the member shouted at staff. We met with the member on 07/09/2026."
    read = read_input(_fax(tmp_path, "member_reassignment", {"narrative": text}, scale), settings)
    [doc] = [d for d in read.documents if d.doc_type == "member_reassignment"]
    narrative = str(doc.fields["narrative"].value)
    assert "Describe" not in narrative and "leading" not in narrative
    assert "shouted at staff" in narrative


def test_wide_box_printed_smaller_keeps_out_the_next_cells_value(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    """At 91% a 6-inch box is half an inch narrower than its template: cut at the template's size, the name box
    took in the first digit of the birth date in the cell to its right ('Lee, Wei 3')."""
    written: dict[str, Written] = {
        "member_name": "Lee, Wei",
        "member_dob": "3/23/72",
        "referrer_organization": "Salinas Valley Family Practice",
        "referrer_phone": "831.321.6234",
    }
    read = read_input(_fax(tmp_path, "cm_referral", written, 0.91), settings)
    [doc] = [d for d in read.documents if d.doc_type == "cm_referral"]
    assert doc.fields["member_name"].value == "Lee, Wei"
    assert doc.fields["referrer_organization"].value == "Salinas Valley Family Practice"
