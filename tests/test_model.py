"""Loading and checking inputs: every problem named with file, line and key."""

import pytest
from builder import convention
from helpers import INPUTS

from pipeline.convention import model
from pipeline.errors import InputError


def test_shipped_years_load_without_warning():
    for year in (2022, 2023, 2024, 2025):
        loaded = model.load(INPUTS, year)
        assert loaded.year.annee == year
        assert loaded.warnings == []


def _edit(root, year, old, new):
    """A change of the YAML text itself (its syntax, a key's spelling and line): not of the data."""
    path = root / str(year) / "year.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_builder_s_example_loads_as_the_shipped_one(tmp_path):
    """Every file of the example dumped again by the test builder (no comments, other lines) loads
    as the shipped file: a test that changes one value through it changes only that."""
    sample = convention()
    sample.changed |= {None, *sample.years}
    root = sample.write(tmp_path / INPUTS.name)
    for year in sample.years:
        shipped, rebuilt = model.load(INPUTS, year), model.load(root, year)
        assert (rebuilt.year, rebuilt.convention, rebuilt.warnings) == (shipped.year, shipped.convention, shipped.warnings)
    assert (root / "2023" / "year.yaml").read_text(encoding="utf-8") != (INPUTS / "2023" / "year.yaml").read_text(
        encoding="utf-8"
    )


def _error(root, year, **kw) -> str:
    with pytest.raises(InputError) as info:
        model.load(root, year, **kw)
    return str(info.value)


def test_malformed_yaml_names_file_and_line(inputs_copy):
    _edit(inputs_copy, 2023, "  reference: AR-2023-012", "  reference: [AR-2023-012")
    message = _error(inputs_copy, 2023)
    assert "2023/year.yaml:" in message and "syntaxe YAML" in message


def test_unknown_key_suggests_the_closest(inputs_copy):
    _edit(inputs_copy, 2023, "  reference: AR-2023-012", "  referense: AR-2023-012")
    message = _error(inputs_copy, 2023)
    text = (inputs_copy / "2023" / "year.yaml").read_text(encoding="utf-8")
    line = text[: text.index("referense")].count("\n") + 1
    assert f"year.yaml:{line}: appel.referense: clé inconnue" in message
    assert "« reference »" in message


def test_impossible_date_and_negative_amount_are_reported_together(inputs_copy):
    convention().year(2023, appel={"date": "2023-02-30"}, finances={"montant_recu": -5}).write(inputs_copy)
    message = _error(inputs_copy, 2023)
    assert "appel.date: la date 2023-02-30 n'existe pas" in message
    assert "finances.montant_recu" in message and "positif" in message


def test_unknown_chantier_code_is_named(inputs_copy):
    sample = convention()
    plh = next(i for i, a in enumerate(sample.years[2023]["actions"]) if (a["chantier"], a["modalite"]) == ("PLH", "GROUPES"))
    sample.year(2023, actions={plh: {"chantier": "PHL"}}).write(inputs_copy)
    message = _error(inputs_copy, 2023)
    assert "actions[4].chantier" in message and "« PLH »" in message


def test_year_outside_the_convention():
    message = _error(INPUTS, 2031)
    assert "2031" in message and "2022, 2023, 2024" in message and "2025 pour le dossier de clôture" in message


def test_missing_year_folder(inputs_copy):
    import shutil

    shutil.rmtree(inputs_copy / "2024")
    message = _error(inputs_copy, 2024)
    assert "2024" in message and "n'existe pas" in message
    assert f"make new-year YEAR=2024 CONVENTION={inputs_copy.name}" in message


def test_missing_piece_is_a_warning(inputs_copy):
    convention().year(2023, pieces=lambda pieces: [p for p in pieces if p["code"] != "comptes"]).write(inputs_copy)
    loaded = model.load(inputs_copy, 2023)
    assert any("pièce manquante : Les comptes de l'année 2022" in w for w in loaded.warnings)


def test_piece_outside_inputs_is_refused(inputs_copy):
    convention().year(
        2023,
        pieces=lambda pieces: [dict(p, fichier="../../../etc/passwd") if p["fichier"] == "pieces/rib.pdf" else p for p in pieces],
    ).write(inputs_copy)
    assert "sort du dossier des données" in _error(inputs_copy, 2023)


def test_piece_that_is_not_a_pdf(inputs_copy):
    (inputs_copy / "2023" / "pieces" / "rib.pdf").write_text("pas un pdf")
    assert "n'est pas un PDF" in _error(inputs_copy, 2023)
