"""The template engine without LibreOffice: every shipped template filled with every shipped
year's data, through the templates room, leaves no tag unfilled; ``check`` finds the shipped
convention clean; a template's problem says where it is in attributes, which the build's error
and the Word annotator read (never the French text)."""

from __future__ import annotations

import zipfile

import docx
import pytest
from helpers import INPUTS, TEMPLATES

from pipeline import checks, places, render, templates
from pipeline.convention import catalogue, documents, model
from pipeline.errors import ExitCode, TemplateProblem
from pipeline.pdf import marks

YEARS = model.dossier_years(INPUTS)
SENT = model.crf_years(INPUTS)  # each year's own CRF, sent apart with its letter (make crf)
FILLS = [(year, planned.key) for year in YEARS for planned in documents.plan(model.load(INPUTS, year))] + [
    (f"crf-{year}", planned.key) for year in SENT for planned in documents.plan(model.load_sending(INPUTS, year))
]
TAGS = ("{{", "}}", "{%", "%}", "{#", "#}")


@pytest.fixture(scope="module")
def loaded():
    return {
        **{year: model.load(INPUTS, year) for year in YEARS},
        **{f"crf-{year}": model.load_sending(INPUTS, year) for year in SENT},
    }


def test_the_shipped_templates_are_the_convention_s_own_then_the_shared_ones():
    used = {p.name for p in places.templates_used(INPUTS, TEMPLATES)}
    assert {"convention.docx", "appel.docx", "bilan.docx", "bordereau.docx"} <= used
    assert {key for _, key in FILLS} == {p.stem for p in places.templates_used(INPUTS, TEMPLATES)}


@pytest.mark.parametrize("year, key", FILLS, ids=[f"{y}-{k}" for y, k in FILLS])
def test_every_shipped_template_fills_every_year_without_a_tag_left(tmp_path, loaded, year, key):
    """By the one road (``templates.fill``): no tag left, reproducible bytes, and no rule objects."""
    inputs = loaded[year]
    planned = next(d for d in documents.plan(inputs) if d.key == key)
    filled = templates.fill(
        inputs, places.template_for(INPUTS, TEMPLATES, f"{key}.docx"), tmp_path / f"{planned.stem}.docx", final=False
    )
    with zipfile.ZipFile(filled.docx) as docx_file:
        parts = [n for n in docx_file.namelist() if n.startswith("word/") and n.endswith(".xml")]
        texts = {n: "".join(docx.oxml.parse_xml(docx_file.read(n)).itertext()) for n in parts}
        assert all(info.date_time == render.ZIP_TIME for info in docx_file.infolist())  # reproducible bytes
    left = {n: [t for t in TAGS if t in text] for n, text in texts.items() if any(t in text for t in TAGS)}
    assert not left, left
    assert not any(marks.MARK.search(text) for text in texts.values())  # every signature mark became a bookmark
    assert catalogue.signature_problems(key, filled.spots) == []
    assert filled.findings == []


def test_the_shipped_convention_checks_clean():
    report = checks.check_all(INPUTS, TEMPLATES)
    assert report.problems == [] and report.exit_code == ExitCode.OK, report.problems


def test_the_report_s_exit_code_is_its_gravest_problem_s():
    assert checks.CheckReport().exit_code == 0
    assert checks.CheckReport([(2, "données"), (3, "modèle"), (2, "encore")]).exit_code == 3


def one_paragraph(tmp_path, text: str, name: str = "essai.docx"):
    document = docx.Document()
    document.add_paragraph("Objet : sans balise")
    document.add_paragraph(text)
    document.save(tmp_path / name)
    return tmp_path / name


