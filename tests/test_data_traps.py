"""Data that cannot be misread (issue 28, item 4): what staff write in year.yaml and
convention.yaml means what they meant, or is refused with its file, line and what to do.

- times: « 14:30 » was read as 870 minutes (YAML 1.1 sexagesimal) and printed « ouverte à 870 »;
- YAML 1.1 traps: « NO », « on » became booleans, « 010 » became 8, « 1:30 » became 90;
- civilité and fonction agree: « Madame la Président » was printed without a word;
- the member who signs the minutes for a party was prepared for signature while excused;
- the YAML parser's messages were printed in English.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import typing
from decimal import Decimal

import pytest
import yaml
from builder import convention
from helpers import line_of_text, load_problems

from pipeline.binder import Problems, bind
from pipeline.convention import documents, model
from pipeline.errors import InputError
from pipeline.yamlsource import load_yaml


def _edit(path, old, new, count=1):
    """A change of the YAML text itself, as staff type it (how a value is written is the trap)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


# --------------------------------------------------------------------------- 1. times


@pytest.mark.parametrize(
    "written, meant",
    [
        ("14:30", "14 h 30"),
        ("14h30", "14 h 30"),
        ("14 h 30", "14 h 30"),
        ("14H30", "14 h 30"),
        ('"14:30"', "14 h 30"),
        ("14 h", "14 h 00"),
        ("14h", "14 h 00"),
        ("09:05", "9 h 05"),
        ("9 h 5", None),
    ],
)
def test_a_time_means_what_staff_wrote(inputs_copy, written, meant):
    from pipeline.french import typo_heure

    path = inputs_copy / "2023" / "year.yaml"
    _edit(path, 'heure: "10 h 00"', f"heure: {written}")
    _edit(path, 'heure_fin: "12 h 00"', "heure_fin: 18 h")
    if meant is None:  # « 9 h 5 » could be 9 h 05 or 9 h 50: asked, not guessed
        (problem,) = load_problems(inputs_copy, 2023)
        assert f"2023/year.yaml:{line_of_text(path, 'heure: ')}: copil.heure:" in problem and "9 h 5" in problem
        return
    heure = model.load(inputs_copy, 2023).year.copil.heure
    assert heure == meant  # what {{ copil.heure }} prints
    assert typo_heure(heure) == meant.replace(" ", "\u00a0")  # {{ copil.heure|typo_heure }}: never cut


@pytest.mark.parametrize("written", ["25:00", "14:75", "matin", "24 h", "1430"])
def test_an_impossible_time_is_refused_with_its_line(inputs_copy, written):
    path = inputs_copy / "2023" / "year.yaml"
    _edit(path, 'heure_fin: "12 h 00"', f"heure_fin: {written}")
    (problem,) = load_problems(inputs_copy, 2023)
    assert problem.startswith(f"{_display(path)}:{line_of_text(path, 'heure_fin: ')}: copil.heure_fin: ")
    assert f"« {written} »" in problem and "14 h 30" in problem  # what is wrong, and how to write it


def test_the_minutes_print_the_time_staff_meant(inputs_copy, tmp_path):
    """Through the real template (docxtpl, no LibreOffice): « ouverte à 870 » was printed."""
    from helpers import TEMPLATES, docx_text

    from pipeline import places, templates

    _edit(inputs_copy / "2023" / "year.yaml", 'heure: "10 h 00"', "heure: 14:30")
    _edit(inputs_copy / "2023" / "year.yaml", 'heure_fin: "12 h 00"', "heure_fin: 16h")
    loaded = model.load(inputs_copy, 2023)
    filled = templates.fill(
        loaded, places.template_for(inputs_copy, TEMPLATES, "pv-copil.docx"), tmp_path / "pv.docx", final=False
    )  # the build's road
    text = docx_text(filled.docx)
    assert "La séance est ouverte à 14\u00a0h\u00a030" in text and "la séance est levée à 16\u00a0h\u00a000" in text
    assert "870" not in text


def test_a_meeting_ends_after_it_opens(inputs_copy):
    """Times compare as times: « 9 h 30 » is before « 12 h 00 », though its text sorts after."""
    path = inputs_copy / "2023" / "year.yaml"
    _edit(path, 'heure: "10 h 00"', "heure: 9:30")
    assert model.load(inputs_copy, 2023).year.copil.heure == "9 h 30"
    _edit(path, 'heure_fin: "12 h 00"', "heure_fin: 9h")
    (problem,) = load_problems(inputs_copy, 2023)
    assert f"year.yaml:{line_of_text(path, 'heure_fin:')}: copil.heure_fin: la séance est levée à 9 h 00" in problem


