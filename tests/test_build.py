"""The real pipeline on the shipped inputs: documents, PDFs and dossier with their data."""
import subprocess

import docx
import pytest
from pypdf import PdfReader

from conftest import INPUTS, TEMPLATES, docx_text, run_cli
from pipeline import build, convert, model
from pipeline.french import typo

DOCS = ["convention", "appel", "bordereau", "bilan", "pv-copil"]


def test_every_document_exists_as_docx_and_pdf(built):
    for year in (2022, 2023, 2024):
        folder = built / str(year)
        for key in DOCS:
            assert (folder / f"{key}-{year}.docx").stat().st_size > 5000
            assert len(PdfReader(folder / f"{key}-{year}.pdf").pages) >= 1
        assert (folder / f"dossier-{year}.pdf").is_file()


def test_documents_carry_the_data_of_their_year(built):
    for year in (2022, 2023):
        data = model.load(INPUTS, year).year
        letter = docx_text(built / str(year) / f"appel-{year}.docx")
        assert "vingt mille euros (20\u202f000,00\u00a0€)" in letter
        assert data.appel.reference in letter
        assert data.banque.bic in letter
        bilan = docx_text(built / str(year) / f"bilan-{year}.docx")
        for action in data.actions:
            assert typo(action.titre) in bilan  # printed with French spacing
        pv = docx_text(built / str(year) / f"pv-copil-{year}.docx")
        for decision in data.copil.decisions:
            assert typo(decision) in pv


def test_convention_keeps_the_seed_wording_with_the_data_filled(built):
    text = docx_text(built / "2022" / "convention-2022.docx")
    assert "représentée par son Président Monsieur Pascal FRIQUET habilité" in text
    assert "de vingt mille euros (20\u202f000,00\u00a0€) par an" in text
    assert "à compter du 1er janvier 2022" in text
    assert "Il a été convenu ce qui suit\u00a0:" in text
    assert "«\u00a0ALUR\u00a0» et «\u00a0MAPTAM\u00a0»" in text


def test_dossier_joins_documents_and_pieces_with_bookmarks(built):
    dossier = PdfReader(built / "2023" / "dossier-2023.pdf")
    parts = [PdfReader(built / "2023" / f"{k}-2023.pdf") for k in DOCS]
    pieces = sorted((INPUTS / "2023" / "pieces").glob("*.pdf"))
    expected = 2 + sum(len(p.pages) for p in parts) + sum(len(PdfReader(p).pages) for p in pieces)
    assert len(dossier.pages) == expected
    titles = [item.title for item in dossier.outline if not isinstance(item, list)]
    assert titles[0] == "Page de garde et sommaire"
    assert "La convention de partenariat" in titles
    assert "Le bilan de la mise en œuvre 2023" in titles
    assert len(titles) == 1 + len(DOCS) + len(pieces)


def test_year_outside_the_convention_is_one_clear_line():
    result = run_cli("build", "2031")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "2031" in lines[0] and "Traceback" not in result.stderr


def test_no_libreoffice_left_running_after_a_build(built):
    running = subprocess.run(["pgrep", "-f", "pipeline-[0-9a-f]{32}"], capture_output=True, text=True)
    assert running.stdout.strip() == ""


