"""The yearly cycle as signatories live it: each dossier's documents dated in the order
bilan N-1 ≤ COPIL N ≤ call N, none reporting an event after its own date, and every
coherence rule biting (a warning for a draft, an error with --final), at its edges too."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from builder import DROP, convention
from helpers import CONV, INPUTS, shipped_stems
from pypdf import PdfReader

from pipeline import french
from pipeline.convention import context, model
from pipeline.errors import InputError

MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]
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
    bilan, copil, call = (own_date(folder / f"{stem}.pdf") for stem in (f"bilan-{year - 1}", f"pv-copil-{year}", f"appel-{year}"))
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

    convention().year(2022, finances={"date_reception": "2023-03-01"}).write(inputs_copy)
    build_years([2023], inputs_copy, warm_outputs, office=office)
    text = docx_text(warm_outputs / CONV / "2023" / "bilan-2022.docx")
    # a day and its month never part at a line's end (no-break space)
    assert "en attente" in text and "1er\u00a0mars 2023" not in text
    assert "Reste à percevoir au 14\u00a0février 2023\n20\u202f000,00\u00a0€" in text


# --------------------------------------------------------------------------- the rules bite


@pytest.fixture()
def real(tmp_path):
    """The shipped data made final-ready (blanks filled, no example, no specimen), as a sample a
    test changes then writes to ``tmp_path/<convention>``: any problem it finds is the one it made."""
    sample = convention().final((2022, 2023, 2024))
    for year in (2023,):
        assert model.load(sample.write(tmp_path / CONV), year, final=True).warnings == []
    return sample


def specimen_rib(pieces: list) -> list:
    """The pieces, the RIB marked a specimen."""
    next(p for p in pieces if p["fichier"] == "pieces/rib.pdf")["specimen"] = True
    return pieces


# (what differs, year loaded, words of the finding)
BREACHES = {
    "bilan before the year's end": (
        lambda s: s.year(2022, bilan={"date": "2022-12-15"}),
        2023,
        "ne peut être établi qu'après le 31 décembre 2022",
    ),
    "call before the COPIL": (
        lambda s: s.year(2023, appel={"date": "2023-03-10"}),
        2023,
        "l'appel 2023 est daté du 2023-03-10, avant le COPIL 2023",
    ),
    "COPIL before the bilan": (
        lambda s: s.year(2022, bilan={"date": "2023-03-20"}),
        2023,
        "le COPIL 2023 est daté du 2023-03-14, avant le bilan 2022",
    ),
    "payment received before called": (
        lambda s: s.year(2023, finances={"date_reception": "2023-03-01"}),
        2024,
        "reçue le 2023-03-01, avant d'être appelée",
    ),
    "article 4 rhythm": (
        lambda s: s.convention(cotech={"reunions_min_par_an": 4}),
        2023,
        "COTECH : trois réunions en 2022, quand l'article 4 en demande au moins 4",
    ),
    "signed after the first call": (
        lambda s: s.convention(convention={"date_signature": "2022-04-05"}),
        2023,
        "après le premier appel",
    ),
    "first call before its COPIL": (
        lambda s: s.year(2022, appel={"date": "2022-03-10"}),
        2022,
        "l'appel 2022 est daté du 2022-03-10, avant le COPIL 2022 (2022-03-15)",
    ),
    "a bilan examined the first year": (
        lambda s: s.year(2022, copil={"examen_bilan": "Le bilan est approuvé."}),
        2022,
        "aucun bilan n'existe encore",
    ),
}


@pytest.mark.parametrize("case", list(BREACHES))
def test_each_coherence_rule_warns_a_draft_and_stops_a_final_version(real, tmp_path, case):
    change, loaded, words = BREACHES[case]
    root = change(real).write(tmp_path / CONV)
    draft = model.load(root, loaded)
    assert any(words in w and "avertissement" in w for w in draft.warnings), draft.warnings
    with pytest.raises(InputError) as info:
        model.load(root, loaded, final=True)
    assert words in str(info.value)


# always warnings: they may be right (a meeting held on a Saturday), the reader decides
NOTICES = {
    "Saturday": (lambda s: s.year(2023, appel={"date": "2023-04-01"}), 2023, "le 2023-04-01 est un samedi"),
    "public holiday": (
        lambda s: s.year(2023, appel={"date": "2023-05-08"}),
        2023,
        "le 2023-05-08 est un jour férié (Fête de la Victoire)",
    ),
    "account holder": (
        lambda s: s.year(2023, banque={"titulaire": lambda old: "AR Hlm PACA et Corse, ex-" + old}),
        2023,
        "n'est pas l'association bénéficiaire",
    ),
    "announced meeting not held": (
        lambda s: s.year(2023, copil={"prochaines_reunions": {-1: {"date": "2024-03-19"}}}),
        2023,
        "annonce un COPIL le 2024-03-19, absent des données de 2024",
    ),
}


@pytest.mark.parametrize("case", list(NOTICES))
def test_notices_are_warnings_even_for_a_final_version(real, tmp_path, case):
    change, loaded, words = NOTICES[case]
    root = change(real).write(tmp_path / CONV)
    for final in (False, True):
        assert any(words in w for w in model.load(root, loaded, final=final).warnings)


ERRORS = {
    "IBAN checksum": (
        lambda s: s.year(2023, banque={"iban": "FR76 3000 4000 0500 0012 3456 789"}),
        2023,
        "la clé de contrôle ne correspond pas",
    ),
    "BIC format": (lambda s: s.year(2023, banque={"bic": "BEXA-FR"}), 2023, "BIC « BEXA-FR » invalide"),
    "SIRET checksum": (
        lambda s: s.convention(association={"siret": "775 000 003 00002"}),
        2023,
        "SIRET « 775 000 003 00002 » invalide",
    ),
    "RNA format": (lambda s: s.convention(association={"rna": "133000000"}), 2023, "numéro RNA « 133000000 » invalide"),
    "bilan not dated": (lambda s: s.year(2022, bilan=DROP), 2023, "le bilan 2022 est joint au dossier 2023"),
    "call in the closing year": (
        lambda s: s.year(2025, appel={"date": "2025-03-25", "reference": "X", "lieu": "Marseille", "montant": 20000.0}),
        2025,
        "l'année 2025 n'a pas d'appel",
    ),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_impossible_data_is_an_error_even_for_a_draft(real, tmp_path, case):
    change, loaded, words = ERRORS[case]
    root = change(real).write(tmp_path / CONV)
    with pytest.raises(InputError) as info:
        model.load(root, loaded)
    assert words in str(info.value)


def test_a_final_version_refuses_example_data_and_specimens(inputs_copy):
    with pytest.raises(InputError) as info:
        model.load(inputs_copy, 2023, final=True)
    message = str(info.value)
    assert "2023/year.yaml" in message and "2022/year.yaml" in message  # the bilan's year too
    assert "exemples" in message and "pieces/rib.pdf est un spécimen" in message
    assert "la date de signature est en blanc" in message


def test_another_year_stops_a_final_version_only_by_what_the_dossier_prints(real, tmp_path):
    """A year's pieces go in its own dossier only; its facts are printed wherever its bilan is
    (the next dossier, the closing one), and the refusal says so. The same rule whatever year
    is built: the reviewer saw a 2022 RIB block 2023 and 2025, not 2024."""
    real.final((2025,)).year(2022, pieces=specimen_rib)
    root = real.write(tmp_path / CONV)
    for year in (2023, 2024, 2025):
        model.load(root, year, final=True)
    with pytest.raises(InputError) as info:
        model.load(root, 2022, final=True)
    assert "pieces/rib.pdf est un spécimen" in str(info.value)
    real.year(2022, donnees_exemple=True).write(root)
    # the 2024 dossier prints the compte rendu financier of 2022, and says so
    for year, why in (
        (2023, "(année 2022 : son bilan figure dans ce dossier)"),
        (2024, "(année 2022 : son compte rendu financier figure dans ce dossier)"),
        (2025, "(année 2022 : le bilan final de ce dossier en reprend"),
    ):
        with pytest.raises(InputError) as info:
            model.load(root, year, final=True)
        lines = [line for line in str(info.value).splitlines() if "2022/year.yaml" in line]
        assert lines and all(why in line for line in lines) and "rib.pdf" not in str(info.value), info.value


def test_check_tells_which_years_have_no_data_yet(inputs_copy):
    import shutil

    from helpers import cli

    shutil.rmtree(inputs_copy / "2024")
    shutil.rmtree(inputs_copy / "2025")
    result = cli("--inputs", str(inputs_copy), "check")
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

    convention(convention={"copie_jointe": False}).write(inputs_copy)
    assert [d.key for d in documents.plan(model.load(inputs_copy, 2022))][0] == "convention"
    later = model.load(inputs_copy, 2023)
    assert "convention" not in [d.key for d in documents.plan(later)]
    assert not any("convention de partenariat" in p.lower() for p in context.build_context(later, projet=True).pieces_jointes)


def test_final_reads_what_it_ships_not_only_the_flags(inputs_copy):
    """Flags switched off, the example names, bank and specimen pieces still refuse a final
    version: the values and the pieces' own text are read."""
    from pipeline.convention import model
    from pipeline.errors import InputError

    sample = convention()
    for year in (2022, 2023):
        sample.year(year, donnees_exemple=False, pieces={i: {"specimen": DROP} for i in range(len(sample.years[year]["pieces"]))})
        crf = sample.years[year].get("crf")
        if crf and crf.get("pieces"):  # the CRF's own pieces, real too
            sample.year(year, crf={"pieces": {i: {"specimen": DROP} for i in range(len(crf["pieces"]))}})
    sample.write(inputs_copy)
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

    comptes = next(i for i, p in enumerate(convention().years[2023]["pieces"]) if p["code"] == "comptes")
    change, expected, final = {
        "bic of another bank": (
            dict(banque={"bic": "AGRIFRPPXXX"}),
            "le BIC AGRIFRPPXXX n'est pas celui de la banque de l'IBAN (code banque 30004",
            False,
        ),
        "bank name": (
            dict(banque={"domiciliation": "Caisse d'Épargne – Agence EXEMPLE Marseille Prado"}),
            "ne nomme pas la banque de l'IBAN",
            False,
        ),
        "placeholder": (dict(appel={"lieu": "À COMPLÉTER"}), "« À COMPLÉTER » reste à remplir", True),
        "provisional accounts": (
            dict(pieces={comptes: {"note": "Comptes 2022 provisoires, soumis à l'assemblée générale de juin 2023"}}),
            "pièce provisoire",
            False,
        ),
    }[case]
    convention().year(2023, **change).write(inputs_copy)
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

    iban = str(IBAN.generate("FR", bank_code="30003", account_code="00012345678"))
    convention().year(
        2023, banque={"iban": iban, "bic": "SOGEFRPPXXX", "domiciliation": "Société Générale – Agence EXEMPLE Marseille Prado"}
    ).write(inputs_copy)
    warnings = model.load(inputs_copy, 2023).warnings
    assert not any("banque.domiciliation" in w or "banque.bic" in w for w in warnings), warnings