def _display(path) -> str:
    return model.display(path)


# the schema's fields, by the type of value they hold: every one is tried, none listed by hand
def _leaf_fields():
    seen, found = set(), []

    def walk(cls):
        if cls in seen:
            return
        seen.add(cls)
        hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            tp = hints[f.name]
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if typing.get_origin(tp) in (typing.Union, type(int | None)):
                tp = args[0]
            if typing.get_origin(tp) is list and dataclasses.is_dataclass(typing.get_args(tp)[0]):
                walk(typing.get_args(tp)[0])
            elif dataclasses.is_dataclass(tp):
                walk(tp)
            else:
                found.append(pytest.param(tp, id=f"{cls.__name__}.{f.name}"))

    walk(model.Convention)
    walk(model.Annee)
    return found


def _kind(tp) -> str:
    if getattr(tp, "__name__", "") == "Heure":
        return "heure"
    if typing.get_origin(tp) is list:
        return "list-" + _kind(typing.get_args(tp)[0])
    if typing.get_origin(tp) is typing.Literal:
        return "choice"
    return {str: "text", int: "integer", Decimal: "amount", dt.date: "date", bool: "yes/no"}[tp]


def _bound(tmp_path, tp, written):
    """One value written as staff would (unquoted), read and bound to the field's type."""
    probe = dataclasses.make_dataclass("Probe", [("v", tp)])
    path = tmp_path / "probe.yaml"
    path.write_text(f"v: {written}\n", encoding="utf-8")
    raw = load_yaml(path, "probe.yaml")
    problems = Problems("probe.yaml")
    record = bind(probe, raw, "", raw.line, problems)
    return (record.v if record is not None else None), problems.items


# what YAML 1.1 would have changed: booleans, octal, sexagesimal, underscores, hexadecimal
TEXT_TRAPS = [
    "NO",
    "no",
    "on",
    "Off",
    "yes",
    "Y",
    "010",
    "0012",
    "00012345600001",
    "1:30",
    "1.10",
    "1_000",
    "0x1F",
    "+33",
    "13007",
    "2023-03-15",
]


@pytest.mark.parametrize("tp", _leaf_fields())
def test_no_yaml_1_1_trap_changes_a_value(tmp_path, tp):
    kind = _kind(tp)
    if kind in ("text", "list-text"):
        for written in TEXT_TRAPS:  # a code, a SIRET, a postal code: kept as written
            value, problems = _bound(tmp_path, tp, f"\n  - {written}" if kind == "list-text" else written)
            assert problems == [] and value == ([written] if kind == "list-text" else written), (written, value)
    elif kind == "choice":
        value, problems = _bound(tmp_path, tp, "NO")
        assert len(problems) == 1 and "« NO »" in problems[0]  # not « False »
    elif kind == "integer":
        assert _bound(tmp_path, tp, "12") == (12, [])
        assert _bound(tmp_path, tp, "010") == (10, [])  # ten, as written in decimal: never eight
        for written in ("1:30", "1_000", "0x1F"):
            value, problems = _bound(tmp_path, tp, written)
            assert value is None and len(problems) == 1 and f"« {written} »" in problems[0], (written, problems)
    elif kind == "amount":
        assert _bound(tmp_path, tp, "20000.00") == (Decimal("20000.00"), [])
        assert _bound(tmp_path, tp, "010") == (Decimal("10.00"), [])
        for written in ("1:30", "0x1F"):
            value, problems = _bound(tmp_path, tp, written)
            assert value is None and len(problems) == 1 and f"« {written} »" in problems[0], (written, problems)
    elif kind == "date":
        assert _bound(tmp_path, tp, "2023-03-15") == (dt.date(2023, 3, 15), [])
        value, problems = _bound(tmp_path, tp, "1:30")
        assert value is None and len(problems) == 1 and "« 1:30 »" in problems[0]
    elif kind == "heure":
        assert _bound(tmp_path, tp, "1:30") == ("1 h 30", [])  # not 90
        assert _bound(tmp_path, tp, "14:30") == ("14 h 30", [])
    elif kind == "yes/no":
        for written, meant in (("true", True), ("false", False), ("oui", True), ("non", False)):
            assert _bound(tmp_path, tp, written) == (meant, []), written
    else:
        raise AssertionError(f"a field of an unexpected type: {tp}")


