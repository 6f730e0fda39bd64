"""Typed form definitions.

A form file describes each page as a top-to-bottom list of blocks (section headings, printed
instructions, rows of fields). Boxes are computed from that layout once, at load, so the same
definition renders the blank form, places sample values, and tells the reader where to look.
Coordinates are PDF points, origin top-left, y growing downward (INTERFACES.md).
"""

from __future__ import annotations

import functools
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from faxintake.errors import FormDefinitionError

FORMS_DIR = Path(__file__).parent / "forms"
LANGUAGES = ("en", "es", "zh-Hant", "hmn")
MARGIN = 36.0
SQUARE = 10.0  # side of a checkbox in points

Box = tuple[float, float, float, float]


class FieldType(StrEnum):
    TEXT = "text"
    MULTILINE = "multiline"
    DATE = "date"
    PHONE = "phone"
    NPI = "npi"
    MEMBER_ID = "member_id"
    CHECKBOX = "checkbox"
    CHOICE = "choice"
    SIGNATURE = "signature"
    ICD10_LIST = "icd10_list"

    @property
    def is_mark(self) -> bool:
        return self in (FieldType.CHECKBOX, FieldType.CHOICE, FieldType.SIGNATURE)

    @property
    def is_mark_or_block(self) -> bool:
        """Printed with its label beside its mark, or above its block, whatever the form's look."""
        return self in (FieldType.CHECKBOX, FieldType.CHOICE, FieldType.MULTILINE)

    @property
    def blank(self) -> str | bool:
        return False if self in (FieldType.CHECKBOX, FieldType.SIGNATURE) else ""


DEFAULT_HEIGHT = {
    FieldType.CHECKBOX: 14.0,
    FieldType.CHOICE: 15.0,
    FieldType.SIGNATURE: 34.0,
    FieldType.MULTILINE: 60.0,
}
TEXT_HEIGHT = 28.0
LABEL_BAND = 9.0  # the printed label's strip at the top of a text cell


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Text = str | dict[str, str]  # a plain string, or one string per language


def localized(text: Text, language: str) -> str:
    if isinstance(text, str):
        return text
    return text.get(language) or text["en"]


class FieldSpec(Strict):
    """A field as written in the YAML file (layout relative to its row)."""

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    type: FieldType
    label: Text
    required: bool = False
    required_when: list[str] = []  # required when any of these checkboxes is marked
    required_unless: list[str] = []  # not required when any of these is marked
    width: float | None = None
    height: float | None = None
    options: dict[str, Text] | None = None  # choice: value -> printed label
    option_width: float = 62.0
    max_chars: int | None = None
    hint: Text | None = None  # printed under the label, e.g. "MM/DD/YYYY"
    # A date written as the form is sent (its own date, the signature's): a read more than this many days before
    # the fax arrived is in doubt. A prior for reading, not a rule: a form faxed again after a return is older. The
    # member's notification goes out before the request, within months of it: 180 days ('2016' read for '2026').
    recent_days: int | None = None

    @model_validator(mode="after")
    def _options_only_for_choice(self) -> FieldSpec:
        if (self.type is FieldType.CHOICE) != (self.options is not None):
            raise ValueError(f"{self.name}: 'options' is required for a choice and only for a choice")
        return self


class FieldDef(Strict):
    """A field with its computed position: what the rest of the pipeline uses."""

    name: str
    type: FieldType
    label: Text
    page: int
    box: Box  # value area (text types) or the square (checkbox) or the whole row (choice)
    cell: Box  # the printed cell, label included
    required: bool = False
    required_when: tuple[str, ...] = ()
    required_unless: tuple[str, ...] = ()
    options: dict[str, Box] | None = None  # choice: value -> square
    option_labels: dict[str, Text] | None = None
    max_chars: int | None = None
    hint: Text | None = None
    recent_days: int | None = None  # FieldSpec's: the days before receipt a date written on sending lies within
    label_width: float | None = None  # a label printed left of its value, in a column this wide (else at the top)
    ruled: Literal["cell", "underline"] = "cell"

    def label_for(self, language: str) -> str:
        return localized(self.label, language)

    def spec(self) -> dict[str, object]:
        out: dict[str, object] = {"name": self.name, "type": self.type.value, "label": localized(self.label, "en")}
        out["page"] = self.page
        if self.options is not None:
            out["options"] = {k: list(v) for k, v in self.options.items()}
        else:
            out["box"] = list(self.box)
        out["required"] = self.required
        if self.required_when:
            out["required_when"] = list(self.required_when)
        if self.required_unless:
            out["required_unless"] = list(self.required_unless)
        return out


