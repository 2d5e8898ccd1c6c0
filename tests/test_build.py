"""The real pipeline on the shipped inputs: documents, PDFs and dossier with their data."""

import docx
import pytest
from builder import convention
from helpers import CONV, INPUTS, TEMPLATES, build_years, cli, docx_text, make_final, shipped_stems
from pypdf import PdfReader

from pipeline.convention import model
from pipeline.french import typographie


def test_each_dossier_holds_the_documents_of_its_place_in_the_cycle():
    assert shipped_stems() == {
        2022: ["convention", "appel-2022", "bordereau-2022", "pv-copil-2022"],
        2023: ["convention", "appel-2023", "bordereau-2023", "bilan-2022", "pv-copil-2023"],
        # the compte rendu financier of N-2, drawn up in June N-1, after the call of N-1
        2024: ["convention", "appel-2024", "bordereau-2024", "bilan-2023", "crf-2022", "pv-copil-2024"],
        2025: ["transmission-2025", "bilan-2024", "bilan-final-2022-2024", "crf-2023", "pv-copil-2025"],
    }


def test_every_document_exists_as_docx_and_pdf(built):
    for year, stems in shipped_stems().items():
        folder = built / str(year)
        for stem in stems:
            assert (folder / f"{stem}.docx").stat().st_size > 5000
            assert len(PdfReader(folder / f"{stem}.pdf").pages) >= 1
        assert (folder / f"dossier-{year}.pdf").is_file()
        assert sorted(p.stem for p in folder.glob("*.docx")) == sorted(stems)  # nothing else, no bilan of 2022 in 2022


def test_documents_carry_the_data_of_their_year(built):
    """The call and the minutes of 2023, the bilan of 2022: each from its own year's data."""
    data = model.load(INPUTS, 2023)
    letter = docx_text(built / "2023" / "appel-2023.docx")
    assert "vingt mille euros (20\u202f000,00\u00a0€)" in letter
    assert data.year.appel.reference in letter and data.year.banque.bic in letter
    bilan = docx_text(built / "2023" / "bilan-2022.docx")
    previous = data.reported[2022]
    for action in previous.actions:
        assert typographie(action.titre) in bilan  # printed with French spacing
    for action in data.year.actions:
        assert typographie(action.titre) not in bilan or action.titre in {a.titre for a in previous.actions}
    pv = docx_text(built / "2023" / "pv-copil-2023.docx")
    for decision in data.year.copil.decisions:
        assert typographie(decision) in pv


def test_convention_keeps_the_seed_wording_with_the_data_filled(built):
    text = docx_text(built / "2022" / "convention.docx")
    assert "CONVENTION DE PARTENARIAT 2022- 2024" in text
    assert "représentée par son Président Monsieur Pascal FRIQUET habilité" in text
    assert "de Vingt Mille euros (20.000,00 €) par an" in text
    assert "cette participation de 20 000 € auprès" in text
    assert "sise Le Pharo, 58 Boulevard Charles Livon 13007 Marseille" in text
    assert "« La Lettre du Saint-Georges»" in text
    assert "délibération n° du Conseil de la Métropole du ...." in text  # the seed's blank, left blank
    assert "comporte" not in text
    assert "Fait à Marseille, le\n" in text + "\n" or text.rstrip().endswith("Fait à Marseille, le")


def test_dossier_joins_documents_and_pieces_with_bookmarks(built):
    dossier = PdfReader(built / "2023" / "dossier-2023.pdf")
    parts = [PdfReader(built / "2023" / f"{stem}.pdf") for stem in shipped_stems()[2023]]
    # the call's pieces only: pieces/ also holds those the CRF 2023's own sending encloses (crf.pieces)
    pieces = [INPUTS / "2023" / p.fichier for p in model.load(INPUTS, 2023).year.pieces if p.fichier]
    expected = 2 + sum(len(p.pages) for p in parts) + sum(len(PdfReader(p).pages) for p in pieces)
    assert len(dossier.pages) == expected
    titles = [item.title for item in dossier.outline if not isinstance(item, list)]
    assert titles[0] == "Page de garde et sommaire"
    # not signed yet: the draft shows what is still to sign apart
    # later years join a copy of the convention signed the first year: not in signes/ here
    assert "La copie de la convention de partenariat signée (original signé manquant)" in titles
    assert "Le bilan 2022 de la mise en œuvre de la convention (à signer séparément)" in titles
    assert "L’appel de participation 2023" in titles
    assert len(titles) == 1 + len(shipped_stems()[2023]) + len(pieces)


