"""Read fields on pages without a fixed layout (cover sheets, letters): find the printed label, take the words after it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.normalize import format_phone, parse_date
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


def _token(text: str) -> str:
    return re.sub(r"[^\w#()]+$", "", text.lower()).strip()


def read_by_labels(
    words: list[Word], labels: dict[str, list[str]], other_labels: list[str] | None = None
) -> dict[str, FieldRead]:
    """For each field, the words after its label on the same line, up to the next known label."""
    known: list[tuple[tuple[str, ...], str | None]] = []
    for field, variants in labels.items():
        known += [(tuple(_token(t) for t in v.split()), field) for v in variants]
    known += [(tuple(_token(t) for t in v.split()), None) for v in other_labels or []]
    known.sort(key=lambda k: -len(k[0]))  # "From fax" before "From"
    found: dict[str, FieldRead] = {}
    for line in lines_of(words):
        tokens = [_token(w.text) for w in line]
        starts: list[tuple[int, int, str | None]] = []
        i = 0
        while i < len(line):
            hit = next(
                (
                    k
                    for k in known
                    if tuple(tokens[i : i + len(k[0])]) == k[0]
                    and (i == 0 or line[i + len(k[0]) - 1].text.rstrip().endswith(":"))
                ),
                None,
            )
            if hit:
                starts.append((i, i + len(hit[0]), hit[1]))
                i += len(hit[0])
            else:
                i += 1
        for n, (_, end, label_of) in enumerate(starts):
            if label_of is None or label_of in found:
                continue
            field = label_of
            stop = starts[n + 1][0] if n + 1 < len(starts) else len(line)
            value_words = line[end:stop]
            text = " ".join(w.text for w in value_words).strip(" :;,.|_-'`")
            if text:
                conf = min(w.confidence for w in value_words)
                found[field] = FieldRead(value=text, confidence=round(conf, 3), raw=text)
    return found


def cover_fields(words: list[Word], labels: dict[str, list[str]], other_labels: list[str]) -> dict[str, FieldRead]:
    """Cover sheet fields, normalized: phones as 831-555-0147, the page count as digits, the date ISO."""
    raw = read_by_labels(words, labels, other_labels)
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
        elif name == "pages_total":
            m = re.search(r"\d+", text.replace("O", "0"))
            value, valid = (m.group(0), True) if m else (text, False)
        elif name == "date":
            d = parse_date(text)
            value, valid = (d.isoformat(), True) if d else (text, False)
        out[name] = FieldRead(
            value=value, confidence=r.confidence if valid else min(r.confidence, 0.4), raw=text, valid=valid
        )
    return out


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