def test_meetings_announced_for_later_in_a_running_year_are_not_missed_yet(inputs_copy):
    """In March, the COTECH announced for September cannot be recorded yet: no notice while the
    year runs (no bilan, no later meeting recorded); once the year is closed, a missing one is said."""
    from pipeline.convention import model

    # the two meetings held by March; nothing after them yet (the payment, the bilan, no CRF)
    sample = convention()
    later = list(sample.years[2024])[list(sample.years[2024]).index("reunions") + 1 :]
    sample.year(
        2024,
        reunions=lambda meetings: meetings[:2],
        **{key: DROP for key in later},
        a_remplacer=lambda keys: [k for k in keys if not k.startswith("crf.")],
    ).write(inputs_copy)
    data = model.load(inputs_copy, 2024)
    assert not any("absent des réunions de 2024" in w for w in data.warnings), data.warnings
    september = {
        "instance": "COTECH",
        "date": "2024-09-24",
        "lieu": "Le Saint-Georges, Marseille",
        "objet": "Point d'étape du programme 2024",
    }
    sample = convention()
    assert september in sample.years[2024]["reunions"]
    sample.year(2024, reunions=lambda meetings: [m for m in meetings if m != september]).write(inputs_copy)
    data = model.load(inputs_copy, 2024)  # the year closed, its bilan dated: the September COTECH is missed
    assert any("annonce un COTECH le 2024-09-24, absent des réunions de 2024" in w for w in data.warnings), data.warnings


