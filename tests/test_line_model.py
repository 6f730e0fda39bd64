"""The second reader: format-constrained CTC decoding on made-up frames, and the real model on rendered hand-print."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from extractors import line_model
from extractors.line_model import LineProbabilities, LineRead, Segment
from extractors.read_form import (
    DISAGREEMENT_CAP,
    HYPOTHESIS_MARGIN,
    LINE_FORMATS,
    LOOKS_MISREAD,
    UNUSUAL_DATE,
    _checked,
    _entries_confidence,
    _normalized,
    _recent_date,
    _second_opinion,
    _text_ink,
    _written_forms,
)
from faxintake.catalog import FieldType, load_catalog
from faxintake.fonts import FONT_FILES
from faxintake.model import FieldRead, Known
from validators.reference import MAX_CANDIDATES, ProviderDirectory, Roster, RosterMember

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


# Values of the validated types, each in a face: what either line model must read within its format.
RENDERED_VALUES = [
    ("11/05/2026", "Hand-Humor", FieldType.DATE),
    ("(831) 321-6234", "Hand-DKG", FieldType.PHONE),
    ("1881399863", "Hand-Humor", FieldType.NPI),
    ("40237841Z", "Typed", FieldType.MEMBER_ID),
]


def _rendered(text: str, font: str, size: int = 34) -> np.ndarray:
    face = ImageFont.truetype(FONT_FILES[font], size)
    image = Image.new("L", (30 + size * len(text), 2 * size), 255)
    ImageDraw.Draw(image).text((10, size // 3), text, font=face, fill=0)
    return np.asarray(image) < 128


@pytest.mark.parametrize(("text", "font", "field_type"), RENDERED_VALUES)
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


def _offered(roster: Roster, reads: dict[str, FieldRead]) -> dict[str, list[tuple[str, bool]]]:
    return {name: [(k.value, k.corroborated) for k in known] for name, known in roster.hypotheses(reads).items()}


def test_roster_offers_the_identity_of_each_member_a_field_read_names() -> None:
    roster = Roster.load(CORPUS / "members.csv")
    member = next(iter(roster._members.values()))
    name = f"{member.last_name}, {member.first_name}"
    reads = {
        "member_id": FieldRead(value=member.member_id, confidence=0.5, valid=True),
        "member_dob": FieldRead(value=member.dob, confidence=0.5, valid=True),
        "member_name": FieldRead(value="Kxyz, Q", confidence=0.4, raw="x"),
    }
    offered = _offered(roster, reads)
    # the CIN and birth date agree with the member: its name is corroborated, its CIN and birth date are not (the
    # name read does not agree)
    assert offered["member_name"][0] == (name, True)
    assert offered["member_id"][0] == (member.member_id, False)
    reads["member_dob"] = FieldRead(value="1900-01-01", confidence=0.3, valid=True)  # misread: the CIN still names
    assert _offered(roster, reads)["member_dob"][0] == (member.dob, False)
    reads["member_id"] = FieldRead(value="00000000A", confidence=0.3, valid=True)  # a CIN nobody has
    reads["member_dob"] = FieldRead(value=member.dob, confidence=0.8, valid=True)
    reads["member_name"] = FieldRead(value=name, confidence=0.6, raw="x")
    assert (member.member_id, True) in _offered(roster, reads)["member_id"]
    nobody = {
        "member_id": FieldRead(value="00000000A", confidence=0.3, valid=True),
        "member_dob": FieldRead(value="1900-01-01", confidence=0.3, valid=True),
        "member_name": FieldRead(value="Nobody, Known", confidence=0.9, raw="x"),
    }
    assert roster.hypotheses(nobody) == {}


def test_a_cin_that_names_nobody_offers_the_members_one_character_from_it() -> None:
    roster = Roster.load(CORPUS / "members.csv")
    member = next(iter(roster._members.values()))
    cin = member.member_id
    misread = cin[:3] + ("7" if cin[3] != "7" else "1") + cin[4:]
    assert roster.get(misread) is None
    assert member in roster.cin_neighbours(misread)
    assert member not in roster.cin_neighbours(cin)  # a CIN is not its own neighbour
    reads = {
        "member_id": FieldRead(value=misread, confidence=0.5, valid=True),
        "member_dob": FieldRead(value="1900-01-01", confidence=0.3, valid=True),
        "member_name": FieldRead(value="Kxyz, Q", confidence=0.4, raw="x"),
    }
    assert (cin, False) in _offered(roster, reads)["member_id"]
    assert (member.dob, False) in _offered(roster, reads)["member_dob"]
    two_off = misread[:6] + ("7" if misread[6] != "7" else "1") + misread[7:]
    assert member not in roster.cin_neighbours(two_off)


def test_a_birth_date_or_name_that_names_many_members_offers_none_of_them() -> None:
    members = {
        f"{i:08d}A": RosterMember(f"{i:08d}A", f"Name{i}", "Ana", "1980-01-01", "1234567893", "en")
        for i in range(MAX_CANDIDATES + 1)
    }
    roster = Roster(members)
    reads = {"member_dob": FieldRead(value="1980-01-01", confidence=0.9, valid=True)}
    assert roster.hypotheses(reads) == {}
    reads["member_id"] = FieldRead(value="00000003A", confidence=0.5, valid=True)
    assert [k.value for k in roster.hypotheses(reads)["member_id"]] == ["00000003A"]


def test_a_birth_date_is_checked_in_every_style_forms_md_names() -> None:
    forms = _written_forms(FieldType.DATE, "1992-06-20")
    assert {"06/20/1992", "6/20/1992", "6/20/92", "06-20-1992", "Jun 20, 1992", "June 20, 1992"} <= set(forms)
    assert _written_forms(FieldType.TEXT, "Dr. Mei Lee") == ["Dr. Mei Lee", "Dr Mei Lee"]  # a period lost in the fax
    assert _written_forms(FieldType.TEXT, "Mei Lee") == ["Mei Lee"]


def test_a_phone_is_checked_in_every_style_forms_md_names() -> None:
    assert _written_forms(FieldType.PHONE, "831-555-0147") == ["831-555-0147", "(831) 555-0147", "831.555.0147"]


def test_the_directory_offers_an_npis_provider_and_the_npis_of_providers_named_like_the_one_written() -> None:
    directory = ProviderDirectory.load(CORPUS / "providers.csv")
    provider = next(iter(directory._providers.values()))
    sure = {"pcp_npi": FieldRead(value=provider.npi, confidence=0.6, raw=provider.npi, valid=True)}
    offered = {k: [v.value for v in values] for k, values in directory.hypotheses(sure).items()}
    assert offered["pcp_name"] == [provider.name] and offered["practice_name"] == [provider.practice_name]
    assert offered["pcp_phone"] == offered["office_phone"] == [provider.phone]  # CBAS's box and the RMR's
    assert offered["pcp_fax"] == offered["office_fax"] == [provider.fax]
    misread = provider.name[:-1] + ("x" if provider.name[-1] != "x" else "y")
    unsure = {
        "pcp_npi": FieldRead(value="1234567890", confidence=0.3, raw="1234567890", valid=False),
        "pcp_name": FieldRead(value=misread, confidence=0.4, raw=misread),
    }
    offered = {k: [v.value for v in values] for k, values in directory.hypotheses(unsure).items()}
    assert offered["pcp_npi"] == [provider.npi] and offered["pcp_name"] == [provider.name]  # each checked on its ink
    assert offered["practice_name"] == [provider.practice_name] and offered["office_fax"] == [provider.fax]
    unsure["pcp_name"] = FieldRead(value="Nobody Known", confidence=0.4, raw="Nobody Known")
    assert directory.hypotheses(unsure)["pcp_npi"] == []


def test_a_directory_phone_is_taken_only_where_the_box_bears_it_out() -> None:
    f = load_catalog().form("cbas_referral").field_map["pcp_phone"]
    ink = _rendered("(831) 321-6234", "Hand-Humor")
    misread = FieldRead(value="031-321-6234", confidence=0.5, raw="(031) 321-6234", valid=True)
    checked = _checked(f, misread, [Known(value="831-321-6234")], ink)
    assert checked is not None and checked.value == "831-321-6234"
    assert _checked(f, misread, [Known(value="831-321-6235")], ink) is None  # the office's fax, not its phone


def test_a_roster_birth_date_written_in_words_is_taken_only_where_the_box_bears_it_out() -> None:
    f = load_catalog().form("cm_referral").field_map["member_dob"]
    ink = _rendered("Jun 20, 1992", "Hand-Humor")
    unsure = FieldRead(value="201992", confidence=0.0, raw="201992", valid=False)
    checked = _checked(f, unsure, [Known(value="1992-06-20")], ink)
    assert checked is not None and checked.value == "1992-06-20" and checked.valid
    assert _checked(f, unsure, [Known(value="1992-07-21")], ink) is None  # another member's birth date


def test_a_date_written_in_words_is_read_by_the_line_models_free_reading() -> None:
    f = load_catalog().form("cm_referral").field_map["signature_date"]
    ink = _rendered("Oct 24, 2026", "Typed")
    unsure = FieldRead(value="242026", confidence=0.0, raw="242026", valid=False)
    read = _second_opinion(f, ink, unsure, date(2026, 11, 1))
    assert read.value == "2026-10-24" and read.valid


# Glyphs set apart: two equal characters side by side need a blank frame between them.


def _bars(*columns: tuple[int, int], height: int = 20) -> np.ndarray:
    """Vertical bars (first column, end column) on one line, like hand-printed 1s."""
    ink = np.zeros((height + 4, 60), dtype=bool)
    for x0, x1 in columns:
        ink[2 : height + 2, x0:x1] = True
    return ink


def test_separate_glyphs_count_apart_and_a_dot_over_its_letter_joins_it() -> None:
    ink = _bars((5, 9), (10, 14), (30, 34))  # "11" a column apart, then another stroke
    assert line_model.glyph_count(ink) == 3
    ink[2:7, 30:34] = False
    ink[2:4, 31:33] = True  # an i: a dot above the third stroke, not touching it
    assert line_model.glyph_count(ink) == 3
    assert line_model.glyph_count(_bars((5, 9), (9, 13))) == 1  # touching strokes are one glyph


def test_spaced_sets_glyphs_apart_and_keeps_their_shapes() -> None:
    ink = _bars((5, 9), (10, 14))
    apart = line_model.spaced(ink, gap=0.5)
    assert apart.shape == (ink.shape[0], 4 + 10 + 4)  # two 4-wide strokes, 0.5 x 20 px of white between
    assert apart[:, :4].all(axis=1).sum() == 20 and not apart[:, 4:14].any()
    assert apart.sum() == ink.sum()


def _fake_model(monkeypatch: pytest.MonkeyPatch, plain: LineProbabilities, apart: LineProbabilities) -> None:
    """The model as frames: `plain` for the line as it is, `apart` for it read again with its glyphs set apart."""
    monkeypatch.setattr(
        line_model,
        "probabilities",
        lambda ink, *, stretch=line_model.STRETCH, hand=False: apart if stretch == line_model.SPACED_STRETCH else plain,
    )


UP_TO_THREE = ((Segment("012", 1, 3),),)


def test_a_reading_with_fewer_characters_than_glyphs_is_read_again_set_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_model(
        monkeypatch, frames({"1": 0.9}, {"1": 0.9}, {}, {"0": 0.9}), frames({"1": 0.8}, {}, {"1": 0.7}, {}, {"0": 0.9})
    )
    read, _ = line_model.read_box(_bars((5, 9), (10, 14), (30, 34)), UP_TO_THREE)
    assert read is not None and read.text == "110"
    assert read.confidence == pytest.approx(0.7)


def test_a_closer_look_that_changes_characters_leaves_the_reading_unsure(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_model(monkeypatch, frames({"1": 0.95}, {}, {"0": 0.95}), frames({"2": 0.9}, {}, {"2": 0.9}, {}, {"0": 0.9}))
    read, _ = line_model.read_box(_bars((5, 9), (10, 14), (30, 34)), UP_TO_THREE)
    assert read is not None and read.text == "10"
    assert read.confidence == pytest.approx(line_model.DISAGREEMENT)


def test_a_reading_with_as_many_characters_as_glyphs_is_not_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_model(monkeypatch, frames({"1": 0.9}, {}, {"1": 0.9}, {}, {"0": 0.9}), frames({"2": 0.99}))
    read, _ = line_model.read_box(_bars((5, 9), (10, 14), (30, 34)), UP_TO_THREE)
    assert read is not None and read.text == "110"


def test_the_model_reads_two_close_hand_printed_ones() -> None:
    # Humor Sans at fax size: PP-OCRv4's model ran its "11" together in the frames of the line as written and needed
    # the glyphs set apart (the fake frames above test that step); PP-OCRv6's reads both 1s as written.
    ink = _rendered("11/05/2026", "Hand-Humor", size=30)
    plain = line_model.read_format(line_model.probabilities(ink), LINE_FORMATS[FieldType.DATE])
    assert plain is not None and plain.text == "11/05/2026"
    read, _ = line_model.read_box(ink, LINE_FORMATS[FieldType.DATE])
    assert read is not None and read.text == "11/05/2026"
    assert read.confidence > 0.5


def test_the_second_reader_wins_a_disagreement_when_the_first_lost_a_glyph() -> None:
    f = load_catalog().form("member_reassignment").field_map["signature_date"]
    ink = _rendered("11/05/2026", "Hand-Humor", size=30)
    first = FieldRead(value="2026-01-05", confidence=0.99, raw="1/05/2026", valid=True)  # surer, but a 1 short
    read = _second_opinion(f, ink, first, date(2026, 11, 20))
    assert read.value == "2026-11-05"
    assert read.confidence <= DISAGREEMENT_CAP


def test_a_form_date_read_long_before_receipt_is_the_recent_date_the_ink_bears_out() -> None:
    f = load_catalog().form("member_reassignment").field_map["signature_date"]
    assert f.recent_days is not None
    ink = _rendered("11/05/2026", "Hand-Humor", size=30)
    misread = FieldRead(value="2026-01-05", confidence=0.99, raw="1/05/2026", valid=True)  # the two 1s run together
    read = _recent_date(f, ink, misread, date(2026, 11, 9))
    assert read.value == "2026-11-05" and read.valid


def test_an_old_date_the_ink_bears_out_stays_but_in_doubt_and_a_future_one_is_left_to_the_rules() -> None:
    f = load_catalog().form("member_reassignment").field_map["signature_date"]
    ink = _rendered("1/05/2026", "Hand-Humor", size=30)
    old = FieldRead(value="2026-01-05", confidence=0.99, raw="1/05/2026", valid=True)
    read = _recent_date(f, ink, old, date(2026, 11, 9))
    assert read.value == "2026-01-05" and read.confidence <= UNUSUAL_DATE
    future = FieldRead(value="2026-12-05", confidence=0.99, raw="12/05/2026", valid=True)
    assert _recent_date(f, _rendered("12/05/2026", "Hand-Humor", size=30), future, date(2026, 11, 9)) == future
    dob = load_catalog().form("member_reassignment").field_map["member_dob"]
    assert dob.recent_days is None  # a birth date has no such prior
    assert _recent_date(dob, ink, old, date(2026, 11, 9)) == old


def test_a_line_crossing_the_box_is_no_punctuation_but_a_thin_one_inside_is_kept() -> None:
    box = np.zeros((48, 200), dtype=bool)
    box[10:38, 20:40] = True  # a letter
    box[5:43, 43:45] = True  # a thin, tall written 1 beside it (shaped like a piece of a rule)
    box[:, 90] = True  # a rule across the whole box
    box[10:38, 94:110] = True  # a letter close to it
    kept = _text_ink(box, speck=8, dpi=204)
    assert not kept[:, 90].any()
    assert kept[5:43, 43:45].all() and kept[10:38, 20:40].all() and kept[10:38, 94:110].all()


def test_a_monospaced_period_is_kept_only_where_periods_matter() -> None:
    box = np.zeros((60, 200), dtype=bool)
    box[10:38, 20:36] = True  # a letter
    box[35:38, 46:49] = True  # a period on its baseline, 10 px off (mid-cell, as a 10-pitch font sets it)
    box[12:14, 80:82] = True  # a speck of noise the same distance from nothing
    assert not _text_ink(box, speck=8, dpi=204)[35:38, 46:49].any()  # in a name: a speck
    prose = _text_ink(box, speck=8, dpi=204, periods_apart=True)
    assert prose[35:38, 46:49].all() and not prose[12:14, 80:82].any()


def test_a_rule_left_slanted_in_an_empty_box_is_no_writing_but_a_letter_on_it_keeps_it() -> None:
    box = np.zeros((224, 600), dtype=bool)
    for row in range(224):  # a cell's side left 2 degrees off by a skewed page: 9 px across its height
        box[row, 500 + row * 9 // 224 : 502 + row * 9 // 224] = True
    assert not _text_ink(box, speck=8, dpi=204).any()
    flat = np.zeros((60, 600), dtype=bool)
    for col in range(80, 560):  # a bottom rule left slanted, a letter written on it
        flat[40 + col // 120 : 42 + col // 120, col] = True
    assert not _text_ink(flat, speck=8, dpi=204).any()
    flat[20:42, 300:316] = True
    assert _text_ink(flat, speck=8, dpi=204)[20:40, 300:316].all()


# The model itself: PP-OCRv6's small line recognizer, from the locked `rapidocr` wheel, with its own character list.


def test_the_model_loads_from_the_wheel_with_its_character_set() -> None:
    import importlib.util

    model = line_model._model()
    spec = importlib.util.find_spec(line_model.MODEL_PACKAGE)
    assert spec is not None and spec.submodule_search_locations
    assert line_model.MODEL_FILE.endswith("PP-OCRv6_rec_small.onnx")
    assert line_model._model.cache_info().currsize == 1
    labels = model.labels
    assert labels[0] == "" and labels[-1] == " "  # CTC's blank first, the space last
    assert model.session.get_outputs()[0].shape[-1] == len(labels)
    assert set("0123456789/-.,'()#ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") <= set(labels)
    assert line_model.writes("áéíóúüñÁÉÍÓÚÜÑ")  # Spanish's letters: PP-OCRv4's model had no Ñ
    assert len(labels) > 18_000  # its metadata's list, not a list of our own


def test_a_free_reading_writes_only_what_our_boxes_hold() -> None:
    labels = ("", "a", "·", "b", "¦", " ")
    out = np.zeros((3, len(labels)), np.float32)
    out[0, 1] = 0.9
    out[1, 2], out[1, 5] = 0.6, 0.3  # a speck between words: a middle dot to the model, a gap to us
    out[2, 3] = 0.9
    out[:, 0] = 1.0 - out.sum(axis=1)
    read = line_model.read_free(LineProbabilities(frames=out, labels=labels))
    assert read.text == "a b"


def test_a_letter_read_where_the_format_wants_a_digit_counts_as_its_look_alike_digit() -> None:
    labels = ("", "1", "5", "S", " ")
    out = np.zeros((3, len(labels)), np.float32)
    out[0, 1] = 0.95
    out[2, 3], out[2, 2] = 0.9, 0.05  # a hand-printed 5 that looks like an S
    out[:, 0] = 1.0 - out.sum(axis=1)
    read = line_model.read_format(LineProbabilities(frames=out, labels=labels), ((Segment("015", 2, 2),),))
    assert read is not None and read.text == "15"
    assert read.char_confidences[1] == pytest.approx(0.95)


def test_a_reading_the_box_rejects_is_looked_at_again_at_other_widths(monkeypatch: pytest.MonkeyPatch) -> None:
    first = frames({"1": 0.9}, {}, {"0": 0.9})  # "10" at the usual width; say the box rejects it
    wider = frames({"1": 0.9}, {}, {"2": 0.8}, {}, {"0": 0.9})
    monkeypatch.setattr(
        line_model,
        "probabilities",
        lambda ink, *, stretch=line_model.STRETCH, hand=False: first if stretch == line_model.STRETCH else wider,
    )
    ink = _bars((5, 9), (30, 34))
    read, _ = line_model.read_box(ink, UP_TO_THREE, accept=lambda text: text != "10")
    assert read is not None and read.text == "120"
    assert read.confidence <= line_model.DISAGREEMENT  # found only on a second look: unsure
    kept, _ = line_model.read_box(ink, UP_TO_THREE, accept=lambda text: True)
    assert kept is not None and kept.text == "10"


def test_a_lines_label_lookups_are_worked_out_once_per_model_and_match_its_labels() -> None:
    """Every line read with the model shares one index of its labels and one list of the WRITTEN columns (built for
    each line, they cost 2-3% of reading a page); they say what building them afresh would."""
    labels = line_model._model().labels
    first = LineProbabilities(frames=np.zeros((1, len(labels)), np.float32), labels=labels)
    second = LineProbabilities(frames=np.zeros((2, len(labels)), np.float32), labels=tuple(labels))
    assert first.index is second.index and first.written_columns is second.written_columns
    assert first.index == {c: i for i, c in enumerate(labels)}
    assert first.written_columns.tolist() == [0, *(i for i, c in enumerate(labels) if c in line_model.WRITTEN)]
    with pytest.raises(ValueError):
        first.written_columns[0] = 1  # shared: no line can change it for the others
    small = frames({"1": 0.9})
    assert small.index == {c: i for i, c in enumerate(LABELS)}
    assert small.written_columns.tolist() == list(range(len(LABELS)))  # the blank, then all of them, the space too


# The hand-print model: PP-OCRv6 small fine-tuned here (scripts/train_line_model.py), shipped in the package.


def test_the_hand_print_model_ships_in_the_package_with_our_characters() -> None:
    assert line_model.HAND_MODEL.is_file()
    assert line_model.has_hand_model()
    labels = line_model._hand_model().labels  # type: ignore[union-attr]
    assert labels[0] == "" and labels[-1] == " "
    assert set("0123456789/-.,'()#ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzÑñ") <= set(labels)
    assert set(labels) <= set(line_model._model().labels)  # every character it writes, the base model writes too


@pytest.mark.parametrize(("text", "font", "field_type"), RENDERED_VALUES)
def test_the_hand_print_model_reads_within_the_format(text: str, font: str, field_type: FieldType) -> None:
    probs = line_model.probabilities(_rendered(text, font), hand=True)
    assert probs.labels == line_model._hand_model().labels  # type: ignore[union-attr]
    read = line_model.read_format(probs, LINE_FORMATS[field_type])
    assert read is not None and read.text == text.replace(" ", "")
    both, _ = line_model.read_box(_rendered(text, font), LINE_FORMATS[field_type])
    assert both is not None and both.text == text.replace(" ", "")


def test_two_models_that_agree_keep_the_surer_confidence_and_that_disagree_leave_the_box_unsure() -> None:
    base = LineRead("110", (0.9, 0.5, 0.99))
    hand = LineRead("110", (0.8, 0.97, 0.9))
    assert line_model.reconciled(base, hand) == LineRead("110", (0.9, 0.97, 0.99))
    sure_hand = LineRead("710", (0.99, 0.99, 0.99))
    chosen = line_model.reconciled(LineRead("110", (0.3, 0.9, 0.9)), sure_hand)
    assert chosen is not None and chosen.text == "710"
    assert chosen.confidence <= line_model.DISAGREEMENT
    assert line_model.reconciled(None, hand) == hand and line_model.reconciled(base, None) == base


def test_without_the_hand_print_model_the_base_model_reads_alone() -> None:
    ink = _rendered("11/05/2026", "Hand-Humor")
    try:
        line_model.use_hand_model(None)
        assert not line_model.has_hand_model()
        read, _ = line_model.read_box(ink, LINE_FORMATS[FieldType.DATE])
        assert read is not None and read.text == "11/05/2026"
    finally:
        line_model._CHOSEN_HAND.clear()
        line_model._hand_model.cache_clear()


# One-line text boxes Tesseract is unsure of: read whole by the line model, its words spaced as Tesseract's.


def test_the_line_models_run_together_words_get_tesseracts_spaces() -> None:
    from extractors.read_form import _respaced

    assert _respaced("Lee,Wei", "Lee, Wei") == "Lee, Wei"
    assert _respaced("DrRobertHaines", "Dr Robert Haithes") == "Dr Robert Haines"
    assert _respaced("Kou Lee (son)", "Kou Lee (san)") == "Kou Lee (son)"


def test_an_unsure_text_box_takes_the_line_models_reading_and_stays_unsure() -> None:
    from extractors.read_form import _line_model_text

    field = load_catalog().form("member_reassignment").field_map["office_contact"]
    ink = _rendered("TOM BECKER", "Hand-Humor")
    unsure = FieldRead(value="TOM BEGKFR", confidence=0.3, raw="TOM BEGKFR")
    read = _line_model_text(field, ink, unsure, None, "en")
    assert read.value == "TOM BECKER" and read.confidence <= DISAGREEMENT_CAP
    sure = FieldRead(value="TOM BEGKFR", confidence=0.99, raw="TOM BEGKFR")  # Tesseract sure of its reading: kept
    assert _line_model_text(field, ink, sure, None, "en") == sure
    foreign = FieldRead(value="Kou Lee", confidence=0.3, raw="Kou Lee")  # no Spanish letter on an English form
    assert "é" not in str(_line_model_text(field, _rendered("Kou Leé", "Typed"), foreign, None, "en").value)


def test_a_name_with_a_mark_inside_a_word_is_kept_under_the_gate() -> None:
    f = load_catalog().form("cbas_referral").field_map["caregiver_name"]
    assert _normalized(f, "Pau! Grant (nephew)", 0.97, None).confidence <= LOOKS_MISREAD  # an l read as a mark
    assert _normalized(f, "Wi|son", 0.97, None).confidence <= LOOKS_MISREAD
    assert _normalized(f, "Paul Grant (nephew)", 0.97, None).confidence == 0.97


def test_a_diagnosis_entry_is_told_by_its_code_or_by_a_description_read_surely() -> None:
    from extractors.vote import Word

    def words(*pairs: tuple[str, float]) -> list[Word]:
        return [Word(t, c) for t, c in pairs]

    # the code's I unsure, its description sure: no diabetes entry, whatever the I is
    assert _entries_confidence(words(("I10", 0.47), ("essential", 0.96), ("hypertension", 0.94))) == 0.94
    # a description that is no English word tells nothing: the code's own confidence stands
    assert _entries_confidence(words(("I10", 0.47), ("essental", 0.96), ("hypertension", 0.94))) == 0.47
    # every entry must be told: the weakest decides
    listed = words(("E11.9", 0.98), ("type", 0.97), ("2", 0.6), ("diabetes", 0.95), ("J45", 0.5), ("asthma", 0.55))
    assert _entries_confidence(listed) == 0.55


def test_a_typed_phone_a_digit_short_is_read_short_and_sure_and_hand_print_stays_unsure() -> None:
    """Both readers see nine digits, one glyph each at type's even pitch: the number is written short (a return
    for INVALID_FORMAT), not misread; the format search's tenth digit is not taken. Two glyphs run together into one
    (hand-print's touching 1s) or uneven hand-print say nothing of that."""
    from extractors.read_form import _typed_short

    field = next(f for f in load_catalog().form("cm_referral").fields if f.type is FieldType.PHONE)
    typed = _rendered("831-555-014", "Typed", 30)
    free = line_model.read_free(line_model.probabilities(typed))
    tesseract = FieldRead(value="831-555-014", confidence=0.85, raw="831-555-014", valid=False)
    assert free.text == "831-555-014" and _typed_short(field, typed, tesseract, free)
    merged = typed.copy()  # the last two digits' glyphs joined by a stroke: one glyph for two characters
    rows = np.nonzero(merged.any(axis=1))[0]
    spans = line_model.glyph_spans(merged)
    mid = (rows[0] + rows[-1]) // 2
    merged[mid - 1 : mid + 2, (spans[-2][0] + spans[-2][1]) // 2 : (spans[-1][0] + spans[-1][1]) // 2] = True
    assert len(line_model.glyph_spans(merged)) == len(spans) - 1
    assert not _typed_short(field, merged, tesseract, free)
    hand = _rendered("831-555-014", "Hand-Humor", 30)
    hand_free = line_model.read_free(line_model.probabilities(hand))
    assert not _typed_short(field, hand, tesseract, hand_free)
