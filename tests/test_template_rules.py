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
    assert said.startswith(
        "modèle essai.docx (paragraphe « Comité : {{ instances.copil }} ») : une balise imprime "
        "un dictionnaire et non un texte (« {'nom': 'Comité stratégique', 'sigle': 'CS'"
    ), said
    assert "imprimez l'un de ses éléments : {{ instances.copil.nom }} ou {{ instances.copil.sigle }}" in said
    assert "x.titre" not in said


def test_a_printed_loop_element_or_list_says_how_to_print_it(tmp_path, amp):
    path = template(tmp_path, "{% if bilan %}{% for c in bilan.chantiers %}{{ c }}{% endfor %}{% endif %}")
    said = str(templates.check_template(path, amp)[0])
    assert "{{ c.titre }}" in said and "paragraphe « {% if bilan %}{% for c in bilan.chantiers %}" in said, said
    path = template(tmp_path, "Joints : {{ pieces_specimens }}")
    said = str(templates.check_template(path, amp)[0])
    assert "une liste" in said and "{{ pieces_specimens|join(', ') }}" in said, said


def rewritten(tmp_path: Path, name: str, changes: dict[str, str]) -> Path:
    """A copy of the shipped template ``name`` where each paragraph (or cell paragraph) holding a
    key of ``changes`` has it replaced, as a juriste retyping it in Word would."""
    from helpers import TEMPLATES

    document = docx.Document(TEMPLATES / name)
    paragraphs = list(document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                paragraphs.extend(p for p in cell.paragraphs if p not in paragraphs)
    left = dict(changes)
    for p in paragraphs:
        for old, new in changes.items():
            if old in p.text and p.runs:
                text = p.text.replace(old, new)
                p.runs[0].text = text
                for run in p.runs[1:]:
                    run.text = ""
                left.pop(old, None)
    assert not left, f"not found in {name}: {list(left)}"
    (tmp_path / "templates").mkdir(exist_ok=True)
    document.save(tmp_path / "templates" / name)
    return tmp_path / "templates" / name


def said(path: Path, loaded) -> list[str]:
    """What check says of a template, filled with each dossier it is part of."""
    from pipeline.convention import documents

    fill = [d for d in loaded if any(p.key == path.stem for p in documents.plan(d))]
    return [str(p).replace("\u00a0", " ").replace("\u202f", " ") for p in templates.check_template(path, loaded, users=fill)]


def filled_warnings(path: Path, data) -> list[str]:
    from pipeline import proofread, render

    ctx = templates.template_context(data)
    out = path.with_name("rempli-" + path.name)
    render.render(path, ctx.variables(), out, templates.images(path.stem, ctx))
    return proofread.warnings(path, out, data)


# --------------------------------------------------------------------------- a letter's enclosures


def test_a_letter_that_counts_documents_among_article_3_pieces_is_refused(tmp_path, amp):
    """The old templates' letter: « comme le prévoit l'article 3 …, vous trouverez ci-joint : » with
    « pieces_jointes », which now holds the bordereau and the other documents too."""
    path = rewritten(tmp_path, "appel.docx", {"pieces_article3|map": "pieces_jointes|map"})
    found = said(path, amp)
    assert any(
        "la lettre range « la copie de la convention de partenariat signée » parmi les pièces de l'article 3" in p
        and "(données 2023)" in p
        for p in found
    ), found
    assert any(
        "« le procès-verbal du comité de pilotage du 14 mars 2023 » parmi les pièces de l'article 3" in p for p in found
    ), found
    assert all("{{ pieces_article3 }}" in p and "{{ autres_documents }}" in p for p in found), found


def test_a_letter_that_encloses_a_piece_the_dossier_does_not_join_is_refused(tmp_path, amp):
    path = rewritten(
        tmp_path,
        "appel.docx",
        {
            "pieces_article3|map('minuscule')": "pieces|map(attribute='libelle')|map('minuscule')",
            "{%p if pieces_article3 %}": "{%p if pieces %}",
        },
    )
    found = said(path, amp)
    assert any(
        "la lettre dit joindre « un bilan de la mise en œuvre de la convention », que le dossier ne joint pas" in p
        and "(données 2022)" in p
        for p in found
    ), found


def test_a_letter_that_leaves_out_a_joined_piece_is_refused(tmp_path, amp):
    path = rewritten(tmp_path, "appel.docx", {"{{ pieces_specimens|map('minuscule')|join(' ; ') }}": "voir le bordereau"})
    found = said(path, amp)
    assert any("la lettre ne nomme pas « un relevé d'identité bancaire (RIB) », « les statuts" in p for p in found), found


def test_a_letter_that_lists_the_dossier_out_of_order_is_refused(tmp_path, amp):
    path = rewritten(
        tmp_path,
        "appel.docx",
        {
            "autres_documents|map(attribute='titre')|map('minuscule')|liste_fr": "autres_documents|map(attribute='titre')|map('minuscule')|reverse|list"
            "|liste_fr"
        },
    )
    found = said(path, amp)
    assert any("dans un autre ordre que le dossier" in p for p in found), found


# --------------------------------------------------------------------------- the minutes' agenda


def agenda_minutes(tmp_path, data, agenda: list[str], headings: list[str], inline: bool = False) -> list[str]:
    """Minutes written by hand: their agenda and their body's numbered headings."""
    from pipeline import proofread

    document = docx.Document()
    document.add_heading("Procès-verbal", level=0)
    if inline:
        document.add_paragraph("Ordre du jour : " + ", ".join(agenda))
    else:
        document.add_heading("Ordre du jour", level=2)
        for point in agenda:
            document.add_paragraph(point, style="List Number")
    for heading in headings:
        document.add_heading(heading, level=1)
        document.add_paragraph("Le comité en débat.")
    document.add_heading("Relevé de décisions", level=1)
    document.add_paragraph("1. Le programme est adopté.", style="List Number")
    filled = tmp_path / "rempli.docx"
    document.save(filled)
    return proofread.problems(Path("pv-copil.docx"), filled, data)


@pytest.mark.parametrize("inline", [False, True], ids=["list", "one line"])
def test_minutes_whose_agenda_is_not_their_body_s_are_refused(tmp_path, mex, inline):
    found = agenda_minutes(
        tmp_path,
        mex[1],
        ["1. Accueil", "2. Programme", "3. Questions diverses"],
        ["1. Programme", "2. Relevé de décisions", "3. Questions diverses"],
        inline,
    )
    assert len(found) == 1, found
    assert (
        "l'ordre du jour annonce « 1. Accueil, 2. Programme, 3. Questions diverses » mais le corps du "
        "procès-verbal est numéroté « 1. Programme, 2. Relevé de décisions, 3. Questions diverses »" in found[0]
    )
    assert "{% for point in ordre_du_jour %}" in found[0]


def test_minutes_that_follow_their_agenda_pass(tmp_path, mex):
    assert (
        agenda_minutes(
            tmp_path,
            mex[1],
            ["1. Accueil", "2. Programme de travail", "3. Questions diverses"],
            ["1. Accueil et adoption de l'ordre du jour", "2. Programme de travail", "3. Questions diverses"],
        )
        == []
    )


# --------------------------------------------------------------------------- gender and number


def test_co_presidents_agree_with_the_two_who_sign(tmp_path, amp, mex):
    changes = {
        "Fait à {{ convention.lieu_signature }}, le {{ copil.date|date_fr }}": "Fait à {{ convention.lieu_signature }}, le {{ copil.date|date_fr }}. "
        "Les co-présidents du {{ instances.copil.nom|minuscule }} :"
    }
    path = rewritten(tmp_path, "pv-copil.docx", changes)
    found = said(path, mex)
    assert any(
        "« co-présidents » pour Sophie EXEMPLE-BLANC et Claire EXEMPLE-DURAND — écrivez « co-présidentes »" in p for p in found
    ), found
    assert said(path, amp) == []  # a Vice-Présidente and a Président: « co-présidents » is right


def test_a_title_of_the_other_gender_is_refused(tmp_path, amp):
    """« le Vice-Président » for the Vice-Présidente who signs the minutes for the Métropole."""
    path = rewritten(tmp_path, "pv-copil.docx", {"{{ signataires.metropole.titre }}": "le Vice-Président délégué à l'Habitat"})
    found = said(path, amp)
    assert any(
        "« le Vice-Président » pour Sophie EXEMPLE (une femme d'après sa civilité) — écrivez « la Vice-Présidente »" in p
        and "{{ signataires.metropole.titre }}" in p
        for p in found
    ), found


def test_a_party_s_president_of_the_other_gender_is_refused(tmp_path, mex):
    path = rewritten(
        tmp_path,
        "appel.docx",
        {"{{ association.titre_signature|join('\\n') }}": "Le Président de {{ association.designation_courte }}"},
    )
    found = said(path, mex)
    assert any(
        "« Le Président » pour Claire EXEMPLE-DURAND (une femme d'après sa civilité) — écrivez « La Présidente »" in p
        for p in found
    ), found


def test_an_article_that_does_not_agree_with_its_title_is_refused(tmp_path, amp):
    path = rewritten(
        tmp_path,
        "appel.docx",
        {"{{ association.titre_signature|join('\\n') }}": "la {{ association.representant.qualite }} de l'AR Hlm"},
    )
    found = said(path, amp)
    assert any("« la Président » — l'article et le titre ne s'accordent pas" in p for p in found), found


def test_a_letter_addressed_to_the_wrong_gender_is_refused(tmp_path, amp):
    path = rewritten(
        tmp_path,
        "appel.docx",
        {"Je vous prie d'agréer, {{ destinataire.appellation }},": "Je vous prie d'agréer, Monsieur le Président,"},
    )
    found = said(path, amp)
    assert any(
        "« Monsieur le Président » pour la Présidente de la Métropole Aix-Marseille-Provence (une femme d'après sa civilité) — écrivez {{ destinataire.appellation }} (« Madame la Présidente »)"
        in p
        for p in found
    ), found


# --------------------------------------------------------------------------- signature blocks


def test_a_signature_block_names_its_signatory_and_no_one_else(tmp_path, amp):
    path = rewritten(tmp_path, "pv-copil.docx", {"{{ signataires.association.nom }}": "{{ signataires.metropole.nom }}"})
    found = said(path, amp)
    assert any(
        "le bloc de signature pour l'association nomme Sophie EXEMPLE, mais c'est Pascal FRIQUET qui signe" in p
        and "{{ signataires.association.nom }}" in p
        for p in found
    ), found


def test_a_signature_block_without_the_data_s_title_is_said(tmp_path, mex):
    """The old templates' block, « Présidente / la Métropole … », where the data say « la Présidente »."""
    path = rewritten(
        tmp_path,
        "pv-copil.docx",
        {
            "Pour {{ signataires.metropole.pour }},\n{{ signataires.metropole.titre }}": "{{ signataires.metropole.qualite }}\n{{ signataires.metropole.pour }}"
        },
    )
    data = mex[1]
    assert said(path, mex) == []
    found = filled_warnings(path, data)
    assert any(
        "le bloc de signature pour la Métropole ne donne pas le titre du signataire comme les données "
        "l'écrivent (« la Vice-Présidente déléguée à l'Habitat & au Logement »)"
        in p
        and "{{ signataires.metropole.titre }}" in p
        for p in found
    ), found


# --------------------------------------------------------------------------- hints


def test_the_wrong_date_hint_shows_the_tag_to_write(tmp_path, mex):
    path = rewritten(tmp_path, "pv-copil.docx", {"le {{ copil.date|date_fr }}": "le {{ appel.date|date_fr }}"})
    found = said(path, mex)
    assert found and all("écrivez {{ copil.date|date_fr }}, celle du CS" in p for p in found), found
    assert not any("dates[" in p or "COPIL" in p for p in found), found


# --------------------------------------------------------------------------- the shipped templates


@pytest.mark.parametrize("convention", [INPUTS, FIXTURE], ids=["amp", "mex"])
def test_the_shipped_templates_pass_every_rule_every_year(tmp_path, convention):
    """Filled by the one road (``templates.fill``: as check, the preview and the build fill them),
    every shipped template of every dossier, first year to closing, gives no error and no warning;
    and the rules read a plain fill (no typography, no bookmarks) alike."""
    from helpers import TEMPLATES

    from pipeline import places, proofread, render
    from pipeline.convention import documents

    for year in model.dossier_years(convention):
        data = model.load(convention, year)
        for planned in documents.plan(data):
            template = places.template_for(convention, TEMPLATES, f"{planned.key}.docx")
            filled = templates.fill(data, template, tmp_path / f"{year}-{planned.key}-built.docx", final=False)
            assert filled.findings == [], (year, planned.key, [f.message for f in filled.findings])
            ctx = templates.template_context(data)
            plain = render.render(
                template, ctx.variables(), tmp_path / f"{year}-{planned.key}-plain.docx", templates.images(planned.key, ctx)
            )
            assert proofread.problems(template, plain, data) == [], (year, planned.key)
            assert proofread.warnings(template, plain, data) == [], (year, planned.key)
