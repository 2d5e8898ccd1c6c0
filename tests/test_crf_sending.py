"""The compte rendu financier N sent on its own by 30 June N+1 (``make crf YEAR=N``): the CRF and
its covering letter, each ready to sign apart, built from year N's folder alone — for every year
of the period, the last included — and the same signed original enclosed later by the dossier
N+2 (or the closing one)."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from builder import convention
from helpers import CONV, INPUTS, TEMPLATES, docx_text, make_final
from pki import Pki
from pypdf import PdfReader

from pipeline import build, status
from pipeline import templates as road
from pipeline.convention import documents, model, signed
from pipeline.errors import InputError
from pipeline.pdf import signing

D = dt.date


def _quiet(message: str) -> None:
    pass


def _build(years, inputs, outputs, office, *, sending=False, final=False, warn=_quiet):
    request = build.BuildRequest(inputs, TEMPLATES, outputs, final)
    runtime = build.Runtime(office, log=_quiet, warn=warn)
    return build.build_years(years, request, runtime, release=False, sending=sending)


def _set(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _status(inputs, outputs, year) -> dict[str, str]:
    report = status.status(inputs, TEMPLATES, outputs, [year])[0]
    return {line.title: line.state for line in report.lines}


# --------------------------------------------------------------------------- without LibreOffice


def test_every_year_of_the_period_has_its_sending_the_last_one_too():
    """The last year's CRF (2024) was in no plan: its sending holds it, with its letter."""
    assert model.crf_years(INPUTS) == [2022, 2023, 2024]
    for year in (2022, 2023, 2024):
        plan = documents.plan(model.load_sending(INPUTS, year))
        assert [d.stem for d in plan] == [f"crf-{year}", f"lettre-crf-{year}"]
    last = model.load_sending(INPUTS, 2024)
    crf, letter = documents.plan(last)
    assert (crf.date, letter.date) == (D(2025, 6, 17), D(2025, 6, 19))  # crf.date, crf.transmis_le
    # signed apart: the CRF between its own date and its letter, the letter on its own date
    assert documents.signature_window(crf, last)[:2] == (D(2025, 6, 17), D(2025, 6, 19))
    assert documents.signature_window(letter, last)[:2] == (D(2025, 6, 19), D(2025, 6, 19))


def test_the_sending_needs_only_the_year_s_own_folder(inputs_copy):
    for later in (2023, 2024, 2025):
        shutil.rmtree(inputs_copy / str(later))
    data = model.load_sending(inputs_copy, 2022)
    assert data.crf_year.annee == 2022 and data.reported == {}


def test_a_year_without_its_crf_block_says_what_to_add(inputs_copy):
    path = inputs_copy / "2024" / "year.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("\n# --- Le compte rendu financier")] + "\n", encoding="utf-8")
    _set(path, "  - crf.date\n  - crf.comptes_approuves_le\n  - crf.regle_repartition\n  - crf.transmis_le\n", "")
    with pytest.raises(InputError, match="le compte rendu financier 2024 n'est pas encore établi : ajoutez « crf: »"):
        model.load_sending(inputs_copy, 2024)
    with pytest.raises(InputError, match="pas de participation"):
        model.load_sending(inputs_copy, 2025)


def test_its_letter_is_dated_the_day_it_leaves_not_before_the_crf(inputs_copy):
    path = inputs_copy / "2024" / "year.yaml"
    _set(path, "transmis_le: 2025-06-19", "transmis_le: 2025-06-16")  # before the CRF (17 June)
    with pytest.raises(InputError, match="déposé le 2025-06-16, avant d'être établi"):
        model.load_sending(inputs_copy, 2024)
    _set(path, "transmis_le: 2025-06-16", "transmis_le: 2025-06-19")
    _set(path, "date: 2025-06-17\n", "date: 2025-06-10\n")  # the CRF before the accounts' approval (12 June)
    said = " ".join(model.load_sending(inputs_copy, 2024).warnings)
    assert "avant l'approbation des comptes 2024 (2025-06-12)" in said
    with pytest.raises(InputError, match="avant l'approbation des comptes 2024"):
        model.load_sending(inputs_copy, 2024, final=True)