def test_closing_dossier_holds_the_last_bilan_the_final_bilan_and_the_closing_copil(built):
    dossier = PdfReader(built / "2025" / "dossier-2025.pdf")
    titles = [item.title.replace("\u00a0", " ") for item in dossier.outline if not isinstance(item, list)]
    assert titles[1:] == [
        "La lettre de transmission du dossier de clôture",
        "Le bilan 2024 de la mise en œuvre de la convention (à signer séparément)",
        "Le bilan final de la convention 2022-2024 (à signer séparément)",
        "Le compte rendu financier de la participation 2023 (à signer séparément)",
        "Le procès-verbal du comité de pilotage de clôture du 11 mars 2025 (à signer séparément)",
    ]
    final = docx_text(built / "2025" / "bilan-final-2022-2024.docx")
    assert "60\u202f000,00\u00a0€ (trois annuités de 20\u202f000,00\u00a0€)" in final
    total = [row for row in docx.Document(built / "2025" / "bilan-final-2022-2024.docx").tables[2].rows][-1]
    assert [c.text for c in total.cells][2::2] == ["60\u202f000,00\u00a0€", "60\u202f000,00\u00a0€"]
    assert "appel" not in " ".join(p.name for p in (built / "2025").iterdir())


def test_year_outside_the_convention_is_one_clear_line(office):  # its LibreOffice starts before the year is read
    result = cli("build", "2031")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "2031" in lines[0] and "Traceback" not in result.stderr


def test_no_libreoffice_left_running_after_a_build(built):
    """None of the build's own LibreOffice (its profile, kept beside the cache); another
    LibreOffice running on the machine is not this build's."""
    from helpers import processes_naming

    from pipeline.office import libreoffice

    profile = libreoffice.profile_for(built.parent)
    assert profile.is_dir()  # where the build's LibreOffice ran: the processes to look for name it
    assert processes_naming(profile) == []


def test_one_libreoffice_start_serves_both_rounds(office, inputs_copy, tmp_path):
    events = []
    build_years([2024], inputs_copy, tmp_path / "out", watch=events.append)
    kinds = [e.kind for e in events]
    # one worker for a lone year (build.workers_for), started once; each document as soon as it is
    # filled, the bordereau last
    queued = [e.names for e in events if e.kind == "queued"]
    assert kinds.count("started") == 1 and all(len(names) == 1 for names in queued)
    assert queued[-1] == ("bordereau-2024",) and len(queued) == len(set(queued))
    table = docx.Document(tmp_path / "out" / CONV / "2024" / "bordereau-2024.docx").tables[0]
    rows = {row.cells[1].text.split(" – ")[0]: row.cells[3].text for row in table.rows[1:]}
    rib_page = int(rows["Un relevé d’identité bancaire (RIB)"])
    dossier = PdfReader(tmp_path / "out" / CONV / "2024" / "dossier-2024.pdf")
    assert "Relevé d'identité bancaire" in dossier.pages[rib_page - 1].extract_text()
    bordereau_pdf = PdfReader(tmp_path / "out" / CONV / "2024" / "bordereau-2024.pdf").pages[0].extract_text()
    assert f"Non {rib_page}" in bordereau_pdf.replace("\n", " ")  # a specimen; the PDF too, not only the .docx
    bilan_page = int(rows["Un bilan de la mise en œuvre de la convention"])
    assert "Bilan 2023 de la mise en œuvre" in dossier.pages[bilan_page - 1].extract_text()


