"""The compte rendu financier (loi du 12 avril 2000, art. 10; arrêté du 11 octobre 2006): its
figures from the year's spreadsheet, its rules (participation = received, totals balanced, large
gaps explained, dated after the accounts' approval and by 30 June), its place in the dossiers
(the call of N+2 encloses the CRF of N, the closing dossier the last year but one's and announces
the last), and the closing letter's legal basis. No LibreOffice: the templates are filled as the
build fills them (``templates.fill``) and read as Word files."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal as D

import openpyxl
import pytest
from helpers import TEMPLATES, docx_text, run_cli

from pipeline import status as signatures
from pipeline import templates
from pipeline.convention import context, crf, cycle, documents, model, scaffold
from pipeline.errors import InputError

FIGURES_2022 = {
    "achats": (D("6000"), D("5400"), None),
    "autres_services_exterieurs": (D("4000"), D("4850"), "Séminaire plus coûteux que prévu."),
    "personnel": (D("34000"), D("35200"), None),
    "charges_indirectes": (D("6000"), D("6000"), None),
    "participation": (D("20000"), D("20000"), None),
    "ressources_propres": (D("30000"), D("31450"), None),
}


def _sheet(root, year: int, **changes) -> None:
    """The year's compte-rendu-financier.xlsx written again, ``changes`` (code → figures) applied."""
    conv, _ = model.load_convention(root)
    figures = {**FIGURES_2022, **changes}
    scaffold.crf_sheet(root / str(year) / "compte-rendu-financier.xlsx", conv, figures)


def _edit(root, year: int, old: str, new: str) -> None:
    path = root / str(year) / "year.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _problems(root, year: int, *, final: bool) -> list[str]:
    try:
        model.load(root, year, final=final)
    except InputError as exc:
        return exc.problems if hasattr(exc, "problems") else str(exc).splitlines()
    return []


def _said(root, year: int, *, final: bool) -> str:
    """Everything the load says, warnings or errors, as one text."""
    try:
        return "\n".join(model.load(root, year, final=final).warnings)
    except InputError as exc:
        return str(exc)


# --------------------------------------------------------------------------- the cycle


def test_the_crf_of_n_goes_with_the_call_of_n_plus_2_and_the_closing():
    period = [2022, 2023, 2024]
    assert [cycle.crf_year(y, period) for y in (2022, 2023, 2024, 2025)] == [None, None, 2022, 2023]
    assert [cycle.crf_announced_year(y, period) for y in (2022, 2023, 2024, 2025)] == [None, 2022, 2023, 2024]
    assert cycle.crf_due(2024) == dt.date(2025, 6, 30)
    assert cycle.crf_year(2032, [2031]) is None and cycle.crf_announced_year(2032, [2031]) == 2031


def test_the_shipped_dossiers_enclose_and_announce_their_crfs():
    from helpers import INPUTS

    for year, enclosed, states in (
        (2022, None, []),
        (2023, None, [(2022, "a_venir")]),
        (2024, 2022, [(2022, "joint"), (2023, "a_venir")]),
        (2025, 2023, [(2023, "joint"), (2024, "a_venir")]),
    ):
        data = model.load(INPUTS, year)
        assert data.warnings == []
        stems = [d.stem for d in documents.plan(data)]
        assert (f"crf-{enclosed}" in stems) if enclosed else not any(s.startswith("crf") for s in stems)
        ctx = context.build_context(data, projet=True)
        assert [(c.annee, c.etat) for c in ctx.comptes_rendus] == states
        if enclosed:
            planned = next(d for d in documents.plan(data) if d.key == "crf")
            assert planned.date == data.reported[enclosed].crf.date
            low, high, _ = documents.signature_window(planned, data)
            assert low == planned.date and high == (data.year.appel or data.year.transmission).date
            assert ctx.crf.participation.realise == data.reported[enclosed].finances.montant_recu
            assert ctx.crf.total_charges.realise == ctx.crf.total_produits.realise


