"""A convention signed in turn (each party on its own day, dated at the last), and example
values the engine recognises: listed under ``a_remplacer`` or a telephone number no one answers,
each refused by a final version at its own line. No LibreOffice: the real signed scenario is in
test_signed_originals.py."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest
from builder import convention
from helpers import CONV, INPUTS, TEMPLATES, docx_text, line_of_text, load_problems, make_final

from pipeline import places, status, templates
from pipeline.convention import documents, model, rules, signed
from pipeline.yamlsource import line_of, load_yaml

D = dt.date


IN_TURN = {"date_signature": None, "signatures": {"association": "2022-02-24", "metropole": "2022-02-28"}}


@pytest.fixture
def final():
    """The shipped data made final (2022 to 2024), as a sample a test may change further."""
    return convention().final((2022, 2023, 2024))


@pytest.fixture
def real(final, inputs_copy):
    return final.write(inputs_copy)


@pytest.fixture
def in_turn(final, real):
    """The association signs on 24 February 2022, the Métropole on the 28th."""
    return final.convention(convention=IN_TURN).write(real)


# --------------------------------------------------------------------------- signed in turn


def test_a_convention_signed_in_turn_is_dated_at_its_last_signature(in_turn, tmp_path):
    data = model.load(in_turn, 2023, final=True)
    terms = data.convention.convention
    assert terms.date_signature == D(2022, 2, 28)
    assert (terms.signee_le("association"), terms.signee_le("metropole")) == (D(2022, 2, 24), D(2022, 2, 28))
    assert data.warnings == []
    copy = next(d for d in documents.plan(data) if d.key == "convention")
    assert copy.title == "La copie de la convention de partenariat signée le 28 février 2022"
    # the letters say « signée le » the last day
    first = model.load(in_turn, 2022, final=True)
    letter = next(d for d in documents.plan(first) if d.key == "appel")
    filled = templates.fill(first, places.template_for(in_turn, TEMPLATES, "appel.docx"), tmp_path / "appel.docx", final=True)
    text = " ".join(docx_text(filled.path if hasattr(filled, "path") else tmp_path / "appel.docx").split())
    assert "2022-2024 signée le 28 février 2022, approuvée par délibération" in text, text
    assert letter.date == D(2022, 3, 29)


def test_the_approved_text_keeps_its_one_line_dated_at_the_last_signature(in_turn, tmp_path):
    """The approved text has one « Fait à Marseille, le » for both parties: signed in turn, it is
    dated there at the last signature and nowhere else — no date line added under either block
    (that would change the text the délibération approved); each party's own day is that of its
    electronic signature, which ``verify`` compares with the data."""
    data = model.load(in_turn, 2022, final=True)
    filled = templates.fill(
        data, places.template_for(in_turn, TEMPLATES, "convention.docx"), tmp_path / "convention.docx", final=True
    )
    text = " ".join(docx_text(filled.docx).split())
    assert text.count("Fait à") == 1 and "Fait à Marseille, le 28 février 2022" in text
    assert re.findall(r"\d+ février 2022", text) == ["17 février 2022", "28 février 2022"]  # the délibération's, then it


def test_each_party_signs_on_its_own_day_between_the_deliberation_and_the_first_call(in_turn):
    data = model.load(in_turn, 2022, final=True)
    convention = next(d for d in documents.plan(data) if d.key == "convention")
    said = lambda who, day: signed.out_of_window(convention, data, "X", day, who)  # noqa: E731
    assert said("association", D(2022, 2, 24)) is None and said("metropole", D(2022, 2, 28)) is None
    assert "quand convention.yaml date cette signature du 24 février 2022 (signatures.association)" in said(
        "association", D(2022, 2, 28)
    )
    assert "avant la délibération du 17 février 2022 qui autorise la convention" in said("association", D(2022, 2, 16))
    assert "après le premier appel de participation du 29 mars 2022" in said("metropole", D(2022, 3, 30))


def test_one_date_for_both_still_means_both_the_same_day(real):
    data = model.load(real, 2022, final=True)
    convention = next(d for d in documents.plan(data) if d.key == "convention")
    assert signed.out_of_window(convention, data, "X", D(2022, 2, 28), "association") is None
    assert "donnez le jour de chacune sous « signatures: »" in signed.out_of_window(
        convention, data, "X", D(2022, 2, 25), "association"
    )


def test_a_written_date_must_be_the_last_signature(final, in_turn):
    path = in_turn / "convention.yaml"
    final.convention(convention={"date_signature": "2022-02-24"}).write(in_turn)
    (problem,) = load_problems(in_turn, 2023)
    assert (
        f"convention.yaml:{line_of_text(path, 'date_signature:')}: convention.date_signature: la convention est datée de "
        "sa dernière signature, le 2022-02-28 (signatures.metropole)" in problem
    )


def test_a_signature_before_the_deliberation_warns_a_draft_and_stops_a_final_version(final, in_turn):
    path = in_turn / "convention.yaml"
    final.convention(convention={"signatures": {"association": "2022-02-10"}}).write(in_turn)
    words = "l'AR Hlm signe le 2022-02-10, avant la délibération du 2022-02-17 qui autorise la convention"
    assert any(
        words in w and w.startswith(f"{path}:{line_of_text(path, 'association: 2022')}")
        for w in model.load(in_turn, 2023).warnings
    )
    assert any(words in p for p in load_problems(in_turn, 2023, final=True))


def test_the_last_signature_after_the_first_call_is_refused(final, in_turn):
    final.convention(convention={"signatures": {"metropole": "2022-04-05"}}).write(in_turn)
    assert any(
        "la convention est signée le 2022-04-05, après le premier appel" in p for p in load_problems(in_turn, 2023, final=True)
    )


# --------------------------------------------------------------------------- example values


def _listed(root):
    """Every (file, key) the shipped inputs list under a_remplacer."""
    found = []
    for path in [root / "convention.yaml", *sorted(root.glob("20*/year.yaml"))]:
        raw = load_yaml(path, str(path))
        found += [(path, key) for key in raw.get("a_remplacer", [])]
    return found


SHIPPED = _listed(INPUTS)


def test_the_shipped_inputs_mark_their_example_values_as_data():
    keys = {(p.parent.name, k) for p, k in SHIPPED}
    assert {
        ("amp-arhlm-2022-2024", "association.telephone"),
        ("amp-arhlm-2022-2024", "metropole.service"),
        ("2022", "copil.heure_fin"),
        ("2025", "copil.heure_fin"),
        ("2023", "banque.iban"),
    } <= keys
    for path in [INPUTS / "convention.yaml", *INPUTS.glob("20*/year.yaml")]:  # no mark left in a comment
        assert not re.search(r"#\s*EXEMPLE", path.read_text(encoding="utf-8")), path


@pytest.fixture(scope="module")
def listed_final(tmp_path_factory):
    """The data made real everywhere but for the a_remplacer lists, and what a final version of
    each year refuses in it: made once for every listed value, read only (the folder and each
    year's problems are the same for all of them)."""
    root = tmp_path_factory.mktemp("listed") / CONV
    shutil.copytree(INPUTS, root)
    make_final(root, years=(2022, 2023, 2024, 2025), listed=True)
    refused: dict[int, list[str]] = {}

    def problems(year: int) -> list[str]:
        if year not in refused:
            refused[year] = load_problems(root, year, final=True)
        return list(refused[year])

    return root, problems


@pytest.mark.parametrize(
    "where,key", [(str(p.relative_to(p.parents[1] if p.parent.name.isdigit() else p.parent)), k) for p, k in SHIPPED], ids=str
)
def test_each_listed_example_value_is_refused_by_a_final_version_at_its_line(listed_final, where, key):
    """The data made real everywhere but for the a_remplacer lists: each listed value is still an example."""
    root, refused = listed_final
    path = root / where
    year = int(path.parent.name) if path.parent.name.isdigit() else 2022
    problems = refused(year)
    line = line_of(load_yaml(path, str(path)), key)
    mine = [p for p in problems if p.startswith(f"{path}:{line}: {key}: ") and "(listée sous a_remplacer" in p]
    assert len(mine) == 1, problems
    assert not [p for p in problems if "fictif" in p]  # the listed telephone number is said once, as listed


def test_a_key_the_list_names_must_exist(inputs_copy):
    convention(a_remplacer=lambda keys: ["association.telefone" if k == "association.telephone" else k for k in keys]).write(
        inputs_copy
    )
    (problem,) = load_problems(inputs_copy, 2023)  # a draft too: the mark would never be seen
    assert "a_remplacer[3]: « association.telefone » ne désigne aucune valeur de ce fichier" in problem


@pytest.mark.parametrize(
    "number",
    [
        "04 00 00 00 00",
        "01 23 45 67 89",
        "00 00 00 00 00",
        "06 12 34 56 78",
        "04 11 11 11 11",
        "+33 4 00 00 00 00",
        "04.12.12.12.12",
        "04 65 71 20 30",
    ],
)
def test_a_placeholder_telephone_number_is_refused_as_such(final, real, number):
    final.convention(association={"telephone": number}).write(real)
    words = f"association.telephone: « {number} » est un numéro de téléphone fictif"
    assert any(words in w for w in model.load(real, 2023).warnings)  # a draft: a warning, when not listed
    assert any(words in p for p in load_problems(real, 2023, final=True))


def test_a_number_given_in_a_text_after_tel_is_judged_too(final, real):
    final.year(2023, appel={"dossier_suivi_par": lambda who: who + " – tél. 01 23 45 67 89"}).write(real)
    assert any(
        "appel.dossier_suivi_par: « 01 23 45 67 89 » est un numéro de téléphone fictif (des chiffres qui se suivent)" in p
        for p in load_problems(real, 2023, final=True)
    )


@pytest.mark.parametrize("number", ["04 88 77 31 52", "04 91 13 76 20", "+33 4 91 57 50 57", "06 84 21 93 07"])
def test_a_real_looking_number_passes(number):
    assert rules.placeholder_phone(number) is None


def test_a_new_year_keeps_the_example_values_it_copies_listed(inputs_copy):
    import shutil

    from pipeline.convention import scaffold

    shutil.rmtree(inputs_copy / "2025")
    shutil.rmtree(inputs_copy / "2024")
    scaffold.new_year(inputs_copy, 2024)
    raw = load_yaml(inputs_copy / "2024" / "year.yaml", "year.yaml")
    assert raw["a_remplacer"] == ["banque.iban", "banque.bic", "copil.heure_fin"]


@pytest.mark.parametrize(
    "siret,words",
    [
        (
            "775 000 004 00001",
            "la clé du SIREN ne correspond pas : ses 9 premiers chiffres (775 000 004) forment le SIREN, "
            "qui a sa propre clé de contrôle",
        ),
        ("775 000 003 00002", "le SIREN est juste, mais la clé du SIRET entier"),
        ("775 000 003", "9 chiffres : un SIRET s'écrit en 14 chiffres, les 9 du SIREN puis les 5 du NIC"),
    ],
)
def test_the_siret_message_says_which_key_fails(siret, words):
    assert words in rules.siret_problem(siret)


# --------------------------------------------------------------------------- the day of a signature


def test_a_letter_is_signed_on_its_date_said_without_contradiction(real):
    data = model.load(real, 2022, final=True)
    letter = next(d for d in documents.plan(data) if d.key == "appel")
    said = signed.out_of_window(letter, data, "Pascal FRIQUET", D(2026, 12, 6))
    assert said == (
        "signé par Pascal FRIQUET le 6 décembre 2026, et non le jour de sa date (29 mars 2022) : une "
        "lettre se signe le jour où elle est datée — signez-la ce jour-là, ou corrigez sa date dans "
        "year.yaml, reconstruisez et signez à nouveau"
    )
    assert signed.out_of_window(letter, data, "Pascal FRIQUET", D(2022, 3, 29)) is None


def test_sign_knows_the_window_of_the_document_it_signs(real, tmp_path):
    conventions = [real]
    letter = tmp_path / "dossier-2022.pdf"  # a copy anywhere: found by its name
    said = status.signing_today(letter, "appel-association", conventions, D(2026, 12, 6))
    assert said.startswith(
        "dossier-2022.pdf (L'appel de participation 2022) : signé aujourd'hui, 6 décembre 2026, "
        "et non le jour de sa date (29 mars 2022)"
    ), said
    assert status.signing_today(letter, "appel-association", conventions, D(2022, 3, 29)) is None
    minutes = tmp_path / "pv-copil-2023.pdf"
    assert "avant la date du document (14 mars 2023)" in status.signing_today(
        minutes, "pv-copil-metropole", conventions, D(2023, 3, 10)
    )
    assert status.signing_today(minutes, "pv-copil-metropole", conventions, D(2023, 3, 15)) is None
    assert status.signing_today(tmp_path / "autre.pdf", "appel-association", conventions, D(2026, 1, 5)) is None


def test_the_metropole_s_engagement_number_is_given_in_the_letter_when_known(final, real, tmp_path):
    def letter():
        data = model.load(real, 2022)
        templates.fill(data, places.template_for(real, TEMPLATES, "appel.docx"), tmp_path / "appel.docx", final=False)
        return " ".join(docx_text(tmp_path / "appel.docx").split())

    assert "V/Réf." not in letter()
    final.year(2022, appel={"engagement": "EJ 2022-0042"}).write(real)
    assert "N/Réf. : AR-2022-012 – V/Réf. : engagement n° EJ 2022-0042" in letter()


def test_the_words_a_template_types_get_no_break_spaces_too(inputs_copy, tmp_path):
    data = model.load(inputs_copy, 2023)
    templates.fill(data, places.template_for(inputs_copy, TEMPLATES, "bordereau.docx"), tmp_path / "b.docx", final=False)
    text = docx_text(tmp_path / "b.docx")
    assert "Les pages sont celles du dossier 2023\u00a0: le numéro «\u00a0Dossier 2023 · page n / …\u00a0» en bas" in text
    closing = model.load(inputs_copy, 2025)
    templates.fill(closing, places.template_for(inputs_copy, TEMPLATES, "bilan-final.docx"), tmp_path / "f.docx", final=False)
    text = docx_text(tmp_path / "f.docx")
    assert "en donne le détail\u00a0: celui de 2022" in text and "l’appel de participation 2024\u202f; celui de 2024" in text