def test_an_unknown_variable_is_a_problem_that_says_where_it_is(tmp_path, loaded):
    path = one_paragraph(tmp_path, "Le montant : {{ montant_inconnu }} euros")
    (problem,) = templates.check_template(path, list(loaded.values()))
    assert isinstance(problem, TemplateProblem) and problem.exit_code == ExitCode.TEMPLATE
    assert (problem.template, problem.name) == ("essai.docx", "montant_inconnu")
    assert problem.paragraph == "Le montant : {{ montant_inconnu }} euros"
    assert problem.where == "corps du document, paragraphe « Le montant : {{ montant_inconnu }} euros »"
    assert str(problem).startswith(f"modèle essai.docx ({problem.where}) : variable « montant_inconnu » inconnue — ")
    assert problem.said == str(problem).removeprefix(f"modèle essai.docx ({problem.where}) : ")


def test_a_fill_error_is_located_by_its_name_for_the_build(tmp_path, loaded):
    """docxtpl does not say where an error is: the build's error names the paragraph that uses the name."""
    path = one_paragraph(tmp_path, "{% for a in bilan.actions %}{{ a.titre_long }}{% endfor %}")
    inputs = loaded[YEARS[1]]
    with pytest.raises(TemplateProblem) as raised:
        render.render(path, templates.template_context(inputs).variables(), tmp_path / "out.docx")
    error = raised.value
    assert (error.template, error.name, error.element, error.where) == ("essai.docx", "titre_long", True, None)
    located = templates.with_location(path, error)
    assert located.paragraph == "{% for a in bilan.actions %}{{ a.titre_long }}{% endfor %}"
    assert str(located) == str(error).replace("modèle essai.docx :", f"modèle essai.docx ({located.where}) :", 1)
    assert located.where == f"paragraphe « {located.paragraph} »"
    with pytest.raises(TemplateProblem) as built:
        templates.fill(inputs, path, tmp_path / "filled.docx", final=False)
    assert str(built.value) == str(located)


def test_annotate_anchors_each_comment_on_the_paragraph_the_problem_names(tmp_path, loaded):
    path = one_paragraph(tmp_path, "Le montant : {{ montant_inconnu }} euros")
    problems = templates.check_template(path, list(loaded.values()))
    copy = checks.annotate(path, problems)
    document = docx.Document(copy)
    (comment,) = document.comments
    assert comment.text == problems[0].said and not comment.text.startswith("modèle")
    anchored = [p.text for p in document.paragraphs if p._p.xpath(".//w:commentRangeStart")]
    assert anchored == ["Le montant : {{ montant_inconnu }} euros"]
    assert checks.annotate(path, []) is None and not copy.exists()  # fixed: the stale copy goes


def test_a_problem_without_a_place_is_said_whole_on_the_first_paragraph(tmp_path):
    path = one_paragraph(tmp_path, "rien")
    problem = TemplateProblem.at("essai.docx", "quelque chose ne va pas")
    copy = checks.annotate(path, [problem])
    (comment,) = docx.Document(copy).comments
    assert comment.text == "(ailleurs dans le modèle) modèle essai.docx : quelque chose ne va pas"


@pytest.mark.parametrize(
    "paragraphs, expected",
    [
        (
            ["Texte {{ annee }", "Autre"],
            "modèle essai.docx (corps du document, paragraphe « Texte {{ annee }Autre ») : balise mal formée (accolades "
            "déséquilibrées) — chaque {{ se ferme par }}, chaque {% if %} par {% endif %}, chaque {% for %} par {% endfor %}",
        ),
        (
            ["{% if bilan %} rien"],
            "modèle essai.docx (corps du document, paragraphe « {% if bilan %} rien ») : balise mal formée (une balise "
            "ouvrante n'est jamais fermée) — chaque {{ se ferme par }}, chaque {% if %} par {% endif %}, chaque {% for %} "
            "par {% endfor %}",
        ),
        (
            ["Montant {{ annee|montan }}"],
            "modèle essai.docx (corps du document, paragraphe « Montant {{ annee|montan }} ») : filtre « montan » inconnu — "
            "vouliez-vous dire « montant » ?",
        ),
        (
            ["{{ dates['appel-x'].jour }}"],
            "modèle essai.docx (corps du document, paragraphe « {{ dates['appel-x'].jour }} ») : « dates.appel-x » "
            "n'existe pas — vouliez-vous dire « dates.appel » ?",
        ),
        (
            ["Un très long paragraphe " * 6 + "{{ inconnue_longue }}"],
            "modèle essai.docx (corps du document, paragraphe « Un très long paragraphe Un très long paragraphe Un très long "
            "paragraphe Un très long parag… ») : variable « inconnue_longue » inconnue — voir « python -m pipeline variables »",
        ),
    ],
    ids=["syntax", "unclosed", "filter", "dotted", "long"],
)
def test_the_checker_s_words_and_the_build_s_are_the_same(tmp_path, loaded, paragraphs, expected):
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(path := tmp_path / "essai.docx")
    assert [str(p) for p in templates.check_template(path, list(loaded.values()))] == [expected]
    with pytest.raises(TemplateProblem) as raised:  # the build's road
        templates.fill(loaded[YEARS[1]], path, tmp_path / "out.docx", final=False)
    assert str(raised.value) == expected


