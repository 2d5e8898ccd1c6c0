"""What makes a published dossier stale (README: « une reconstruction sans changement s'arrête
tout de suite »; anything else is rebuilt). The build's own decision is observed, without
LibreOffice: a published year is faked by its manifest, and the LibreOffice the build would
start is a stand-in that stops it the moment it has decided to work."""

import shutil

import pytest
from helpers import CONV, TEMPLATES

from pipeline import build, manifest


class WouldBuild(Exception):
    """The build decided that the year is stale and went to start LibreOffice."""


class NoOffice:
    """Stands for the build's LibreOffice: starting it means there is work to do."""

    def prestart(self, workers=None):
        raise WouldBuild()


def publish(inputs, outputs, year, *, final=False):
    """outputs/<convention>/<year>/ as a finished build leaves it: its files and their manifest."""
    folder = outputs / CONV / str(year)
    folder.mkdir(parents=True)
    (folder / f"dossier-{year}.pdf").write_bytes(b"%PDF-1.7 dossier publie\n")
    manifest.write(folder, inputs, year, TEMPLATES, final=final)


def rebuilds(inputs, outputs, year, *, final=False) -> bool:
    """Whether ``build <year>`` (``--final``) would work again, rather than say it is up to date."""
    request = build.BuildRequest(inputs, TEMPLATES, outputs, final)
    try:
        build.build_years([year], request, build.Runtime(NoOffice(), log=lambda m: None, warn=lambda m: None))
    except WouldBuild:
        return True
    return False


@pytest.fixture()
def published(inputs_copy, tmp_path):
    """The 2023 dossier published as a draft from the shipped data: (inputs, outputs)."""
    outputs = tmp_path / "outputs"
    publish(inputs_copy, outputs, 2023)
    return inputs_copy, outputs


def test_nothing_changed_nothing_rebuilt(published):
    assert not rebuilds(*published, 2023)


@pytest.mark.parametrize("sheet", ["actions.xlsx", "actions.ods", "actions.csv"])
def test_a_changed_actions_sheet_rebuilds_the_dossier(inputs_copy, tmp_path, sheet):
    """The chargée de mission keeps the year's actions in a spreadsheet: saving it again with a
    new row makes the dossier stale."""
    outputs = tmp_path / "outputs"
    path = inputs_copy / "2023" / sheet
    path.write_bytes(b"Date;Chantier;Modalit\xe9;Action\r\n25/01/2023;plh;animation;R\xe9union\r\n")
    publish(inputs_copy, outputs, 2023)
    assert not rebuilds(inputs_copy, outputs, 2023)
    path.write_bytes(path.read_bytes() + b"08/02/2023;lls;groupes;Groupe de travail\r\n")
    assert rebuilds(inputs_copy, outputs, 2023)


def test_a_new_actions_sheet_rebuilds_the_dossier(published):
    inputs, outputs = published
    (inputs / "2023" / "actions.csv").write_text("Date;Chantier;Modalité;Action\n", encoding="utf-8")
    assert rebuilds(inputs, outputs, 2023)


def test_a_replaced_piece_of_the_year_whose_bilan_the_dossier_holds_rebuilds_it(inputs_copy, tmp_path):
    """The build of year N reads and validates N-1, whose bilan it holds: a piece replaced there
    (a corrected RIB, new accounts) is a change of dossier N's inputs too."""
    outputs = tmp_path / "outputs"
    publish(inputs_copy, outputs, 2024)
    piece = sorted((inputs_copy / "2023" / "pieces").glob("*.pdf"))[0]
    piece.write_bytes(piece.read_bytes() + b"\n% nouvelle version de la piece\n")
    assert rebuilds(inputs_copy, outputs, 2024)


def test_the_next_year_counts_by_its_year_yaml_alone(published):
    """Dossier N only compares the meetings its minutes announce with those N+1's year.yaml
    lists: N+1's pieces and actions sheet, filled in during N+1, leave dossier N up to date (and
    « make statut » says so), while its year.yaml changes it."""
    inputs, outputs = published
    piece = sorted((inputs / "2024" / "pieces").glob("*.pdf"))[0]
    piece.write_bytes(piece.read_bytes() + b"\n% nouvelle version de la piece\n")
    (inputs / "2024" / "actions.csv").write_text("Date;Chantier;Modalité;Action\n", encoding="utf-8")
    assert not rebuilds(inputs, outputs, 2023)
    path = inputs / "2024" / "year.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# réunions revues\n", encoding="utf-8")
    assert rebuilds(inputs, outputs, 2023)


def test_a_file_of_a_year_the_dossier_does_not_read_changes_nothing(published):
    """The control of the tests above: 2025 is no neighbour of 2023, its files leave the 2023
    dossier up to date (a build that always worked again would pass them too)."""
    inputs, outputs = published
    (inputs / "2025" / "note.txt").write_text("sans rapport avec 2023\n", encoding="utf-8")
    assert not rebuilds(inputs, outputs, 2023)


def test_a_final_build_after_a_draft_rebuilds(published):
    """The draft carries « PROJET »: a --final build that kept it would ship the draft."""
    assert rebuilds(*published, 2023, final=True)


def test_a_draft_after_a_final_build_rebuilds(inputs_copy, tmp_path):
    outputs = tmp_path / "outputs"
    publish(inputs_copy, outputs, 2023, final=True)
    assert not rebuilds(inputs_copy, outputs, 2023, final=True)
    assert rebuilds(inputs_copy, outputs, 2023)


def test_a_changed_own_template_rebuilds_the_dossier(published):
    inputs, outputs = published
    shutil.copy(TEMPLATES / "appel.docx", inputs / "templates" / "appel.docx")
    assert rebuilds(inputs, outputs, 2023)
