"""The reference of what templates may use: each variable, its type, meaning and value.

Nothing is described here: the context's fields (context.py), the schema's (model.py) and
their computed forms (``described``) carry their own French description.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from pipeline.french import FILTER_HELP


def type_name(value: Any) -> str:
    if value is None:
        return "vide"
    if isinstance(value, bool):
        return "oui/non"
    if isinstance(value, int):
        return "nombre"
    if isinstance(value, Decimal):
        return "montant"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, str):
        return "texte"
    if isinstance(value, (list, tuple)):
        return "liste"
    if callable(value):
        return "fonction"
    return "rubrique"


def preview(value: Any) -> str:
    if value is None:
        return "(non renseigné)"
    if dataclasses.is_dataclass(value) or isinstance(value, dict):
        return ""
    if isinstance(value, list):
        return f"{len(value)} élément(s)"
    if callable(value):
        return ""
    text = str(value)
    return text if len(text) <= 60 else text[:59] + "…"


def rows(context: Any, only: set[str] | None = None) -> list[tuple[str, str, str, str]]:
    """(name, type, meaning, value) for every variable of a template context, with the fields
    of its records; ``only``: the names a template uses."""
    return [row for row in _fields("", context, depth=0) if only is None or row[0].split(".")[0] in only]


def _fields(prefix: str, value: Any, depth: int) -> list[tuple[str, str, str, str]]:
    """The rows of a record's fields and computed forms, or of a dict's entries, three levels deep."""
    out = []
    if dataclasses.is_dataclass(value) and depth <= 3:
        for f in sorted(dataclasses.fields(value), key=lambda f: f.name) if depth == 0 else dataclasses.fields(value):
            sub = getattr(value, f.name)
            name = f"{prefix}{f.name}"
            out.append((name, type_name(sub), f.metadata.get("doc", ""), preview(sub)))
            out.extend(_fields(f"{name}.", sub, depth + 1))
        for attr, member in sorted(vars(type(value)).items()):
            if isinstance(member, property) and depth > 0:  # computed forms: nom_complet, iban_groupes…
                sub = getattr(value, attr)
                out.append((f"{prefix}{attr}", type_name(sub), getattr(member, "description", ""), preview(sub)))
    elif isinstance(value, dict) and 0 < depth <= 3:
        for key, sub in value.items():
            name = f"{prefix}{key}"
            out.append((name, type_name(sub), "", preview(sub)))
            out.extend(_fields(f"{name}.", sub, depth + 1))
    return out


def filter_rows() -> list[tuple[str, str]]:
    return sorted(FILTER_HELP.items())
