"""Reading stages on small real inputs: a form page reads the same turned 90/180/270 degrees as upright, and the
same with its registration a fraction of a pixel off; one whose number is smudged is known by its title; a worker
reuses the memory a page frees."""

from __future__ import annotations

import dataclasses
import resource
import sys
from pathlib import Path

import numpy as np
import pytest

from extractors import read_form
from extractors.ingest import SourcePage, iter_pages
from extractors.pipeline import read_page, start_worker
from extractors.register import Registration
from extractors.templates import Template

CORPUS = Path(__file__).resolve().parents[1] / "sample_faxes" / "corpus"


@pytest.fixture(scope="module")
def upright_page() -> SourcePage:
    return next(p for p in iter_pages(CORPUS / "cm_complete_care_coordination.tif") if p.number == 2)


@pytest.mark.parametrize("turns", [1, 2, 3])
def test_turned_form_page_reads_like_upright(upright_page: SourcePage, turns: int) -> None:
    upright = read_page(upright_page, received=None)
    turned = SourcePage(
        number=2,
        image=np.ascontiguousarray(np.rot90(upright_page.image, turns)),
        dpi=upright_page.dpi,
        words=None,
        source_dpi=upright_page.source_dpi,
    )
    read = read_page(turned, received=None)
    assert read.doc_type == upright.doc_type == "cm_referral"
    assert read.rotation == (90 * turns) % 360
    differ = {k: (v.value, read.fields[k].value) for k, v in upright.fields.items() if read.fields[k].value != v.value}
    assert len(differ) <= 1, differ  # the same values, give or take one OCR slip


@pytest.mark.parametrize("case", ["cm_complete_dm_diabetes", "rmr_hand_dkg"])  # pages a warp read differently
@pytest.mark.parametrize("shift", [(0.3, 0.0), (0.0, 0.3), (-0.3, 0.2)])
def test_a_fraction_of_a_pixel_of_registration_changes_no_value(
    case: str, shift: tuple[float, float], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another set of matched features moves the registration by a fraction of a pixel; values are cut from the
    page's own pixels at whole-pixel offsets, so they read the same (warping the page read 1-3 fields of each of
    these pages differently for these shifts)."""
    page = next(p for p in iter_pages(CORPUS / f"{case}.tif") if p.number == 2)
    baseline = read_page(page, received=None)
    register = read_form.register

    def nudged(ink: np.ndarray, t: Template) -> Registration | None:
        found = register(ink, t)
        if found is None:
            return None
        matrix = found.matrix + np.array([[0.0, 0.0, shift[0]], [0.0, 0.0, shift[1]]])
        return dataclasses.replace(found, matrix=matrix)

    monkeypatch.setattr(read_form, "register", nudged)
    read = read_page(page, received=None)
    assert read.doc_type == baseline.doc_type
    assert {k: v.value for k, v in read.fields.items()} == {k: v.value for k, v in baseline.fields.items()}


def test_a_form_page_whose_number_does_not_read_is_known_by_its_title(upright_page: SourcePage) -> None:
    page = upright_page
    image = page.image.copy()
    dpi = page.dpi
    image[int(0.3 * dpi) : int(1.0 * dpi), int(image.shape[1] * 0.58) :] = 255  # the number's corner, smudged away
    image[-int(0.7 * dpi) :, int(image.shape[1] * 0.5) :] = 255  # and the footer's
    read = read_page(dataclasses.replace(page, image=image), received=None)
    assert read.doc_type == "cm_referral"
    assert read.fields["member_id"].value == read_page(page, received=None).fields["member_id"].value


@pytest.mark.skipif(sys.platform != "linux", reason="glibc's allocator")
def test_a_worker_reuses_freed_page_memory_instead_of_faulting_it_in_again() -> None:
    def page_of_work() -> None:  # a few page-sized arrays at once, written, then freed: as reading a page does
        for _ in [np.ones((2244, 1734), np.uint8) for _ in range(4)]:
            pass

    start_worker()
    page_of_work()  # the heap grows to hold a page's arrays
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(20):
        page_of_work()
    # Handed back to the kernel after each page (glibc's default), the memory faults in again: ~75 000 faults here.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before < 1000
