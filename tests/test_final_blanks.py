"""What a final version refuses and what a document ready to sign needs: an « EXEMPLE » wherever
it stands, a blank left « à compléter » in any case, an account holder who is only part of the
association, a bilan whose year is still example data while its dossier's is real, a convention
without its signature date; and the notice for a meeting held on a Saturday or a holiday. The
data is read as the build reads it (``model.load``), no LibreOffice."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
import yaml
from helpers import INPUTS, load_problems, make_final

from pipeline.convention import documents, model


def edit_yaml(path, change) -> None:
    """A data file changed by its keys, as staff change it (its comments are not kept)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture()
def real(tmp_path):
    """The shipped convention with its blanks filled and 2022 and 2023 real, as before a final version."""
    root = tmp_path / INPUTS.name
    shutil.copytree(INPUTS, root)
    make_final(root)
    model.load(root, 2023, final=True)  # the starting point passes
    return root


def year_file(root, year=2023):
    return root / str(year) / "year.yaml"


def warned(root, year=2023) -> str:
    return "\n".join(model.load(root, year).warnings)


# --------------------------------------------------------------------- example values and blanks


def test_a_final_version_refuses_exemple_in_any_text_not_only_names(real):
    def retitle(data):
        data["actions"][0]["titre"] = "Réunion EXEMPLE des bailleurs"

    edit_yaml(year_file(real), retitle)
    problems = "\n".join(load_problems(real, 2023, final=True))
    assert "actions[1].titre" in problems and "« Réunion EXEMPLE des bailleurs » est une valeur d'exemple" in problems


def test_a_lower_case_a_completer_is_a_blank(real):
    def blank(data):
        data["actions"][0]["resultat"] = "à compléter"

    edit_yaml(year_file(real), blank)
    assert "« à compléter » reste à remplir" in warned(real)
    assert any("« à compléter » reste à remplir" in p for p in load_problems(real, 2023, final=True))


def test_an_account_holder_named_by_part_of_the_association_s_name_is_said(real):
    name = model.load(real, 2023).convention.association.nom
    part = " ".join(name.split()[:3])  # « Association Régionale des »

    def holder(data):
        data["banque"]["titulaire"] = part

    edit_yaml(year_file(real), holder)
    assert f"le titulaire du compte (« {part} ») n'est pas l'association" in warned(real)


# --------------------------------------------------------------------- ready to sign, or still a PROJET


def _documents(root, year):
    data = model.load(root, year)
    return {d.key: d for d in documents.plan(data)}, data


def test_a_bilan_of_a_year_still_in_example_data_is_not_ready_to_sign(tmp_path):
    """2023 real, 2022 still example: the bilan 2022 of the 2023 dossier keeps its PROJET mark,
    the minutes of 2023 do not."""
    root = tmp_path / INPUTS.name
    shutil.copytree(INPUTS, root)
    make_final(root, years=(2023,))
    plan, data = _documents(root, 2023)
    assert not data.year.donnees_exemple and data.bilan_year.donnees_exemple
    assert documents.not_ready_to_sign(plan["bilan"], data) == "données d'exemple (2022)"
    assert documents.not_ready_to_sign(plan["pv-copil"], data) is None


def test_a_bilan_of_a_real_year_in_a_dossier_still_example_is_ready_to_sign(tmp_path):
    root = tmp_path / INPUTS.name
    shutil.copytree(INPUTS, root)
    make_final(root, years=(2022,))
    plan, data = _documents(root, 2023)
    assert documents.not_ready_to_sign(plan["bilan"], data) is None
    assert documents.not_ready_to_sign(plan["pv-copil"], data) == "données d'exemple (2023)"


def test_a_convention_whose_signature_date_is_blank_is_not_ready_to_sign(real):
    edit_yaml(real / "convention.yaml", lambda conv: conv["convention"].update(date_signature=None))
    plan, data = _documents(real, 2022)
    assert documents.not_ready_to_sign(plan["convention"], data) == "la date de signature en blanc dans convention.yaml"


def test_a_convention_signed_on_two_days_is_ready_to_sign_without_a_date_signature(real):
    def in_turn(conv):
        conv["convention"].pop("date_signature")
        conv["convention"]["signatures"] = {"association": dt.date(2022, 2, 24), "metropole": dt.date(2022, 2, 28)}

    edit_yaml(real / "convention.yaml", in_turn)
    plan, data = _documents(real, 2022)
    assert documents.not_ready_to_sign(plan["convention"], data) is None


# --------------------------------------------------------------------- meetings on a day off


@pytest.mark.parametrize(
    "day,why",
    [
        (dt.date(2023, 2, 11), "un samedi"),
        (dt.date(2023, 2, 12), "un dimanche"),
        (dt.date(2023, 5, 8), "un jour férié (Fête de la Victoire)"),
    ],
)
def test_a_meeting_held_on_a_day_off_gets_a_notice(real, day, why):
    edit_yaml(year_file(real), lambda data: data["reunions"][0].update(date=day))
    said = [w for w in model.load(real, 2023).warnings if "reunions[1].date" in w]
    assert said and why in said[0], said


def test_a_meeting_held_on_a_working_day_gets_none(real):
    edit_yaml(year_file(real), lambda data: data["reunions"][0].update(date=dt.date(2023, 2, 10)))
    assert not [w for w in model.load(real, 2023).warnings if "reunions[1].date" in w]