def _without_crf(path):
    """A year whose compte rendu financier is not drawn up yet: no « crf: » block, nor its example marks."""
    text = path.read_text(encoding="utf-8")
    text = text[: text.index("\n# --- Le compte rendu financier")] + "\n"
    for key in ("date", "comptes_approuves_le", "regle_repartition", "transmis_le"):
        text = text.replace(f"  - crf.{key}\n", "")
    path.write_text(text, encoding="utf-8")


def test_a_crf_not_drawn_up_is_missing_said_and_not_enclosed(inputs_copy):
    _without_crf(inputs_copy / "2022" / "year.yaml")
    data = model.load(inputs_copy, 2024)
    assert "crf" not in [d.key for d in documents.plan(data)]
    assert any(
        "compte rendu financier de la participation 2022, dû au plus tard le 30 juin 2023, n'est pas joint" in w
        for w in data.warnings
    ), data.warnings
    model.load(inputs_copy, 2024, final=False)  # a notice: the payment does not wait on it
    ctx = context.build_context(data, projet=True)
    assert [(c.annee, c.etat) for c in ctx.comptes_rendus] == [(2022, "manquant"), (2023, "a_venir")]
    report = signatures.status(inputs_copy, TEMPLATES, inputs_copy.parent / "out", [2024])[0]
    said = {line.title: line.state for line in report.lines}
    assert said["Le compte rendu financier de la participation 2022"].startswith("NON JOINT – dû au plus tard le 30 juin 2023")
    assert said["Le compte rendu financier de la participation 2023"].startswith("à venir")


def test_a_crf_dated_after_the_letter_waits_for_the_next_one(inputs_copy):
    _edit(inputs_copy, 2022, "  date: 2023-06-20", "  date: 2024-04-02")
    _crf_line(inputs_copy / "2022" / "year.yaml", "transmis_le", "2024-04-03")
    said = _said(inputs_copy, 2024, final=False)
    assert "après l'appel du 2024-03-26" in said and "après le 30 juin 2023" in said
    assert "crf" not in [d.key for d in documents.plan(model.load(inputs_copy, 2024))]


# --------------------------------------------------------------------------- its content


@pytest.mark.parametrize(
    "changes, words",
    [
        (
            {"participation": (D("20000"), D("18000"), None), "ressources_propres": (D("30000"), D("33450"), None)},
            "la participation 2022 réalisée (18\u202f000,00\xa0€) n'est pas ce qui a été reçu (20\u202f000,00\xa0€",
        ),
        ({"personnel": (D("34000"), D("35300"), None)}, "les totaux réalisés ne s'équilibrent pas"),
        (
            {"autres_services_exterieurs": (D("4000"), D("4850"), None)},
            "rubrique « 62 – Autres services extérieurs (honoraires, publications, déplacements, missions) » : écart de "
            "850,00\xa0€, +21,3\u202f% sans explication",
        ),
    ],
)
def test_each_content_rule_warns_a_draft_and_stops_a_final_version(inputs_copy, changes, words):
    _sheet(inputs_copy, 2022, **changes)
    for year in (2022, 2024):  # where its data is kept, and the dossier that encloses it
        warnings = model.load(inputs_copy, year).warnings
        assert any(words in w and w.endswith("(avertissement ; erreur avec --final)") for w in warnings), warnings
        assert any(words in p for p in _problems(inputs_copy, year, final=True))


def test_a_small_gap_needs_no_explanation_and_a_large_unforecast_one_does():
    assert not crf.significant(D("4000"), D("4550"))  # 13,75 %
    assert not crf.significant(D("1000"), D("1400"))  # 40 %, but 400 €
    assert crf.significant(D("4000"), D("4700"))  # 17,5 % and 700 €
    assert crf.significant(D("0"), D("600")) and not crf.significant(D("0"), D("400"))
    assert crf.gap(D("4000"), D("3000")) == (D("-1000"), D("-0.25"))


