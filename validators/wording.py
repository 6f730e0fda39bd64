"""The words behind the specificity checks, in one place so a reviewer can read and tune them.

Each check reports what it found (see `narrative_facts`), so a finding can say why it was raised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.normalize import find_date

# The office tried to correct the problem with the member (RULES.md RMR_CORRECTIVE_EFFORTS_MISSING).
CORRECTIVE_EFFORTS = re.compile(
    r"\b(call(ed|s)?|phoned|telephoned|remind(ed|er)s?|letters?|wrote|mailed|discuss(ed)?|counsel(l)?ed|met with|meeting|"
    r"warn(ed|ing)|offered|educat(ed|ion)|explain(ed)?|review(ed)?|reschedul(ed|e)|spoke|talked|agreement|apologi[sz]ed|"
    r"contract|outreach|referred)\b",
    re.IGNORECASE,
)
# How and when the member was contacted and reminded (RMR_GOODFAITH_MISSING).
CONTACT = re.compile(
    r"\b(call(ed|s)?|phoned|remind(ed|er)s?|voicemail|text(ed)? message|letters?|mailed|contacted|outreach)\b",
    re.IGNORECASE,
)
# The refusal endangers the member's health or aggravates a condition (RMR_NONCOMPLIANCE_HARM_NOT_STATED).
HARM = re.compile(
    r"\b(endanger\w*|danger\w*|worsen\w*|aggravat\w*|uncontrolled|hospitali[sz]\w*|admitted|emergency|risk\w*|harm\w*|"
    r"deteriorat\w*|life[- ]threatening|complications?|exacerbat\w*)\b",
    re.IGNORECASE,
)
# Grounds the policy calls inappropriate (RMR_INAPPROPRIATE_REASON), from seeds/member-reassignment-procedure.txt.
INAPPROPRIATE = re.compile(
    r"\b(complaint|grievance|filed a complaint|verbally inappropriate|minor(ly)? disrupti\w*|rude|"
    r"disagree\w* with (the |our |my )?(recommended |treatment|plan|provider|doctor)|second opinion)\b",
    re.IGNORECASE,
)
# One form names more than one member (RMR_MULTIPLE_MEMBERS).
SEVERAL_MEMBERS = re.compile(
    r"(\band family\b|\ball (the )?children\b|\bsiblings\b|\bthe whole family\b|\bhousehold members\b|\band (his|her|their) (wife|husband|children|kids|son|daughter)\b|&)",
    re.IGNORECASE,
)
GENERIC = {
    "patient",
    "member",
    "is",
    "was",
    "difficult",
    "noncompliant",
    "non-compliant",
    "rude",
    "problem",
    "problems",
    "issue",
    "issues",
    "needs",
    "help",
    "see",
    "notes",
    "chart",
    "attached",
    "the",
    "a",
    "an",
    "very",
    "behavior",
}
MIN_WORDS = 12  # fewer words cannot describe events, dates and efforts


@dataclass(frozen=True)
class NarrativeFacts:
    words: int
    dates_found: int
    specific_words: int
    corrective_efforts: bool

    def as_details(self) -> dict[str, object]:
        return {
            "words": self.words,
            "dates_found": self.dates_found,
            "specific_words": self.specific_words,
            "corrective_efforts": self.corrective_efforts,
        }


def count_dates(text: str) -> int:
    found = 0
    for m in re.finditer(r"\d{1,2}\s*[/\-.]\s*\d{1,2}\s*[/\-.]\s*\d{2,4}|[A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s+\d{4}", text):
        if find_date(m.group(0)):
            found += 1
    return found


def narrative_facts(text: str, *, extra: str = "") -> NarrativeFacts:
    words = re.findall(r"[A-Za-z']+", text)
    specific = [w for w in words if w.lower() not in GENERIC]
    return NarrativeFacts(
        words=len(words),
        dates_found=count_dates(text),
        specific_words=len(specific),
        corrective_efforts=bool(CORRECTIVE_EFFORTS.search(f"{text} {extra}")),
    )


def is_vague(text: str, min_words: int = MIN_WORDS) -> bool:
    words = re.findall(r"[A-Za-z']+", text)
    return len(words) < min_words or sum(w.lower() not in GENERIC for w in words) < min_words // 2
