"""English prose proofread: each rule fixes the slip it is for and leaves legitimate forms alone."""

from __future__ import annotations

import pytest

from extractors.proofread import CORRECTED, is_prose, proofread
from extractors.vote import Word


def read(text: str, confidence: float = 0.97) -> list[Word]:
    return [Word(t, confidence) for t in text.split()]


def fixed(text: str) -> str:
    return " ".join(w.text for w in proofread([read(text)])[0])


@pytest.mark.parametrize(
    ("seen", "meant"),
    [
        ("Member lives aione after a stroke", "Member lives alone after a stroke"),
        ("meal delivery in the cammunity.", "meal delivery in the community."),
        ("missed dialysis evaluaticn; needs a plan", "missed dialysis evaluation; needs a plan"),
        ("Reminder calls twa days before each visit", "Reminder calls two days before each visit"),
    ],
)
def test_a_look_alike_letter_that_leaves_one_word_is_corrected(seen: str, meant: str) -> None:
    assert fixed(seen) == meant


@pytest.mark.parametrize(
    "text",
    [
        "the severities of her symptoms were noted",  # a plural the list lacks: no misreading
        "seen by Dr. Moua at the clinic today",  # a capital mid-sentence is a name
        "refer to the CBAS and PCP offices now",  # capitals: acronyms
        "the member saw ths doctor about it",  # "tbs" is the only neighbour, and no word
        "she takes insulin with every meal daily",
    ],
)
def test_names_acronyms_inflections_and_abbreviations_are_left_alone(text: str) -> None:
    assert fixed(text) == text


@pytest.mark.parametrize(
    ("seen", "meant"),
    [
        ("stroke, sees|a neurologist and", "stroke, sees a neurologist and"),
        ("threw a clipboard at'a medical assistant", "threw a clipboard at a medical assistant"),
        ("and declined referral.to diabetes case management", "and declined referral to diabetes case management"),
        ("hypertension, E11.9 type.2 diabetes and more", "hypertension, E11.9 type 2 diabetes and more"),
        ("during a@ visit the member shouted", "during a visit the member shouted"),
    ],
)
def test_junk_between_or_on_words_is_removed(seen: str, meant: str) -> None:
    assert fixed(seen) == meant


@pytest.mark.parametrize(
    "text",
    [
        "discussed our no-show policy with the member's daughter",  # hyphenated word, possessive
        "he didn't come and it's the third time this year",  # contractions
        "A1C 9.1 on 07/09/2026 with E11.9 and I10 listed",  # decimals, dates, codes
        "seen by Dr.Smith and Mr. O'Neil at the office",  # abbreviation, a name with an apostrophe
        "the plan, e.g. meals and rides, is on page No.2 of it",
        "See the notes at example.org for the visit.The rest",  # a file name, a run-on sentence
    ],
)
def test_legitimate_marks_inside_words_stay(text: str) -> None:
    assert fixed(text) == text


def test_an_opening_quote_nothing_closes_is_junk_but_a_quotation_stays() -> None:
    assert fixed("‘On 07/17/2026 the member shouted at front desk staff") == (
        "On 07/17/2026 the member shouted at front desk staff"
    )
    quoted = "‘On time’ she said the member was not at home"
    assert fixed(quoted) == quoted


def test_case_follows_another_witness_only_where_the_sentence_calls_for_it() -> None:
    words = [*read("shouted at front desk"), Word("Staff", 0.95, "staff"), *read("and left.")]
    assert [w.text for w in proofread([words])[0]][4] == "staff"
    start = [*read("left."), Word("Staff", 0.95, "staff"), *read("called him.")]
    assert [w.text for w in proofread([start])[0]][1] == "Staff"  # a sentence starts: the capital stands
    name = [*read("seen by Dr. Susan"), Word("Park", 0.95, "park"), *read("at the clinic")]
    assert [w.text for w in proofread([name])[0]][4] == "Park"  # a proper noun stays
    letter = [*read("the member again failed to"), Word("Hold", 0.95, "hold"), *read("the visit.")]
    assert [w.text for w in proofread([letter])[0]][5] == "Hold"  # H and h differ in shape: no size question
    unseen = [*read("shouted at front desk"), Word("Staff", 0.95), *read("and left.")]
    assert [w.text for w in proofread([unseen])[0]][4] == "Staff"  # no witness, no change


def test_a_corrected_word_is_never_sure() -> None:
    out = proofread([read("Member lives aione after a recent stroke", 0.99)])[0]
    assert out[2] == Word("alone", CORRECTED)
    assert all(w.confidence == 0.99 for i, w in enumerate(out) if i != 2)  # the rest untouched
    weak = proofread([read("Member lives aione after a recent stroke", 0.4)])[0]
    assert weak[2].confidence == pytest.approx(0.4)  # and never surer than it was


def test_the_sentence_runs_across_lines() -> None:
    lines = [read("the member shouted at front desk"), [Word("Staff", 0.9, "staff"), *read("and left.")]]
    assert proofread(lines)[1][0].text == "staff"


def test_only_english_running_text_is_prose() -> None:
    assert is_prose(read("Member lives alone after a recent stroke"))
    assert is_prose(read("F03.90 dementia, I10 hypertension, E11.9 type.2 diabetes"))
    assert not is_prose(read("Kou Lee (son)"))
    assert not is_prose(read("Salinas Valley Family Practice"))
    assert not is_prose(read("Miembro vive solo después de un derrame cerebral reciente"))


@pytest.mark.parametrize(
    ("seen", "meant"),
    [
        (
            "a letter mailed. on 07/04/2026. Outreach log attached.",
            "a letter mailed on 07/04/2026. Outreach log attached.",
        ),
        ("on 07/07/2026 and. 09/30/2026 without calling", "on 07/07/2026 and 09/30/2026 without calling"),
        ("our nurse called to offer education..", "our nurse called to offer education."),
        ("delivery in the community,", "delivery in the community."),
    ],
)
def test_a_speck_read_as_a_period_or_a_last_period_read_as_a_comma_is_corrected(seen: str, meant: str) -> None:
    assert fixed(seen) == meant


@pytest.mark.parametrize(
    "text",
    [
        "seen by Dr. smith at the clinic",  # an abbreviation's period stays before a small letter
        "the visit ended... and then",  # an ellipsis is not two periods
        "He left. Then he called back.",
    ],
)
def test_periods_that_belong_stay(text: str) -> None:
    assert fixed(text) == text
