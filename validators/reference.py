"""The plan's reference data: the member roster and the provider directory (CSV files, paths configurable)."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from extractors.normalize import likeness, strip_accents_fold
from faxintake.errors import ConfigError
from faxintake.model import FieldRead, Known

ROSTER_COLUMNS = ("member_id", "last_name", "first_name", "dob", "pcp_npi", "language")
PROVIDER_COLUMNS = ("npi", "name", "practice_name", "phone", "fax")


def _read(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            missing = set(columns) - set(reader.fieldnames or ())
            if missing:
                raise ConfigError(f"{path.name} lacks the columns {', '.join(sorted(missing))}")
            return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc


@dataclass(frozen=True)
class RosterMember:
    member_id: str
    last_name: str
    first_name: str
    dob: str  # ISO
    pcp_npi: str
    language: str


class MatchResult(StrEnum):
    FOUND = "found"
    NO_ID = "no_id"  # no CIN on the form
    UNKNOWN_ID = "unknown_id"
    DISAGREES = "disagrees"  # the CIN is known, but the name or date of birth differs


@dataclass(frozen=True)
class MemberMatch:
    result: MatchResult
    member: RosterMember | None = None

    @property
    def found(self) -> bool:
        return self.result is MatchResult.FOUND


def last_names_of(name: str) -> set[str]:
    """What the last name of a written name may be, folded: 'Rivera, Ana' -> rivera; without a comma either end
    word, 'Ana Rivera' as a member writes it or 'Rivera Ana' in a "last, first" box whose comma is faint or lost."""
    if "," in name:
        return {strip_accents_fold(name.split(",", 1)[0])}
    words = name.split()
    return {strip_accents_fold(words[0]), strip_accents_fold(words[-1])} if words else set()


MAX_CANDIDATES = 6  # members whose identity values are checked against a form's boxes


def _but_one(cin: str) -> list[str]:
    """The CIN with each of its characters in turn left open: two CINs one substitution apart share a key."""
    return [f"{cin[:i]}?{cin[i + 1 :]}" for i in range(len(cin))]


class Roster:
    def __init__(self, members: dict[str, RosterMember]) -> None:
        self._members = members
        self._by_dob: dict[str, list[RosterMember]] = {}
        self._by_last_name: dict[str, list[RosterMember]] = {}
        self._by_cin_but_one: dict[str, list[RosterMember]] = {}
        for m in members.values():
            self._by_dob.setdefault(m.dob, []).append(m)
            self._by_last_name.setdefault(strip_accents_fold(m.last_name), []).append(m)
            for key in _but_one(m.member_id.upper()):
                self._by_cin_but_one.setdefault(key, []).append(m)

    @classmethod
    def load(cls, path: Path) -> Roster:
        rows = _read(path, ROSTER_COLUMNS)
        return cls({r["member_id"].upper(): RosterMember(**{c: r[c] for c in ROSTER_COLUMNS}) for r in rows})

    def get(self, member_id: str) -> RosterMember | None:
        return self._members.get(member_id.upper())

    def match(self, member_id: str, member_name: str, dob: str) -> MemberMatch:
        """FORMS.md: the CIN equal, the last name equal ignoring case, spaces, punctuation and accents, the DOB equal."""
        if not member_id:
            return MemberMatch(MatchResult.NO_ID)
        member = self.get(member_id)
        if member is None:
            return MemberMatch(MatchResult.UNKNOWN_ID)
        same_name = strip_accents_fold(member.last_name) in last_names_of(member_name)
        if not same_name or dob != member.dob:
            return MemberMatch(MatchResult.DISAGREES, member)
        return MemberMatch(MatchResult.FOUND, member)

    def cin_neighbours(self, cin: str) -> list[RosterMember]:
        """Members whose CIN is one character from `cin`: a CIN misread in one character names no member, and few
        lie that close to any (2.6 billion CINs, each with about a hundred such neighbours: in a roster of 100,000
        a random CIN has a member one character away 0.4 % of the time)."""
        found = {m.member_id: m for key in _but_one(cin.upper()) for m in self._by_cin_but_one.get(key, [])}
        return [m for k, m in found.items() if k != cin.upper()]

    def hypotheses(self, reads: Mapping[str, FieldRead]) -> dict[str, list[Known]]:
        """Identity values for the reader to check its boxes against: those of the members one of the identity
        fields read already names (the CIN, the birth date or the last name exactly; for a CIN that names none,
        the members one character from it), those agreeing with more of them first. The reader takes a value only
        where its box's image bears it out, and the member is found only when all three then agree with one row (a
        misread CIN that names another member is not borne out by that member's name and birth date written in the
        other boxes)."""
        cin, name, dob = (reads.get(n) for n in ("member_id", "member_name", "member_dob"))
        written_last = last_names_of(str(name.value)) if name is not None and name.value else set()
        cin_value = str(cin.value).upper() if cin is not None and cin.valid and cin.value else ""
        dob_value = str(dob.value) if dob is not None and dob.valid and dob.value else ""
        named = self.get(cin_value)
        sources = [
            [named] if named else self.cin_neighbours(cin_value),
            self._by_dob.get(dob_value, []),
            [m for last in written_last for m in self._by_last_name.get(last, [])],
        ]
        agreeing: dict[str, int] = {}
        for members in sources:
            if len(members) <= MAX_CANDIDATES:  # a common name or birth date names too many to check
                for m in members:
                    agreeing[m.member_id] = agreeing.get(m.member_id, 0) + 1
        ranked = sorted(agreeing, key=lambda k: -agreeing[k])[:MAX_CANDIDATES]
        out: dict[str, list[Known]] = {}
        for member in (self._members[k] for k in ranked):
            agrees = {
                "member_id": cin_value == member.member_id,
                "member_dob": dob_value == member.dob,
                "member_name": strip_accents_fold(member.last_name) in written_last,
            }
            values = {
                "member_id": [member.member_id],
                "member_dob": [member.dob],
                "member_name": [f"{member.last_name}, {member.first_name}", f"{member.first_name} {member.last_name}"],
            }
            for field, offered in values.items():
                corroborated = all(agree for other, agree in agrees.items() if other != field)
                known = out.setdefault(field, [])
                known += [
                    Known(value=v, corroborated=corroborated) for v in offered if v not in {k.value for k in known}
                ]
        return out

    def __len__(self) -> int:
        return len(self._members)


# The boxes a form names its provider in, and gives the office's phone and fax in, by the NPI box beside them
# (names of boxes a form does not have are passed over by the reader).
NAMED_BY_NPI = (
    ("pcp_npi", ("pcp_name",), ("practice_name",), ("pcp_phone", "office_phone"), ("pcp_fax", "office_fax")),
    ("referrer_npi", ("referrer_name",), ("referrer_organization",), ("referrer_phone",), ("referrer_fax",)),
)
NAME_LIKENESS = 0.75  # a provider or practice name read this much like the directory's names its NPI to check


@dataclass(frozen=True)
class Provider:
    npi: str
    name: str
    practice_name: str
    phone: str
    fax: str


class ProviderDirectory:
    def __init__(self, providers: dict[str, Provider]) -> None:
        self._providers = providers
        self._by_word: dict[str, list[Provider]] = {}
        for p in providers.values():
            for word in {w for n in (p.name, p.practice_name) for w in _words(n)}:
                self._by_word.setdefault(word, []).append(p)

    @classmethod
    def load(cls, path: Path) -> ProviderDirectory:
        rows = _read(path, PROVIDER_COLUMNS)
        return cls({r["npi"]: Provider(**{c: r[c] for c in PROVIDER_COLUMNS}) for r in rows})

    def get(self, npi: str) -> Provider | None:
        return self._providers.get(npi)

    def hypotheses(self, reads: Mapping[str, FieldRead]) -> dict[str, list[Known]]:
        """For an NPI read that passes its check digit and is in the directory, the provider's name, practice,
        phone and fax: what the reader checks those boxes against (the check digit and the directory make the NPI
        sure). For an NPI not read so, the same of each provider whose name or practice reads like the one written,
        and its NPI: each checked against its own box's ink, like every hypothesis."""
        out: dict[str, list[Known]] = {}
        for npi_field, names, practices, phones, faxes in NAMED_BY_NPI:
            npi = reads.get(npi_field)
            provider = self.get(str(npi.value)) if npi is not None and npi.valid and npi.value else None
            if provider is not None:
                candidates = [provider]
            else:
                written = [str(r.value) for n in (*names, *practices) if (r := reads.get(n)) is not None and r.value]
                candidates = self._named_like(written) if written else []
                if npi is not None:
                    out[npi_field] = [Known(value=p.npi) for p in candidates]
            for p in candidates:
                known = ((names, p.name), (practices, p.practice_name), (phones, p.phone), (faxes, p.fax))
                for fields, value in known:
                    for f in fields:
                        if value and value not in {k.value for k in out.setdefault(f, [])}:
                            out[f].append(Known(value=value))
        return out

    def _named_like(self, written: list[str]) -> list[Provider]:
        """Providers sharing a word with what was written (a word too common to tell them apart, "clinic", names
        none), whose name or practice then reads like it."""
        found = {
            p.npi: p
            for w in written
            for word in _words(w)
            if len(shared := self._by_word.get(word, [])) <= MAX_CANDIDATES
            for p in shared
        }
        folded = [strip_accents_fold(w) for w in written]
        return [
            p
            for p in found.values()
            if any(
                likeness(w, strip_accents_fold(n)) >= NAME_LIKENESS for w in folded for n in (p.name, p.practice_name)
            )
        ]


def _words(text: str) -> set[str]:
    return {w for w in (strip_accents_fold(t) for t in text.split()) if len(w) >= 3}
