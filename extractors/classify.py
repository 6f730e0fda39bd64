"""What a page is: one of our forms (which page, which language) by its printed form number and title, else a
supporting page by its words, else `unknown`. Pure functions over text; the caller decides what to OCR."""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass

from extractors.normalize import edit_distance, strip_accents_fold
from faxintake.catalog import load_catalog
from faxintake.catalog.render import form_number
from faxintake.model import SUPPORTING_KINDS

LANGUAGE_SUFFIX = {"": "en", "ES": "es", "ZH": "zh-Hant", "HMN": "hmn"}
SUFFIX_LOOKALIKES = {"S": "[S5s]", "Z": "[Z2z]", "H": "[Hh]", "M": "[MmN]", "N": "[NnM]", "E": "[Ee]"}
# A language suffix as OCR reads it ('2H' for ZH, 'E5' for ES): its pattern, and the language of each pattern.
SUFFIXES = {"".join(SUFFIX_LOOKALIKES.get(c, c) for c in k): v for k, v in LANGUAGE_SUFFIX.items() if k}
LOOKALIKE_LETTERS = {"C": "[CcGeE(]", "M": "[MmN]", "P": "[PpF]", "S": "[S5s]"}


@dataclass(frozen=True)
class PageClass:
    doc_type: str
    language: str | None = None
    form_page: int | None = None
    confidence: float = 1.0
    evidence: str = ""  # what decided it (a form number, a title, keywords): for the audit, never PHI

    @property
    def is_form(self) -> bool:
        return self.doc_type not in (*SUPPORTING_KINDS, "unknown")


@functools.cache
def _form_numbers() -> dict[str, str]:
    return {f.form_number: f.form_id for f in load_catalog().forms}


def _digits(text: str) -> str:
    return text.translate(str.maketrans("OoIl|SB", "0011158"))


def classify_form(text: str, *, by_title: bool = True) -> PageClass | None:
    """Our forms print 'Form CM-110-ES Rev. 2026-01' and 'Page 1 of 2' in the title block and the number in the footer;
    else (`by_title`) their title, from whole lines: a crop of the page's corner holds a title's tail, which may be
    like another form's shorter title ("...ram Referral Form" for "CBAS Referral Form")."""
    compact = re.sub(r"[ \t]+", " ", text)
    for number, form_id in _form_numbers().items():
        prefix, digits = number.split("-")
        loose = "".join(LOOKALIKE_LETTERS.get(ch, ch) for ch in prefix)
        suffix = "|".join(SUFFIXES)
        pattern = rf"{loose}\s?[-–—~=]?\s?([0-9OoIl|SB]{{3}})(?:\s?[-–~=]?\s?({suffix})(?![A-Za-z]))?"
        for m in re.finditer(pattern, compact):
            if _digits(m.group(1)) != digits:
                continue
            written = m.group(2) or ""
            language = next((v for k, v in SUFFIXES.items() if re.fullmatch(k, written)), "en")
            return PageClass(form_id, language, _page_number(compact), 0.98, f"form number {number}")
    return _classify_by_title(compact) if by_title else None


def _page_number(text: str) -> int | None:
    m = re.search(r"Pa[gq]e\s*([0-9Il|]{1,2})\s*o[fl]\s*([0-9Il|]{1,2})", text, re.IGNORECASE)
    if not m:
        return None
    try:
        return max(1, int(_digits(m.group(1))))
    except ValueError:
        return None


PLAN_TITLE_SHARE = 0.6  # of a form title's words a line of a page headed by the plan's name has
PLAN_TITLE_LEAD = 0.3  # ahead of every other form's title
PLAN_FORM = 0.7  # a form known by its title's words alone: read by its labels, every read under the gate


