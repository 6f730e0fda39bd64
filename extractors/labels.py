"""Read fields on pages without a fixed layout (cover sheets, letters): find the printed label, take the words after it.

The same matcher finds a form's printed labels on a page that did not register (`find_labels`, used by
extractors/read_by_labels.py): there anywhere on a line, tolerant of OCR slips, and Chinese labels matched
character by character.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from extractors.normalize import alnum_count, date_spellings, edit_distance, find_date, format_phone, parse_date
from extractors.proofread import ABBREVIATIONS
from faxintake.model import FieldRead


@dataclass(frozen=True)
class Word:
    text: str
    confidence: float
    box: tuple[float, float, float, float]  # pixels


def lines_of(words: list[Word]) -> list[list[Word]]:
    """Words grouped into text lines, top to bottom, each left to right."""
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: ((w.box[1] + w.box[3]) / 2, w.box[0])):
        mid = (w.box[1] + w.box[3]) / 2
        if lines:
            last = lines[-1]
            height = max(b.box[3] - b.box[1] for b in last)
            if abs(mid - sum((b.box[1] + b.box[3]) / 2 for b in last) / len(last)) < height * 0.6:
                last.append(w)
                continue
        lines.append([w])
    return [sorted(line, key=lambda w: w.box[0]) for line in lines]


def wrapped_lines(words: list[Word]) -> list[list[Word]]:
    """Runs of words that a label printed on two lines makes: a line's words from one word on, then the next line's
    from the word right under it (a label wrapped in its column: "Referring provider /" over "staff name")."""
    lines = lines_of(words)
    out: list[list[Word]] = []
    for upper, lower in itertools.pairwise(lines):
        height = max(w.box[3] - w.box[1] for w in upper)
        if min(w.box[1] for w in lower) - max(w.box[3] for w in upper) > 0.8 * height:
            continue
        for i, start in enumerate(upper):
            under = [j for j, w in enumerate(lower) if abs(w.box[0] - start.box[0]) < 0.6 * height]
            if under and (i == 0 or start.box[0] - upper[i - 1].box[2] > 1.2 * height):
                out.append(_run(upper[i:], height) + _run(lower[under[0] :], height))
    return out


def _run(words: list[Word], height: float) -> list[Word]:
    """The words up to the first gap wider than a few letters (the label's end, its value's start)."""
    for n in range(1, len(words)):
        if words[n].box[0] - words[n - 1].box[2] > 1.2 * height:
            return words[:n]
    return words


def _token(text: str) -> str:
    return re.sub(r"[^\w#()]+$", "", text.lower()).strip()


def _value_tokens(label: str) -> list[str]:
    """A cover's or letter's label as the tokens a line's words are matched against."""
    return [_token(t) for t in label.split()]


# A label's tokens, and the line position where a label ended up matched: (first token, end token, key, score).
Known = list[tuple[tuple[str, ...], str | None]]
Match = tuple[int, int, str | None, float]
# Whether a label's tokens are read at a position of the line's tokens: where its match ends, and how well.
Matcher = Callable[[tuple[str, ...], list[str], int], tuple[int, float] | None]


def _exact(label: tuple[str, ...], tokens: list[str], i: int) -> tuple[int, float] | None:
    seen = tokens[i : i + len(label)]
    if tuple(seen) == label:
        return i + len(label), 1.0
    if seen and tuple(seen[1:]) == label[1:] and _boxed(seen[0], label[0]):
        return i + len(label), MISREAD_LABEL
    return None


BOX_CORNER = "(‘'`\"|[{"  # a box's corner or side read before the label it frames: "(DATE", "‘TTo"
BOX_SIDE_AS_LETTER = "til1"


def _boxed(seen: str, printed: str) -> bool:
    """Whether `seen` is the label's first word with its box's corner or side read in front of it."""
    if printed[:1] in BOX_CORNER or len(printed) < 2:
        return False
    bare = seen.lstrip(BOX_CORNER)
    return bare == printed or (len(bare) == len(printed) + 1 and bare[0] in BOX_SIDE_AS_LETTER and bare[1:] == printed)


