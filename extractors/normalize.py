"""Parse and normalize field values as FORMS.md defines them. Pure functions; none raises on any string."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from faxintake.catalog import FieldType

MONTHS = {
    m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)
}
# OCR often reads these letters inside digit groups.
DIGIT_LOOKALIKES = str.maketrans(
    {
        "O": "0",
        "o": "0",
        "D": "0",
        "Q": "0",
        "@": "0",  # a slashed or dotted zero (monospaced faces, typewriters)
        "I": "1",
        "l": "1",
        "|": "1",
        "i": "1",
        "Z": "2",
        "S": "5",
        "s": "5",
        "B": "8",
        "g": "9",
    }
)


@dataclass(frozen=True)
class Normalized:
    value: str | bool
    valid: bool
    codes: tuple[str, ...] | None = None


def edit_distance(a: str, b: str) -> int:
    """Levenshtein: the fewest characters put in, left out or changed to make `a` into `b`."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def collapse_whitespace(text: str) -> str:
    return " ".join(text.split())


def strip_accents_fold(text: str) -> str:
    """Key for name matching: case, spaces, punctuation and accents ignored ('Núñez-Ortiz ' -> 'nunezortiz')."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isalnum() and not unicodedata.combining(ch)).lower()


def alnum_count(text: str) -> int:
    """How many letters and digits a reading has (what two readings of one box are compared by)."""
    return sum(ch.isalnum() for ch in text)


def likeness(a: str, b: str) -> float:
    """How alike two strings are: 1 less their edit distance in the longer one's characters."""
    return 1 - edit_distance(a, b) / max(len(a), len(b), 1)


def date_spellings(when: date, *, worded: bool = True) -> list[str]:
    """How `when` may be written in the styles FORMS.md's `date` allows: month, day and year in that order, with or
    without leading zeros, '/', '-' or '.' between them, the year in four digits or two; with `worded`, also
    'Jan 5, 2026' and 'January 5 2026'. Slashes first: the commonest."""
    year = f"{when.year}"
    numeric = [
        f"{m}{sep}{d}{sep}{y}"
        for sep in "/-."
        for y in (year, year[2:])
        for m in (f"{when.month:02d}", f"{when.month}")
        for d in (f"{when.day:02d}", f"{when.day}")
    ]
    words = [f"{name} {when.day}{comma} {year}" for name in (f"{when:%b}", f"{when:%B}") for comma in (",", "")]
    return list(dict.fromkeys(numeric + words if worded else numeric))


def phone_spellings(phone: str) -> list[str]:
    """How `phone` ('831-555-0147') may be written in the styles FORMS.md's `phone` allows, the commonest first."""
    area, exchange, line = phone.split("-")
    return [f"{area}-{exchange}-{line}", f"({area}) {exchange}-{line}", f"{area}.{exchange}.{line}"]


def _make(y: int, m: int, d: int, two_digit: bool, received: date | None, is_dob: bool) -> date:
    """A two-digit year is 20YY, except a date of birth: the latest such date not after the received date."""
    if not two_digit:
        return date(y, m, d)
    if not is_dob:
        return date(2000 + y, m, d)
    limit = received or date.today()
    century = limit.year - limit.year % 100
    try:
        candidate = date(century + y, m, d)
    except ValueError:  # Feb 29 in a year that has none: fall back a century
        return date(century - 100 + y, m, d)
    return candidate if candidate <= limit else date(century - 100 + y, m, d)


def parse_date(text: str, *, received: date | None = None, is_dob: bool = False) -> date | None:
    """MM/DD/YYYY, M/D/YY, MM-DD-YYYY, M.D.YYYY, ISO, 'Jan 5, 2026', '5 Jan 2026'; None when it is no date."""
    s = collapse_whitespace(text).strip(" .,;:-|_")
    if not s:
        return None
    numeric = re.fullmatch(
        r"([0-9OoIl|SB@]{1,2})\s*[/\-.]\s*([0-9OoIl|SB@]{1,2})\s*[/\-.]\s*([0-9OoIl|SB@]{2}|[0-9OoIl|SB@]{4})", s
    )
    try:
        if numeric:
            m, d, y = (g.translate(DIGIT_LOOKALIKES) for g in numeric.groups())
            return _make(int(y), int(m), int(d), len(y) == 2, received, is_dob)
        iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", s)
        if iso:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        # The comma after the day is a few pixels: a fax loses it or leaves a period ('Nov 1. 2026').
        words = re.fullmatch(r"([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?[,.]?\s+(\d{4}|\d{2})", s)
        if words and words.group(1)[:3].lower() in MONTHS:
            y = words.group(3)
            month = MONTHS[words.group(1)[:3].lower()]
            return _make(int(y), month, int(words.group(2)), len(y) == 2, received, is_dob)
        dmy = re.fullmatch(r"(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})", s)
        if dmy and dmy.group(2)[:3].lower() in MONTHS:
            return date(int(dmy.group(3)), MONTHS[dmy.group(2)[:3].lower()], int(dmy.group(1)))
    except (ValueError, OverflowError):
        return None
    return None