def test_a_bordereau_longer_than_one_page_still_gives_the_right_pages(office, inputs_copy, warm_outputs):
    long_note = "Observation détaillée sur la pièce. " * 60
    long = ("rib", "instances", "rapport_activite", "comptes")
    convention().year(
        2023, pieces=lambda pieces: [dict(p, titre=long_note.strip()) if p["code"] in long else p for p in pieces]
    ).write(inputs_copy)
    build_years([2023], inputs_copy, warm_outputs, office=office)
    folder = warm_outputs / CONV / "2023"
    assert len(PdfReader(folder / "bordereau-2023.pdf").pages) >= 2
    table = docx.Document(folder / "bordereau-2023.docx").tables[0]
    rows = {row.cells[1].text.split(" – ")[0]: row.cells[3].text for row in table.rows[1:]}
    dossier = PdfReader(folder / "dossier-2023.pdf")
    comptes_page = int(rows["Les comptes de l’année 2022"])
    assert "Comptes de l'exercice 2022" in dossier.pages[comptes_page - 1].extract_text()
    assert "Comptes de l'exercice 2022" not in dossier.pages[comptes_page - 2].extract_text()


def test_staff_command_line_with_relative_folders(office, tmp_path):
    """As `make dossier` runs it: outputs/ given relative to the current folder."""
    result = cli(
        "--inputs",
        str(INPUTS),
        "--templates",
        str(INPUTS.parent.parent / "templates"),
        "--outputs",
        "sorties",
        "build",
        "2024",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "sorties" / CONV / "2024" / "dossier-2024.pdf").is_file()
    assert "dossier : sorties/amp-arhlm-2022-2024/2024/dossier-2024.pdf" in result.stdout


def test_a_broken_kept_libreoffice_profile_is_replaced(office, tmp_path):
    outputs = tmp_path / "out"
    profile = outputs / ".cache" / "libreoffice-profile"
    profile.mkdir(parents=True)
    (profile / "user").write_text("not a folder")  # LibreOffice cannot use this profile
    result = cli("--outputs", str(outputs), "build", "2023")
    assert result.returncode == 0, result.stderr
    assert (outputs / CONV / "2023" / "dossier-2023.pdf").is_file()


def test_final_version_requires_the_blanks_and_the_signed_originals(office, inputs_copy, tmp_path):
    """--final refuses example data and blanks, then documents not yet signed apart; once the data
    is real, a draft build publishes those documents ready to sign, without the PROJET mark (the
    whole signed cycle is in test_signed_originals)."""
    from pipeline.errors import InputError

    with pytest.raises(InputError) as info:  # example data, specimens, blank deliberation: not final
        build_years([2023], inputs_copy, tmp_path / "out", final=True, office=office)
    assert "délibération" in str(info.value) and "exemples" in str(info.value) and "spécimen" in str(info.value)
    make_final(inputs_copy)
    with pytest.raises(InputError) as info:
        build_years([2023], inputs_copy, tmp_path / "out", final=True, office=office)
    assert [line.split(" : ")[0].rsplit("/", 1)[-1] for line in info.value.problems] == [
        "convention.pdf",
        "bilan-2022.pdf",
        "pv-copil-2023.pdf",
    ]
    assert not (tmp_path / "out" / CONV / "2023").exists()  # nothing published
    build_years([2023], inputs_copy, tmp_path / "out", office=office)
    for stem in shipped_stems()[2023]:
        text = " ".join(p.extract_text() for p in PdfReader(tmp_path / "out" / CONV / "2023" / f"{stem}.pdf").pages)
        assert ("PROJET" in text) == (stem.startswith(("appel", "bordereau"))), stem
    convention = docx_text(tmp_path / "out" / CONV / "2023" / "convention.docx")
    # only the blanks are filled, a day and its month bound by a no-break space
    assert "n° 22-0456 du Conseil de la Métropole du 17\u00a0février 2022." in convention
    assert "Fait à Marseille, le 28\u00a0février 2022" in convention
    letter = " ".join(docx_text(tmp_path / "out" / CONV / "2023" / "appel-2023.docx").split())
    assert (
        "Convention de partenariat 2022-2024 signée le 28 février 2022, approuvée par délibération n° 22-0456 "
        "du Conseil de la Métropole du 17 février 2022, article 3"
    ) in letter