def test_final_refusals_read_file_by_file_line_by_line(inputs_copy):
    from pipeline.convention import model
    from pipeline.errors import InputError

    with pytest.raises(InputError) as info:
        model.load(inputs_copy, 2023, final=True)
    places = [p.split(": ", 1)[0] for p in info.value.problems]
    keys = [(p.rpartition(":")[0], int(p.rpartition(":")[2])) if p.rpartition(":")[2].isdigit() else (p, 0) for p in places]
    assert keys == sorted(keys) and len(set(k[0] for k in keys)) > 1, places


def test_the_chair_of_the_meeting_is_one_of_those_present(inputs_copy):
    from pipeline.convention import model
    from pipeline.errors import InputError

    convention().year(2023, copil={"presidence": "equipes_metropol"}).write(inputs_copy)
    with pytest.raises(InputError) as info:
        model.load(inputs_copy, 2023)
    assert "copil.presidence: le rôle « equipes_metropol », qui préside la séance, ne désigne aucun membre présent" in str(
        info.value
    )


# --------------------------------------------------------------------------- at the edges
# where an off-by-one goes unseen: the day before, the day itself, 31 December, a Saturday, the
# first year of a total, half a cent; the bilan's figures read from the data as the templates get them


def said(inputs, words: str) -> bool:
    return any(words in w for w in inputs.warnings)