class SectionBlock(Strict):
    section: Text


class TextBlock(Strict):
    text: Text
    height: float = 22.0
    size: float = 7.5
    bold: bool = False


class SpacerBlock(Strict):
    spacer: float


class RowBlock(Strict):
    row: list[FieldSpec]
    height: float | None = None


def _block_kind(value: object) -> str | None:
    """Which kind of block a YAML mapping is, by its key, so errors name the right block type."""
    if isinstance(value, dict):
        return next((k for k in ("row", "section", "text", "spacer") if k in value), None)
    kinds: dict[type, str] = {SectionBlock: "section", TextBlock: "text", SpacerBlock: "spacer", RowBlock: "row"}
    return kinds.get(type(value))


Block = Annotated[
    Annotated[SectionBlock, Tag("section")]
    | Annotated[TextBlock, Tag("text")]
    | Annotated[SpacerBlock, Tag("spacer")]
    | Annotated[RowBlock, Tag("row")],
    Discriminator(
        _block_kind,
        custom_error_type="block_kind",
        custom_error_message="a block needs one of row, section, text, spacer",
    ),
]


class PageSpec(Strict):
    blocks: list[Block]


class PlacedText(Strict):
    """Printed text that is not a field: section headings and instructions, positioned."""

    kind: Literal["section", "text"]
    text: Text
    box: Box
    size: float = 7.5
    bold: bool = False


class FormPage(Strict):
    number: int
    fields: tuple[FieldDef, ...]
    printed: tuple[PlacedText, ...]


class Look(Strict):
    """How a form is printed. The catalog's forms print the default look; a revision of a form (another layout of
    the same fields, sample_faxes/revisions/) prints its fields and title block another way."""

    labels: Literal["above", "left"] = "above"  # at the top of the value's cell, or left of the value on its line
    label_width: float = 90.0  # the label column of `left` labels (multiline values keep theirs above)
    boxes: Literal["cell", "underline"] = "cell"  # a ruled cell around each value, or a line under it
    font: str | None = None  # a registered face for labels and headings in Latin scripts, else the language's
    title: Literal["left", "centered"] = "left"
    number: Literal["corner", "footer", "none"] = "corner"  # where the form number is printed
    sections: Literal["bar", "rule"] = "bar"  # white on a black bar, or bold over a rule


SECTION_HEIGHT = 15.0
TITLE_BLOCK_BOTTOM = 96.0  # below the plan name, title, form number and page counter