def _scan(tokens: list[str], known: Known, match: Matcher, accept: Callable[[int, int], bool]) -> list[Match]:
    """Labels along one line, left to right, each taking its tokens: the longest label that matches wins."""
    starts: list[Match] = []
    i = 0
    while i < len(tokens):
        best: Match | None = None
        longest = 0
        for label, key in known:  # longest first: "From fax" before "From"
            if best is not None and len(label) < longest:
                break
            found = match(label, tokens, i)
            if found is not None and accept(i, found[0]) and (best is None or found[1] > best[3]):
                best, longest = (i, found[0], key, found[1]), len(label)
        if best is not None:
            starts.append(best)
            i = best[1]
        else:
            i += 1
    return starts


UNDER_A_PARTY = "?"  # marks a label that is a field's only when printed under the sender's label (party_labels)


def _known(
    labels: Mapping[str, list[str]],
    other_labels: list[str] | None,
    tokens: Callable[[str], list[str]],
    party_labels: Mapping[str, list[str]] | None = None,
) -> Known:
    known: Known = []
    for field, variants in labels.items():
        known += [(tuple(tokens(t)), field) for t in variants]
    for field, variants in (party_labels or {}).items():
        known += [(tuple(tokens(t)), UNDER_A_PARTY + field) for t in variants]
    known += [(tuple(tokens(t)), None) for t in other_labels or []]
    known = [k for k in known if k[0]]
    known.sort(key=lambda k: -len(k[0]))
    return known


MISREAD_LABEL = 0.85  # a value found by a label read one letter off: not sure enough to be taken unseen


def _misread_label(token: str, known: Known) -> tuple[str | None] | None:
    """The one-word label a line's first word ending in a colon is, read one letter off ("Ta:" for "To:"), when
    exactly one label of that length is one letter away; None when none or several are."""
    near = {
        key
        for label, key in known
        if len(label) == 1
        and len(label[0]) == len(token) >= 2
        and sum(a != b for a, b in zip(label[0], token, strict=True)) == 1
    }
    return (near.pop(),) if len(near) == 1 else None


COLON_AS_LETTER = "ril1"  # what Tesseract makes of a label's colon run into it ("Tor" for "To:")


def _colon_read_as_letter(token: str, known: Known) -> tuple[str | None] | None:
    """The one-word label a line's first word is, its colon read as a letter ("Tor" for "To:"); None when none."""
    if len(token) < 3 or token[-1] not in COLON_AS_LETTER:
        return None
    near = {key for label, key in known if label == (token[:-1],)}
    return (near.pop(),) if len(near) == 1 else None


VALUE_EDGE_JUNK = " :;,.|_-'`\"“”‘’©—–~[]"  # bits of the label's colon, the rule under the value, quotes, a box
QUOTES = "'`\"“”‘’"
# A quote mark before a capital, with no other in the value: a speck or a rule's end ('Case ‘Management').
STRAY_QUOTE = re.compile(rf"(?<!\S)[{QUOTES}](?=[A-Z])")
JUNK_CONFIDENCE = 0.6
JUNK_AROUND = 0.85  # a value found inside a reading with junk around it


def _without_leading_junk(words: list[Word]) -> list[Word]:
    """A value's words without what OCR made of the marks between label and value: an unsure leading word with no
    letter or digit, or of one or two characters starting in lower case ("co,", "oO"; never "Dr.")."""
    while len(words) > 1 and words[0].confidence < JUNK_CONFIDENCE:
        core = words[0].text.strip(VALUE_EDGE_JUNK)
        if any(c.isalnum() for c in core) and not (len(core) <= 2 and core[0].islower()):
            break
        words = words[1:]
    return words


RULE_GLYPHS = "|[]{}!"  # a table's rule read as a word of its own


def without_rule_glyphs(words: list[Word]) -> list[Word]:
    """The words that are not a table's rule read as a glyph ('SENT  |  SEND TO'): left in, the rule would part a
    label from the gap before it that makes it a cell's."""
    return [w for w in words if w.text.strip(RULE_GLYPHS + " ")]


