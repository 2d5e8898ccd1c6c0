"""French as an administration prints it, read from the generated documents (Word XML and PDF
text), never from the data: apostrophes, no-break spaces, « 1er », sigles spelled out, counts in
words, the closing dossier's legal basis, and pages a reader can follow."""

import re
import subprocess
import zipfile

import pytest
from helpers import shipped_stems
from pypdf import PdfReader

NBSP = "\u00a0"
GENERATED = [(year, stem) for year, stems in shipped_stems().items() for stem in stems if stem != "convention"]


def paragraphs(docx_path, parts: str = r"document|header\d*|footer\d*") -> list[str]:
    """The text of each paragraph of a .docx (body, headers, footers), runs joined as Word shows them."""
    found = []
    with zipfile.ZipFile(docx_path) as z:
        for name in z.namelist():
            if re.fullmatch(rf"word/({parts})\.xml", name):
                xml = z.read(name).decode("utf-8")
                for p in re.findall(r"<w:p[ >].*?</w:p>", xml, flags=re.S):
                    found.append("".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", p)))
    return found


def pdf_text(pdf) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def flat(pdf) -> str:
    """A PDF's words on one line, spaces of every kind made plain (a line break is a space)."""
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(pdf).pages)
    return text.replace("\u202f", " ").replace(NBSP, " ")


@pytest.mark.parametrize("year,stem", GENERATED)
def test_generated_text_has_the_typographic_apostrophe_and_no_breaking_space_after_a_number(built, year, stem):
    """« l’article », « 11 actions », « 14 février »: in the template's own words as in the values."""
    for text in paragraphs(built / str(year) / f"{stem}.docx"):
        assert "'" not in text, f"{stem}.docx: straight apostrophe in « {text[:80]} »"
        loose = re.search(r"(?<![\w-])\d{1,3}(?:er|e)? [a-zà-ÿœ]", text)
        assert not loose, f"{stem}.docx: « {loose.group()} » may break after the number in « {text[:80]} »"


def test_the_convention_keeps_its_approved_apostrophes(built):
    """The engine's typography never touches the signed text: its own mix of ' and ’ stays."""
    text = "".join(paragraphs(built / "2022" / "convention.docx"))
    assert "'" in text and "’" in text and "ARTICLE 2 – PROGRAMME D’ACTIONS" in text


def test_the_first_of_a_month_has_a_superscript_er(built):
    xml = zipfile.ZipFile(built / "2023" / "bilan-2022.docx").read("word/document.xml").decode()
    raised = re.search(
        r"<w:t[^>]*>[^<]*1</w:t></w:r><w:r><w:rPr>(?:(?!</w:rPr>).)*"
        r"<w:vertAlign w:val=\"superscript\"/>(?:(?!</w:rPr>).)*</w:rPr><w:t[^>]*>er</w:t>",
        xml,
    )
    assert raised, "« 1er janvier 2022 » has no superscript « er »"
    assert "du 1er janvier 2022 au 31 décembre 2022" in flat(built / "2023" / "bilan-2022.pdf")


def test_no_column_header_is_cut_inside_a_word(built):
    text = pdf_text(built / "2023" / "bilan-2022.pdf")
    assert "Participants" in text and "Partici-" not in text


def test_names_are_never_cut_on_the_cover_or_in_the_address(built):
    cover = pdf_text(built / "2023" / "dossier-2023.pdf").split("\f")[0]
    assert re.search(r"Provence-Alpes-Côte\s?d’Azur et Corse", cover), cover
    assert not re.search(r"Côte\s*\n", cover)
    letter = pdf_text(built / "2023" / "appel-2023.pdf")
    assert re.search(r"Madame la Présidente\s*\n.*\s+de la Métropole Aix-Marseille-Provence\s*\n", letter), letter


@pytest.mark.parametrize(
    "year,stem", [(y, s) for y, stems in shipped_stems().items() for s in stems if s.startswith(("appel", "transmission"))]
)
def test_a_letter_never_leaves_its_closing_alone_on_a_page(built, year, stem):
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(built / str(year) / f"{stem}.pdf").pages]
    last = pages[-1]
    closing = last.index("Je vous prie d’agréer")
    body = last[:closing].replace("PROJET – version de travail, non signée", "").strip()
    assert len(body) > 40, f"{stem}: the closing formula opens page {len(pages)} alone"


@pytest.mark.parametrize(
    "year,stem", [(y, s) for y, s in GENERATED if s.startswith(("pv-copil", "bilan", "appel", "transmission"))]
)
def test_a_committee_s_sigle_is_spelled_out_where_the_body_first_uses_it(built, year, stem):
    """« en COTECH » typed in a decision reads « en COTECH (comité technique) » the first time."""
    words = {"COPIL": "comité de pilotage", "COTECH": "comité technique"}
    text = " ".join(paragraphs(built / str(year) / f"{stem}.docx", parts="document"))  # footers keep the short form
    for sigle, name in words.items():
        first = re.search(rf"(?<![\w-]){sigle}(?![\w-])", text)
        if first is None:
            continue
        before, after = text[: first.start()], text[first.end() :]
        assert before.rstrip().endswith("(") or after.startswith(f" ({name})"), (
            f"{stem}: « {sigle} » used before it is spelled out: « …{text[max(0, first.start() - 60) : first.end() + 20]} »"
        )


