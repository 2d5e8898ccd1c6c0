"""Templates that cannot say what the data contradict, and hints that point the right way: each
rule of ``proofread`` is shown a filled document that breaks it, and the shipped templates pass
them all, every year of both conventions. No LibreOffice: templates are only filled."""
from pathlib import Path

import docx
import pytest

from helpers import INPUTS, ROOT
from pipeline import templates
from pipeline.convention import model

FIXTURE = ROOT / "tests" / "fixtures" / "mex-arhlm-2025-2027"


@pytest.fixture(scope="module")
def amp():
    return [model.load(INPUTS, year) for year in model.dossier_years(INPUTS)]


@pytest.fixture(scope="module")
def mex():
    return [model.load(FIXTURE, year) for year in model.dossier_years(FIXTURE)]


def template(tmp_path: Path, *paragraphs: str, name: str = "essai.docx") -> Path:
    """A template as a juriste writes one in Word: one paragraph per text."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(tmp_path / name)
    return tmp_path / name


def test_a_printed_structure_names_its_real_elements_and_its_paragraph(tmp_path, mex):
    path = template(tmp_path, "Le {{ instances.copil.sigle }} s'est réuni.", "Comité : {{ instances.copil }}")
    problems = [str(p) for p in templates.check_template(path, mex)]
    assert problems, problems
    said = problems[0]
    assert said.startswith("modèle essai.docx (paragraphe « Comité : {{ instances.copil }} ») : une balise imprime "
                           "un dictionnaire et non un texte (« {'nom': 'Comité stratégique', 'sigle': 'CS'"), said
    assert "imprimez l'un de ses éléments : {{ instances.copil.nom }} ou {{ instances.copil.sigle }}" in said
    assert "x.titre" not in said


def test_a_printed_loop_element_or_list_says_how_to_print_it(tmp_path, amp):
    path = template(tmp_path, "{% if bilan %}{% for c in bilan.chantiers %}{{ c }}{% endfor %}{% endif %}")
    said = str(templates.check_template(path, amp)[0])
    assert "{{ c.titre }}" in said and "paragraphe « {% if bilan %}{% for c in bilan.chantiers %}" in said, said
    path = template(tmp_path, "Joints : {{ pieces_specimens }}")
    said = str(templates.check_template(path, amp)[0])
    assert "une liste" in said and "{{ pieces_specimens|join(', ') }}" in said, said