def classify_plan_form(text: str) -> PageClass | None:
    """A page headed by the plan's name whose title, in other words than ours ('Request to Reassign a Member to
    Another PCP'), has most of one form title's words and few of any other's: that form in another revision. A
    letter or a practice's own page is not headed by the plan's name."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    forms = load_catalog().forms
    if not any(_has_plan_name(line, {f.plan_name for f in forms}) for line in lines[:3]):
        return None
    scores: dict[tuple[str, str], float] = {}
    for form in forms:
        for language in form.languages:
            title = _stems(form.title_for(language))
            for line in lines[:8]:
                if title:
                    share = len(title & _stems(line)) / len(title)
                    key = (form.form_id, language)
                    scores[key] = max(scores.get(key, 0.0), share)
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    if not ranked or ranked[0][1] < PLAN_TITLE_SHARE:
        return None
    others = [share for (form_id, _), share in ranked if form_id != ranked[0][0][0]]
    if others and ranked[0][1] - others[0] < PLAN_TITLE_LEAD:
        return None
    (best_form, best_language), _ = ranked[0]
    return PageClass(best_form, best_language, _page_number(text), PLAN_FORM, "plan form by its title's words")


def _has_plan_name(line: str, names: set[str]) -> bool:
    return any(
        difflib.SequenceMatcher(None, name.lower(), line.lower()[: len(name) + 4]).ratio() >= 0.8 for name in names
    )


def _stems(text: str) -> set[str]:
    """A title's words of four letters or more, by their first six ('Reassign' and 'Reassignment' alike)."""
    return {w[:6] for w in re.findall(r"[^\W\d_]{4,}", text.lower())}


def _classify_by_title(text: str) -> PageClass | None:
    lines = [ln.strip() for ln in text.splitlines() if len(ln.strip()) > 8]
    best: tuple[float, str, str] | None = None
    for form in load_catalog().forms:
        for language in form.languages:
            title = form.title_for(language).lower()
            for line in lines[:12]:
                score = difflib.SequenceMatcher(None, title, line.lower()).ratio()
                if best is None or score > best[0]:
                    best = (score, form.form_id, language)
    if best and best[0] >= 0.8:
        return PageClass(best[1], best[2], _page_number(text), round(best[0] * 0.9, 3), "title")
    return None


# A letter greets its reader and is signed off; what it is about does not make it another kind of page (a letter to
# the member that names the Medication Management Agreement is still the letter). In the languages the plan's
# members are written to: English, Spanish, Hmong.
SALUTATIONS = ("dear", "estimado", "estimada", "estimado/a", "estimado(a)", "querido", "querida", "nyob zoo")
CLOSINGS = ("sincerely", "regards", "respectfully", "atentamente", "cordialmente", "saludos", "ua tsaug")
# What the plan's member letter is about: a change of the member's primary care provider.
LETTER_TOPICS = (
    "reassign",
    "primary care",
    "new doctor",
    "another doctor",
    "different doctor",
    "new pcp",
    "atención primaria",
    "atencion primaria",
    "otro proveedor",
    "nuevo proveedor",
    "otro médico",
    "nuevo médico",
    "kws kho mob",
)
# A cover sheet names itself and has most of a cover's labels, whatever its design: its title word, then a group
# a label. A short label ("to:", "re:", "tel:") counts with its colon, or without it where it starts a line before
# a value (a memo's "TO  Case Management", "TEL (209) ..."; not a sentence wrapped to start "to call back").
COVER_TITLE = ("fax", "facsimile", "telecopy", "telefax", "transmittal")
COVER_LABELS = (
    ("to:", "attn", "attention", "recipient"),
    ("from", "sender"),
    ("pages", "page count", "# of pages"),
    ("re:", "subject", "regarding"),
    ("phone", "tel:", "telephone"),
    ("date",),
)
LABEL_AT_LINE_START = re.compile(r"^[^A-Za-z0-9]*([A-Za-z]+)[.,:]?\s+[A-Z0-9(]")
AGREEMENT_TITLES = ("medication management agreement", "medication agreement", "controlled substance agreement")
ATTACHMENT_TITLES = (
    "outreach log",
    "progress note",
    "chart note",
    "medication list",
    "visit note",
    "office visit",
    "care plan",
)
# kind, groups of alternatives that must all have one of their words on the page, then groups of which `needed`
# must; the first kind that matches wins, so a letter (greeting and topic) is told before the agreement it names.
Rule = tuple[str, tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...], int]
SUPPORTING_RULES: tuple[Rule, ...] = (
    ("member_letter", (SALUTATIONS, LETTER_TOPICS), (), 0),
    (
        "member_letter",
        (CLOSINGS, LETTER_TOPICS, ("alliance", "plan", "member services", "servicios para miembros")),
        (),
        0,
    ),
    ("mma", (AGREEMENT_TITLES,), (), 0),
    ("attachment", (ATTACHMENT_TITLES,), (), 0),
    ("fax_cover", (COVER_TITLE,), COVER_LABELS, 3),
    # a letter whose greeting and closing are in words we do not know: what it is about, and who it names
    ("member_letter", (LETTER_TOPICS, ("alliance", "member services")), (), 0),
)