def test_the_bilans_count_actions_and_chantiers_alike_in_words(built):
    """2022 had actions on six of the seven chantiers (none on the PPA): the bilan and the minutes
    say so the same way, in words."""
    bilan, pv = flat(built / "2023" / "bilan-2022.pdf"), flat(built / "2023" / "pv-copil-2023.pdf")
    matrix = pdf_text(built / "2023" / "bilan-2022.pdf").split("Nombre d’actions menées")[1].split("\n  Total")[0]
    totals = re.findall(r"^\s*\d\. .*?(\d+)\s*$", matrix, flags=re.M)
    assert len(totals) == 7 and totals.count("0") == 1, matrix  # the matrix itself: one chantier without action
    assert "Onze actions ont été menées sur six des sept chantiers." in bilan
    assert "onze actions sur six chantiers" in pv
    assert "Onze actions ont été menées sur les sept chantiers." in flat(built / "2024" / "bilan-2023.pdf")
    final = flat(built / "2025" / "bilan-final-2022-2024.pdf")
    assert "trente-trois actions menées sur les sept chantiers opérationnels" in final
    for text in (bilan, pv, final):
        assert not re.search(r"\b\d+ (actions|chantiers)\b", text)


def test_the_final_bilan_and_the_closing_minutes_read_as_prose_on_their_real_basis(built):
    """The convention has expired: the closing documents rest on the last COPIL's decisions, and
    the money is said in words an administration writes."""
    final = flat(built / "2025" / "bilan-final-2022-2024.pdf")
    pv = flat(built / "2025" / "pv-copil-2025.pdf")
    assert "×" not in final and " = " not in final
    assert "la participation prévue s’élève à 60 000,00 € (trois annuités de 20 000,00 €)" in final
    basis = "conformément au relevé de décisions du comité de pilotage du 12 mars 2024"
    assert f"Établi {basis}" in final and "articles 3, 4 et 5" not in final
    assert f"Réuni {basis}" in pv and "2022-2024 – article 4" not in pv
    assert "soit 60 000,00 € sur trois ans, a été intégralement appelée et reçue." in pv
    assert "appelée pour" not in pv


def test_engine_drawn_text_is_french_too(built):
    """The sommaire, the bookmarks and the metadata: ’, and a first-year dossier names no bilan."""
    reader = PdfReader(built / "2022" / "dossier-2022.pdf")
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "L’appel de participation 2022" in titles and not any("'" in t for t in titles)
    assert "'" not in reader.pages[1].extract_text()
    meta = reader.metadata
    assert "bilan" not in meta.subject and "bilan" not in meta["/Keywords"]
    assert "bilan" in PdfReader(built / "2023" / "dossier-2023.pdf").metadata["/Keywords"]


def test_a_bilan_still_to_sign_is_not_counted_as_provided(built):
    """The paying officer counts a piece as provided once it is signed: until the signed bilan is
    in signes/, the bordereau says « Non » and who is to sign it."""
    import docx

    table = docx.Document(built / "2023" / "bordereau-2023.docx").tables[0]
    row = next(r for r in table.rows if r.cells[1].text.startswith("Un bilan"))
    assert row.cells[2].text == "Non"
    assert row.cells[4].text == "À signer séparément par le Président de l’AR\u00a0Hlm"


def test_an_unsigned_copy_of_the_convention_says_it_is_a_copy_of_a_signed_text(built):
    """Later years join the convention signed the first year: without its signed file yet, each
    page says « copie » and what is missing, never « à signer séparément »."""
    reader = PdfReader(built / "2023" / "dossier-2023.pdf")
    start = next(
        reader.get_destination_page_number(i)
        for i in reader.outline
        if not isinstance(i, list) and i.title.startswith("La copie de la convention")
    )
    page = " ".join(reader.pages[start].extract_text().split())
    assert "COPIE" in page and "fichier signé non joint à ce jour" in page
    assert "à signer séparément" not in page


def test_words_and_names_are_not_cut_inside_in_narrow_columns(built):
    text = flat(built / "2023" / "bilan-2022.pdf").replace("- ", "-")
    assert "« Logement d’Abord »" in text and "Communes d’Aix-en-Provence" in text
    bordereau = " ".join(paragraphs(built / "2023" / "bordereau-2023.docx"))
    assert "l’AR\u00a0Hlm" in bordereau and "l’article\u00a03" in bordereau


def test_the_closing_letter_announces_what_no_call_will_join_and_cites_its_basis(built):
    """The last year's accounts, activity report and compte rendu financier used to come with the
    next call: the closing letter says they will follow, on their true legal basis (not article 3,
    which asks them only in support of a call), each with when it is due, and names the decision
    the closing rests on."""
    letter = flat(built / "2025" / "transmission-2025.pdf").replace("- ", "-")
    assert (
        "Au titre de l’article L. 1611-4 du code général des collectivités territoriales (comptes et résultats "
        "de l’activité de l’association subventionnée) et de l’article 10 de la loi n° 2000-321 du 12 avril 2000 "
        "(compte rendu financier de la subvention affectée), je vous transmettrai encore"
    ) in letter
    assert "le rapport d’activité de l’année 2024, dès son approbation" in letter
    assert "le compte rendu financier de la participation 2024, au plus tard le 30 juin 2025" in letter
    assert "article 3" not in letter.split("Au titre de l’article L. 1611-4")[1]
    assert "réuni conformément au relevé de décisions du comité de pilotage du 12 mars 2024" in letter
