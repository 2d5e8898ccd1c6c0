"""The yearly cycle as signatories live it: each dossier's documents dated in the order
bilan N-1 ≤ COPIL N ≤ call N, none reporting an event after its own date, and every
coherence rule biting (a warning for a draft, an error with --final)."""
import datetime as dt
import re

import pytest
from pypdf import PdfReader

from helpers import CONV, make_final, shipped_stems
from pipeline.convention import model
from pipeline.errors import InputError

MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre"]
LONG = re.compile(r"\b(1er|\d{1,2})\s+(" + "|".join(MONTHS) + r")\s+(\d{4})\b")
SHORT = re.compile(r"\b(\d{2})/(\d{2})/(\d{4})\b")


def dates_in(text: str) -> list[dt.date]:
    """Every full date a reader sees: « 14 mars 2023 », « 1er janvier 2022 », « 14/03/2023 »."""
    text = " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())
    found = [dt.date(int(y), MONTHS.index(m) + 1, 1 if d == "1er" else int(d)) for d, m, y in LONG.findall(text)]
    return found + [dt.date(int(y), int(m), int(d)) for d, m, y in SHORT.findall(text)]


def own_date(pdf) -> dt.date:
    """The date the document carries: its PDF's creation date is the document's own date."""
    stamp = PdfReader(pdf).metadata["/CreationDate"]
    return dt.date(int(stamp[2:6]), int(stamp[6:8]), int(stamp[8:10]))


def text_of(pdf) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    # the minutes announce the next meetings: the only dates allowed after the document's own
    text = re.sub(r"Les prochaines réunions sont fixées.*?(?=Relevé de décisions)", "", text, flags=re.S)
    # and a compte rendu financier still to come is announced with its deadline: a date the law
    # sets, not an event reported (« au plus tard le 30 juin 2024 »)
    return re.sub(r"au\s+plus\s+tard\s+le\s+\d{1,2}\s+juin\s+\d{4}", "", text)


@pytest.mark.parametrize("year", list(shipped_stems()))
def test_no_document_reports_an_event_after_its_own_date(built, year):
    for stem in shipped_stems()[year]:
        pdf = built / str(year) / f"{stem}.pdf"
        own = own_date(pdf)
        later = [d for d in dates_in(text_of(pdf)) if d > own]
        assert later == [], f"{stem} ({own}) cites {later}"
    dossier = built / str(year) / f"dossier-{year}.pdf"
    assert max(own_date(built / str(year) / f"{stem}.pdf") for stem in shipped_stems()[year]) == own_date(dossier)


@pytest.mark.parametrize("year", [2023, 2024])
def test_bilan_then_copil_then_call(built, year):
    folder = built / str(year)
    bilan, copil, call = (own_date(folder / f"{stem}.pdf") for stem in
                          (f"bilan-{year - 1}", f"pv-copil-{year}", f"appel-{year}"))
    assert dt.date(year - 1, 12, 31) < bilan <= copil <= call


def test_first_year_has_no_bilan_and_says_why(built):
    import docx

    table = docx.Document(built / "2022" / "bordereau-2022.docx").tables[0]
    row = next(r for r in table.rows if r.cells[1].text.startswith("Un bilan"))
    assert row.cells[4].text == "Sans objet\u00a0: première année d’exécution de la convention"
    assert row.cells[2].text == "–" and row.cells[3].text == "–"
    pv = "\n".join(p.extract_text() for p in PdfReader(built / "2022" / "pv-copil-2022.pdf").pages)
    assert "Examen du bilan" not in pv and "bilan" not in pv.split("Relevé de décisions")[1]


def test_bilan_reports_its_own_year_and_the_payment_received_by_its_date(built):
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(built / "2023" / "bilan-2022.pdf").pages).split())
    text = text.replace("\u202f", " ").replace("\u00a0", " ")
    assert "du 1er janvier 2022 au 31 décembre 2022" in text
    assert "Participation 2022 appelée le 29 mars 2022 20 000,00 €" in text
    assert "Participation 2022 reçue le 14 juin 2022 20 000,00 €" in text
    assert "Reste à percevoir au 14 février 2023 0,00 €" in text
    assert "Onze actions ont été menées" in text and "(s)" not in text