class FormDef(Strict):
    form_id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    title: Text
    form_number: str
    version: str
    plan_name: str
    languages: list[Literal["en", "es", "zh-Hant", "hmn"]] = ["en"]
    page_size_pt: tuple[float, float] = (612.0, 792.0)
    subtitle: Text | None = None
    return_to: Text  # "Fax to Provider Services at (831) 430-5857"
    look: Look = Look()
    pages: list[PageSpec]

    @field_validator("pages")
    @classmethod
    def _at_least_one_page(cls, pages: list[PageSpec]) -> list[PageSpec]:
        if not pages:
            raise ValueError("a form needs at least one page")
        return pages

    @model_validator(mode="after")
    def _layout_fits(self) -> FormDef:
        names: set[str] = set()
        for page in self.layout():
            for f in page.fields:
                if f.name in names:
                    raise ValueError(f"field {f.name!r} is defined twice")
                names.add(f.name)
                if f.cell[2] > self.page_size_pt[0] - MARGIN + 0.01 or f.cell[3] > self.page_size_pt[1] - MARGIN:
                    raise ValueError(f"field {f.name!r} on page {page.number} runs off the page: {f.cell}")
        for f in self.fields:
            for other in (*f.required_when, *f.required_unless):
                if other not in names:
                    raise ValueError(f"field {f.name!r} refers to unknown field {other!r}")
        return self

    def title_for(self, language: str) -> str:
        return localized(self.title, language)

    @functools.cached_property
    def pages_laid_out(self) -> tuple[FormPage, ...]:
        return tuple(self.layout())

    @property
    def fields(self) -> tuple[FieldDef, ...]:
        return tuple(f for p in self.pages_laid_out for f in p.fields)

    @functools.cached_property
    def field_map(self) -> dict[str, FieldDef]:
        return {f.name: f for f in self.fields}

    @property
    def page_count(self) -> int:
        return len(self.pages)

    def layout(self) -> list[FormPage]:
        width = self.page_size_pt[0] - 2 * MARGIN
        laid: list[FormPage] = []
        for number, page in enumerate(self.pages, start=1):
            y = TITLE_BLOCK_BOTTOM
            fields: list[FieldDef] = []
            printed: list[PlacedText] = []
            for block in page.blocks:
                if isinstance(block, SectionBlock):
                    y += 4
                    printed.append(
                        PlacedText(
                            kind="section", text=block.section, box=(MARGIN, y, MARGIN + width, y + SECTION_HEIGHT)
                        )
                    )
                    y += SECTION_HEIGHT + 3
                elif isinstance(block, TextBlock):
                    printed.append(
                        PlacedText(
                            kind="text",
                            text=block.text,
                            box=(MARGIN, y, MARGIN + width, y + block.height),
                            size=block.size,
                            bold=block.bold,
                        )
                    )
                    y += block.height
                elif isinstance(block, SpacerBlock):
                    y += block.spacer
                else:
                    placed = _place_row(block, number, y, width, self.look)
                    fields.extend(placed)
                    y += max(f.cell[3] for f in placed) - y
            laid.append(FormPage(number=number, fields=tuple(fields), printed=tuple(printed)))
        return laid

    def spec(self) -> dict[str, object]:
        return {
            "form_id": self.form_id,
            "title": self.title_for("en"),
            "version": self.version,
            "form_number": self.form_number,
            "languages": list(self.languages),
            "page_size_pt": list(self.page_size_pt),
            "page_count": self.page_count,
            "fields": [f.spec() for f in self.fields],
        }