def test_the_schema_holds_times_and_identifiers():
    """The walk above meets what this issue is about: a time, a SIRET, amounts, dates, codes."""
    ids = {p.id for p in _leaf_fields()}
    assert {
        "Copil.heure",
        "Copil.heure_fin",
        "Partie.siret",
        "Partie.telephone",
        "Termes.montant_annuel",
        "Action.participants",
        "Chantier.code",
        "Piece.specimen",
        "Action.date",
    } <= ids


def test_codes_and_numbers_of_the_shipped_files_keep_their_spelling(inputs_copy):
    conv = inputs_copy / "convention.yaml"
    _edit(conv, "  - code: PV\n", "  - code: NO\n")
    _edit(conv, "telephone: 04 00 00 00 00", "telephone: 0400000000")
    for folder in ("2022", "2023", "2024"):
        _edit(inputs_copy / folder / "year.yaml", "chantier: PV\n", "chantier: NO\n", -1)
    _edit(inputs_copy / "2023" / "year.yaml", "reference: AR-2023-012", "reference: 012")
    loaded = model.load(inputs_copy, 2023)
    assert loaded.convention.chantiers[-1].code == "NO" and loaded.convention.association.telephone == "0400000000"
    assert loaded.year.appel.reference == "012" and loaded.year.actions[6].chantier == "NO"


def test_a_yes_no_field_still_reads_true_and_false(inputs_copy):
    loaded = model.load(inputs_copy, 2023)
    assert loaded.year.donnees_exemple is True and all(p.specimen is True for p in loaded.year.pieces)


# --------------------------------------------------------------------------- 2. civilité and fonction


def test_a_civilite_that_contradicts_the_title_is_a_warning_then_an_error(inputs_copy):
    conv = convention(association={"representant": {"civilite": "Madame"}}).write(inputs_copy) / "convention.yaml"
    line = line_of_text(conv, "qualite: Président\n")
    said = (
        f"{_display(conv)}:{line}: association.representant.qualite: civilité "
        "Madame mais fonction « Président » : écrivez « Présidente » (ou Monsieur)"
    )
    assert said + " (avertissement ; erreur avec --final)" in model.load(inputs_copy, 2023).warnings
    assert said in load_problems(inputs_copy, 2023, final=True)


def jean_as(civilite: str, qualite: str):
    """The example with Jean, present at the 2023 COPIL as « Directeur », given another civilité and title."""
    presents = convention().years[2023]["copil"]["presents"]
    jean = next(i for i, p in enumerate(presents) if p["prenom"] == "Jean")
    return convention().year(2023, copil={"presents": {jean: {"civilite": civilite, "qualite": qualite}}})


@pytest.mark.parametrize(
    "civilite, qualite, fix",
    [
        ("M.", "Vice-Présidente déléguée à l'Habitat", "écrivez « Vice-Président délégué … » (ou Mme)"),
        ("Mme", "Directeur de l'Habitat", "écrivez « Directrice … » (ou M.)"),
        ("Mme", "Conseiller métropolitain", "écrivez « Conseillère métropolitaine » (ou M.)"),
        ("M.", "Secrétaire générale", "écrivez « Secrétaire général » (ou Mme)"),
        ("Madame", "Président du conseil d'administration", "écrivez « Présidente … » (ou Monsieur)"),
    ],
)
def test_a_participant_whose_civilite_contradicts_the_title(inputs_copy, civilite, qualite, fix):
    path = jean_as(civilite, qualite).write(inputs_copy) / "2023" / "year.yaml"
    warnings = [w for w in model.load(inputs_copy, 2023).warnings if "civilité" in w]
    assert len(warnings) == 1, warnings
    line = line_of_text(path, "prenom: Jean") + 2
    assert warnings[0].startswith(f"{_display(path)}:{line}: copil.presents[3].qualite: civilité {civilite} mais fonction « ")
    assert fix in warnings[0]


