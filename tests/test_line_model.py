"""The second reader: format-constrained CTC decoding on made-up frames, and the real model on rendered hand-print."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from extractors import line_model
from extractors.line_model import LineProbabilities, Segment
from extractors.read_form import HYPOTHESIS_MARGIN, LINE_FORMATS
from faxintake.catalog import FieldType
from faxintake.fonts import FONT_FILES
from faxintake.model import FieldRead
from validators.reference import Roster

CORPUS = Path(__file__).resolve().parents[1] / "sample_faxes" / "corpus"
LABELS = ("", "0", "1", "2", "/", "V", " ")
TWO_DIGITS = ((Segment("012", 2, 2),),)


def frames(*rows: dict[str, float]) -> LineProbabilities:
    """Each row: the probabilities of a few labels in that frame; the rest of the mass goes to the blank."""
    out = np.zeros((len(rows), len(LABELS)), np.float32)
    for t, row in enumerate(rows):
        for label, p in row.items():
            out[t, LABELS.index(label)] = p
        out[t, 0] = 1.0 - sum(row.values())
    return LineProbabilities(frames=out, labels=LABELS)


def test_free_reading_is_greedy_ctc() -> None:
    probs = frames({"1": 0.9}, {"1": 0.8}, {}, {"2": 0.7}, {" ": 0.9}, {"0": 0.95})
    read = line_model.read_free(probs)
    assert read.text == "12 0"
    assert read.char_confidences[0] == pytest.approx(0.9)


def test_format_search_replaces_a_letter_in_a_digit_box() -> None:
    # The model prefers "V" in the second frame, but a digit box cannot hold one: the runner-up "1" is read.
    probs = frames({"1": 0.9}, {}, {"V": 0.6, "1": 0.3}, {})
    assert line_model.read_free(probs).text == "1V"
    read = line_model.read_format(probs, TWO_DIGITS)
    assert read is not None
    assert read.text == "11"
    assert read.confidence == pytest.approx(0.3)


def test_a_repeated_character_needs_a_blank_between() -> None:
    # One run of "1" frames is one character: the format cannot make two of it.
    probs = frames({"1": 0.9}, {"1": 0.9})
    assert line_model.read_format(probs, TWO_DIGITS) is None


def test_spaces_count_as_gaps_in_a_format() -> None:
    probs = frames({"2": 0.9}, {" ": 0.9}, {"0": 0.9})
    read = line_model.read_format(probs, TWO_DIGITS)
    assert read is not None and read.text == "20"


def test_no_path_when_the_frames_hold_too_few_characters() -> None:
    probs = frames({"1": 0.9}, {})
    assert line_model.read_format(probs, TWO_DIGITS) is None


def _rendered(text: str, font: str, size: int = 34) -> np.ndarray:
    face = ImageFont.truetype(FONT_FILES[font], size)
    image = Image.new("L", (30 + size * len(text), 2 * size), 255)
    ImageDraw.Draw(image).text((10, size // 3), text, font=face, fill=0)
    return np.asarray(image) < 128


@pytest.mark.parametrize(
    ("text", "font", "field_type"),
    [
        ("11/05/2026", "Hand-Humor", FieldType.DATE),
        ("(831) 321-6234", "Hand-DKG", FieldType.PHONE),
        ("1881399863", "Hand-Humor", FieldType.NPI),
        ("40237841Z", "Typed", FieldType.MEMBER_ID),
    ],
)
def test_the_model_reads_hand_print_within_its_format(text: str, font: str, field_type: FieldType) -> None:
    read = line_model.read_format(line_model.probabilities(_rendered(text, font)), LINE_FORMATS[field_type])
    assert read is not None
    assert read.text == text.replace(" ", "")
    assert 0.0 < read.confidence <= 1.0


def test_a_known_spelling_is_taken_only_where_the_image_bears_it_out() -> None:
    probs = line_model.probabilities(_rendered("XIONG, GRACE", "Hand-DKG"))
    best = line_model.free_log_probability(probs)
    right = line_model.read_literal(probs, "Xiong, Grace")
    other = line_model.read_literal(probs, "Yang, Elena")
    assert right is not None and right.log_probability - best >= math.log(HYPOTHESIS_MARGIN)
    assert right.text.replace(".", ",") == "XIONG,GRACE"
    assert other is None or other.log_probability - best < math.log(HYPOTHESIS_MARGIN)


def test_roster_offers_spellings_only_for_a_matching_cin_and_birth_date() -> None:
    roster = Roster.load(CORPUS / "members.csv")
    member = next(iter(roster._members.values()))
    reads = {
        "member_id": FieldRead(value=member.member_id, confidence=0.5, valid=True),
        "member_dob": FieldRead(value=member.dob, confidence=0.5, valid=True),
    }
    assert roster.hypotheses(reads)["member_name"][0] == f"{member.last_name}, {member.first_name}"
    reads["member_dob"] = FieldRead(value="1900-01-01", confidence=0.99, valid=True)
    assert roster.hypotheses(reads) == {}


def test_roster_offers_a_birth_date_or_cin_only_when_two_other_identity_fields_match() -> None:
    roster = Roster.load(CORPUS / "members.csv")
    member = next(iter(roster._members.values()))
    name = FieldRead(value=f"{member.last_name}, {member.first_name}", confidence=0.6, raw="x")
    reads = {
        "member_id": FieldRead(value=member.member_id, confidence=0.5, valid=True),
        "member_name": name,
        "member_dob": FieldRead(value="1900-01-01", confidence=0.3, valid=True),
    }
    assert roster.hypotheses(reads)["member_dob"] == [member.dob]
    reads["member_id"] = FieldRead(value="00000000A", confidence=0.3, valid=True)  # a CIN nobody has
    reads["member_dob"] = FieldRead(value=member.dob, confidence=0.8, valid=True)
    assert roster.hypotheses(reads) == {"member_id": [member.member_id]}
    reads["member_name"] = FieldRead(value="Nobody, Known", confidence=0.9, raw="x")
    assert roster.hypotheses(reads) == {}