def read_by_labels(
    words: list[Word],
    labels: dict[str, list[str]],
    other_labels: list[str] | None = None,
    party_labels: dict[str, list[str]] | None = None,
    parties: tuple[str, str] | None = None,
    numeric: frozenset[str] = frozenset(),
) -> dict[str, FieldRead]:
    """For each field, the words after its label on the same line, up to the next known label; a label with nothing
    after it (a cover whose labels head boxes or table cells) takes the words just below it, in its own column.
    A label of `party_labels` ('Fax', 'Phone') is its field's when printed under the sender's label, another
    party's when under the recipient's (`parties`: the sender's field and the recipient's). A field of `numeric`
    (a date, a count, a number) has no value without a digit: words after its label with none are the rest of a
    label ('DATE SENT' over the cell's date), and the value is looked for below."""
    words = without_rule_glyphs(words)
    known = _known(labels, other_labels, _value_tokens, party_labels)
    found: dict[str, FieldRead] = {}
    seen_parties: list[tuple[float, str]] = []  # (left edge, party field) of the party labels so far
    unowned: dict[str, float] = {}  # fields found by a party label under no party (-> its left edge): not sure
    lines = lines_of(words)
    for row, line in enumerate(lines):
        tokens = [_token(w.text) for w in line]
        height = max(w.box[3] - w.box[1] for w in line)

        def label_can_start(i: int, end: int, line: list[Word] = line, height: float = height) -> bool:
            # at the line's start, after a colon, or after a gap as wide as a column's (labels set side by side)
            return i == 0 or ends_label(line[end - 1].text) or _column_gap(line, i, height)

        def within_column(
            label: tuple[str, ...], tokens: list[str], i: int, line: list[Word] = line, height: float = height
        ) -> Match1:
            found = _exact(label, tokens, i)
            if found is None or any(_column_gap(line, j, height) for j in range(i + 1, found[0])):
                return None  # "FAX  FROM": two cells' labels side by side, not the label "Fax from"
            return found

        starts = _scan(tokens, known, within_column, label_can_start)
        if not starts or starts[0][0] > 0:
            misread = (
                _misread_label(tokens[0], known)
                if ends_label(line[0].text)
                else _colon_read_as_letter(tokens[0], known)
            )
            if misread is not None:
                starts.insert(0, (0, 1, misread[0], MISREAD_LABEL))
        for n, (start, end, label_of, score) in enumerate(starts):
            by_party = label_of is not None and label_of.startswith(UNDER_A_PARTY)
            under = _party_above(line[start].box[0], seen_parties, height) if by_party else None
            if label_of is not None and by_party:
                label_of = None if parties is not None and under == parties[1] else label_of[1:]
            if parties is not None and label_of in parties:
                left = line[start].box[0]
                seen_parties.append((left, label_of))
                if label_of == parties[0]:  # a number above the sender's label in its column was another party's
                    for field, x in list(unowned.items()):
                        if abs(x - left) <= 2 * height:
                            del unowned[field], found[field]
            if label_of is None or (label_of in found and label_of not in unowned):
                continue
            stop = starts[n + 1][0] if n + 1 < len(starts) else len(line)
            value_words = _value_on_line(
                line[end:stop],
                height,
                ends_label(line[end - 1].text),
                end < stop < len(line) and _column_gap(line, end, height) and not _column_gap(line, stop, height),
            )
            below = 1.0
            wanted = str.isdigit if label_of in numeric else str.isalnum
            if not any(wanted(c) for w in value_words for c in w.text):  # nothing after the label, or a speck
                columns = [line[s[0]].box[0] for s in starts]
                value_words = _value_below(line[start].box[0], columns, height, line, lines[row + 1 : row + 3], known)
                below = BELOW_CONFIDENCE
                if not any(wanted(c) for w in value_words for c in w.text):
                    continue
            text = " ".join(w.text for w in value_words).strip(VALUE_EDGE_JUNK)
            if sum(text.count(q) for q in QUOTES) == 1:
                text = STRAY_QUOTE.sub("", text)
            if by_party and not _a_number(text):
                continue  # a title ('FAX TRANSMISSION', 'FAX' over the sender's address), not a number's label
            if text and (label_of not in found or not by_party or (label_of in unowned and under is not None)):
                conf = min([w.confidence for w in value_words] + [score]) * below
                found[label_of] = FieldRead(value=text, confidence=round(conf, 3), raw=text)
                if by_party and under is None:  # under no party read: the sender's unless a label says so later
                    unowned[label_of] = line[start].box[0]
                else:
                    unowned.pop(label_of, None)
    return found


PARTY_NUMBER_DIGITS = 7  # a 'Fax' or 'Phone' label's value is a number: seven digits at least, and mostly digits


def _a_number(text: str) -> bool:
    digits = sum(c.isdigit() for c in text)
    return digits >= PARTY_NUMBER_DIGITS and digits >= 0.7 * sum(c.isalnum() for c in text)