@pytest.mark.parametrize(
    "civilite, qualite",
    [
        ("M.", "Secrétaire"),
        ("Mme", "Secrétaire"),
        ("Mme", "Maire de Vitrolles"),
        ("M.", "Maire"),
        ("Mme", "Adjoint au maire"),
        ("M.", "Adjointe au maire"),
        ("Mme", "Responsable du pôle habitat"),
        ("Mme", "Directrice"),
        ("M.", "Directeur général adjoint"),
        ("Madame", "Présidente"),
    ],
)
def test_an_epicene_or_agreeing_title_is_left_alone(inputs_copy, civilite, qualite):
    jean_as(civilite, qualite).write(inputs_copy)
    assert model.load(inputs_copy, 2023).warnings == []


def test_a_form_of_address_writes_the_civilite_out(inputs_copy):
    convention(
        metropole={"representant": {"civilite": "Mme", "prenom": "Martine", "nom": "MARTIN"}},
        association={"representant": {"civilite": "M."}},
    ).write(inputs_copy)
    loaded = model.load(inputs_copy, 2023)
    assert loaded.warnings == []
    metropole, association = loaded.convention.metropole.representant, loaded.convention.association.representant
    assert metropole.appellation == "Madame la Présidente" and metropole.nom_complet == "Madame Martine MARTIN"
    assert association.appellation == "Monsieur le Président" and association.possessif == "son"
    # the list of those present keeps the abbreviation, as French usage writes it
    assert [p.nom_complet for p in loaded.year.copil.presents][:2] == ["Mme Sophie EXEMPLE", "M. Pascal FRIQUET"]


# --------------------------------------------------------------------------- 3. who signs the minutes


def test_an_excused_signatory_is_said_and_never_asked_to_sign(inputs_copy):
    copil = convention().years[2023]["copil"]
    sophie = next(p for p in copil["presents"] if p["prenom"] == "Sophie")
    path = (
        convention()
        .year(
            2023,
            copil={
                "presents": [p for p in copil["presents"] if p is not sophie],
                "excuses": [sophie, *copil["excuses"]],
                "presidence": "president_arhlm",
            },
        )
        .write(inputs_copy)
        / "2023"
        / "year.yaml"
    )
    loaded = model.load(inputs_copy, 2023)
    said = [w for w in loaded.warnings if "procès-verbal" in w and "excusée" in w]
    assert len(said) == 1, loaded.warnings
    line = line_of_text(path, "prenom: Sophie") - 1
    assert said[0].startswith(f"{_display(path)}:{line}: copil.excuses[1]: Mme Sophie EXEMPLE")
    assert "Mme Léa EXEMPLE" in said[0] and "M. Paul EXEMPLE" in said[0]  # who could sign for the Métropole
    assert "M. Pascal FRIQUET" not in said[0] and said[0].endswith("(avertissement ; erreur avec --final)")
    pv = next(d for d in documents.plan(loaded) if d.key == "pv-copil")
    assert "Sophie EXEMPLE" not in [s.name for s in documents.signatories(pv, loaded)]
    assert any(
        p.startswith(f"{_display(path)}:{line}: copil.excuses[1]: Mme Sophie EXEMPLE")
        for p in load_problems(inputs_copy, 2023, final=True)
    )


# --------------------------------------------------------------------------- 4. the parser's messages

ENGLISH = re.compile(
    r"\b(found|expected|mapping|allowed|character|token|scanning|parsing|stream|while|could|"
    r"indicator|alias|anchor|constructor|tag|escape|node)\b"
)