def test_letter_pdf_carries_amount_date_and_bank_details_for_two_years(built):
    from pipeline.french import date_fr

    for year in (2022, 2024):
        data = model.load(INPUTS, year).year
        text = " ".join(p.extract_text() for p in PdfReader(built / str(year) / f"appel-{year}.pdf").pages)
        flat = " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())
        assert "vingt mille euros (20 000,00 €)" in flat
        assert f"le {date_fr(data.appel.date)}" in flat and data.banque.bic in flat and data.appel.reference in flat
        assert f"rapport d’activité de l’année {year - 1}" in flat


def test_missing_piece_is_shown_in_the_bordereau_and_warned(inputs_copy, warm_outputs):
    convention().year(
        2023,
        pieces=lambda pieces: [
            {k: v for k, v in p.items() if k != "specimen"}  # real pieces,
            for p in pieces
            if p["code"] != "comptes"
        ],
    ).write(inputs_copy)  # but one
    result = cli("--inputs", str(inputs_copy), "--outputs", str(warm_outputs), "build", "2023")
    assert result.returncode == 0, result.stderr
    assert "avertissement" in result.stderr and "pièce manquante : Les comptes de l'année 2022" in result.stderr
    table = docx.Document(warm_outputs / CONV / "2023" / "bordereau-2023.docx").tables[0]
    rows = {row.cells[1].text: (row.cells[2].text, row.cells[3].text, row.cells[4].text) for row in table.rows[1:]}
    assert rows["Les comptes de l’année 2022"] == ("Non", "–", "Pièce à fournir")
    letter = docx_text(warm_outputs / CONV / "2023" / "appel-2023.docx")
    assert "La pièce suivante vous sera transmise dès que possible\u00a0: les comptes de l’année 2022." in letter


def test_a_year_s_dossier_does_not_wait_for_the_later_years(tmp_path):
    """With --all, a year's bordereau passes the later years' documents, and its dossier is
    assembled while LibreOffice converts them: one LibreOffice, whose answers come in the order
    sent (two answer in either order)."""
    from pipeline.office import libreoffice

    events = []

    def watch(event):
        if event.kind == "converted":
            events.append(event.names[0])
        elif event.kind == "assembled":
            events.append(f"dossier-{event.names[0]}")

    with libreoffice.Session() as one:
        build_years([2022, 2023, 2024], INPUTS, tmp_path / "out", watch=watch, office=one)

    def last_document(year):
        return max(events.index(stem) for stem in shipped_stems()[year] if not stem.startswith(("bordereau", "convention")))

    assert events.index("bordereau-2022") < events.index("bordereau-2023") < last_document(2024)
    assert events.index("dossier-2022") < last_document(2023)
    assert events.index("dossier-2023") < last_document(2024)
    assert events[-2:] == ["bordereau-2024", "dossier-2024"]


def test_the_dossier_reads_as_the_paying_officer_reads_it(built):
    """The letter, its bordereau, the pieces in the bordereau's order (the bilan sixth, as
    article 3 lists it), then the other documents; the sommaire classes them so."""
    reader = PdfReader(built / "2023" / "dossier-2023.pdf")
    titles = [item.title.replace("\u00a0", " ") for item in reader.outline if not isinstance(item, list)]
    assert [t.split(" (")[0] for t in titles[1:]] == [
        "L’appel de participation 2023",
        "Le bordereau des pièces jointes à l’appel 2023",
        "Un relevé d’identité bancaire",
        "Les statuts de l’association et leur mise à jour",
        "La liste des membres du Bureau et du Conseil d’Administration",
        "Le rapport d’activité de l’année 2022",
        "Les comptes de l’année 2022",
        "Le bilan 2022 de la mise en œuvre de la convention",
        "La copie de la convention de partenariat signée",
        "Le procès-verbal du comité de pilotage du 14 mars 2023",
    ]
    sommaire = reader.pages[1].extract_text()
    sections = ["Lettre d’appel et bordereau", "Pièces prévues à l’article 3 de la convention", "Autres documents joints"]
    assert [sommaire.index(s) for s in sections] == sorted(sommaire.index(s) for s in sections)
    bordereau = " ".join(PdfReader(built / "2023" / "bordereau-2023.pdf").pages[0].extract_text().split())
    assert "Autres documents joints au dossier, hors article 3" in bordereau
    assert "Le procès-verbal du comité de pilotage du 14 mars 2023, page 25" in bordereau  # the letter: one page


