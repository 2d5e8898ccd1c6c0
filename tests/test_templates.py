"""Templates edited by staff: every mistake caught by check, refused by a build, no traceback."""
import shutil

import docx
import pytest

from conftest import INPUTS, TEMPLATES, run_cli


def broken_copy(tmp_path, name: str, old: str, new: str):
    """A copy of templates/ where one text of one template is changed, as staff would in Word."""
    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES, folder)
    document = docx.Document(folder / name)
    paragraphs = list(document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                paragraphs.extend(cell.paragraphs)
    for p in paragraphs:
        for run in p.runs:
            if old in run.text:
                run.text = run.text.replace(old, new, 1)
                document.save(folder / name)
                return folder
    raise AssertionError(f"{old!r} not found in {name}")


CASES = [
    ("typo'd variable", "appel.docx", "{{ annee }}", "{{ anne }}", ["appel.docx", "« anne »", "« annee »"]),
    ("broken tag", "bilan.docx", "{{ a.titre }}", "{{ a.titre }", ["bilan.docx", "balise mal formée"]),
    ("unknown filter", "appel.docx", "|montant_complet", "|montant_complé", ["appel.docx", "filtre", "montant_complet"]),
    ("python internals", "bordereau.docx", "{{ loop.index }}", "{{ piece.__class__.__mro__ }}",
     ["bordereau.docx", "interdit"]),
]


@pytest.mark.parametrize("label, name, old, new, expected", CASES, ids=[c[0] for c in CASES])
def test_check_names_the_template_and_the_mistake(tmp_path, label, name, old, new, expected):
    folder = broken_copy(tmp_path, name, old, new)
    result = run_cli("--templates", str(folder), "check")
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    for words in expected:
        assert words in result.stderr, (words, result.stderr)


@pytest.mark.parametrize("label, name, old, new, expected", CASES[:2], ids=[c[0] for c in CASES[:2]])
def test_build_refuses_a_broken_template_and_keeps_previous_outputs(tmp_path, label, name, old, new, expected):
    folder = broken_copy(tmp_path, name, old, new)
    outputs = tmp_path / "outputs"
    (outputs / "2023").mkdir(parents=True)
    (outputs / "2023" / "dossier-2023.pdf").write_bytes(b"previous")
    result = run_cli("--templates", str(folder), "--outputs", str(outputs), "build", "2023")
    assert result.returncode == 3 and "Traceback" not in result.stderr
    assert name in result.stderr
    assert (outputs / "2023" / "dossier-2023.pdf").read_bytes() == b"previous"
    assert sorted(p.name for p in outputs.iterdir() if not p.name.startswith(".lock")) == ["2023"]


def test_shipped_templates_pass_check():
    result = run_cli("check")
    assert result.returncode == 0, result.stderr