def _value_on_line(
    words: list[Word], height: float, label_has_colon: bool, runs_into_a_label: bool = False
) -> list[Word]:
    """The words of a label's value on its own line: after the rest of the label up to its colon ('From office:'
    where 'From' is known), and up to the next cell (a column's gap). A run a column's gap after its label that
    ends in a colon or runs into the next label is another cell's label ('Subject:   Office phone:', 'Phone' known,
    both values on the line below), no value."""
    words = _without_leading_junk(words)
    if not label_has_colon:
        colon = next((k for k, w in enumerate(words[:LABEL_REST_WORDS]) if ends_label(w.text, or_semicolon=True)), None)
        if colon is not None and not any(_column_gap(words, n, height) for n in range(1, colon + 1)):
            words = words[colon + 1 :]
    first = next((k for k, w in enumerate(words) if any(c.isalnum() for c in w.text)), len(words))  # past specks
    cell = next((n for n in range(first + 1, len(words)) if _column_gap(words, n, height)), len(words))
    words = words[:cell]
    if words and (ends_label(words[-1].text) or (runs_into_a_label and cell == len(words) and first < cell)):
        return []
    return words


LABEL_REST_WORDS = 4  # 'To the attention of:' where 'To' is known, 'Sender's phone no.:' where 'Sender's phone' is


def ends_label(text: str, *, or_semicolon: bool = False) -> bool:
    """Whether a word ends a label: its colon, with a speck after it ('no.:.'); where a label's rest is looked for,
    its colon read as a semicolon too ('Pages (with cover);')."""
    return text.rstrip(".,'`_-").endswith((":", ";") if or_semicolon else ":")


def _party_above(left: float, seen: list[tuple[float, str]], height: float) -> str | None:
    """Whose a 'Fax' or 'Phone' label is: the party label last printed above it in its own column ('To', then
    'Fax'; a cover of two columns, the recipient's and the sender's), else the last one before it (a table of two
    cells a row: 'TO' right of 'DATE', then 'FAX' under 'DATE')."""
    in_column = [party for x, party in seen if abs(x - left) <= 2 * height]
    parties = in_column or [party for _, party in seen]
    return parties[-1] if parties else None


COLUMN_GAP = 2.5  # line heights between two words that makes the second start a column of its own
Match1 = tuple[int, float] | None


def _column_gap(line: list[Word], i: int, height: float) -> bool:
    """Whether word `i` of the line starts a column of its own (a gap of several letters before it)."""
    return line[i].box[0] - line[i - 1].box[2] > COLUMN_GAP * height


BELOW_CONFIDENCE = 0.95  # a value taken from under its label: its place is a layout guess, if a good one


def _value_below(
    left: float, columns: list[float], height: float, line: list[Word], below: list[list[Word]], known: Known
) -> list[Word]:
    """The words under a label that stand in its column, on the first line right below it that has any there (a
    speck between makes a line of its own); up to a word that is a label itself. `columns`: where the labels on the
    label's line start. A run of words (split where a column's gap parts them) is the column's whose label starts
    nearest it: a hand-printed value starts where the hand puts it, a little left of its label or right."""
    labels = {label[0] for label, _ in known if len(label) == 1}
    for under in below:
        # Measured in the taller line's letters: a short label ("To", no ascender or descender) heads a box set
        # as far below it as "Date" does.
        letters = max(height, max(w.box[3] - w.box[1] for w in under))
        if min(w.box[1] for w in under) - max(w.box[3] for w in line) > 1.6 * letters:
            return []
        out: list[Word] = []
        for run in _runs(under, height):
            nearest = min(columns, key=lambda c: abs(run[0].box[0] - c))
            if nearest != left or run[-1].box[2] <= left - height:
                continue
            if _a_label(run, known):
                return []  # the next label's row: this label's value was left empty
            for w in run:
                if _token(w.text) in labels and ends_label(w.text):
                    break
                out.append(w)
        if any(c.isalnum() for w in out for c in w.text):
            return _without_leading_junk(out)
    return []


def _a_label(run: list[Word], known: Known) -> bool:
    """Whether a run of words starts with a label of its own: a known label ending in a colon or all the run, or a
    few words ending in a colon before any digit (a label we do not know: "Recipient's fax: (831) ...")."""
    tokens = [_token(w.text) for w in run]
    for label, _ in known:
        end = len(label)
        if tuple(tokens[:end]) == label and (end == len(tokens) or ends_label(run[end - 1].text)):
            return True
    for w in run[:LABEL_REST_WORDS]:
        if any(c.isdigit() for c in w.text):
            return False
        if ends_label(w.text):
            return True
    return False