def test_a_letter_signed_another_day_than_its_date_is_said(inputs_copy):
    data = model.load_sending(INPUTS, 2024)
    crf, letter = documents.plan(data)
    assert signed.out_of_window(letter, data, "Pascal FRIQUET", D(2025, 6, 19)) is None
    assert "une lettre se signe le jour où elle est datée" in signed.out_of_window(letter, data, "Pascal FRIQUET", D(2025, 6, 20))
    assert signed.out_of_window(crf, data, "Pascal FRIQUET", D(2025, 6, 18)) is None
    assert "après la lettre d'envoi du 19 juin 2025" in signed.out_of_window(crf, data, "Pascal FRIQUET", D(2025, 6, 20))


def test_the_letter_reads_as_the_métropole_expects(tmp_path):
    data = model.load_sending(INPUTS, 2024)
    filled = road.fill(data, TEMPLATES / "lettre-crf.docx", tmp_path / "lettre-crf.docx", final=False)
    assert filled.errors == [] and [s.field_name for s in filled.spots] == ["lettre-crf-association"]
    text = " ".join(docx_text(filled.docx).split()).replace("’", "'")
    for words in (
        "Marseille, le 19 juin 2025",
        "Madame la Présidente",
        "Objet : compte rendu financier de la participation 2024",
        "article 10 de la loi n° 2000-321 du 12 avril 2000",
        "établi le 17 juin 2025",
        "approuvés par l'assemblée générale le 12 juin 2025",
        "vingt mille euros (20 000,00 €)",
        "dernière année de la convention",
        "l'expression de ma haute considération",
        "Pascal FRIQUET",
    ):
        assert words.replace(" ", "").replace("\u00a0", "") in text.replace(" ", "").replace("\u00a0", ""), words
    middle = road.fill(model.load_sending(INPUTS, 2022), TEMPLATES / "lettre-crf.docx", tmp_path / "l22.docx", final=False)
    assert "prochain dossier" in docx_text(middle.docx) and "dernière année" not in docx_text(middle.docx)


def test_status_says_each_crf_to_draw_up_to_sign_and_when_it_is_due(inputs_copy, tmp_path):
    lines = _status(inputs_copy, tmp_path / "out", 2024)
    said = lines["Le compte rendu financier 2024 (envoi à part)"]
    assert said.startswith(
        "à faire signer (make crf YEAR=2024 le prépare), puis à envoyer le 19 juin 2025 (au plus tard le 30 juin 2025)"
    ), said
    assert lines["La lettre d'envoi du compte rendu financier 2024"].startswith(
        "NON SIGNÉ – à faire signer par le Président de l'AR Hlm"
    )
    path = inputs_copy / "2024" / "year.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("\n# --- Le compte rendu financier")] + "\n", encoding="utf-8")
    _set(path, "  - crf.date\n  - crf.comptes_approuves_le\n  - crf.regle_repartition\n  - crf.transmis_le\n", "")
    said = _status(inputs_copy, tmp_path / "out", 2024)["Le compte rendu financier 2024 (envoi à part)"]
    assert said.startswith("à établir – dû au plus tard le 30 juin 2025, une fois les comptes 2024 approuvés"), said
    assert "dernière année : aucun dossier ne le joindra" in said
    said = _status(inputs_copy, tmp_path / "out", 2022)["Le compte rendu financier 2022 (envoi à part)"]
    assert "22 juin 2023 (au plus tard le 30 juin 2023)" in said


def _without_piece(folder, code: str) -> None:
    """The convention at ``folder`` made final for 2024, its crf.pieces without the entry of ``code``."""
    convention().final((2024,)).year(2024, crf={"pieces": lambda pieces: [p for p in pieces if p["code"] != code]}).write(folder)


def test_the_letter_encloses_the_approved_accounts_and_the_activity_report(tmp_path):
    """The cerfa n° 15059 wants the CRF accompanied by the approved accounts and the rapport
    d'activité: the letter lists each piece it encloses, and says why (fourth reading, P2-1)."""
    data = model.load_sending(INPUTS, 2024)
    assert data.warnings == []
    filled = road.fill(data, TEMPLATES / "lettre-crf.docx", tmp_path / "lettre-crf.docx", final=False)
    assert filled.errors == []
    text = " ".join(docx_text(filled.docx).replace("\u00a0", " ").split()).replace("’", "'")
    assert (
        "Pièces jointes : le compte rendu financier de la participation 2024, établi le 17 juin 2025 ; "
        "les comptes annuels de l'exercice 2024, approuvés par l'assemblée générale le 12 juin 2025 (spécimen) ; "
        "le rapport du commissaire aux comptes sur les comptes de l'exercice 2024 (spécimen) ; "
        "le rapport d'activité de l'année 2024 (spécimen)"
    ) in text, text
    assert (
        "Comme le demande la notice du compte rendu financier (cerfa n° 15059), je vous adresse avec lui les "
        "comptes de l'exercice 2024 approuvés par l'assemblée générale, le rapport du commissaire aux comptes et "
        "le rapport d'activité de l'année 2024."
    ) in text, text


