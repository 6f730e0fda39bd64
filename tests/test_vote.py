"""Two readings reconciled word by word: agreement makes a word sure, disagreement keeps the surer reading unsure."""

from __future__ import annotations

import itertools

import pytest

from extractors.vote import (
    AGREED_CAP,
    CALIBRATION,
    DISPUTED,
    Word,
    agreement,
    calibrated,
    english_word,
    reconcile,
    words_of,
)


def ws(*pairs: tuple[str, float]) -> list[Word]:
    return [Word(t, c) for t, c in pairs]


def test_agreed_words_are_lifted_but_a_case_difference_is_no_agreement() -> None:
    out = reconcile(ws(("KHA,", 0.8), ("PAJ", 0.7)), ws(("KHA,", 0.6), ("paj", 0.9)))
    assert [w.text for w in out] == ["KHA,", "PAJ"]
    assert out[0].confidence == pytest.approx(1 - 0.2 * 0.4**0.5)  # lifted, not as far as independent witnesses
    assert out[1].confidence == pytest.approx(0.7)  # the case differs: not agreed, not lifted
    assert all(w.confidence <= AGREED_CAP for w in out)


def test_a_disputed_word_keeps_the_first_reading_unless_it_is_weak() -> None:
    strong = reconcile(ws(("needs", 0.95), ("heip", 0.8)), ws(("needs", 0.99), ("help", 0.99)))
    assert [w.text for w in strong] == ["needs", "heip"]
    assert strong[1].confidence == pytest.approx(0.8 * DISPUTED)
    weak = reconcile(ws(("needs", 0.95), ("h3lp", 0.3)), ws(("needs", 0.99), ("help", 0.9)))
    assert [w.text for w in weak] == ["needs", "help"]
    assert weak[1].confidence == pytest.approx(0.9 * DISPUTED)


def test_a_word_only_one_reading_saw_is_kept_only_when_sure() -> None:
    assert [w.text for w in reconcile(ws(("a", 0.9), ("|", 0.2), ("b", 0.9)), ws(("a", 0.9), ("b", 0.9)))] == [
        "a",
        "b",
    ]
    assert [w.text for w in reconcile(ws(("a", 0.9)), ws(("a", 0.9), ("b", 0.8)))] == ["a", "b"]


def test_words_of_a_line_reading_are_as_sure_as_their_weakest_character() -> None:
    assert words_of("ab  c", [0.9, 0.5, 1.0, 1.0, 0.7]) == [Word("ab", 0.5), Word("c", 0.7)]


def test_the_word_list_settles_a_dispute_between_a_word_and_a_non_word() -> None:
    out = reconcile(ws(("Needs", 0.96), ("heip.", 0.9)), ws(("Needs", 0.99), ("help.", 0.93)), english_word)
    assert [w.text for w in out] == ["Needs", "help."]
    assert out[1].confidence == pytest.approx(0.93)  # settled by a third source: not discounted
    codes = reconcile(
        ws(
            ("E11.9", 0.9),
        ),
        ws(
            ("F11.9", 0.95),
        ),
        english_word,
    )  # codes are no words: as before
    assert [w.text for w in codes] == ["E11.9"] and codes[0].confidence == pytest.approx(0.9 * DISPUTED)


def test_english_words_and_what_is_no_word() -> None:
    assert english_word("community,") is True
    assert english_word("cammunity") is False
    assert english_word("07/09/2026") is None


def test_words_the_second_reading_missed_are_kept() -> None:
    first = ws(("Member", 0.4), ("lives", 0.3), ("alone", 0.5))
    assert [w.text for w in reconcile(first, [])] == ["Member", "lives", "alone"]
    assert [w.text for w in reconcile(first, ws(("lives", 0.9)))] == ["Member", "lives", "alone"]


def test_without_lift_agreement_does_not_make_a_word_surer() -> None:
    # Spanish: the line model has no Ñ, so both readers reading "ESPAOL" is no second witness.
    out = reconcile(
        ws(
            ("ESPAOL", 0.8),
        ),
        ws(
            ("ESPAOL", 0.9),
        ),
        lift=False,
    )
    assert out == [Word("ESPAOL", 0.8)]


