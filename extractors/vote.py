"""Two readings of the same line of text (Tesseract's and the line model's) reconciled word by word.

Two different engines seldom make the same slip: where their words agree (letter case aside) the word is as good
as read; where they differ, the more confident reading is taken and the word stays unsure, so the field's
confidence says how much of it rests on one engine's word alone.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

AGREED_CAP = 0.998  # two engines agreeing on a word: about 1 in 500 still wrong (both misread it alike)
DISPUTED = 0.85  # a word only one engine read that way: its own confidence, discounted
KEEP_UNMATCHED = 0.6  # a word only one engine saw at all is kept when it is at least this sure
PREFER_FIRST_ABOVE = 0.5  # Tesseract reads typed English better; the line model's word wins only over a weak one


# Debian's `wamerican` word list (scripts/setup.sh installs it): a third opinion where the two readers disagree.
WORD_LIST = Path("/usr/share/dict/american-english")


@dataclass(frozen=True)
class Word:
    text: str
    confidence: float
    # The same letters in another case, as another witness saw them (the second reader, or the initial's height
    # on the page): evidence for restoring the case, which the proofreader weighs against the sentence.
    other_case: str | None = None


def words_of(text: str, char_confidences: Sequence[float]) -> list[Word]:
    """Split a line model reading into words; a word is as sure as its weakest character."""
    words: list[Word] = []
    chars: list[str] = []
    confs: list[float] = []
    for ch, conf in zip(text, char_confidences, strict=False):
        if ch.isspace():
            if chars:
                words.append(Word("".join(chars), min(confs)))
            chars, confs = [], []
        else:
            chars.append(ch)
            confs.append(conf)
    if chars:
        words.append(Word("".join(chars), min(confs)))
    return words


@functools.cache
def word_list() -> tuple[str, ...]:
    """The word list's entries as written ("park", "Park"); empty when it is not installed."""
    try:
        return tuple(WORD_LIST.read_text(encoding="utf-8").split())
    except OSError:
        return ()


@functools.cache
def english_words() -> frozenset[str]:
    """The word list, case folded."""
    return frozenset(w.casefold() for w in word_list())


OUTER = ".,;:!?()[]'\"‘’“”"  # punctuation around a word, not part of it
CONTRACTION_ENDINGS = frozenset({"s", "t", "re", "ve", "ll", "d", "m"})
APOSTROPHES = "'’‘`"


def english_word(text: str) -> bool | None:
    """Whether a word (punctuation around it aside) is English; None for what is no word either way: digits and
    codes, abbreviations ("e.g"), compounds whose parts are words ("no-show": the list has no compounds).
    Letters with junk inside ("sees|a", "at'a", "a@") are no word."""
    core = text.strip(OUTER)
    if not any(ch.isalpha() for ch in core) or any(ch.isdigit() for ch in core):
        return None
    if core.isalpha():
        return core.casefold() in english_words()
    if all(ch.isalpha() or ch in APOSTROPHES for ch in core):
        return _contraction(core)
    if all(ch.isalpha() or ch == "-" for ch in core):
        parts = core.split("-")
        return None if all(p and p.casefold() in english_words() for p in parts) else False
    if all(ch.isalpha() or ch == "." for ch in core) and all(len(p) == 1 for p in core.split(".")):
        return None  # initials and abbreviations: e.g, a.m, U.S
    return False


def _contraction(core: str) -> bool:
    """A possessive or contraction the list has ("member's"), or a word with a usual ending ("nurse's")."""
    plain = "".join("'" if ch in APOSTROPHES else ch for ch in core)
    if plain.casefold() in english_words():
        return True
    stem, _, ending = plain.rpartition("'")
    return "'" not in stem and ending.casefold() in CONTRACTION_ENDINGS and stem.casefold() in english_words()


def reconcile(
    first: Sequence[Word],
    second: Sequence[Word],
    known: Callable[[str], bool | None] | None = None,
    *,
    lift: bool = True,
) -> list[Word]:
    """One reading from two: agreed words from `first` (its letter case), disputed spans from the surer reading.
    With `known` (a word list), a disputed word that is a word in one reading and none in the other is the word:
    "heip" or "help", "cammunity" or "community". Without `lift`, agreement does not make a word surer: for a
    language with letters the second reader cannot write (PP-OCRv4's model had no Ñ: both read "ESPAOL")."""
    matcher = difflib.SequenceMatcher(
        a=[w.text.casefold() for w in first], b=[w.text.casefold() for w in second], autojunk=False
    )
    out: list[Word] = []
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        ours, theirs = list(first[a0:a1]), list(second[b0:b1])
        if op == "equal":
            out += [_agreed(w, v) if lift else w for w, v in zip(ours, theirs, strict=True)]
            continue
        if known is not None and len(ours) == len(theirs):
            out += [_by_word_list(w, v, known) for w, v in zip(ours, theirs, strict=True)]
            continue
        if known is not None and _words_against_junk(ours, theirs, known):
            # Split or joined differently ("a-medical" or "a medical"): the reading that is all words, when it is
            # also the surer one; unsure all the same.
            out += [_discounted(w) for w in theirs]
            continue
        if ours and theirs:  # the first reading stands unless it is unsure and the second is surer
            weak = _mean(ours) < PREFER_FIRST_ABOVE and _mean(theirs) > _mean(ours)
            span = theirs if weak and not _dropped(_joined(theirs), _joined(ours)) else ours
        elif ours:  # words only the first reading has: kept (the second may have missed them), but not junk
            span = [w for w in ours if any(ch.isalnum() for ch in w.text)]
        else:  # words only the second reading has: kept when it is sure of them
            span = theirs if _mean(theirs) >= KEEP_UNMATCHED else []
        out += [_discounted(w) for w in span]
    return out