@pytest.mark.parametrize(
    "old, new, words, error_always",
    [
        ("  date: 2023-06-20", "  date: 2023-06-02", "avant l'approbation des comptes 2022 (2023-06-15)", False),
        ("  date: 2023-06-20", "  date: 2023-07-04", "après le 30 juin 2023 : la loi du 12 avril 2000", None),
        ("  comptes_approuves_le: 2023-06-15", "  comptes_approuves_le: 2022-12-15", "avant la fin de l'année", True),
    ],
)
def test_its_dates_follow_the_accounts_and_the_law(inputs_copy, old, new, words, error_always):
    _edit(inputs_copy, 2022, old, new)
    _crf_line(inputs_copy / "2022" / "year.yaml", "transmis_le", "2023-07-05")  # deposited once drawn up
    draft = _said(inputs_copy, 2022, final=False)
    assert words in draft
    if error_always is None:  # a late CRF is a fact to note, not to undo
        assert any(words in w and "avertissement ; erreur" not in w for w in model.load(inputs_copy, 2022).warnings)
    elif error_always:
        assert any(words in p for p in _problems(inputs_copy, 2022, final=False))
    else:
        assert "(avertissement ; erreur avec --final)" in draft
        assert any(words in p for p in _problems(inputs_copy, 2022, final=True))


# --------------------------------------------------------------------------- its spreadsheet


def test_every_bad_cell_is_said_with_its_row_and_column(inputs_copy):
    path = inputs_copy / "2022" / "compte-rendu-financier.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book.active
    sheet["A3"] = "61 – Services extérieur et divers"
    sheet["C5"] = "beaucoup"
    sheet["B6"] = -12
    sheet["A8"] = sheet["A2"].value  # « 60 – Achats » twice
    book.save(path)
    problems = _problems(inputs_copy, 2022, final=False)
    text = "\n".join(problems)
    assert (
        "compte-rendu-financier.xlsx, ligne 3, colonne « Rubrique » : « 61 – Services extérieur et divers » "
        "n'est pas une rubrique"
        in text
        and "vouliez-vous dire" in text
    )
    assert "ligne 5, colonne « Réalisé (€) » : « beaucoup » n'est pas un montant" in text
    assert "ligne 6, colonne « Prévu (€) » : « -12,00\xa0€ » : un montant négatif" in text
    assert "ligne 8, colonne « Rubrique »" in text and "déjà donnée ligne 2" in text


def test_amounts_are_read_as_staff_type_them():
    assert crf.amount("20 000,00 €") == (D("20000.00"), None)
    assert crf.amount(1234.5) == (D("1234.50"), None) and crf.amount(None) == (D("0.00"), None)
    assert crf.amount("nan")[1] and crf.amount("1e12")[1]


def test_figures_in_both_places_are_refused(inputs_copy):
    _edit(
        inputs_copy, 2022, "  lieu: Marseille\n  comptes_approuves_le", "  lieu: Marseille\n  lignes: []\n  comptes_approuves_le"
    )
    assert any("à la fois ici et dans" in p for p in _problems(inputs_copy, 2022, final=False))


def test_new_year_writes_the_sheet_with_the_cerfa_headings(inputs_copy):
    shutil.rmtree(inputs_copy / "2024")
    result = run_cli("--inputs", str(inputs_copy), "new-year", "2024")
    assert result.returncode == 0, result.stderr
    path = inputs_copy / "2024" / "compte-rendu-financier.xlsx"
    sheet = openpyxl.load_workbook(path).active
    assert [c.value for c in sheet[1]][:4] == crf.COLUMNS
    labels = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert "64 – Charges de personnel (rémunérations, charges sociales)" in labels
    assert any("participation de la Métropole Aix-Marseille-Provence" in label for label in labels)
    conv, _ = model.load_convention(inputs_copy)
    lines, problems = crf.read_figures(path, "x.xlsx", conv)
    assert problems == [] and {line["rubrique"] for line in lines} == set(crf.BY_CODE)
    assert "compte-rendu-financier.xlsx" in result.stdout


# --------------------------------------------------------------------------- what the documents say


def _filled(data, key: str, tmp_path) -> str:
    filled = templates.fill(data, TEMPLATES / f"{key}.docx", tmp_path / f"{key}.docx", final=False)
    templates.stop_on_errors(filled)
    return docx_text(filled.docx).replace("\u202f", " ").replace("\xa0", " ").replace("’", "'")