def classify_supporting(text: str) -> PageClass:
    low = re.sub(r"\s+", " ", text.lower())
    unspaced = low.replace(" ", "")
    plain = _plain_words(text)
    line_starts = {m.group(1).lower() + ":" for line in text.splitlines() if (m := LABEL_AT_LINE_START.match(line))}

    def found(phrase: str) -> bool:
        # A phrase of several words also counts with OCR's spaces misplaced ("Medication Ma nagement Agreement");
        # a single short word does not ("of axes" is no "fax"). A word is found whole ("dear", not "endeared").
        if " " in phrase:
            return phrase in low or phrase.replace(" ", "") in unspaced or _near_phrase(phrase, plain)
        return re.search(rf"(?<![a-z]){re.escape(phrase)}", low) is not None or phrase in line_starts

    def matches(required: tuple[tuple[str, ...], ...], some: tuple[tuple[str, ...], ...], needed: int) -> bool:
        def has(group: tuple[str, ...]) -> bool:
            return any(found(phrase) for phrase in group)

        return all(has(g) for g in required) and sum(has(g) for g in some) >= needed

    kinds = list(
        dict.fromkeys(kind for kind, required, some, needed in SUPPORTING_RULES if matches(required, some, needed))
    )
    if not kinds:
        return PageClass("unknown", None, None, 0.9 if low.strip() else 0.5, "no match")
    if kinds[0] == "member_letter" and not _titled(text, AGREEMENT_TITLES):
        kinds = [k for k in kinds if k != "mma"]  # a letter that names the agreement in its sentences is a letter
    # The first kind wins; when the words fit another kind too, the page is that kind in doubt.
    return PageClass(kinds[0], None, None, 0.9 if len(kinds) == 1 else IN_DOUBT, " or ".join(kinds))


def _plain_words(text: str) -> list[str]:
    """The page's words without accents and without OCR's stray marks between them ('otro “ proveedor')."""
    return [w for w in (strip_accents_fold(t) for t in re.findall(r"\w+", text.lower())) if w]


def _near_phrase(phrase: str, words: list[str]) -> bool:
    """Whether the words hold the phrase with one letter misread ('atencién primaria', 'kws kho mab'): its words in
    a row, one letter off in all, in a phrase of nine letters or more."""
    wanted = _plain_words(phrase)
    if len(wanted) < 2 or sum(map(len, wanted)) < NEAR_PHRASE_LETTERS:
        return False
    n = len(wanted)
    # one letter off in all: some word of the phrase is read right, so the phrase starts where it does, less its place
    starts = {i - k for k, want in enumerate(wanted) for i, seen in enumerate(words) if seen == want}
    for i in sorted(j for j in starts if 0 <= j <= len(words) - n):
        edits = 0
        for seen, want in zip(words[i : i + n], wanted, strict=True):
            if seen != want:
                edits += edit_distance(seen, want) if abs(len(seen) - len(want)) <= 1 else 2
            if edits > 1:
                break
        else:
            return True
    return False


NEAR_PHRASE_LETTERS = 9


IN_DOUBT = 0.6
TITLE_SHARE = 0.6  # of a line's letters: a title, with a word or two beside it ("(patient copy)"), not a sentence


def _titled(text: str, titles: tuple[str, ...]) -> bool:
    """Whether one of `titles` stands as a line of its own. A sentence that wraps to leave the title almost alone
    on a line counts too: the page is then in doubt, the safe side."""
    for line in text.lower().splitlines():
        letters = re.sub(r"[^a-z]", "", line)
        if any((t := title.replace(" ", "")) in letters and len(t) >= TITLE_SHARE * len(letters) for title in titles):
            return True
    return False


def classify(text: str) -> PageClass:
    return classify_form(text) or classify_supporting(text)


def expected_form_numbers() -> list[str]:
    return [form_number(f, lang) for f in load_catalog().forms for lang in f.languages]
