"""Cross-checks that make a read trustworthy: a CIN, last name and date of birth that all agree with the roster
cannot all be OCR slips, and neither can a valid NPI found in the directory. Confirmed reads get a high
confidence (the raw read is kept), so the gate and triage act on what is really uncertain."""

from __future__ import annotations

from faxintake.model import Document, FieldRead
from validators.context import DecisionContext

CONFIRMED = 0.99
NPI_FIELDS = ("pcp_npi", "referrer_npi")


def _raised(read: FieldRead) -> FieldRead:
    return read if read.confidence >= CONFIRMED else read.model_copy(update={"confidence": CONFIRMED})


def confirm_with_reference(doc: Document, ctx: DecisionContext) -> Document:
    fields = dict(doc.fields)
    cin, name, dob = (fields.get(n) for n in ("member_id", "member_name", "member_dob"))
    if cin is not None and name is not None and dob is not None:
        match = ctx.roster.match(str(cin.value), str(name.value), str(dob.value))
        if match.found and match.member is not None:
            fields["member_id"], fields["member_dob"] = _raised(cin), _raised(dob)
            # Raise the name only when it is exactly the roster's "Last, First" (case aside): a stray mark read
            # as punctuation must not be confirmed along with the letters.
            written = " ".join(str(name.value).split()).lower()
            if written == f"{match.member.last_name}, {match.member.first_name}".lower():
                fields["member_name"] = _raised(name)
    for n in NPI_FIELDS:
        read = fields.get(n)
        if read is not None and read.valid and read.value and ctx.providers.get(str(read.value)) is not None:
            fields[n] = _raised(read)
    return doc.model_copy(update={"fields": fields})