def test_the_crf_reads_as_the_cerfa(tmp_path):
    from helpers import INPUTS

    text = _filled(model.load(INPUTS, 2024), "crf", tmp_path)
    for words in (
        "Compte rendu financier de la participation 2022",
        "cerfa n° 15059",
        "Charges directes affectées à l'action",
        "689 – Engagements à réaliser sur ressources affectées",
        "66 – Charges financières",
        "Charges indirectes réparties affectées à l'action",
        "participation de la Métropole Aix-Marseille-Provence (convention 2022-2024)",
        "Total des charges",
        "50 000,00 €",
        "51 450,00 €",
        "+21,3 %",
        "Séminaire annuel",
        "approuvés par l'assemblée générale le 15 juin 2023",
        "Fait à Marseille, le 20 juin 2023",
        "Je soussigné, Monsieur Pascal FRIQUET",
    ):
        assert words in text, words


def test_the_bordereau_says_when_the_crf_was_drawn_up_or_that_it_is_due(tmp_path):
    from helpers import INPUTS

    text = _filled(model.load(INPUTS, 2024), "bordereau", tmp_path)
    assert (
        "Participation 2022 : établi le 20 juin 2023, après l'approbation des comptes 2022 le 15 juin 2023, "
        "joint au présent dossier (déjà déposé auprès de la Métropole le 22 juin 2023)" in text
    )
    assert "Participation 2023 : à transmettre au plus tard le 30 juin 2024" in text
    text = _filled(model.load(INPUTS, 2023), "bordereau", tmp_path)
    assert "Participation 2022 : à transmettre au plus tard le 30 juin 2023" in text


def test_the_closing_letter_rests_on_the_cgct_and_the_law_of_2000(tmp_path):
    from helpers import INPUTS

    text = _filled(model.load(INPUTS, 2025), "transmission", tmp_path)
    assert "que l'article 3 demande pour l'année écoulée" not in text
    assert "l'article L. 1611-4 du code général des collectivités territoriales" in text
    assert "l'article 10 de la loi n° 2000-321 du 12 avril 2000" in text
    assert (
        "les comptes de l'année 2024, dès leur approbation par l'assemblée générale de l'association, et au "
        "plus tard le 30 juin 2025 ;" in text
    )
    assert (
        "le rapport d'activité de l'année 2024, dès son approbation par l'assemblée générale de "
        "l'association, et au plus tard le 30 juin 2025 ;" in text
    )
    assert "12 juin 2025" not in text  # the assembly the data gives is after the letter of 25 March
    assert "le compte rendu financier de la participation 2024, au plus tard le 30 juin 2025" in text
    assert "le compte rendu financier de la participation 2023" in text  # enclosed, among « ci-joint »


def test_the_closing_letter_dates_each_piece_it_still_owes_and_cites_only_what_precedes_it(inputs_copy):
    """Each piece owed after the closing has its due date: the last year's accounts and activity
    report, like its CRF, by 30 June of the next year; an assembly held by the letter's date is
    named, one held after it is not; past that date the letter says the due date is passed."""

    def owed():
        return {o["code"]: o for o in context.build_context(model.load(inputs_copy, 2025), projet=True).dus_apres_cloture}

    said = owed()
    assert {code: o["echeance"] for code, o in said.items()} == {
        "rapport_activite": dt.date(2025, 6, 30),
        "comptes": dt.date(2025, 6, 30),
        "crf": dt.date(2025, 6, 30),
    }
    path = inputs_copy / "2024" / "year.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("comptes_approuves_le: 2025-06-12", "comptes_approuves_le: 2025-03-20"),
        encoding="utf-8",
    )
    assert owed()["comptes"]["quand"] == "au plus tard le 30 juin 2025 (approbation par l'assemblée générale du 20 mars 2025)"
    path = inputs_copy / "2025" / "year.yaml"  # the closing letter sent after the 30 June it announces
    path.write_text(path.read_text(encoding="utf-8").replace("  date: 2025-03-25", "  date: 2025-07-03"), encoding="utf-8")
    said = owed()
    assert said["comptes"]["quand"] == "dans les meilleurs délais (échéance du 30 juin 2025 dépassée)"
    assert said["crf"]["quand"].startswith("qui était dû au plus tard le 30 juin 2025")