def test_a_piece_missing_from_the_sending_is_a_warning_then_an_error_when_final(inputs_copy, tmp_path):
    make_final(inputs_copy, years=(2024,))
    model.load_sending(inputs_copy, 2024, final=True)  # real data, every piece there: nothing to say
    path = inputs_copy / "2024" / "year.yaml"
    _without_piece(inputs_copy, "rapport_activite")
    [said] = model.load_sending(inputs_copy, 2024).warnings
    assert said.startswith(f"{model.display(path)}:")  # the crf.pieces line
    for words in (
        "crf.pieces: pièce manquante à l'envoi du compte rendu financier 2024 : le rapport d'activité de l'année 2024",
        "déposez le fichier dans 2024/pieces/ et citez-le sous crf.pieces (code: rapport_activite",
        "(avertissement ; erreur avec --final)",
    ):
        assert words in said, said
    with pytest.raises(
        InputError, match="pièce manquante à l'envoi du compte rendu financier 2024 : le rapport d'activité de l'année 2024"
    ):
        model.load_sending(inputs_copy, 2024, final=True)
    [said] = [
        line
        for line in status.status(inputs_copy, TEMPLATES, tmp_path / "out", [2024])[0].lines
        if line.title == "Le compte rendu financier 2024 (envoi à part)"
    ]
    assert any("pièce manquante" in problem for problem in said.problems), said  # make statut says it before sending
    # the letter encloses what is there, and no more
    filled = road.fill(model.load_sending(inputs_copy, 2024), TEMPLATES / "lettre-crf.docx", tmp_path / "l.docx", final=False)
    assert "rapport d'activité" not in docx_text(filled.docx).replace("’", "'")
    # a piece named whose file is not there yet (the accounts approved, not yet scanned)
    (inputs_copy / "2024" / "pieces" / "comptes-2024-approuves.pdf").unlink()
    said = " ".join(model.load_sending(inputs_copy, 2024).warnings)
    assert (
        "crf.pieces[1].fichier: fichier introuvable : pieces/comptes-2024-approuves.pdf — vérifiez le nom ou "
        "déposez le PDF dans 2024/pieces/ (avertissement ; erreur avec --final)" in said
    ), said
    with pytest.raises(InputError, match="fichier introuvable : pieces/comptes-2024-approuves.pdf"):
        model.load_sending(inputs_copy, 2024, final=True)


def test_an_example_piece_never_leaves_with_a_final_sending(inputs_copy):
    shipped = (inputs_copy / "2024" / "pieces" / "rapport-cac-2024.pdf").read_bytes()
    with pytest.raises(InputError, match=r"crf.pieces\[2\].specimen: pieces/rapport-cac-2024.pdf est un spécimen"):
        model.load_sending(inputs_copy, 2024, final=True)
    make_final(inputs_copy, years=(2024,))  # the flags gone: the file itself still says SPÉCIMEN
    (inputs_copy / "2024" / "pieces" / "rapport-cac-2024.pdf").write_bytes(shipped)
    with pytest.raises(InputError, match="pieces/rapport-cac-2024.pdf porte la mention « spécimen »"):
        model.load_sending(inputs_copy, 2024, final=True)


def test_a_sending_piece_is_sent_as_a_pdf_under_a_known_code(inputs_copy):
    path = inputs_copy / "2024" / "year.yaml"
    _set(path, "fichier: pieces/rapport-activite-2024.pdf", "fichier: pieces/rapport-activite-2024.docx")
    (inputs_copy / "2024" / "pieces" / "rapport-activite-2024.docx").write_bytes(b"PK\x03\x04")
    with pytest.raises(InputError, match="l'envoi joint chaque pièce telle quelle, sans la convertir — enregistrez-la en PDF"):
        model.load_sending(inputs_copy, 2024)
    _set(path, "fichier: pieces/rapport-activite-2024.docx", "fichier: pieces/rapport-activite-2024.pdf")
    _set(path, "    - code: rapport_cac\n", "    - code: rapport_commissaire\n")
    with pytest.raises(
        InputError, match="pièce « rapport_commissaire » inconnue parmi les pièces du compte rendu financier — .*rapport_cac"
    ):
        model.load_sending(inputs_copy, 2024)


