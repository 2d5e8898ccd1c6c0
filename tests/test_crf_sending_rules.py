"""The rules a year's own compte rendu financier sent apart (``make crf``) is held to, at their
edges: its date against the accounts' approval, what it prints of the year, the convention's
blanks in a final version, a letter not dated yet, and its publication gone stale."""

from __future__ import annotations

import pytest
from helpers import INPUTS, TEMPLATES

from pipeline import manifest, places, status
from pipeline.convention import documents, model
from pipeline.errors import InputError

TITLE = "Le compte rendu financier 2024 (envoi à part)"


def _set(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_crf_dated_the_day_before_the_accounts_approval_is_said(inputs_copy):
    path = inputs_copy / "2024" / "year.yaml"
    _set(path, "date: 2025-06-17\n", "date: 2025-06-12\n")  # the day of the approval: allowed
    assert not any("avant l'approbation" in w for w in model.load_sending(inputs_copy, 2024).warnings)
    _set(path, "date: 2025-06-12\n", "date: 2025-06-11\n")  # the day before
    said = " ".join(model.load_sending(inputs_copy, 2024).warnings)
    assert "avant l'approbation des comptes 2024 (2025-06-12)" in said


def test_a_sending_checks_the_year_it_prints(inputs_copy):
    _set(inputs_copy / "2024" / "year.yaml", "montant_recu: 20000.00", "montant_recu: 25000.00")
    with pytest.raises(InputError, match="le montant reçu dépasse le montant appelé"):
        model.load_sending(inputs_copy, 2024)


def test_a_final_sending_checks_the_convention_too():
    with pytest.raises(InputError) as said:
        model.load_sending(INPUTS, 2024, final=True)
    assert "convention.yaml" in str(said.value)


def test_a_letter_not_dated_yet_is_not_planned(inputs_copy):
    path = inputs_copy / "2024" / "year.yaml"
    text = path.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines(keepends=True) if x.lstrip().startswith("transmis_le:"))
    path.write_text(text.replace(line, "").replace("  - crf.transmis_le\n", ""), encoding="utf-8")
    assert [d.stem for d in documents.plan(model.load_sending(inputs_copy, 2024))] == ["crf-2024"]


def test_a_sending_built_before_its_data_changed_is_said_stale(inputs_copy, tmp_path):
    outputs = tmp_path / "outputs"
    built = places.crf_outputs(places.outputs_for(outputs, inputs_copy)) / "2024"
    built.mkdir(parents=True)
    manifest.write(built, inputs_copy, 2024, TEMPLATES, final=False)  # as if built from today's data

    def problems() -> list[str]:
        report = status.status(inputs_copy, TEMPLATES, outputs, [2024])[0]
        return next(line.problems for line in report.lines if line.title == TITLE)

    assert problems() == []
    _set(inputs_copy / "2024" / "year.yaml", "transmis_le: 2025-06-19", "transmis_le: 2025-06-20")
    assert problems() == ["les documents publiés sont antérieurs aux données : make crf YEAR=2024 les refait"]