def test_a_payment_not_received_by_the_bilan_s_date_is_pending(office, inputs_copy, warm_outputs):
    from helpers import build_years, docx_text

    _edit(inputs_copy, 2022, "  date_reception: 2022-06-14", "  date_reception: 2023-03-01")
    build_years([2023], inputs_copy, warm_outputs, office=office)
    text = docx_text(warm_outputs / CONV / "2023" / "bilan-2022.docx")
    # a day and its month never part at a line's end (no-break space)
    assert "en attente" in text and "1er\u00a0mars 2023" not in text
    assert "Reste à percevoir au 14\u00a0février 2023\n20\u202f000,00\u00a0€" in text


# --------------------------------------------------------------------------- the rules bite

def _edit(root, year, old, new):
    path = root / str(year) / "year.yaml" if year else root / "convention.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture()
def real(inputs_copy):
    """The shipped data made final-ready (blanks filled, no example, no specimen): any
    problem a test finds is the one it made."""
    make_final(inputs_copy, years=(2022, 2023, 2024))
    for year in (2023,):
        assert model.load(inputs_copy, year, final=True).warnings == []
    return inputs_copy


# (what is edited, year loaded, words of the finding)
BREACHES = {
    "bilan before the year's end": ((2022, "  date: 2023-02-14\n  lieu:", "  date: 2022-12-15\n  lieu:"), 2023,
                                    "ne peut être établi qu'après le 31 décembre 2022"),
    "call before the COPIL": ((2023, "  date: 2023-03-28", "  date: 2023-03-10"), 2023,
                              "l'appel 2023 est daté du 2023-03-10, avant le COPIL 2023"),
    "COPIL before the bilan": ((2022, "  date: 2023-02-14\n  lieu:", "  date: 2023-03-20\n  lieu:"), 2023,
                               "le COPIL 2023 est daté du 2023-03-14, avant le bilan 2022"),
    "payment received before called": ((2023, "  date_reception: 2023-06-13", "  date_reception: 2023-03-01"), 2024,
                                       "reçue le 2023-03-01, avant d'être appelée"),
    "article 4 rhythm": ((None, "  sigle: COTECH\n  reunions_min_par_an: 2", "  sigle: COTECH\n  reunions_min_par_an: 4"),
                         2023, "COTECH : trois réunions en 2022, quand l'article 4 en demande au moins 4"),
    "signed after the first call": ((None, "  date_signature: 2022-02-28", "  date_signature: 2022-04-05"), 2023,
                                    "après le premier appel"),
    "first call before its COPIL": ((2022, "  date: 2022-03-29", "  date: 2022-03-10"), 2022,
                                    "l'appel 2022 est daté du 2022-03-10, avant le COPIL 2022 (2022-03-15)"),
    "a bilan examined the first year": ((2022, "  programme:", "  examen_bilan: Le bilan est approuvé.\n  programme:"),
                                        2022, "aucun bilan n'existe encore"),
}


@pytest.mark.parametrize("case", list(BREACHES))
def test_each_coherence_rule_warns_a_draft_and_stops_a_final_version(real, case):
    (year, old, new), loaded, words = BREACHES[case]
    _edit(real, year, old, new)
    draft = model.load(real, loaded)
    assert any(words in w and "avertissement" in w for w in draft.warnings), draft.warnings
    with pytest.raises(InputError) as info:
        model.load(real, loaded, final=True)
    assert words in str(info.value)