def test_one_libreoffice_start_serves_both_rounds(inputs_copy, tmp_path, monkeypatch):
    from pipeline import build, convert

    starts = []
    original = convert.Session._spawn

    def counting(self):
        starts.append(1)
        original(self)

    monkeypatch.setattr(convert.Session, "_spawn", counting)
    opts = build.Options(inputs=inputs_copy, templates=INPUTS.parent.parent / "templates", outputs=tmp_path / "out",
                         log=lambda m: None, warn=lambda m: None)
    build.build([2024], opts)
    assert starts == [1]
    table = docx.Document(tmp_path / "out" / "2024" / "bordereau-2024.docx").tables[0]
    rows = {row.cells[1].text: row.cells[3].text for row in table.rows[1:]}
    rib_page = int(rows["Un relevé d'identité bancaire (RIB)"])
    dossier = PdfReader(tmp_path / "out" / "2024" / "dossier-2024.pdf")
    assert "Relevé d'identité bancaire" in dossier.pages[rib_page - 1].extract_text()
    bordereau_pdf = PdfReader(tmp_path / "out" / "2024" / "bordereau-2024.pdf").pages[0].extract_text()
    assert f"Oui {rib_page}" in bordereau_pdf.replace("\n", " ")  # the PDF too, not only the .docx
    bilan_page = int(rows["Un bilan de la mise en œuvre de la convention"])
    assert "Bilan 2024 de la mise en œuvre" in dossier.pages[bilan_page - 1].extract_text()


def test_a_bordereau_longer_than_one_page_still_gives_the_right_pages(inputs_copy, tmp_path):
    from pipeline import build

    path = inputs_copy / "2023" / "year.yaml"
    long_note = "Observation détaillée sur la pièce. " * 60
    text = path.read_text(encoding="utf-8")
    for code in ("rib", "instances", "rapport_activite", "comptes"):
        text = text.replace(f"  - code: {code}\n", f"  - code: {code}\n    note: {long_note}\n", 1)
    path.write_text(text, encoding="utf-8")
    opts = build.Options(inputs=inputs_copy, templates=INPUTS.parent.parent / "templates", outputs=tmp_path / "out",
                         log=lambda m: None, warn=lambda m: None)
    build.build([2023], opts)
    folder = tmp_path / "out" / "2023"
    assert len(PdfReader(folder / "bordereau-2023.pdf").pages) >= 2
    table = docx.Document(folder / "bordereau-2023.docx").tables[0]
    rows = {row.cells[1].text: row.cells[3].text for row in table.rows[1:]}
    dossier = PdfReader(folder / "dossier-2023.pdf")
    comptes_page = int(rows["Les comptes de l'année 2022"])
    assert "Comptes de l'exercice 2022" in dossier.pages[comptes_page - 1].extract_text()
    assert "Comptes de l'exercice 2022" not in dossier.pages[comptes_page - 2].extract_text()


def test_staff_command_line_with_relative_folders(tmp_path):
    """As `make dossier` runs it: outputs/ given relative to the current folder."""
    result = run_cli("--inputs", str(INPUTS), "--templates", str(INPUTS.parent.parent / "templates"),
                     "--outputs", "sorties", "build", "2024", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "sorties" / "2024" / "dossier-2024.pdf").is_file()
    assert "dossier : sorties/2024/dossier-2024.pdf" in result.stdout


def test_a_broken_kept_libreoffice_profile_is_replaced(tmp_path):
    outputs = tmp_path / "out"
    profile = outputs / ".cache" / "libreoffice-profile"
    profile.mkdir(parents=True)
    (profile / "user").write_text("not a folder")  # LibreOffice cannot use this profile
    result = run_cli("--outputs", str(outputs), "build", "2023")
    assert result.returncode == 0, result.stderr
    assert (outputs / "2023" / "dossier-2023.pdf").is_file()


