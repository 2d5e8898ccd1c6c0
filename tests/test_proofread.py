"""check reads each trial-filled document as its reader would: templates whose every variable
exists can still print a wrong legal document, and check refuses them, naming the template,
the paragraph and the year's data (no LibreOffice needed)."""

import pytest
from helpers import cli, edited_templates

CASES = [
    (
        "a structure printed",
        "bilan.docx",
        "{{ c.titre }}",
        "{{ c }}",
        ["bilan.docx", "imprime un dictionnaire et non un texte", "{'numero': 1"],
    ),
    (
        "another date in the signature line",
        "pv-copil.docx",
        "le {{ copil.date|date_fr }}",
        "le {% if appel %}{{ appel.date|date_fr }}{% else %}{{ copil.date|date_fr }}{% endif %}",
        ["pv-copil.docx", "« Fait à Marseille, le 28 mars 2023 »", "daté du 14 mars 2023 (sa date propre)", "(données 2023)"],
    ),
    (
        "another year in a bilan's title",
        "bilan.docx",
        "Bilan {{ bilan.annee }}",
        "Bilan {{ annee }}",
        ["bilan.docx", "« Bilan 2023 de la mise en œuvre de la convention »", "rend compte de 2022, pas de 2023"],
    ),
    (
        "a first-year bordereau calling the bilan missing",
        "bordereau.docx",
        "{{ piece.sans_objet|majuscule }}",
        "MANQUANTE",
        ["bordereau.docx", "MANQUANTE", "le bilan est « sans objet », pas manquant", "(données 2022)"],
    ),
]


@pytest.mark.parametrize("label, name, old, new, expected", CASES, ids=[c[0] for c in CASES])
def test_check_refuses_a_template_that_prints_a_wrong_document(tmp_path, label, name, old, new, expected):
    result = cli("--templates", str(edited_templates(tmp_path, name, old, new)), "check")
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    for words in expected:
        assert words in result.stderr.replace("\u00a0", " "), (words, result.stderr)


def test_the_shipped_templates_and_the_second_convention_s_pass_the_reading():
    from helpers import ROOT

    for inputs in (ROOT / "inputs", ROOT / "tests" / "fixtures"):
        result = cli("--inputs", str(inputs), "check")
        said = [line for line in result.stderr.splitlines() if line.startswith(("erreur", "avertissement : modèle"))]
        assert result.returncode == 0 and not said, result.stderr