def test_a_problem_in_a_header_is_said_on_the_first_paragraph_as_elsewhere(tmp_path, loaded):
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "En-tête {{ annee_x }}"
    document.add_paragraph("corps")
    document.add_paragraph("suite {{ annee }}")
    document.save(path := tmp_path / "essai.docx")
    (problem,) = templates.check_template(path, list(loaded.values()))
    assert problem.where == "en-tête, paragraphe « En-tête {{ annee_x }} »"
    (comment,) = docx.Document(checks.annotate(path, [problem])).comments
    assert comment.text == f"(ailleurs dans le modèle) {problem}"  # never on the paragraph of the name it suggests


def test_a_comment_drops_the_place_even_when_the_paragraph_has_brackets(tmp_path, loaded):
    """The place was once cut off the message with a pattern that a « ) » in the paragraph broke."""
    path = one_paragraph(tmp_path, "Fait (à Lyon) : {{ anne }}")
    (problem,) = templates.check_template(path, list(loaded.values()))
    (comment,) = docx.Document(checks.annotate(path, [problem])).comments
    assert comment.text == "variable « anne » inconnue — vouliez-vous dire « annee » ?"


def test_variables_lists_only_the_names_a_template_uses():
    year, rows = checks.variables(INPUTS, TEMPLATES, "appel", None)
    assert year in YEARS and {row[0] for row in rows} and templates.used_names(TEMPLATES / "appel.docx")
    assert all(row[0].split(".")[0] in templates.used_names(TEMPLATES / "appel.docx") for row in rows)


def test_a_missing_or_broken_template_is_one_problem(tmp_path, loaded):
    (missing,) = templates.check_template(tmp_path / "absent.docx", list(loaded.values()))
    assert missing.template == "absent.docx" and str(missing).startswith("modèle absent.docx introuvable dans ")
    (tmp_path / "texte.docx").write_text("pas un document Word")
    (broken,) = templates.check_template(tmp_path / "texte.docx", list(loaded.values()))
    assert str(broken) == (
        "modèle texte.docx : ce n'est pas un document Word (.docx) — enregistrez-le depuis Word "
        "au format « Document Word (.docx) »"
    )


@pytest.mark.parametrize(
    "loop", ["{% for i in range(100000000) %}x{% endfor %}", "{% for i in range(10**9) %}{{ i }}{% endfor %}"]
)
def test_a_runaway_loop_is_the_template_s_problem_named_with_its_paragraph(tmp_path, loaded, loop):
    """« range(100000000) » was « erreur inattendue OverflowError » with no template named (battery C26)."""
    path = one_paragraph(tmp_path, f"Avant {loop} après", name="appel.docx")
    problems = templates.check_template(path, [loaded[YEARS[1]]])
    assert problems and "boucle ou un calcul sans mesure" in str(problems[0]), problems
    assert problems[0].template == "appel.docx" and "range(" in (problems[0].paragraph or "")
