"""The template context: every variable described once, where it is made (no LibreOffice)."""

import re

import pytest
from helpers import INPUTS

from pipeline.convention import context, model, reference


def _value(ctx, name: str):
    """What a dotted name reaches in the context, as Jinja reads it (attribute, else key)."""
    value = ctx
    for part in name.split("."):
        value = value[part] if isinstance(value, dict) else getattr(value, part)
    return value


@pytest.mark.parametrize("year", [2022, 2023, 2025])  # the first year, a middle one, the closing
def test_every_variable_a_template_can_reach_is_described(year):
    ctx = context.build_context(model.load(INPUTS, year), projet=True)
    rows = reference.rows(ctx)
    meaning = {name: text for name, _kind, text, _value in rows}
    undescribed = []
    for name, text in meaning.items():
        if text:
            continue
        parts = name.split(".")
        if len(parts) > 1 and isinstance(_value(ctx, ".".join(parts[:-1])), dict):
            # an entry of a dict: described by a row above it, which names it
            above = [meaning.get(".".join(parts[:i]), "") for i in range(1, len(parts))]
            if any(re.search(rf"(?<![\w-]){re.escape(parts[-1])}(?![\w-])", t) for t in above):
                continue
        undescribed.append(name)
    assert undescribed == []
    assert len(rows) > 150  # records are walked into, not only listed


def test_the_reference_lists_the_fields_the_templates_get():
    ctx = context.build_context(model.load(INPUTS, 2023), projet=True)
    listed = {name for name, *_ in reference.rows(ctx) if "." not in name}
    assert listed == set(ctx.variables())
    only = reference.rows(ctx, {"appel"})
    assert {name.split(".")[0] for name, *_ in only} == {"appel"}


def test_computed_forms_carry_their_own_description():
    rows = {
        name: text for name, _kind, text, _value in reference.rows(context.build_context(model.load(INPUTS, 2023), projet=True))
    }
    assert rows["metropole.representant.appellation"] == "formule d'adresse (« Madame la Présidente »)"
    assert rows["banque.iban_groupes"] == "IBAN en groupes de quatre caractères"
    assert rows["bilan.rythme.copil.regle"].startswith("la règle comme la convention l'écrit")