def test_the_closing_letter_says_an_overdue_crf_is_overdue(inputs_copy, tmp_path):
    _without_crf(inputs_copy / "2023" / "year.yaml")
    owed = context.build_context(model.load(inputs_copy, 2025), projet=True).dus_apres_cloture
    said = {o["quoi"]: o["quand"] for o in owed}
    assert said["le compte rendu financier de la participation 2023"].startswith("qui était dû au plus tard le 30 juin 2024")


def test_shared_charges_need_their_allocation_rule_in_the_annex(inputs_copy):
    """Staff and indirect charges put on the action without saying how they are shared out: the
    cerfa's annex asks for the rule (fresh reading, P2)."""
    path = inputs_copy / "2022" / "year.yaml"
    text = path.read_text(encoding="utf-8").replace("  - crf.regle_repartition\n", "")
    start = text.index("  regle_repartition:")
    path.write_text(text[:start] + text[text.index("\n", start) + 1 :], encoding="utf-8")
    warned = [w for w in model.load(inputs_copy, 2024).warnings if "règle de répartition" in w]
    assert warned and "crf.regle_repartition" in warned[0] and warned[0].endswith("erreur avec --final)"), warned
    with pytest.raises(InputError) as info:
        model.load(inputs_copy, 2024, final=True)
    assert "règle de répartition" in str(info.value)


def test_a_gap_in_euros_is_signed_as_its_percentage():
    from pipeline.french import ecart, pourcentage

    assert (ecart(-600), pourcentage(-0.1)) == ("−600,00\u00a0€", "−10,0\u202f%")
    assert ecart(850).startswith("+850,00") and ecart(0) == "0,00\u00a0€"


def _crf_line(path, key, value):
    """The year's « crf: » block with ``key`` set to ``value`` (None: taken out, with its example mark)."""
    text = path.read_text(encoding="utf-8").replace(f"  - crf.{key}\n", "")
    block = text.index("\ncrf:\n") + len("\ncrf:\n")
    start = text.find(f"  {key}:", block)
    start, end = (start, text.index("\n", start) + 1) if start != -1 else (block, block)
    path.write_text(text[:start] + (f"  {key}: {value}\n" if value is not None else "") + text[end:], encoding="utf-8")


def test_a_crf_is_deposited_by_30_june_not_with_the_next_call(inputs_copy):
    """The CRF reached the Métropole only with the call N+2, nine months late (fresh reading, P2):
    its deposit is data, said late or missing, and the bordereau N+2 joins a copy of what was sent."""
    path = inputs_copy / "2022" / "year.yaml"
    _crf_line(path, "transmis_le", None)
    warned = [w for w in model.load(inputs_copy, 2024).warnings if "crf.transmis_le" in w]
    assert warned and "au plus tard le 30 juin 2023" in warned[0] and warned[0].endswith("erreur avec --final)")
    _crf_line(path, "transmis_le", "2023-09-14")
    late = [w for w in model.load(inputs_copy, 2024).warnings if "crf.transmis_le" in w]
    assert late and "déposé le 2023-09-14, après le 30 juin 2023" in late[0], late
    _crf_line(path, "transmis_le", "2023-06-01")
    with pytest.raises(InputError, match="avant d'être établi"):
        model.load(inputs_copy, 2024)


def test_the_bordereau_says_when_the_crf_was_deposited_and_that_the_dossier_joins_it(tmp_path):
    """The dossier encloses the signed original, not a copy: the bordereau says one thing (the
    fourth reading, P3-3: « original signé » on one line, « copie jointe » two lines below)."""
    from helpers import INPUTS

    data = model.load(INPUTS, 2024)
    filled = templates.fill(data, TEMPLATES / "bordereau.docx", tmp_path / "bordereau.docx", final=False)
    text = " ".join(docx_text(filled.docx).split())
    assert "joint au présent dossier (déjà déposé auprès de la Métropole le 22 juin 2023)" in text, text
    assert "copie" not in text.split("Participation 2022 :")[1].split(";")[0], text