def _place_row(block: RowBlock, page: int, top: float, width: float, look: Look) -> list[FieldDef]:
    specs = block.row
    fixed = sum(s.width for s in specs if s.width is not None)
    flexible = [s for s in specs if s.width is None]
    share = (width - fixed) / len(flexible) if flexible else 0.0
    if flexible and share < 30:
        raise ValueError(f"row with {[s.name for s in specs]} is wider than the page")
    x = MARGIN
    placed: list[FieldDef] = []
    for s in specs:
        w = s.width if s.width is not None else share
        h = s.height or block.height or DEFAULT_HEIGHT.get(s.type, TEXT_HEIGHT)
        cell: Box = (round(x, 1), round(top, 1), round(x + w, 1), round(top + h, 1))
        options: dict[str, Box] | None = None
        if s.type is FieldType.CHECKBOX:
            sq_top = top + 2
            box: Box = (cell[0] + 2, sq_top, cell[0] + 2 + SQUARE, sq_top + SQUARE)
        elif s.type is FieldType.CHOICE:
            assert s.options is not None
            options = {}
            ox = cell[2] - s.option_width * len(s.options)
            for value in s.options:
                options[value] = (
                    round(ox + 2, 1),
                    round(top + 2.5, 1),
                    round(ox + 2 + SQUARE, 1),
                    round(top + 2.5 + SQUARE, 1),
                )
                ox += s.option_width
            box = cell
        elif look.labels == "left" and s.type is not FieldType.MULTILINE:
            box = (cell[0] + _label_column(look, w), cell[1] + 2, cell[2] - 4, cell[3] - 2)  # the label left of it
        elif s.type is FieldType.SIGNATURE:
            box = (cell[0] + 2, cell[1] + 2, cell[2] - 4, cell[3] - 10)  # above the line; the label sits under it
        else:
            box = (cell[0] + 2, cell[1] + LABEL_BAND + 1, cell[2] - 2, cell[3] - 1.5)
        placed.append(
            FieldDef(
                name=s.name,
                type=s.type,
                label=s.label,
                page=page,
                box=tuple(round(v, 1) for v in box),  # type: ignore[arg-type]
                cell=cell,
                required=s.required,
                required_when=tuple(s.required_when),
                required_unless=tuple(s.required_unless),
                options=options,
                option_labels=s.options,
                max_chars=s.max_chars,
                hint=s.hint,
                recent_days=s.recent_days,
                label_width=_label_column(look, w) if look.labels == "left" and not s.type.is_mark_or_block else None,
                ruled=look.boxes,
            )
        )
        x += w
    return placed


def _label_column(look: Look, cell_width: float) -> float:
    return min(look.label_width, round(0.45 * cell_width, 1))


class SupportingKind(Strict):
    """A page kind that travels with the forms: no fixed layout, recognised and read by its words."""

    kind: Literal["fax_cover", "member_letter", "mma", "attachment"]
    title: str
    keywords: list[str]  # words that identify the page (any language the samples use)
    fields: dict[str, list[str]] = {}  # field -> printed labels that introduce its value
    other_labels: list[str] = []  # labels of values we do not read: they end the value before them
    # field -> labels that are the field's only under the sender's label ('From: ... Fax:'), another party's under
    # the recipient's ('To: ... Fax:'); the sender's when printed under neither
    party_labels: dict[str, list[str]] = {}


class SupportingCatalog(Strict):
    kinds: list[SupportingKind]


class Catalog(Strict):
    forms: tuple[FormDef, ...]
    supporting: tuple[SupportingKind, ...]

    def form(self, form_id: str) -> FormDef:
        for f in self.forms:
            if f.form_id == form_id:
                return f
        raise KeyError(form_id)

    def versions(self) -> dict[str, str]:
        return {f.form_id: f.version for f in self.forms}

    def spec(self) -> dict[str, object]:
        return {"forms": [f.spec() for f in self.forms]}


def _read_yaml(path: Path) -> object:
    try:
        # libyaml's loader when PyYAML has it: the catalog loads in every worker, ten times faster
        return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError) as exc:
        raise FormDefinitionError(f"{path.name}: cannot read: {exc}") from exc


def load_form(path: Path) -> FormDef:
    """Load one form file; a malformed file raises FormDefinitionError naming the file and the problem."""
    data = _read_yaml(path)
    try:
        form = FormDef.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])
        raise FormDefinitionError(f"{path.name}: {problems}") from exc
    if form.form_id != path.stem:
        raise FormDefinitionError(f"{path.name}: form_id {form.form_id!r} does not match the file name")
    return form


@functools.cache
def load_catalog(forms_dir: Path = FORMS_DIR) -> Catalog:
    forms = tuple(load_form(p) for p in sorted(forms_dir.glob("*.yaml")) if p.stem != "supporting")
    data = _read_yaml(forms_dir / "supporting.yaml")
    try:
        supporting = SupportingCatalog.model_validate(data)
    except ValidationError as exc:
        raise FormDefinitionError(f"supporting.yaml: {exc.errors()[0]['msg']}") from exc
    return Catalog(forms=forms, supporting=tuple(supporting.kinds))