# always warnings: they may be right (a meeting held on a Saturday), the reader decides
NOTICES = {
    "Saturday": ((2023, "  date: 2023-03-28", "  date: 2023-04-01"), 2023, "le 2023-04-01 est un samedi"),
    "public holiday": ((2023, "  date: 2023-03-28", "  date: 2023-05-08"), 2023,
                       "le 2023-05-08 est un jour férié (Fête de la Victoire)"),
    "account holder": ((2023, "  titulaire: Association Régionale des Organismes Hlm des régions",
                        "  titulaire: AR Hlm PACA et Corse, ex-Association Régionale des Organismes Hlm des régions"), 2023,
                       "n'est pas l'association bénéficiaire"),
    "announced meeting not held": ((2023, "      date: 2024-03-12", "      date: 2024-03-19"), 2023,
                                   "annonce un COPIL le 2024-03-19, absent des données de 2024"),
}


@pytest.mark.parametrize("case", list(NOTICES))
def test_notices_are_warnings_even_for_a_final_version(real, case):
    (year, old, new), loaded, words = NOTICES[case]
    _edit(real, year, old, new)
    for final in (False, True):
        assert any(words in w for w in model.load(real, loaded, final=final).warnings)


ERRORS = {
    "IBAN checksum": ((2023, "  iban: FR76 3000 4000 0000 0123 4567 845", "  iban: FR76 3000 4000 0500 0012 3456 789"),
                      2023, "la clé de contrôle ne correspond pas"),
    "BIC format": ((2023, "  bic: BNPAFRPPXXX", "  bic: BEXA-FR"), 2023, "BIC « BEXA-FR » invalide"),
    "SIRET checksum": ((None, "  siret: 775 000 003 00001", "  siret: 775 000 003 00002"), 2023,
                       "SIRET « 775 000 003 00002 » invalide"),
    "RNA format": ((None, "  rna: W133000000", "  rna: 133000000"), 2023, "numéro RNA « 133000000 » invalide"),
    "bilan not dated": ((2022, "bilan:\n  date: 2023-02-14\n  lieu: Marseille", "# bilan à venir"), 2023,
                        "le bilan 2022 est joint au dossier 2023"),
    "call in the closing year": ((2025, "\nbilan_final:", "\nappel:\n  date: 2025-03-25\n  reference: X\n  lieu: Marseille\n"
                                                           "  montant: 20000.00\nbilan_final:"), 2025,
                                 "l'année 2025 n'a pas d'appel"),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_impossible_data_is_an_error_even_for_a_draft(real, case):
    (year, old, new), loaded, words = ERRORS[case]
    _edit(real, year, old, new)
    with pytest.raises(InputError) as info:
        model.load(real, loaded)
    assert words in str(info.value)


def test_a_final_version_refuses_example_data_and_specimens(inputs_copy):
    with pytest.raises(InputError) as info:
        model.load(inputs_copy, 2023, final=True)
    message = str(info.value)
    assert "2023/year.yaml" in message and "2022/year.yaml" in message  # the bilan's year too
    assert "exemples" in message and "pieces/rib.pdf est un spécimen" in message
    assert "la date de signature est en blanc" in message


def test_another_year_stops_a_final_version_only_by_what_the_dossier_prints(real):
    """A year's pieces go in its own dossier only; its facts are printed wherever its bilan is
    (the next dossier, the closing one), and the refusal says so. The same rule whatever year
    is built: the reviewer saw a 2022 RIB block 2023 and 2025, not 2024."""
    make_final(real, years=(2025,))
    _edit(real, 2022, "    fichier: pieces/rib.pdf\n", "    fichier: pieces/rib.pdf\n    specimen: true\n")
    for year in (2023, 2024, 2025):
        model.load(real, year, final=True)
    with pytest.raises(InputError) as info:
        model.load(real, 2022, final=True)
    assert "pieces/rib.pdf est un spécimen" in str(info.value)
    _edit(real, 2022, "donnees_exemple: false", "donnees_exemple: true")
    # the 2024 dossier prints the compte rendu financier of 2022, and says so
    for year, why in ((2023, "(année 2022 : son bilan figure dans ce dossier)"),
                      (2024, "(année 2022 : son compte rendu financier figure dans ce dossier)"),
                      (2025, "(année 2022 : le bilan final de ce dossier en reprend")):
        with pytest.raises(InputError) as info:
            model.load(real, year, final=True)
        lines = [line for line in str(info.value).splitlines() if "2022/year.yaml" in line]
        assert lines and all(why in line for line in lines) and "rib.pdf" not in str(info.value), info.value


def test_check_tells_which_years_have_no_data_yet(inputs_copy):
    import shutil

    from helpers import run_cli

    shutil.rmtree(inputs_copy / "2024")
    shutil.rmtree(inputs_copy / "2025")
    result = run_cli("--inputs", str(inputs_copy), "check")
    assert result.returncode == 0, result.stderr
    assert "pas encore de données pour 2024" in result.stderr


def test_the_minutes_carry_the_meeting_day(built):
    """The minutes are dated the day the committee met, not the day of the letter."""
    from helpers import docx_text

    text = docx_text(built / "2023" / "pv-copil-2023.docx")
    assert "Date\u00a0: mardi 14\u00a0mars 2023" in text and "Fait à Marseille, le 14\u00a0mars 2023" in text
    assert "28\u00a0mars 2023" not in text  # the letter's date
    assert PdfReader(built / "2023" / "pv-copil-2023.pdf").metadata["/CreationDate"].startswith("D:20230314")


def test_later_dossiers_may_leave_out_the_signed_convention(inputs_copy):
    """The Métropole holds the signed original: convention.yaml may say no copy goes with the
    later calls; the first year's dossier still encloses the original."""
    from pipeline.convention import context, documents, model

    path = inputs_copy / "convention.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  lieu_signature: Marseille\n",
                                                             "  lieu_signature: Marseille\n  copie_jointe: false\n"),
                    encoding="utf-8")
    assert [d.key for d in documents.plan(model.load(inputs_copy, 2022))][0] == "convention"
    later = model.load(inputs_copy, 2023)
    assert "convention" not in [d.key for d in documents.plan(later)]
    assert not any("convention de partenariat" in p.lower() for p in context.build_context(later, projet=True).pieces_jointes)


