"""benchmarks/handprint.py: held-out values written, faxed and read box by box; run here on a tiny sample (not timed)."""

from __future__ import annotations

import random

import pytest

from benchmarks import handprint
from faxintake.catalog import FieldType, load_catalog
from sample_faxes.typefaces import HAND, TRAINING_HAND, TRAINING_TYPED, TYPED, register_typefaces


def test_values_cover_every_kind_and_normalize_as_forms_md_says() -> None:
    values = handprint.make_values(60, seed=3)
    kinds = {v.kind for v in values}
    assert {f"date {s}" for s in handprint.DATE_STYLES} <= kinds
    assert {f"phone {s}" for s in handprint.PHONE_STYLES} <= kinds
    assert {"name", "address", "phrase", "npi", "cin", "icd10"} <= kinds
    by_kind = {v.kind: v for v in values}
    assert handprint.expected(by_kind["npi"]) == by_kind["npi"].written  # a valid check digit
    assert "," in by_kind["name"].written  # "Last, First"
    short = handprint.Value("date M/D/YY", FieldType.DATE, "cm_referral", "signature_date", "11/3/26")
    assert handprint.expected(short) == "2026-11-03"
    dob = handprint.Value("date M/D/YY", FieldType.DATE, "cbas_referral", "member_dob", "1/26/41")
    assert handprint.expected(dob) == "1941-01-26"  # a birth date's two-digit year: not after the received date
    assert handprint.make_values(60, seed=3) == values  # the seed fixes every value


def test_the_two_families_share_no_face() -> None:
    dev = {f.path for f in HAND["dev"] + TYPED["dev"]}
    test = {f.path for f in HAND["test"] + TYPED["test"]}
    assert not dev & test
    training = {f.path for f in TRAINING_HAND + TRAINING_TYPED}  # the hand-print model's extra writers
    assert not training & test and not training & dev
    assert set(register_typefaces(training=True)) >= {f.name for f in TRAINING_HAND}


def test_a_written_cell_is_read_as_the_pipeline_reads_it_after_the_blank_cell_is_subtracted() -> None:
    register_typefaces()
    f = handprint._cell_field(load_catalog().form("cm_referral").field_map["member_id"])
    t = handprint.blank_template(f)
    face = TYPED["test"][0]
    rng = random.Random(5)
    pdf = handprint.render_cell(f, "40237841Z", face, handprint.Hand.draw(rng, face.hand), rng)
    page = handprint.fax_cell(pdf, "fine", rng)
    written = handprint._aligned(page, t)
    assert page.sum() > written.sum() > 0  # the cell's rules and label are gone, the value is left
    assert handprint.read_pipeline(f, written, t)[0] == "40237841Z"


def test_the_harness_runs_on_a_tiny_sample_and_reports_each_family_apart() -> None:
    faces = (HAND["test"][0], TYPED["test"][0])
    outcomes = handprint.run("test", values=3, typed=1, seed=11, readers=["line model"], faces=faces)
    assert len(outcomes) == (3 + 1) * len(handprint.RESOLUTIONS)
    assert {o.family for o in outcomes} == {"test"} and {o.resolution for o in outcomes} == {"fine", "standard"}
    assert {o.face for o in outcomes} == {f.name for f in faces}
    assert all(o.ms > 0 and o.expected for o in outcomes)
    text = handprint.report(outcomes)
    assert "test family, hand-printed, read by the line model:" in text
    assert "test family, typed, read by the line model:" in text
    assert "204x98" in text and "204x196" in text


def test_character_error_counts_edits() -> None:
    assert handprint.edit_distance("2026-11-03", "2026-11-03") == 0
    assert handprint.edit_distance("2026-1-03", "2026-11-03") == 1
    assert handprint.edit_distance("Vang, Tou", "Yang, Tov") == 2
    outcome = handprint.Outcome(
        "test", "x", True, "fine", "cin", "member_id", "line model", "12345678A", "1234567A", 0.95, 1.0
    )
    figures = handprint.figures([outcome])
    assert figures.exact == 0.0 and figures.cer == pytest.approx(1 / 9) and figures.silent == 1


@pytest.mark.parametrize(
    ("field", "written", "want"),
    [
        ("member_dob", "06-23-1958", "1958-06-23"),
        ("member_id", "31704529K", "31704529K"),
    ],
)
def test_a_held_out_hand_printed_value_in_a_test_family_face_reads_right(field: str, written: str, want: str) -> None:
    register_typefaces()
    f = handprint._cell_field(load_catalog().form("cm_referral").field_map[field])
    t = handprint.blank_template(f)
    face = next(face for face in HAND["test"] if face.name == "Schoolbell")  # never tuned on
    rng = random.Random(2)
    pdf = handprint.render_cell(f, written, face, handprint.Hand.draw(rng, True), rng)
    written_ink = handprint._aligned(handprint.fax_cell(pdf, "fine", rng), t)
    value, confidence = handprint.read_pipeline(f, written_ink, t)
    assert value == want
    assert confidence > 0.5
