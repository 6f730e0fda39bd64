"""The form catalog: each form is one YAML file under `forms/`, loaded into a typed, validated model."""

from faxintake.catalog.model import (
    FieldDef,
    FieldType,
    FormDef,
    SupportingKind,
    load_catalog,
    load_form,
)

__all__ = ["FieldDef", "FieldType", "FormDef", "SupportingKind", "load_catalog", "load_form"]
