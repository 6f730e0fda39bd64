"""Reading stages on small real inputs: a form page reads the same turned 90/180/270 degrees as upright."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from extractors.ingest import SourcePage, iter_pages
from extractors.pipeline import read_page

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
