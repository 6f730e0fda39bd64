"""Parse the line a sending fax machine prints at the top of each page. Never raises."""

from __future__ import annotations

import re
from datetime import datetime

from extractors.normalize import DIGIT_LOOKALIKES, format_phone, parse_date
from faxintake.model import FaxHeader

PAGE = re.compile(r"(?:\bP(?:AGE)?\.?\s*#?\s*([0-9O]{1,3})\s*(?:/|OF)\s*([0-9O]{1,3}))", re.IGNORECASE)
TIME = re.compile(r"\b(\d{1,2}):(\d{2})(?::\d{2})?\s*([AP]\.?M\.?)?", re.IGNORECASE)
DATE = re.compile(r"\b(\d{1,2}[/\-.]\d{1,2}[/\-.]\d{2,4}|[A-Z]{3}[-\s]\d{1,2}[-,\s]+\d{2,4})", re.IGNORECASE)
PHONE = re.compile(r"(?:\+?1[\s.\-]?)?\(?\d{3}\)?[\s.\-]?\d{3}[\s.\-]?\d{4}")
NOISE_WORDS = {"FROM", "FROM:", "TO", "TO:", "FAX", "FAX:", "TEL", "PAGE", "OF", "AM", "PM", "P.", "#"}


def parse_fax_header(line: str) -> FaxHeader | None:
    try:
        return _parse(line)
    except (ValueError, OverflowError, IndexError):
        return None


def _parse(line: str) -> FaxHeader | None:
    text = " ".join(line.split())
    if not text:
        return None
    rest = text
    page = total = None
    m = PAGE.search(rest)
    if m:
        page, total = (int(g.translate(DIGIT_LOOKALIKES)) for g in m.groups())
        rest = rest[: m.start()] + " " + rest[m.end() :]
    sent_at = None
    d = DATE.search(rest)
    if d:
        # A header is printed when the fax is sent: a two-digit year is the latest one not in the future.
        written = d.group(1).replace("-", " ") if d.group(1)[:3].isalpha() else d.group(1)
        day = parse_date(written, is_dob=True)
        rest = rest[: d.start()] + " " + rest[d.end() :]
        t = TIME.search(rest)
        hour = minute = 0
        if t:
            hour, minute = int(t.group(1)), int(t.group(2))
            if t.group(3) and t.group(3).upper().startswith("P") and hour < 12:
                hour += 12
            if t.group(3) and t.group(3).upper().startswith("A") and hour == 12:
                hour = 0
            rest = rest[: t.start()] + " " + rest[t.end() :]
        if day and 0 <= hour < 24 and 0 <= minute < 60:
            sent_at = datetime(day.year, day.month, day.day, hour, minute)
    fax = None
    p = PHONE.search(rest)
    if p:
        fax = format_phone(p.group(0))
        rest = rest[: p.start()] + " " + rest[p.end() :]
    if sent_at is None and fax is None and page is None:
        return None
    name_words = [w for w in rest.split() if w.upper() not in NOISE_WORDS and re.search(r"[A-Za-z]", w)]
    name = " ".join(name_words).strip(" -:") or None
    return FaxHeader(sent_at=sent_at, sender_fax=fax, sender_name=name, page=page, pages_total=total, raw=text)
