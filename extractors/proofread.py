"""English prose proofread after the vote: the word list as a language model, OCR's visual confusions as the channel.

Typed narratives come back with one slip in a few hundred characters: a letter read as its look-alike ("aione",
"cammunity"), a speck read as punctuation between two words ("sees|a", "referral.to"), a small s read as a capital
mid-sentence ("Staff"). Each rule changes a word only where exactly one reading is left: the look-alike letters
that make a non-word a word (one candidate only), the junk whose removal leaves two words and which no legitimate
form uses (hyphenated words, contractions, decimals, dates, codes and abbreviations are left alone), the case that
another witness saw and the sentence calls for. A changed word is never surer than it was, and never sure: the word
list makes the reading likelier, it did not see the page.

For English forms only: the rules know nothing of Spanish, Hmong or Chinese.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from itertools import pairwise

from extractors.vote import APOSTROPHES, CONTRACTION_ENDINGS, Word, english_word, english_words, word_list

CORRECTED = 0.8  # a word the proofreader changed: likely, not sure
SIZE_AMBIGUOUS = frozenset("ckopsuvwxz")  # capital and small differ in size only: OCR guesses the case from context
# Look-alike letters in fax type (either way round): what one is misread as. Only one for one: a look-alike that
# changes the length ("rn" for "m") reaches too many words ("severities" would become "seventies").
LOOK_ALIKES: tuple[tuple[str, str], ...] = (
    ("a", "o"),
    ("a", "e"),
    ("c", "e"),
    ("c", "o"),
    ("e", "o"),
    ("i", "l"),
    ("i", "j"),
    ("l", "t"),
    ("f", "t"),
    ("h", "b"),
    ("n", "h"),
    ("n", "u"),
    ("v", "y"),
    ("g", "q"),
)
CONFUSIONS = LOOK_ALIKES + tuple((b, a) for a, b in LOOK_ALIKES)
MIN_CORRECTED_LENGTH = 3  # shorter non-words have too many neighbours to settle
JUNK_INSIDE = "|{}[]<>@#^*_=~\\" + APOSTROPHES + '“”".'  # what a speck between two words is read as
JUNK_EDGE = "|{}<>@#^*_=~\\`"  # never at either end of a word
OPENING_QUOTES = "‘“\"'`"
CLOSING_QUOTES = "’”\"'"
SENTENCE_END = re.compile(r"[.!?][\"'’”)\]]*$")
# Abbreviations a period follows without ending the sentence (or, glued to the next word, without being junk).
ABBREVIATIONS = frozenset({"dr", "mr", "mrs", "ms", "st", "jr", "sr", "vs", "no", "fig", "vol", "ref", "ext", "approx"})
PROSE_TOKENS = 5  # names, addresses and agencies are shorter
PROSE_SHARE = 0.7  # of the words with a verdict, this share at least are English
JUNK_BETWEEN = re.compile(
    r"^(?P<pre>[(\[\"'‘“]*)(?P<left>[A-Za-z]+)(?P<junk>[^A-Za-z0-9\s-]{1,2})(?P<right>[A-Za-z]+|[0-9]+)"
    r"(?P<post>[.,;:!?)\]\"'’”]*)$"
)


@functools.cache
def _lexicon() -> tuple[frozenset[str], frozenset[str]]:
    """The word list's common words (lower case) and proper nouns (capitalized) apart: "park" and "Park"."""
    entries = word_list()
    return frozenset(w for w in entries if w.islower()), frozenset(w for w in entries if w[:1].isupper())


def is_prose(words: Sequence[Word]) -> bool:
    """Whether a reading is English running text (a narrative, a diagnosis list's words) rather than a name or an
    address: the word list is a language model only where the text is language."""
    verdicts = [english_word(w.text) for w in words]
    said = [v for v in verdicts if v is not None]
    tokens = sum(any(ch.isalpha() for ch in w.text) for w in words)
    return tokens >= PROSE_TOKENS and len(said) > 0 and sum(said) >= PROSE_SHARE * len(said)


def proofread(lines: Sequence[Sequence[Word]]) -> list[list[Word]]:
    """Each line's words with the slips corrected that only one reading explains (see the module's docstring)."""
    closed = any(w.text[1:].rstrip(".,;:!?)]").endswith(tuple(CLOSING_QUOTES)) for line in lines for w in line)
    out: list[list[Word]] = []
    previous: str | None = None
    for line in lines:
        fixed: list[Word] = []
        for word in line:
            for part in _split_junk(_strip_edge_junk(word, opening_ok=closed)):
                part = _restore_case(_look_alike(part, previous), previous)
                fixed.append(part)
                previous = part.text
        out.append(fixed)
    return _closed_by_period(_without_stray_periods(out))


def _without_stray_periods(lines: list[list[Word]]) -> list[list[Word]]:
    """A speck on the baseline after a word reads as a period: 'mailed. on', 'Our. staff', 'education..'. A sentence
    does not end before a small letter or a digit, and a word does not end in two periods."""
    words = [w for line in lines for w in line]
    following = {id(w): nxt for w, nxt in pairwise(words)}
    out = []
    for line in lines:
        fixed = []
        for w in line:
            text = w.text[:-1] if w.text.endswith("..") and not w.text.endswith("...") else w.text
            nxt = following.get(id(w))
            head = text[:-1]
            if (
                nxt is not None
                and text.endswith(".")
                and len(head) > 1
                and head.isalnum()
                and head.casefold() not in ABBREVIATIONS
                and (nxt.text[:1].islower() or nxt.text[:1].isdigit())
            ):
                text = head
            fixed.append(_changed(w, text))
        out.append(fixed)
    return out