def _discounted(word: Word) -> Word:
    return dataclasses.replace(word, confidence=word.confidence * DISPUTED)


def _agreed(first: Word, second: Word) -> Word:
    """Both engines read this word. Their slips are not independent (both see the same broken strokes: a period
    read as a comma by both), so agreement lifts the surer reading part of the way, not as far as two independent
    witnesses would. Letters alike but in another case: the case is not agreed, the word is not lifted."""
    if first.text != second.text:
        keep_first = first.confidence >= PREFER_FIRST_ABOVE or first.confidence >= second.confidence
        chosen, witness = (first, second) if keep_first else (second, first)
        return Word(chosen.text, chosen.confidence, witness.text)
    return dataclasses.replace(first, confidence=agreement(first.confidence, second.confidence))


def agreement(first: float, second: float) -> float:
    """How sure two different readers that read the same thing make it: the surer reading lifted part of the way,
    not as far as two independent witnesses would (both see the same broken strokes)."""
    surer, other = max(first, second), min(first, second)
    return min(AGREED_CAP, 1 - (1 - surer) * (1 - other) ** 0.5)


# A reader's confidence in a validated box's reading as the chance that it is right, by reader: (confidence, share
# right) points, isotonic over bins, measured on benchmarks/handprint.py's dev family (416 date, phone, NPI and CIN
# boxes each, hand-printed and typed, 204x196 and 204x98; never the test family). Tesseract is sure of hand-print
# it misreads (0.95-0.98: 86% right); the line model is right at 0.98 and up (218 of 218) and often when unsure.
CALIBRATION: dict[str, tuple[tuple[float, float], ...]] = {
    "tesseract": (
        (0.1, 0.01),
        (0.3, 0.11),
        (0.5, 0.21),
        (0.7, 0.25),
        (0.85, 0.36),
        (0.925, 0.62),
        (0.965, 0.86),
        (0.99, 0.96),
    ),
    "line model": ((0.1, 0.56), (0.5, 0.65), (0.85, 0.71), (0.925, 0.8), (0.965, 0.83), (0.99, 0.995)),
    "hand model": ((0.1, 0.56), (0.5, 0.65), (0.85, 0.71), (0.925, 0.8), (0.965, 0.83), (0.99, 0.995)),
}


def calibrated(reader: str, confidence: float) -> float:
    """`confidence` from `reader` ("tesseract", "line model") as the measured chance of being right (linear
    between CALIBRATION's points, flat beyond them): what two readers' disagreement is settled by."""
    points = CALIBRATION[reader]
    if confidence <= points[0][0]:
        return points[0][1]
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        if confidence <= x1:
            return y0 + (y1 - y0) * (confidence - x0) / (x1 - x0)
    return points[-1][1]


def _by_word_list(first: Word, second: Word, known: Callable[[str], bool | None]) -> Word:
    """One disputed word: the reading that is a word, when only one is (the word list settles it); else the first
    reading unless it is weak, unsure either way."""
    first_known, second_known = known(first.text), known(second.text)
    if first_known and second_known is False:
        return first
    if second_known and first_known is False:
        return second
    weak = first.confidence < PREFER_FIRST_ABOVE and second.confidence > first.confidence
    return _discounted(second if weak and not _dropped(second.text, first.text) else first)


def _dropped(second: str, first: str) -> bool:
    """Whether `second` is `first` with a doubled character read once: the second reader (CTC) needs a gap between
    two equal characters and ran them together ("I10", read "110" by Tesseract, read "10"), which is no reading of
    its own to put against the first's. Any other character left out may be the first reader's junk ("FO03.90")."""
    runs = [(ch, len(list(group))) for ch, group in itertools.groupby(first)]
    theirs = [(ch, len(list(group))) for ch, group in itertools.groupby(second)]
    return (
        len(second) < len(first)
        and [ch for ch, _ in runs] == [ch for ch, _ in theirs]
        and all(n <= m for (_, n), (_, m) in zip(theirs, runs, strict=True))
    )


def _joined(words: Sequence[Word]) -> str:
    return "".join(w.text for w in words)


def _words_against_junk(ours: Sequence[Word], theirs: Sequence[Word], known: Callable[[str], bool | None]) -> bool:
    """The second reading is all words, the first is not, and the second is the surer."""
    return (
        bool(ours and theirs)
        and all(known(w.text) is True for w in theirs)
        and not all(known(w.text) is True for w in ours)
        and _mean(theirs) > _mean(ours)
    )


def _mean(words: Sequence[Word]) -> float:
    return sum(w.confidence for w in words) / len(words) if words else 0.0
