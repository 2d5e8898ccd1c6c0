"""Next year in one command: what carries over, the actions sheet with the convention's lists,
the pieces to provide; never an existing year overwritten."""
import shutil

import openpyxl

from conftest import run_cli
from pipeline.convention import model


def test_next_year_from_the_previous_one(inputs_copy):
    shutil.rmtree(inputs_copy / "2024")
    result = run_cli("--inputs", str(inputs_copy), "new-year", "2024")
    assert result.returncode == 0, result.stderr
    assert "pièce à déposer" in result.stdout and "Le rapport d'activité de l'année 2023" in result.stdout
    folder = inputs_copy / "2024"
    sheet = openpyxl.load_workbook(folder / "actions.xlsx")
    actions = sheet["Actions"]
    assert [c.value for c in actions[1]] == ["Date", "Chantier", "Modalité", "Action", "Partenaires", "Participants",
                                             "Résultat"]
    assert actions.freeze_panes == "A2"
    lists = {str(rule.formula1) for rule in actions.data_validations.dataValidation if rule.type == "list"}
    assert lists == {"=Listes!$A$2:$A$8", "=Listes!$B$2:$B$8"}
    assert sheet["Listes"]["A2"].value == "Le PLH métropolitain"
    # staff complete the call and drop the pieces: the year then loads, with what carried over
    text = (folder / "year.yaml").read_text(encoding="utf-8")
    (folder / "year.yaml").write_text(text.replace("  date: null\n  reference: null", "  date: 2024-03-26\n  reference: AR-2024-012", 1),
                                      encoding="utf-8")
    for source, target in (("rib", "rib"), ("statuts", "statuts"), ("bureau-ca", "instances"),
                           ("rapport-activite-2022", "rapport-activite"), ("comptes-2022", "comptes")):
        shutil.copy(inputs_copy / "2023" / "pieces" / f"{source}.pdf", folder / "pieces" / f"{target}.pdf")
    loaded = model.load(inputs_copy, 2024)
    before = model.load(inputs_copy, 2023).year
    assert loaded.year.banque == before.banque and loaded.year.copil.presents == before.copil.presents
    assert {(r.instance, r.date) for r in loaded.year.reunions} == \
        {(r.instance, r.date) for r in before.copil.prochaines_reunions if r.date.year == 2024}
    assert loaded.year.actions == []
    again = run_cli("--inputs", str(inputs_copy), "new-year", "2024")
    assert again.returncode == 2 and "existe déjà" in again.stderr


def test_the_closing_year_gets_the_closing_copil(inputs_copy):
    shutil.rmtree(inputs_copy / "2025")
    result = run_cli("--inputs", str(inputs_copy), "new-year", "2025")
    assert result.returncode == 0, result.stderr
    text = (inputs_copy / "2025" / "year.yaml").read_text(encoding="utf-8")
    assert "bilan_final:" in text and "appel:" not in text and "date: 2025-03-11" in text
    assert "transmission:" in text and "dossier_suivi_par: Mme Claire EXEMPLE, chargée de mission" in text