def test_final_reads_what_it_ships_not_only_the_flags(inputs_copy):
    """Flags switched off, the example names, bank and specimen pieces still refuse a final
    version: the values and the pieces' own text are read."""
    from pipeline.convention import model
    from pipeline.errors import InputError

    for year in (2022, 2023):
        path = inputs_copy / str(year) / "year.yaml"
        text = path.read_text(encoding="utf-8").replace("donnees_exemple: true", "donnees_exemple: false")
        path.write_text(re.sub(r"(?m)^ +specimen: true\n", "", text), encoding="utf-8")
    with pytest.raises(InputError) as info:
        model.load(inputs_copy, 2023, final=True)
    problems = "\n".join(info.value.problems)
    assert "copil.presents[1].nom: « EXEMPLE » est une valeur d'exemple" in problems
    assert "banque.domiciliation" in problems and "courriel" in problems
    assert "pieces/rib.pdf porte la mention « spécimen »" in problems
    model.load(inputs_copy, 2023)  # a draft says nothing of it: the cover already says « données d'exemple »


@pytest.mark.parametrize("case", ["bic of another bank", "bank name", "placeholder", "provisional accounts"])
def test_details_that_contradict_each_other_or_wait_for_a_value_are_said(inputs_copy, case):
    from pipeline.convention import model
    from pipeline.errors import InputError

    path = inputs_copy / "2023" / "year.yaml"
    text = path.read_text(encoding="utf-8")
    old, new, expected, final = {
        "bic of another bank": ("  bic: BNPAFRPPXXX", "  bic: AGRIFRPPXXX",
                                "le BIC AGRIFRPPXXX n'est pas celui de la banque de l'IBAN (code banque 30004", False),
        "bank name": ("BNP Paribas – Agence EXEMPLE", "Caisse d'Épargne – Agence EXEMPLE",
                      "ne nomme pas la banque de l'IBAN", False),
        "placeholder": ("  lieu: Marseille\n", "  lieu: À COMPLÉTER\n", "« À COMPLÉTER » reste à remplir", True),
        "provisional accounts": ("arrêtés par le conseil d'administration", "provisoires", "pièce provisoire", False),
    }[case]
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    if final:
        with pytest.raises(InputError) as info:
            model.load(inputs_copy, 2023, final=True)
        assert expected in str(info.value)
    else:
        assert any(expected in w for w in model.load(inputs_copy, 2023).warnings)