# --------------------------------------------------------------------------- with LibreOffice


@pytest.fixture(scope="module")
def real(office, tmp_path_factory):
    """Real data for every year, a test authority the convention trusts, nothing built yet: each
    test copies it and builds only what staff would have by June N+1."""
    root = tmp_path_factory.mktemp("crf-envoi")
    inputs = root / "inputs" / CONV
    shutil.copytree(INPUTS, inputs)
    make_final(inputs, years=(2022, 2023, 2024, 2025))
    pki = Pki(root / "pki")
    pki.trusted_by(inputs)
    (inputs / "signes").mkdir()
    return root, inputs, pki


def _sign(pki, pdf, signes, field, day):
    out = pki.sign(pdf, signes.parent / f".{pdf.stem}.pdf", field, "Pascal FRIQUET", day)
    shutil.move(out, signes / pdf.name)


def test_the_last_year_s_crf_is_built_signed_and_sent_on_its_own(office, real, tmp_path):
    root, inputs, pki = real
    work = tmp_path / "inputs" / CONV
    shutil.copytree(inputs, work)
    shutil.rmtree(work / "2025")  # the closing dossier is not needed: the sending reads 2024 alone
    out = tmp_path / "out"
    warnings: list[str] = []
    [path] = _build([2024], work, out, office, sending=True, warn=warnings.append)
    folder = out / CONV / "crf" / "2024"
    assert path == folder / "crf-2024.pdf" and warnings == []
    assert sorted(p.name for p in folder.iterdir()) == [
        "crf-2024.docx",
        "crf-2024.pdf",
        "lettre-crf-2024.docx",
        "lettre-crf-2024.pdf",
        "manifest.json",
    ]
    assert not (out / CONV / "2024").exists()  # no dossier rebuilt, none replaced
    for stem, field in (("crf-2024", "crf-association"), ("lettre-crf-2024", "lettre-crf-association")):
        assert [f.name for f in signing.list_fields(folder / f"{stem}.pdf")] == [field]  # one empty field to sign
        text = " ".join(p.extract_text() for p in PdfReader(folder / f"{stem}.pdf").pages)
        assert "PROJET" not in text  # real data: ready to sign
    assert "Marseille, le 19 juin 2025" in " ".join(PdfReader(folder / "lettre-crf-2024.pdf").pages[0].extract_text().split())
    # signed on their days, deposited: status says it was sent, and a final rebuild accepts them
    signes = work / "signes"
    _sign(pki, folder / "crf-2024.pdf", signes, "crf-association", D(2025, 6, 17))
    lines = _status(work, out, 2024)
    assert lines["Le compte rendu financier 2024 (envoi à part)"].startswith("signé, à envoyer le 19 juin 2025")
    _sign(pki, folder / "lettre-crf-2024.pdf", signes, "lettre-crf-association", D(2025, 6, 19))
    lines = _status(work, out, 2024)
    assert lines["Le compte rendu financier 2024 (envoi à part)"] == (
        "envoyé le 19 juin 2025 avec sa lettre d'envoi, signés tous deux ; dernière année : aucun dossier ne le "
        "joindra, seul cet envoi le transmet"
    )
    assert lines["La lettre d'envoi du compte rendu financier 2024"] == "signatures : Pascal FRIQUET le 19 juin 2025"
    _build([2024], work, out, office, sending=True, final=True, warn=warnings.append)
    assert warnings == []


