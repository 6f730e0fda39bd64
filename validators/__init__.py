"""Rules and the routing decision (RULES.md): plain functions over extracted documents."""

from __future__ import annotations

import string

from faxintake.catalog import FormDef
from faxintake.model import Document, Finding, Route
from validators.confirm import confirm_with_reference
from validators.context import DecisionContext
from validators.routing import apply_confidence_gate, choose_route
from validators.rules import RULES, Hit, Rule, View, rules_for

RULES_VERSION = "2026.11.1"

__all__ = ["RULES", "RULES_VERSION", "DecisionContext", "decide", "findings_for"]


class _Blank(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "?"


def _finding(rule: Rule, hit: Hit, view: View) -> Finding:
    values = _Blank(hit.details or {})
    values["labels"] = view.labels(hit.fields)
    message = string.Formatter().vformat(rule.message, (), values)
    return Finding(code=rule.code, severity=rule.severity, fields=hit.fields, message=message, details=hit.details)


def findings_for(doc: Document, form: FormDef, ctx: DecisionContext) -> list[Finding]:
    """Every rule's findings for one document, one per code and field set."""
    view = View(doc, form, ctx)
    out: list[Finding] = []
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for rule in rules_for(form.form_id):
        for hit in rule.check(view):
            key = (rule.code, hit.fields)
            if key not in seen:
                seen.add(key)
                out.append(_finding(rule, hit, view))
    return out


def decide(doc: Document, form: FormDef | None, ctx: DecisionContext) -> Document:
    """The document with its findings (after the confidence gate) and its one route."""
    if form is None:
        return doc.model_copy(update={"findings": (), "route": Route.MANUAL_TRIAGE})
    doc = confirm_with_reference(doc, ctx)
    findings = apply_confidence_gate(findings_for(doc, form, ctx), doc, ctx)
    return doc.model_copy(update={"findings": tuple(findings), "route": choose_route(doc, findings, ctx)})