def _runs(line: list[Word], height: float) -> list[list[Word]]:
    """The line's words in runs a column's gap apart."""
    runs = [[line[0]]]
    for i in range(1, len(line)):
        if _column_gap(line, i, height):
            runs.append([])
        runs[-1].append(line[i])
    return runs


@dataclass(frozen=True)
class LabelHit:
    """Where a printed label was found: its words (first line only for a label printed on several) and how well
    they matched (1.0: every token as printed)."""

    key: str
    words: tuple[Word, ...]
    similarity: float

    @property
    def box(self) -> tuple[float, float, float, float]:
        return (
            min(w.box[0] for w in self.words),
            min(w.box[1] for w in self.words),
            max(w.box[2] for w in self.words),
            max(w.box[3] for w in self.words),
        )


_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")


def has_chinese(text: str) -> bool:
    return _CJK.search(text) is not None


def label_tokens(text: str) -> list[str]:
    """Tokens a label is matched by: runs of letters and digits folded (case, accents), so that "Medi-Cal" read as
    "Medi Cal" still matches; Chinese one character each."""
    folded = "".join(ch for ch in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(ch))
    out: list[str] = []
    for run in re.findall(r"\w+", folded):
        out += [part for part in re.split(f"({_CJK.pattern})", run) if part and part != "_"]
    return out


MIN_LABEL_SIMILARITY = 0.8  # "appomtment" for "appointment", "famthe" for "I am the", one Chinese character in six


class _Fuzzy:
    """A label matches where the line's tokens, run together, spell it but for OCR slips (a word split or run into
    the next one counts little); a one-word label must be read exactly, and so must a label's numbers and other
    numbers ("date 1" is no "date 2")."""

    def __init__(self) -> None:
        self._matchers: dict[str, difflib.SequenceMatcher[str]] = {}

    def __call__(self, label: tuple[str, ...], tokens: list[str], i: int) -> tuple[int, float] | None:
        if len(label) == 1:
            return (i + 1, 1.0) if tokens[i] == label[0] else None
        if not _same_start(label[0], tokens[i]):  # a mark or a speck read before the label is not part of it
            return None
        want = "".join(label)
        matcher = self._matchers.get(want)
        if matcher is None:
            matcher = self._matchers[want] = difflib.SequenceMatcher(None, b=want, autojunk=False)
        best: tuple[int, float] | None = None
        length = 0
        for end in range(i + 1, min(len(tokens), i + len(label) + 2) + 1):
            length += len(tokens[end - 1])
            if end - i == 1 and len(label) >= 3:  # three words are not one word read ("medical" for "Medi-Cal CIN")
                continue
            if length < 0.7 * len(want):
                continue
            if length > 1.3 * len(want):
                break
            matcher.set_seq1("".join(tokens[i:end]))
            if matcher.real_quick_ratio() < MIN_LABEL_SIMILARITY or matcher.quick_ratio() < MIN_LABEL_SIMILARITY:
                continue
            score = matcher.ratio()
            if score >= MIN_LABEL_SIMILARITY and (best is None or score > best[1]):
                best = (end, score)
        if best is None:
            return None
        short = [t for t in label if t.isdigit()]
        return best if all(t in tokens[i : best[0]] for t in short) else None


@functools.lru_cache(maxsize=1 << 16)  # the same few hundred label words meet the same page words again and again
def _same_start(want: str, seen: str) -> bool:
    """A label's first word as read: exactly, run into the next word, split, or with a letter or two misread."""
    if want == seen or seen.startswith(want) or (len(seen) >= 2 and want.startswith(seen)):
        return True
    if min(len(want), len(seen)) < 3:
        return False
    return max(difflib.SequenceMatcher(None, want, part).ratio() for part in (seen, seen[: len(want)])) >= 0.6