def edge(year: int, **change):
    """The shipped convention with one year changed, written where a test reads it."""
    return convention().year(year, **change)


# --------------------------------------------------------------------- bilan ≤ COPIL ≤ call


def test_a_call_dated_the_day_before_its_copil_is_a_breach(inputs_copy):
    edge(2023, appel={"date": "2023-03-13"}).write(inputs_copy)  # a Monday; the COPIL is on the 14th
    assert said(model.load(inputs_copy, 2023), "l'appel 2023 est daté du 2023-03-13, avant le COPIL 2023")


def test_a_call_sent_the_day_of_its_copil_is_in_order(inputs_copy):
    edge(2023, appel={"date": "2023-03-14"}).write(inputs_copy)
    assert model.load(inputs_copy, 2023).warnings == []


def test_a_bilan_dated_the_day_after_the_copil_that_examines_it_is_a_breach(inputs_copy):
    edge(2022, bilan={"date": "2023-03-15"}).write(inputs_copy)
    assert said(model.load(inputs_copy, 2023), "le COPIL 2023 est daté du 2023-03-14, avant le bilan 2022")


# --------------------------------------------------------------------- the payment and its call


def test_a_payment_received_after_the_copil_but_before_the_call_is_a_breach(inputs_copy):
    """A payment follows its call, not the committee: received on 20 March for a call of 28 March."""
    edge(2023, finances={"date_reception": "2023-03-20"}).write(inputs_copy)
    assert said(model.load(inputs_copy, 2024), "reçue le 2023-03-20, avant d'être appelée (appel du 2023-03-28)")


