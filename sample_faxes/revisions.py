"""Revisions of our forms that faxintake was never written against: the same fields and labels, another layout.

Offices fax whatever copy of a form they have: last year's revision, a re-typed version, a form printed from another
system. Each file in revisions/ lays out one form's catalog fields another way (rows, column widths, labels beside
their values or above them, underlines instead of cells, another title block and typeface, another form number or
none) and may reword a label slightly, as revisions do. Fields come from the catalog by name, so a revision has
exactly the form's fields, types, options and rules; only where and how they are printed differs. The reader never
sees these files: `dev` revisions may be tuned on, `test` revisions never are (the layout part of the test family).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

from faxintake.catalog import FormDef, load_catalog
from faxintake.catalog.model import RowBlock, SectionBlock, TextBlock
from faxintake.errors import FormDefinitionError
from sample_faxes.typefaces import Family

REVISIONS_DIR = Path(__file__).parent / "revisions"
LAYOUT_KEYS = ("width", "height", "option_width")  # a catalog field's place in its row: not carried into a revision


@functools.cache
def revisions(family: Family | None = None) -> tuple[tuple[str, FormDef], ...]:
    """(revision id, the form as that revision prints it), every revision of the family (both when None)."""
    out = []
    for path in sorted(REVISIONS_DIR.glob("*.yaml")):
        if family is None or _data(path)["family"] == family:
            out.append((path.stem, load_revision(path)))
    return tuple(out)


def revision(revision_id: str) -> FormDef:
    return load_revision(REVISIONS_DIR / f"{revision_id}.yaml")


@functools.cache
def _data(path: Path) -> dict[str, Any]:
    return dict(yaml.safe_load(path.read_text(encoding="utf-8")))


@functools.cache
def load_revision(path: Path) -> FormDef:
    data = _data(path)
    form = load_catalog().form(data["form_id"])
    specs = {s.name: s for page in form.pages for b in page.blocks if isinstance(b, RowBlock) for s in b.row}
    sections = [b.section for page in form.pages for b in page.blocks if isinstance(b, SectionBlock)]
    texts = [b for page in form.pages for b in page.blocks if isinstance(b, TextBlock)]
    used: list[str] = []

    def field(entry: str | dict[str, object]) -> dict[str, object]:
        name, overrides = (entry, {}) if isinstance(entry, str) else (str(entry["name"]), entry)
        if name not in specs:
            raise FormDefinitionError(f"{path.name}: {form.form_id} has no field {name!r}")
        used.append(name)
        spec = specs[name].model_dump(exclude_none=True, exclude=set(LAYOUT_KEYS))
        return {**spec, **overrides}

    def block(b: dict[str, Any]) -> dict[str, Any]:
        if "row" in b:
            return {**b, "row": [field(e) for e in b["row"]]}
        if "catalog_section" in b:  # the catalog's n-th section heading, in every language it has
            return {"section": sections[int(b["catalog_section"]) - 1]}
        if "catalog_text" in b:  # the catalog's n-th printed instruction, in every language
            return {
                **texts[int(b["catalog_text"]) - 1].model_dump(),
                **{k: v for k, v in b.items() if k != "catalog_text"},
            }
        return b

    pages = [{"blocks": [block(b) for b in page["blocks"]]} for page in data["pages"]]
    base = form.model_dump(include={"plan_name", "return_to", "languages", "subtitle"}, exclude_none=True)
    revised = {**base, **{k: v for k, v in data.items() if k not in ("family", "pages")}, "pages": pages}
    try:
        out = FormDef.model_validate(revised)
    except ValueError as exc:
        raise FormDefinitionError(f"{path.name}: {exc}") from exc
    if sorted(used) != sorted(specs):
        missing, twice = set(specs) - set(used), {n for n in used if used.count(n) > 1}
        raise FormDefinitionError(f"{path.name}: fields missing {sorted(missing)}, placed twice {sorted(twice)}")
    if {f.name: f.page for f in out.fields} != {f.name: f.page for f in form.fields}:
        raise FormDefinitionError(f"{path.name}: a revision keeps each field on the page the form has it on")
    return out