def find_date(text: str, *, received: date | None = None) -> date | None:
    """The first date written anywhere in a line of text."""
    for m in re.finditer(r"\d{1,2}\s*[/\-.]\s*\d{1,2}\s*[/\-.]\s*\d{2,4}|[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{4}", text):
        found = parse_date(m.group(0), received=received)
        if found:
            return found
    return None


def format_phone(text: str) -> str | None:
    digits = re.sub(r"\D", "", text.translate(DIGIT_LOOKALIKES) if re.search(r"\d", text) else text)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        return None
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"


def npi_is_valid(npi: str) -> bool:
    """Luhn over the '80840' prefix and the NPI's 10 digits."""
    if not re.fullmatch(r"\d{10}", npi):
        return False
    total = 0
    for i, ch in enumerate(reversed("80840" + npi)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def normalize_member_id(text: str) -> str | None:
    s = re.sub(r"[\s\-]", "", text).upper()
    if len(s) == 9:
        s = s[:8].translate(DIGIT_LOOKALIKES) + s[8]
    return s if re.fullmatch(r"\d{8}[A-Z]", s) else None


ICD10 = re.compile(r"(?<![A-Za-z0-9.])([A-TV-Z])(\d{2})(?:\.?([0-9A-Z]{1,4}))?(?![A-Za-z0-9])")


def find_icd10_codes(text: str) -> tuple[str, ...]:
    """ICD-10-CM codes in free text, upper case with the dot: 'e119 and J45.40' -> ('E11.9', 'J45.40')."""
    found: list[str] = []
    for m in ICD10.finditer(text.upper()):
        letter, head, tail = m.groups()
        code = f"{letter}{head}" + (f".{tail}" if tail else "")
        if code not in found:
            found.append(code)
    return tuple(found)


def repair_icd10_text(text: str) -> str:
    """Undo OCR's usual slips on codes in a diagnosis list: 'I10' read as '110' or '|10', 'F03' as 'FO3' or 'FQ3',
    'E11' as '£11' (or 'E£11'), 'E11.9' as 'E11 9', 'E11 .9' or 'E11,9'."""

    def fix(m: re.Match[str]) -> str:
        letter, digits, tail = m.group(1), m.group(2), m.group(3) or ""
        letter = {"1": "I", "l": "I", "|": "I", "!": "I", "(": "I", "0": "O", "5": "S", "8": "B", "£": "E"}.get(
            letter, letter
        )
        digits = digits.translate(DIGIT_LOOKALIKES)
        tail = re.sub(r"^(?: \.?|,)", ".", tail).replace("@", "0")
        return f"{letter.upper()}{digits}{tail}"

    return re.sub(
        # The two characters after the letter are digits: O for 0 anywhere; Q or D only beside a real digit. A
        # comma for the dot only before digits, as a list's comma is followed by a space.
        r"(?<![\w.])(?:E(?=£))?([A-TV-Za-tv-z1l|!(£])([0-9Oo@]{2}|[0-9][QD]|[QD][0-9])"
        r"(\.[0-9A-Za-z@]{1,4}(?=[\s,;]|$)| \.?[0-9@][0-9A-Za-z@]{0,3}(?=[\s,;]|$)|,[0-9]{1,4}(?=\s|$)|\.[0-9A-Za-z@]{1,4})?"
        r"(?=[\s,;]|$)",
        fix,
        text,
    )


def age_on(dob: date, on: date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def name_initials(name: str) -> str:
    """'Rivera, Ana' or 'Ana Rivera' -> 'A.R.' (first name's initial first)."""
    if "," in name:
        last, _, first = name.partition(",")
        parts = [*first.split(), *last.split()[:1]]
    else:
        words = name.split()
        parts = [*words[:1], *words[-1:]] if len(words) > 1 else words
    return "".join(f"{p[0].upper()}." for p in parts if p and p[0].isalpha())


def normalize(field_type: FieldType, raw: str, *, received: date | None = None, is_dob: bool = False) -> Normalized:
    """A text-like field's normalized value; an unparsable value keeps the text as read with valid=False."""
    if field_type in (FieldType.CHECKBOX, FieldType.CHOICE, FieldType.SIGNATURE):
        raise ValueError(f"{field_type} is decided from marks, not text")
    text = collapse_whitespace(raw)
    if not text:
        return Normalized("", True, () if field_type is FieldType.ICD10_LIST else None)
    if field_type is FieldType.DATE:
        d = parse_date(text, received=received, is_dob=is_dob)
        return Normalized(d.isoformat(), True) if d else Normalized(text, False)
    if field_type is FieldType.PHONE:
        p = format_phone(text)
        return Normalized(p, True) if p else Normalized(text, False)
    if field_type is FieldType.NPI:
        digits = re.sub(r"[\s\-]", "", text).translate(DIGIT_LOOKALIKES)
        return Normalized(digits, True) if npi_is_valid(digits) else Normalized(text, False)
    if field_type is FieldType.MEMBER_ID:
        cin = normalize_member_id(text)
        return Normalized(cin, True) if cin else Normalized(text, False)
    if field_type is FieldType.ICD10_LIST:
        text = repair_icd10_text(text)
        return Normalized(text, True, find_icd10_codes(text))
    return Normalized(text, True)