def test_the_letter_and_its_bordereau_word_the_enclosures_as_article_3_does(built):
    def text(stem):
        pdf = PdfReader(built / "2023" / f"{stem}.pdf")
        flat = " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)
        return flat.replace("\u202f", " ").replace("\u00a0", " ").replace("- ", "-")  # a line broken at a hyphen

    letter, bordereau = text("appel-2023"), text("bordereau-2023")
    assert "Objet : appel de la participation annuelle 2023 – convention de partenariat 2022-2024 (article 3)" in letter
    assert "Madame la Présidente de la Métropole Aix-" in letter  # the address names her office
    assert "Dossier suivi par : Mme Claire EXEMPLE, chargée de mission – tél. 04 00 00 00 00 – " in letter
    assert "vous trouverez ci-joint les pièces prévues à l’article 3 de la convention, énumérées au bordereau :" in letter
    # what article 3 does not ask for is joined apart, not under its name
    assert (
        "Vous trouverez également ci-joint la copie de la convention de partenariat signée et le procès-verbal du "
        "comité de pilotage du 14 mars 2023."
    ) in letter
    assert "Destinataire : Madame la Présidente de la Métropole Aix-Marseille-Provence, Direction de l’Habitat" in bordereau
    assert (
        "Établi à Marseille, le 28 mars 2023. Ce bordereau accompagne la lettre d’appel, signée par le Président "
        "de l’AR Hlm ; il n’est pas signé séparément."
    ) in bordereau


def test_the_minutes_say_who_chaired_who_kept_them_and_when_the_meeting_closed(built):
    pv = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(built / "2023" / "pv-copil-2023.pdf").pages)
    pv = pv.replace("\u202f", " ").replace("\u00a0", " ")
    assert "La séance est ouverte à 10 h 00 sous la présidence de Mme Sophie EXEMPLE, Vice-Présidente" in pv
    assert "le secrétariat de séance est assuré par M. Jean EXEMPLE, Directeur" in pv
    assert "L’ordre du jour étant épuisé, la séance est levée à 12 h 00." in pv
    assert "Comité technique (COTECH) : mardi 26 septembre 2023" in pv  # a sigle spelled out where it first appears
    assert "Pour la Métropole Aix-Marseille-Provence, la Vice-Présidente déléguée" in pv


def test_two_libreoffice_workers_make_the_same_files_as_one(office, tmp_path):
    """Years converted on two LibreOffice side by side (several years start every worker), byte
    for byte the years converted on one; each worker on its own kept profile."""
    from pipeline import build
    from pipeline.office import libreoffice

    class Counted(libreoffice.Pool):
        def send(self, doc, pdf):
            super().send(doc, pdf)
            sent.append(next(i for i, s in enumerate(self.sessions) if s.pending and s.pending[-1][0] == doc))

    years = [2023, 2024]
    ones = [p.parent for p in build_years(years, INPUTS, tmp_path / "un", office=office)]
    events, sent = [], []
    with Counted(profile=libreoffice.profile_for(tmp_path / "deux"), size=2, on_start=lambda: events.append("started")) as pool:
        runtime = build.Runtime(pool, log=lambda m: None, warn=lambda m: None)
        twos = [p.parent for p in build.build_years(years, build.BuildRequest(INPUTS, TEMPLATES, tmp_path / "deux"), runtime)]
    assert events == ["started", "started"] and set(sent) == {0, 1}  # both converted
    assert libreoffice.profile_for(tmp_path / "deux").with_name("libreoffice-profile-2").is_dir()
    for one, two in zip(ones, twos):
        files = sorted(p.name for p in one.iterdir())
        assert files == sorted(p.name for p in two.iterdir())
        assert [n for n in files if (one / n).read_bytes() != (two / n).read_bytes()] == []