def test_the_pieces_leave_as_they_are_and_the_closing_status_says_the_crf_went(office, real, tmp_path):
    """The sending encloses the approved accounts, the auditor's report and the rapport d'activité
    as their own files, byte for byte (recorded in its manifest); once it went, signed, the
    closing dossier's status says so instead of « à venir » (fourth reading, P2-1 and P3-7)."""
    import hashlib
    import json

    _, inputs, pki = real
    work = tmp_path / "inputs" / CONV
    shutil.copytree(inputs, work)
    out = tmp_path / "out"
    warnings: list[str] = []
    _build([2024], work, out, office, sending=True, warn=warnings.append)  # real data: ready to sign
    assert warnings == []
    folder = out / CONV / "crf" / "2024"
    reader = PdfReader(folder / "lettre-crf-2024.pdf")
    assert len(reader.pages) == 1  # still one page, its signature on it
    text = " ".join(reader.pages[0].extract_text().replace("\u00a0", " ").replace("\u202f", " ").split())
    text = text.replace("’", "'")
    for words in (
        "Pièces jointes : le compte rendu financier de la participation 2024, établi le 17 juin 2025 ; les "
        "comptes annuels de l'exercice 2024, approuvés par l'assemblée générale le 12 juin 2025 ;",
        "le rapport du commissaire aux comptes sur les comptes de l'exercice 2024 ; le rapport d'activité de l'année 2024",
    ):
        assert words in text, text
    assert "spécimen" not in text
    recorded = {entry["path"]: entry["sha256"] for entry in json.loads((folder / "manifest.json").read_text())["inputs"]}
    for name in ("comptes-2024-approuves.pdf", "rapport-cac-2024.pdf", "rapport-activite-2024.pdf"):
        piece = work / "2024" / "pieces" / name
        [path] = [p for p in recorded if p.endswith(f"2024/pieces/{name}")]
        assert recorded[path] == hashlib.sha256(piece.read_bytes()).hexdigest()
    title = "Le compte rendu financier de la participation 2024"
    assert _status(work, out, 2025)[title].startswith("à venir – dû au plus tard le 30 juin 2025")
    _sign(pki, folder / "crf-2024.pdf", work / "signes", "crf-association", D(2025, 6, 17))
    assert _status(work, out, 2025)[title].startswith("à venir")  # signed, its letter not yet: not sent
    _sign(pki, folder / "lettre-crf-2024.pdf", work / "signes", "lettre-crf-association", D(2025, 6, 19))
    said = _status(work, out, 2025)[title]
    assert said == (
        "envoyé le 19 juin 2025 avec sa lettre d'envoi, après ce dossier qui l'annonçait (dû au plus tard le 30 juin 2025)"
    ), said
    assert _status(work, out, 2024)["Le compte rendu financier 2024 (envoi à part)"].startswith("envoyé le 19 juin 2025")


def test_a_letter_signed_the_day_after_its_date_stops_a_final_sending(office, real, tmp_path):
    _, inputs, pki = real
    work = tmp_path / "inputs" / CONV
    shutil.copytree(inputs, work)
    out = tmp_path / "out"
    _build([2023], work, out, office, sending=True)
    folder = out / CONV / "crf" / "2023"
    _sign(pki, folder / "crf-2023.pdf", work / "signes", "crf-association", D(2024, 6, 18))
    _sign(pki, folder / "lettre-crf-2023.pdf", work / "signes", "lettre-crf-association", D(2024, 6, 21))
    with pytest.raises(InputError, match="une lettre se signe le jour où elle est datée"):
        _build([2023], work, out, office, sending=True, final=True)


def test_the_crf_signed_from_its_sending_is_the_one_the_dossier_n_plus_2_encloses(office, real, tmp_path):
    _, inputs, pki = real
    work = tmp_path / "inputs" / CONV
    shutil.copytree(inputs, work)
    out = tmp_path / "out"
    _build([2022], work, out, office, sending=True)  # June 2023: only the sending, no dossier 2024 yet
    _sign(pki, out / CONV / "crf" / "2022" / "crf-2022.pdf", work / "signes", "crf-association", D(2023, 6, 20))
    warnings: list[str] = []
    [dossier] = _build([2024], work, out, office, warn=warnings.append)
    assert not [w for w in warnings if "crf-2022" in w], warnings  # same text: the original matches the data
    attached = {name: data[0] for name, data in PdfReader(dossier).attachments.items()}
    assert attached["crf-2022.pdf"] == (work / "signes" / "crf-2022.pdf").read_bytes()
    titles = [i.title.replace("\u00a0", " ") for i in PdfReader(dossier).outline if not isinstance(i, list)]
    assert "Le compte rendu financier de la participation 2022 (original signé joint)" in titles
    bordereau = " ".join(docx_text(dossier.with_name("bordereau-2024.docx")).split())
    assert "déposé auprès de la Métropole le 22 juin 2023" in bordereau