def test_final_version_requires_the_blanks_and_carries_no_draft_mark(inputs_copy, tmp_path):
    from pipeline import build
    from pipeline.errors import InputError

    opts = build.Options(inputs=inputs_copy, templates=INPUTS.parent.parent / "templates", outputs=tmp_path / "out",
                         final=True, log=lambda m: None, warn=lambda m: None)
    with pytest.raises(InputError) as info:  # example data, blank deliberation: not final
        build.build([2023], opts)
    assert "délibération" in str(info.value) and "exemples" in str(info.value)
    conv = inputs_copy / "convention.yaml"
    conv.write_text(conv.read_text(encoding="utf-8").replace(
        "    numero: null\n    date: null", "    numero: 22-0456\n    date: 2022-02-17"), encoding="utf-8")
    year = inputs_copy / "2023" / "year.yaml"
    year.write_text(year.read_text(encoding="utf-8").replace("donnees_exemple: true", "donnees_exemple: false"),
                    encoding="utf-8")
    build.build([2023], opts)
    for key in DOCS:
        text = " ".join(p.extract_text() for p in PdfReader(tmp_path / "out" / "2023" / f"{key}-2023.pdf").pages)
        assert "PROJET" not in text
    convention = docx_text(tmp_path / "out" / "2023" / "convention-2023.docx")
    assert "n° 22-0456 du Conseil de la Métropole du 17 février 2022" in convention
    draft = " ".join(p.extract_text() for p in PdfReader(tmp_path / "out" / "2023" / "dossier-2023.pdf").pages[:1])
    assert "PROJET" not in draft


def test_letter_pdf_carries_amount_date_and_bank_details_for_two_years(built):
    for year in (2022, 2024):
        data = model.load(INPUTS, year).year
        text = PdfReader(built / str(year) / f"appel-{year}.pdf").pages[0].extract_text()
        flat = " ".join(text.split())
        assert "vingt mille euros (20 000,00 €)" in flat.replace("\u202f", " ").replace("\u00a0", " ")
        assert f"le 15 mars {year}" in flat and data.banque.bic in flat and data.appel.reference in flat
        assert f"rapport d'activité de l'année {year - 1}" in flat


def test_missing_piece_is_shown_in_the_bordereau_and_warned(inputs_copy, tmp_path):
    path = inputs_copy / "2023" / "year.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "  - code: comptes\n    fichier: pieces/comptes-2022.pdf\n", ""), encoding="utf-8")
    result = run_cli("--inputs", str(inputs_copy), "--outputs", str(tmp_path / "out"), "build", "2023")
    assert result.returncode == 0, result.stderr
    assert "avertissement" in result.stderr and "pièce manquante : Les comptes de l'année 2022" in result.stderr
    table = docx.Document(tmp_path / "out" / "2023" / "bordereau-2023.docx").tables[0]
    rows = {row.cells[1].text: (row.cells[2].text, row.cells[3].text) for row in table.rows[1:]}
    assert rows["Les comptes de l'année 2022"] == ("MANQUANTE", "–")
    letter = docx_text(tmp_path / "out" / "2023" / "appel-2023.docx")
    assert "vous seront transmises dès que possible\u00a0: les comptes de l'année 2022" in letter


def test_a_year_s_dossier_does_not_wait_for_the_later_years(tmp_path, monkeypatch):
    """With --all, a year's bordereau passes the later years' documents, and its dossier is
    assembled while LibreOffice converts them."""
    events = []
    collect, assemble = convert.Session.collect, build.assemble_dossier

    def watched_collect(self, on_done=None):
        def done(docx, pdf):
            events.append(docx.stem)
            on_done(docx, pdf)
        return collect(self, on_done=done)

    def watched_assemble(b, *args, **kwargs):
        events.append(f"dossier-{b.inputs.year.annee}")
        return assemble(b, *args, **kwargs)

    monkeypatch.setattr(convert.Session, "collect", watched_collect)
    monkeypatch.setattr(build, "assemble_dossier", watched_assemble)
    build.build([2022, 2023, 2024], build.Options(inputs=INPUTS, templates=TEMPLATES, outputs=tmp_path / "out",
                                                  log=lambda m: None, warn=lambda m: None))
    def last_document(year):
        return max(events.index(f"{key}-{year}") for key in ("appel", "bilan", "pv-copil"))

    assert events.index("bordereau-2022") < events.index("bordereau-2023") < last_document(2024)
    assert events.index("dossier-2022") < last_document(2023)
    assert events.index("dossier-2023") < last_document(2024)
    assert events[-2:] == ["bordereau-2024", "dossier-2024"]