def find_labels(
    words: list[Word], labels: Mapping[str, str], lines: list[list[Word]] | None = None
) -> dict[str, list[LabelHit]]:
    """Every place each label (key -> printed text) appears, anywhere on a line, OCR slips tolerated; where two
    labels could claim the same words, the longer one takes them ("Member phone" before "Phone"). `lines`: the
    words already grouped in reading order (a label wrapped on two lines, its two parts one after the other)."""
    known = _known({k: [v] for k, v in labels.items()}, None, label_tokens)
    fuzzy = _Fuzzy()
    found: dict[str, list[LabelHit]] = {}
    for line in lines if lines is not None else lines_of(words):
        units = [(t, n) for n, w in enumerate(line) for t in label_tokens(w.text)]
        tokens = [t for t, _ in units]
        for i, end, key, score in _scan(tokens, known, fuzzy, lambda i, end: True):
            assert key is not None
            first, last = units[i][1], units[end - 1][1]
            found.setdefault(key, []).append(LabelHit(key, tuple(line[first : last + 1]), round(score, 3)))
    return found


# Reads the page's text in a box (page pixels): words with boxes in page pixels.
ReadBox = Callable[[tuple[float, float, float, float]], list[Word]]


COVER_PARTIES = ("sender_name", "recipient")
COVER_NUMBERS = frozenset({"sender_fax", "sender_phone", "pages_total", "date"})  # no value without a digit


def cover_fields(
    words: list[Word],
    labels: dict[str, list[str]],
    other_labels: list[str],
    read_box: ReadBox | None = None,
    received: date | None = None,
    party_labels: dict[str, list[str]] | None = None,
) -> dict[str, FieldRead]:
    """Cover sheet fields, normalized: phones as 831-555-0147, the page count as digits, the date ISO. With
    `read_box`, a label the page's reading missed (a value in the values' column, nothing before it) is read again
    on its own. With `received`, a date that does not read as one of the days before it is the one such day a
    character from what was read, if there is one ('41/18/2026'): a cover is dated the day it is sent."""
    words = without_rule_glyphs(words)
    if read_box is not None:
        known = _known(labels, other_labels, _value_tokens, party_labels)
        words = _label_rows_read_again(words, known, read_box)
        words = words + without_rule_glyphs(_missed_labels(words, known, read_box))
    raw = read_by_labels(words, labels, other_labels, party_labels, COVER_PARTIES, COVER_NUMBERS)
    out: dict[str, FieldRead] = {}
    for name in labels:
        r = raw.get(name)
        if r is None:
            out[name] = FieldRead(value="", confidence=0.5)
            continue
        text = str(r.value)
        value, valid = text, True
        if name in ("sender_fax", "sender_phone"):
            phone = format_phone(text)
            value, valid = (phone, True) if phone else (text, False)
        elif name in ("sender_name", "recipient", "subject"):
            value = _without_inner_periods(text)
        elif name == "pages_total":
            m = re.search(r"\d+", text.replace("O", "0"))
            value, valid = (m.group(0), True) if m else (text, False)
        elif name == "date":
            d = parse_date(text)
            if d is None and (d := find_date(text)) is not None:  # a date among junk read beside it
                r = r.model_copy(update={"confidence": r.confidence * JUNK_AROUND})
            if received is not None and (d is None or not received - COVER_DATE_SPAN <= d <= received):
                near = _sending_day(text, received)
                if near is not None:
                    d, r = near, r.model_copy(update={"confidence": min(r.confidence, SENDING_DAY_GUESS)})
            value, valid = (d.isoformat(), True) if d else (text, False)
        out[name] = FieldRead(
            value=value, confidence=r.confidence if valid else min(r.confidence, 0.4), raw=text, valid=valid
        )
    return out


def _without_inner_periods(text: str) -> str:
    """A name or subject without the speck after a word read as a period ('Provider. Services'); an
    abbreviation's stays ('Dr. Tran', 'St. Mary')."""
    words = text.split(" ")
    for i, w in enumerate(words[:-1]):
        head = w[:-1]
        if w.endswith(".") and len(head) > 1 and head.isalpha() and head.casefold() not in ABBREVIATIONS:
            words[i] = head
    return " ".join(words)


COVER_DATE_SPAN = timedelta(days=14)  # a cover is dated the day it is sent; a fax may wait a few days to be read
SENDING_DAY_GUESS = 0.6  # a date taken for a misread one: under the gate, a person looks


def _sending_day(text: str, received: date) -> date | None:
    """The one day of the span before `received` written a character from `text` in a numeric style, or None."""
    written = " ".join(text.split())
    found = set()
    for days in range((COVER_DATE_SPAN.days) + 1):
        d = received - timedelta(days=days)
        if any(edit_distance(form, written) <= 1 for form in date_spellings(d, worded=False)):
            found.add(d)
    return found.pop() if len(found) == 1 else None


