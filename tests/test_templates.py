"""Templates edited by staff: every mistake caught by check, refused by a build, no traceback."""

import re
import shutil
import subprocess

import docx
import pytest
from helpers import CONV, TEMPLATES, cli, edited_templates, shipped_stems

broken_copy = edited_templates  # a template broken as staff would break it in Word


CASES = [
    ("typo'd variable", "appel.docx", "{{ annee }}", "{{ anne }}", ["appel.docx", "« anne »", "« annee »"]),
    ("broken tag", "bilan.docx", "{{ a.titre }}", "{{ a.titre }", ["bilan.docx", "balise mal formée"]),
    ("unknown filter", "appel.docx", "|montant_complet", "|montant_complé", ["appel.docx", "filtre", "montant_complet"]),
    ("python internals", "bordereau.docx", "{{ loop.index }}", "{{ piece.__class__.__mro__ }}", ["bordereau.docx", "interdit"]),
    ("typo in a table", "bilan.docx", "{{ a.titre }}", "{{ a.titr }}", ["bilan.docx", "tableau, cellule", "titr"]),
    # the tag is white one-point text in Word: easily deleted with the block around it
    (
        "signature tag deleted",
        "appel.docx",
        "{{ signature('appel', 'association') }}",
        "",
        ["appel.docx", "signature('appel', 'association')", "manque", "champ de signature"],
    ),
    (
        "signature tag misspelt",
        "bilan.docx",
        "signature('bilan'",
        "signature('bilna'",
        ["bilan.docx", "signature('bilna', 'association')", "écrivez signature('bilan', 'association')"],
    ),
    (
        "signature block twice",
        "appel.docx",
        "{{ signature('appel', 'association') }}",
        "{{ signature('appel', 'association') }}{{ signature('appel', 'association') }}",
        ["appel.docx", "signature('appel', 'association') }} apparaît 2 fois"],
    ),
]
BUILD_CASES = CASES[:2] + CASES[5:6]


@pytest.mark.parametrize("label, name, old, new, expected", CASES, ids=[c[0] for c in CASES])
def test_check_names_the_template_and_the_mistake(tmp_path, label, name, old, new, expected):
    folder = broken_copy(tmp_path, name, old, new)
    result = cli("--templates", str(folder), "check")
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    for words in expected:
        assert words in result.stderr, (words, result.stderr)


@pytest.mark.parametrize("label, name, old, new, expected", BUILD_CASES, ids=[c[0] for c in BUILD_CASES])
def test_build_refuses_a_broken_template_and_keeps_previous_outputs(office, tmp_path, label, name, old, new, expected):
    folder = broken_copy(tmp_path, name, old, new)
    outputs = tmp_path / "outputs"
    (outputs / CONV / "2023").mkdir(parents=True)
    (outputs / CONV / "2023" / "dossier-2023.pdf").write_bytes(b"previous")
    result = cli("--templates", str(folder), "--outputs", str(outputs), "build", "2023")
    assert result.returncode == 3 and "Traceback" not in result.stderr
    assert name in result.stderr
    assert (outputs / CONV / "2023" / "dossier-2023.pdf").read_bytes() == b"previous"
    assert sorted(p.name for p in (outputs / CONV).iterdir() if not p.name.startswith(".lock")) == ["2023"]


def test_shipped_templates_pass_check():
    result = cli("check")
    assert result.returncode == 0, result.stderr


def pdf_texts(folder, year=2023):
    """Each document's words, page by page: where a line breaks may move by a hair when
    LibreOffice rounds a resaved column width, the text may not."""
    import re

    from pypdf import PdfReader

    def words(text: str) -> str:
        return re.sub(r"-\s+", "-", " ".join(text.split()))

    return {
        stem: [words(p.extract_text()) for p in PdfReader(folder / str(year) / f"{stem}.pdf").pages]
        for stem in shipped_stems()[year]
    }