def _closed_by_period(lines: list[list[Word]]) -> list[list[Word]]:
    """A paragraph ends with a period, not a comma or semicolon: at fax resolution a period with a speck under it
    reads as one (measured on the dev family, 'community,' for 'community.')."""
    last = next((line for line in reversed(lines) if line), None)
    if last is not None and len(last[-1].text) > 1 and last[-1].text[-1] in ",;" and last[-1].text[-2].isalnum():
        last[-1] = _changed(last[-1], last[-1].text[:-1] + ".")
    return lines


def _changed(word: Word, text: str) -> Word:
    return word if text == word.text else Word(text, min(word.confidence, CORRECTED))


def _strip_edge_junk(word: Word, *, opening_ok: bool) -> Word:
    """Junk glued to a word's end ("a@"), or an opening quote that nothing closes ("‘On"), taken off when what is
    left is a word."""
    text = word.text
    lead = OPENING_QUOTES + JUNK_EDGE if not opening_ok else JUNK_EDGE
    core = text.lstrip(lead).rstrip(JUNK_EDGE)
    if core and core != text and english_word(core) is True:
        return _changed(word, core)
    return word


def _split_junk(word: Word) -> list[Word]:
    """A speck read as punctuation between two words ("sees|a", "at'a", "referral.to", "type.2"): the two words,
    when the mark makes no legitimate form there."""
    m = JUNK_BETWEEN.match(word.text)
    if m is None or english_word(word.text) is True:
        return [word]
    left, junk, right = m["left"], m["junk"], m["right"]
    if not _is_word(left) or not (_is_word(right) or (right.isdigit() and "." in junk)):
        return [word]
    if not _junk_between(left, junk, right):
        return [word]
    conf = min(word.confidence, CORRECTED)
    return [Word(m["pre"] + left, conf), Word(right + m["post"], conf)]


def _is_word(text: str) -> bool:
    return text.isalpha() and text.casefold() in english_words()


def _junk_between(left: str, junk: str, right: str) -> bool:
    """Whether a mark between two words is junk rather than part of a legitimate form."""
    if all(ch in APOSTROPHES for ch in junk):  # a contraction or possessive ("member's", "don't"), a name (O'Neil)
        return len(left) > 1 and right.casefold() not in CONTRACTION_ENDINGS
    if junk == ".":  # not initials, abbreviations (Dr.Smith, No.2), a run-on sentence (visit.The), a file name
        return len(left) > 1 and left.islower() and left not in ABBREVIATIONS and (right.islower() or right.isdigit())
    return all(ch in JUNK_INSIDE for ch in junk)


def _look_alike(word: Word, previous: str | None) -> Word:
    """A non-word one look-alike letter (or two) away from exactly one word ("aione": alone): that word. Lower case
    words only, or a capitalized one at a sentence's start: a capital mid-sentence is a name, capitals an acronym."""
    m = re.fullmatch(r"([(\[\"'‘“]*)([A-Za-z]+)([.,;:!?)\]\"'’”]*)", word.text)
    if m is None or len(m[2]) < MIN_CORRECTED_LENGTH:
        return word
    core = m[2]
    common, proper = _lexicon()
    title = core[0].isupper() and core[1:].islower() and _sentence_start(previous) is True
    if not (core.islower() or title) or _inflected(core.lower()):
        return word
    if core.lower() in common or core in proper:  # a word as written ("twa" is none: the list has only "TWA")
        return word
    candidates = _candidates(core.lower())
    if len(candidates) != 1:
        return word
    (found,) = candidates
    return _changed(word, m[1] + (found.capitalize() if title else found) + m[3])


def _candidates(text: str) -> set[str]:
    """The common words one look-alike letter away. A listed word without a vowel is an abbreviation ("tbs"), never
    what a misread word meant."""
    common, _ = _lexicon()
    return {c for c in _substitutions(text) if c in common and any(v in c for v in "aeiouy")}


INFLECTIONS = (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"), ("ly", ""))


def _inflected(text: str) -> bool:
    """A plural or inflection of a listed word ("severities"): a word the list lacks, not a misreading."""
    common, _ = _lexicon()
    return any(
        text.endswith(ending) and len(text) > len(ending) + 2 and text[: -len(ending)] + stem in common
        for ending, stem in INFLECTIONS
    )


def _substitutions(text: str) -> set[str]:
    out: set[str] = set()
    for i in range(len(text)):
        for seen, meant in CONFUSIONS:
            if text.startswith(seen, i):
                out.add(text[:i] + meant + text[i + len(seen) :])
    return out


def _restore_case(word: Word, previous: str | None) -> Word:
    """The case another witness saw, when the only difference is a size-ambiguous initial ("Staff" or "staff") and
    the sentence calls for it: small mid-sentence (unless a proper noun), capital at a sentence's start."""
    other = word.other_case
    if other is None or other == word.text or other[1:] != word.text[1:] or other[:1].casefold() not in SIZE_AMBIGUOUS:
        return word
    common, proper = _lexicon()
    start = _sentence_start(previous)
    core, lowered = word.text.strip(".,;:!?()[]\"'’”‘“"), other[:1].islower()
    if lowered and start is False and core.lower() in common and core not in proper:
        return _changed(word, other)
    if not lowered and start is True and core.lower() in common:
        return _changed(word, other)
    return word


def _sentence_start(previous: str | None) -> bool | None:
    """Whether the next word starts a sentence: True, False, or None where it cannot be told (after a colon or an
    abbreviation's period)."""
    if previous is None:
        return True
    if previous.endswith(":"):
        return None
    if SENTENCE_END.search(previous):
        stem = previous.rstrip(".!?\"'’”)]").lstrip("(\"'‘“")
        return None if stem.casefold() in ABBREVIATIONS or len(stem) == 1 else True
    return False