LABEL_ROW_WORDS = 6  # a row of cells' labels ('DATE  TO'): a few words, no digit
WHOLE_LINE_AGAIN = 0.6  # a second reading this much of the first one's letters is the line's, not a piece of it


def _label_rows_read_again(words: list[Word], known: Known, read_box: ReadBox) -> list[Word]:
    """The page's words with each short line of letters one of whose cells reads as no label read again,
    enlarged: a table's small capitals over their cells are what Tesseract misreads most at fax resolution ('T pate
    Tro' for 'DATE TO', '[pate sent  [Seno to' for 'DATE SENT  SEND TO'). The new reading replaces the line's only
    where more of its cells start with a label."""
    out: list[Word] = []
    for line in lines_of(words):
        text = "".join(w.text for w in line)
        height = max(w.box[3] - w.box[1] for w in line)
        runs = _runs(line, height)
        labelled = _labelled_runs(runs, known)
        if len(line) <= LABEL_ROW_WORDS and not any(c.isdigit() for c in text) and labelled < len(runs):
            box = (
                min(w.box[0] for w in line) - height,
                min(w.box[1] for w in line) - height / 3,
                max(w.box[2] for w in line) + height,
                max(w.box[3] for w in line) + height / 3,
            )
            again = without_rule_glyphs(read_box(box))
            if (
                again
                and alnum_count("".join(w.text for w in again)) >= WHOLE_LINE_AGAIN * alnum_count(text)
                and _labelled_runs(_runs(sorted(again, key=lambda w: w.box[0]), height), known) > labelled
            ):
                out += again
                continue
        out += line
    return out


def _labelled_runs(runs: list[list[Word]], known: Known) -> int:
    """How many of a line's runs (its cells) start with a label."""
    return sum(
        bool((s := _scan([_token(w.text) for w in run], known, _exact, lambda i, end: True)) and s[0][0] == 0)
        for run in runs
    )


def _missed_labels(words: list[Word], known: Known, read_box: ReadBox) -> list[Word]:
    """The words read again where a cover sheet's label should be: a cover sets its labels in one column and their
    values in another; a line that starts in the values' column had its label missed (bold labels beside a
    value's underline are what Tesseract's page layout drops most)."""
    lines = lines_of(words)
    label_x: list[float] = []
    value_x: list[float] = []
    unlabelled: list[list[Word]] = []
    for line in lines:
        starts = _scan([_token(w.text) for w in line], known, _exact, lambda i, end: True)
        if starts and starts[0][0] == 0:
            label_x.append(line[0].box[0])
            if starts[0][1] < len(line):
                value_x.append(line[starts[0][1]].box[0])
        else:
            unlabelled.append(line)
    if len(value_x) < 2 or not unlabelled:
        return []
    height = sorted(w.box[3] - w.box[1] for w in words)[len(words) // 2]
    left, values = sorted(label_x)[len(label_x) // 2], sorted(value_x)[len(value_x) // 2]
    if values - left < 3 * height:  # no column of values apart from the labels
        return []
    found: list[Word] = []
    for line in unlabelled:
        if abs(line[0].box[0] - values) > height:
            continue
        top, bottom = min(w.box[1] for w in line), max(w.box[3] for w in line)
        found += read_box((left - height / 2, top - height / 3, line[0].box[0] - height / 3, bottom + height / 3))
    return found


def letter_fields(words: list[Word]) -> dict[str, FieldRead]:
    """A member letter: who it is addressed to ('Dear Ana Rivera,') and the first date on it."""
    name = FieldRead(value="", confidence=0.5)
    when = FieldRead(value="", confidence=0.5)
    for line in lines_of(words):
        text = " ".join(w.text for w in line)
        conf = min(w.confidence for w in line)
        if not name.value:
            m = re.match(r"\s*(?:dear|estimado/a|estimado|estimada)\s+(.+?)[,:]?\s*$", text, re.IGNORECASE)
            if m:
                name = FieldRead(value=m.group(1).strip(), confidence=conf, raw=text)
        if not when.value:
            d = parse_date(text)
            if d:
                when = FieldRead(value=d.isoformat(), confidence=conf, raw=text)
    return {"member_name": name, "letter_date": when}