def test_templates_resaved_by_libreoffice_build_the_same_documents(tmp_path, built):
    resaved = tmp_path / "resaved"
    result = subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(resaved),
            *map(str, sorted(TEMPLATES.glob("*.docx"))),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0 and len(list(resaved.glob("*.docx"))) == len(list(TEMPLATES.glob("*.docx"))), result.stderr
    outputs = tmp_path / "outputs"
    build = cli("--templates", str(resaved), "--outputs", str(outputs), "build", "2023")
    assert build.returncode == 0, build.stderr
    assert pdf_texts(outputs / CONV) == pdf_texts(built)


def test_templates_survive_word_style_runs_and_smart_quotes(tmp_path, built):
    """Word splits text into many runs and types “smart” quotes: tags must survive both."""
    import copy

    from docx.oxml.ns import qn

    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES, folder)
    for path in folder.glob("*.docx"):
        document = docx.Document(path)
        body = document.element.body
        for run in list(body.iter(qn("w:r"))):
            t = run.find(qn("w:t"))
            content = [child for child in run if child.tag != qn("w:rPr")]
            if t is None or not t.text or "{" not in t.text or len(content) != 1:
                continue  # runs holding a tab or a break are left whole
            text = re.sub(r"\{[{%].*?[%}]\}", lambda m: m.group(0).replace("'", "’"), t.text)
            pieces = [text[i : i + 3] for i in range(0, len(text), 3)]
            t.text = pieces[0]
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            anchor = run
            for piece in pieces[1:]:
                clone = copy.deepcopy(run)
                clone.find(qn("w:t")).text = piece
                anchor.addnext(clone)
                anchor = clone
        document.save(path)
    outputs = tmp_path / "outputs"
    build = cli("--templates", str(folder), "--outputs", str(outputs), "build", "2023")
    assert build.returncode == 0, build.stderr
    assert pdf_texts(outputs / CONV) == pdf_texts(built)


def test_variables_reference_lists_what_a_template_uses_with_values():
    result = cli("variables", "appel", "--year", "2023")
    assert result.returncode == 0, result.stderr
    assert "appel.reference  [texte]" in result.stdout and "= AR-2023-012" in result.stdout
    assert "montant_lettres" in result.stdout  # filters listed
    assert "copil.decisions" not in result.stdout  # only what appel.docx uses


def test_build_names_the_table_cell_of_a_wrong_attribute(
    office, tmp_path
):  # its LibreOffice starts before the templates are read
    folder = broken_copy(tmp_path, "bilan.docx", "{{ a.titre }}", "{{ a.titr }}")
    result = cli("--templates", str(folder), "--outputs", str(tmp_path / "out"), "build", "2023")
    assert result.returncode == 3 and "Traceback" not in result.stderr
    assert "bilan.docx (tableau, cellule « {{ a.titr }} »)" in result.stderr


def test_annotate_shows_the_errors_inside_word_and_never_touches_the_template(tmp_path):
    import hashlib

    folder = broken_copy(tmp_path, "appel.docx", "{{ annee }}", "{{ anne }}")
    template = folder / "appel.docx"
    before = hashlib.sha256(template.read_bytes()).hexdigest()
    result = cli("--templates", str(folder), "check", "--annotate")
    assert result.returncode == 3 and "appel.erreurs.docx" in result.stderr
    assert hashlib.sha256(template.read_bytes()).hexdigest() == before
    copy = docx.Document(folder / "appel.erreurs.docx")
    comments = list(copy.comments)
    assert len(comments) == 1 and comments[0].author == "Vérification des modèles"
    assert "« anne » inconnue — vouliez-vous dire « annee » ?" in comments[0].text
    anchored = [p.text for p in copy.paragraphs if p._p.xpath(".//w:commentRangeStart")]
    assert anchored and "{{ anne }}" in anchored[0]
    shutil.copy(TEMPLATES / "appel.docx", template)  # fixed: the commented copy goes away
    result = cli("--templates", str(folder), "check", "--annotate")
    assert result.returncode == 0, result.stderr
    assert not (folder / "appel.erreurs.docx").exists()