def test_a_payment_received_on_the_call_s_day_is_in_order(inputs_copy):
    edge(2023, finances={"date_reception": "2023-03-28"}).write(inputs_copy)
    assert not said(model.load(inputs_copy, 2024), "avant d'être appelée")


def test_a_payment_received_on_the_bilan_s_own_day_is_reported_received(inputs_copy):
    """The bilan of 2022 is dated 14 February 2023: money that arrived that day is not pending."""
    edge(2022, finances={"date_reception": "2023-02-14"}).write(inputs_copy)
    finances = context.build_context(model.load(inputs_copy, 2023), projet=True).bilan.finances
    assert finances.date_reception == dt.date(2023, 2, 14)
    assert finances.montant_recu == Decimal("20000.00") and finances.en_attente == Decimal("0.00")


def test_a_payment_received_the_day_after_the_bilan_is_pending(inputs_copy):
    edge(2022, finances={"date_reception": "2023-02-15"}).write(inputs_copy)
    finances = context.build_context(model.load(inputs_copy, 2023), projet=True).bilan.finances
    assert finances.date_reception is None and finances.en_attente == Decimal("20000.00")


# --------------------------------------------------------------------- the bilan looks back


def test_a_bilan_dated_31_december_of_its_own_year_is_a_breach(inputs_copy):
    """The year is not over until the 31st is: the bilan is drawn up after it."""
    edge(2022, bilan={"date": "2022-12-31"}).write(inputs_copy)
    assert said(model.load(inputs_copy, 2023), "le bilan 2022 est daté du 2022-12-31")


def test_a_bilan_dated_the_first_working_day_after_the_year_is_in_order(inputs_copy):
    edge(2022, bilan={"date": "2023-01-02"}).write(inputs_copy)
    assert not said(model.load(inputs_copy, 2023), "le bilan 2022 est daté")


# --------------------------------------------------------------------- the COPIL's own day


def test_a_copil_on_a_saturday_is_said_at_its_own_date(inputs_copy):
    """The warning points at copil.date, the line staff edit, not only at the list of meetings."""
    convention().everywhere(2023, "2023-03-14", "2023-03-11").write(inputs_copy)  # the COPIL and its meeting
    assert said(model.load(inputs_copy, 2023), "copil.date: le 2023-03-11 est un samedi")


def test_a_copil_on_a_public_holiday_is_said_at_its_own_date(inputs_copy):
    convention().everywhere(2023, "2023-03-14", "2023-05-08").write(inputs_copy)
    assert said(model.load(inputs_copy, 2023), "copil.date: le 2023-05-08 est un jour férié")


# --------------------------------------------------------------------- the final bilan's totals


def test_the_final_bilan_counts_every_year_of_the_period_the_first_included():
    final = context.build_context(model.load(INPUTS, 2025), projet=True).bilan_final
    per_year = [len(model.load(INPUTS, year).year.actions) for year in (2022, 2023, 2024)]
    assert final.annees == [2022, 2023, 2024]
    assert final.actions_par_annee == per_year and final.actions_total == sum(per_year)
    assert sum(c["total"] for c in final.chantiers) == sum(per_year)
    assert all(c["total"] == sum(c["par_annee"]) and len(c["par_annee"]) == 3 for c in final.chantiers)
    assert final.appele_total == final.prevu_total == Decimal("60000.00")


# --------------------------------------------------------------------- half a cent


@pytest.mark.parametrize(
    "value, figures",
    [
        (Decimal("0.125"), "0,13\u00a0€"),
        (Decimal("1234.565"), "1\u202f234,57\u00a0€"),
        (2.675, "2,68\u00a0€"),  # a float as written, not as stored
        (Decimal("0.124"), "0,12\u00a0€"),
    ],
)
def test_half_a_cent_is_rounded_up_as_accounts_do(value, figures):
    assert french.montant(value) == figures


def test_an_amount_in_words_rounds_half_a_cent_up_too():
    assert french.montant_lettres(Decimal("2.005")) == "deux euros et un centime"