def test_letters_with_junk_inside_are_no_word_but_compounds_and_contractions_are_not_judged() -> None:
    assert english_word("sees|a") is False
    assert english_word("at'a") is False
    assert english_word("a@") is False
    assert english_word("member's") is True
    assert english_word("nurse's") is True
    assert english_word("no-show") is None  # the list has no compounds: no verdict either way
    assert english_word("no-shuw") is False
    assert english_word("e.g.") is None
    assert english_word("A1C") is None


def test_a_case_difference_is_kept_as_evidence_for_the_proofreader() -> None:
    out = reconcile(ws(("to", 0.96), ("Keep", 0.75)), ws(("to", 0.99), ("keep", 1.0)))
    assert out[1] == Word("Keep", 0.75, "keep")  # Tesseract's reading, the other case noted
    glyphs = reconcile([Word("Staff", 0.95, "staff")], ws(("Staff", 0.9)))
    assert glyphs[0].other_case == "staff"  # evidence from the page survives agreement


def test_a_junk_word_loses_to_a_word_and_a_split_reading_that_is_all_words_wins_when_surer() -> None:
    junk = reconcile(ws(("a@", 0.63), ("visit.", 0.94)), ws(("a", 0.95), ("visit.", 0.9)), english_word)
    assert [w.text for w in junk] == ["a", "visit."]
    split = reconcile(
        ws(("at", 0.93), ("a-medical", 0.53)), ws(("at", 1.0), ("a", 1.0), ("medical", 1.0)), english_word
    )
    assert [w.text for w in split] == ["at", "a", "medical"]
    assert split[1].confidence == pytest.approx(DISPUTED)  # unsure all the same
    hyphen = reconcile(ws(("no-show", 0.58)), ws(("no", 0.5), ("show", 0.5)), english_word)
    assert [w.text for w in hyphen] == ["no-show"]  # the split reading is no surer: the hyphen stands
    names = reconcile(
        ws(("Dr.", 0.92), ("Susay}", 0.3)),
        ws(
            ("Dr.Ssan", 0.55),
        ),
        english_word,
    )
    assert [w.text for w in names] == ["Dr.", "Susay}"]  # the other reading is no words either: as before


def test_agreement_lifts_the_surer_reading_part_of_the_way_and_no_further_than_the_cap() -> None:
    independent = 1 - (1 - 0.9) * (1 - 0.8)
    assert 0.9 < agreement(0.9, 0.8) < independent
    assert agreement(0.9, 0.8) == agreement(0.8, 0.9)
    assert agreement(0.999, 0.999) == AGREED_CAP


def test_a_second_reading_that_only_leaves_characters_out_does_not_replace_the_first() -> None:
    # Typed "I10": Tesseract unsure of "110", the line model sure of "10" (two narrow glyphs run into one).
    out = reconcile([Word("110", 0.19), Word("hypertension,", 0.93)], [Word("10", 1.0), Word("hypertension,", 1.0)])
    assert [w.text for w in out] == ["110", "hypertension,"]
    assert out[0].confidence < 0.19 + 1e-9
    known = english_word
    assert reconcile([Word("110", 0.19)], [Word("10", 1.0)], known)[0].text == "110"
    assert reconcile([Word("1O", 0.19)], [Word("10", 1.0)], known)[0].text == "10"  # a reading of its own: surer
    assert reconcile([Word("FO03.90", 0.33)], [Word("F03.90", 1.0)])[0].text == "F03.90"  # the first's junk left out


def test_calibration_maps_each_readers_confidence_to_its_measured_chance_of_being_right() -> None:
    assert calibrated("tesseract", 0.97) < calibrated("line model", 0.99)  # sure Tesseract on hand-print: 86%
    assert calibrated("line model", 0.0) == CALIBRATION["line model"][0][1]
    assert calibrated("tesseract", 1.0) == CALIBRATION["tesseract"][-1][1]
    assert calibrated("tesseract", 0.5) == pytest.approx(0.21)
    for points in CALIBRATION.values():  # isotonic: a surer reading is never less likely right
        assert all(a <= b for (_, a), (_, b) in itertools.pairwise(points))