def test_a_bank_is_recognised_by_its_bic_s_name_too(inputs_copy):
    """Bank code 30003 has many entries in the registry (the first one a subsidiary's): a RIB of
    « Société Générale » is not questioned, whatever its accents and case."""
    from schwifty import IBAN

    from pipeline.convention import model

    path = inputs_copy / "2023" / "year.yaml"
    text = path.read_text(encoding="utf-8")
    iban = str(IBAN.generate("FR", bank_code="30003", account_code="00012345678"))
    for line in text.splitlines():
        if line.strip().startswith("iban:"):
            text = text.replace(line, f"  iban: {iban}")
    path.write_text(text.replace("  bic: BNPAFRPPXXX", "  bic: SOGEFRPPXXX")
                    .replace("BNP Paribas – Agence EXEMPLE", "Société Générale – Agence EXEMPLE"), encoding="utf-8")
    warnings = model.load(inputs_copy, 2023).warnings
    assert not any("banque.domiciliation" in w or "banque.bic" in w for w in warnings), warnings


def test_meetings_announced_for_later_in_a_running_year_are_not_missed_yet(inputs_copy):
    """In March, the COTECH announced for September cannot be recorded yet: no notice while the
    year runs (no bilan, no later meeting recorded); once the year is closed, a missing one is said."""
    from pipeline.convention import model

    path = inputs_copy / "2024" / "year.yaml"
    text = path.read_text(encoding="utf-8")
    head, meetings = text.split("\nreunions:", 1)
    head = head.replace("  - crf.date\n  - crf.comptes_approuves_le\n  - crf.regle_repartition\n  - crf.transmis_le\n", "")
    held = meetings.split("\n  - instance:")[:3]  # the header and the two meetings held by March (no CRF yet)
    path.write_text(head + "\nreunions:" + "\n  - instance:".join(held) + "\n", encoding="utf-8")
    data = model.load(inputs_copy, 2024)
    assert not any("absent des réunions de 2024" in w for w in data.warnings), data.warnings
    september = "\n  - instance: COTECH\n    date: 2024-09-24\n    lieu: Le Saint-Georges, Marseille\n" \
                "    objet: Point d'étape du programme 2024"
    assert september in text
    path.write_text(text.replace(september, ""), encoding="utf-8")
    data = model.load(inputs_copy, 2024)  # the year closed, its bilan dated: the September COTECH is missed
    assert any("annonce un COTECH le 2024-09-24, absent des réunions de 2024" in w for w in data.warnings), data.warnings


def test_final_refusals_read_file_by_file_line_by_line(inputs_copy):
    from pipeline.convention import model
    from pipeline.errors import InputError

    with pytest.raises(InputError) as info:
        model.load(inputs_copy, 2023, final=True)
    places = [p.split(": ", 1)[0] for p in info.value.problems]
    keys = [(p.rpartition(":")[0], int(p.rpartition(":")[2])) if p.rpartition(":")[2].isdigit() else (p, 0)
            for p in places]
    assert keys == sorted(keys) and len(set(k[0] for k in keys)) > 1, places


def test_the_chair_of_the_meeting_is_one_of_those_present(inputs_copy):
    from pipeline.convention import model
    from pipeline.errors import InputError

    path = inputs_copy / "2023" / "year.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  presidence: vp_habitat", "  presidence: equipes_metropol"),
                    encoding="utf-8")
    with pytest.raises(InputError) as info:
        model.load(inputs_copy, 2023)
    assert "copil.presidence: le rôle « equipes_metropol », qui préside la séance, ne désigne aucun membre présent" \
        in str(info.value)