@pytest.mark.parametrize(
    "line, broken, said",
    [
        ("  lieu: Marseille", "  lieu: Marseille: Le Pharo", "deux-points"),
        ("  lieu: Marseille", "\tlieu: Marseille", "tabulation"),
        ("  reference: AR-2023-012", '  reference: "AR-2023-012', "guillemet"),
        ("  reference: AR-2023-012", "  reference: 'AR-2023-012", "guillemet"),
        ("  reference: AR-2023-012", '  reference: "AR-2023" 012', "guillemet"),
        ("  reference: AR-2023-012", "  reference: %AR-2023-012", "« % »"),
        ("  reference: AR-2023-012", "  reference: @AR-2023-012", "« @ »"),
        ("  reference: AR-2023-012", "  reference: `AR-2023-012`", "« ` »"),
        ("  reference: AR-2023-012", "  reference: *AR-2023-012", "« * »"),
        ("  reference: AR-2023-012", "  reference: &", "« & »"),
        ("  reference: AR-2023-012", "  reference: !AR-2023-012", "« ! »"),
        ("  reference: AR-2023-012", "  reference AR-2023-012", "deux-points"),
        ("  reference: AR-2023-012", " reference: AR-2023-012", "indentation"),
        ("  reference: AR-2023-012", "  reference: [AR-2023-012", "crochet"),
        ("  reference: AR-2023-012", "  reference: {AR-2023-012", "accolade"),
        ("  reference: AR-2023-012", '  reference: "AR\\2023"', "barre oblique"),
        ("  reference: AR-2023-012", "  reference: AR-2023-012\n  reference: AR-2023-013", "deux fois"),
    ],
)
def test_a_syntax_error_is_said_in_french_with_its_line(inputs_copy, line, broken, said):
    path = inputs_copy / "2023" / "year.yaml"
    where = line_of_text(path, line.strip() + "\n")
    _edit(path, line + "\n", broken + "\n")
    (problem,) = load_problems(inputs_copy, 2023)
    message = str(InputError(problem))
    assert message.startswith(f"{_display(path)}:") and said in message, message
    assert not ENGLISH.search(message.removeprefix(_display(path))), message
    if said != "indentation":  # seen on this line or the next, depending on the parser
        assert message.startswith(f"{_display(path)}:{where + (said == 'deux fois')}:"), message


@pytest.mark.parametrize(
    "text",
    [
        "a: b\nc\nd: e\n",
        "a:\n  - b\n  c: d\n",
        "a: b]\nc: ]\n",
        "a: |x\n",
        "a: b\n- c\n",
        "a: b\x07\n",
        "a: [b, c\nd: e\n",
        "a: b\n\tc: d\n",
    ],
)
def test_no_parser_english_reaches_staff(tmp_path, text):
    """Both parsers (libyaml, and PyYAML's own where libyaml is missing) word their problems
    differently: neither reaches staff."""
    from pipeline import yamlsource

    path = tmp_path / "data.yaml"
    path.write_text(text, encoding="utf-8")
    for loader in {yamlsource._Loader, yamlsource.loader_over(yaml.SafeLoader)}:
        with pytest.raises(InputError) as info:
            yamlsource.load_yaml(path, "data.yaml", loader=loader)
        message = str(info.value)
        assert re.match(r"data\.yaml:\d+: ", message) and not ENGLISH.search(message), (loader, message)


def test_a_file_not_in_utf8_names_the_line_of_its_first_bad_byte(inputs_copy):
    path = inputs_copy / "2023" / "year.yaml"
    where = line_of_text(path, "lieu: Marseille")
    data = path.read_bytes().replace("lieu: Marseille\n".encode(), "lieu: Marseille – Pharo\n".encode("cp1252"), 1)
    path.write_bytes(data)
    (problem,) = load_problems(inputs_copy, 2023)
    assert problem.startswith(f"{_display(path)}:{where}: ") and "UTF-8" in problem


@pytest.mark.parametrize("written", ["1e308", "123456789012345678901234567890123456789", "1e400", "1_000"])
def test_an_amount_out_of_all_measure_is_its_line_s_problem(inputs_copy, written):
    """« 1e308 » or 38 digits overflowed the rounding into « erreur inattendue InvalidOperation »
    with no file nor line (battery C13/C14); « 1_000 » was read as a thousand."""
    path = inputs_copy / "2023" / "year.yaml"
    _edit(path, "  montant: 20000.00", f"  montant: {written}")
    said = load_problems(inputs_copy, 2023)
    assert any(f"2023/year.yaml:{line_of_text(path, 'montant:')}: appel.montant:" in line and written in line for line in said), (
        said
    )


def test_a_date_order_warning_names_both_lines_when_the_dates_are_in_two_files(inputs_copy):
    """The bilan 2022 moved after the COPIL 2023: the warning sat on the COPIL's line alone, a line
    nobody had changed (third new-user trial, C6)."""
    bilan = convention().year(2022, bilan={"date": "2023-03-20"}).write(inputs_copy) / "2022" / "year.yaml"
    warned = [w for w in model.load(inputs_copy, 2023).warnings if "avant le bilan 2022" in w]
    assert warned and f"2022/year.yaml:{line_of_text(bilan, 'date: 2023-03-20')}" in warned[0], warned
