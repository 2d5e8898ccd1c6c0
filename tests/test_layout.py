"""What a reader would see on the pages: no heading left alone at a page bottom, no
signature block torn from its « Fait à », every page of every document A4 portrait."""

import docx
import pytest
from helpers import shipped_stems
from pypdf import PdfReader

ALL = [(year, stem) for year, stems in shipped_stems().items() for stem in stems]
SIGNED = [(year, stem) for year, stem in ALL if stem.startswith(("convention", "bilan", "pv-copil"))]


def body_lines(page) -> list[str]:
    lines = [line.strip() for line in page.extract_text().splitlines() if line.strip()]
    return [line for line in lines if "Page " not in line]  # the footer


# the documents that run over several pages (a one-page document has no page bottom to check)
# the documents of more than one page (the call letter fits on one page with its closing formula)
LONG = [(year, stem) for year, stem in ALL if not stem.startswith(("bordereau", "bilan-final", "transmission", "appel"))]


@pytest.mark.parametrize("year,stem", LONG)
def test_no_heading_alone_at_the_bottom_of_a_page(built, year, stem):
    document = docx.Document(built / str(year) / f"{stem}.docx")
    headings = {p.text.strip() for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))}
    pages = PdfReader(built / str(year) / f"{stem}.pdf").pages
    assert len(pages) > 1, f"{stem} fits on one page now: move it out of LONG"
    for number, page in enumerate(pages[:-1], 1):
        last = body_lines(page)[-1]
        assert last not in headings, f"{stem}.pdf page {number} ends with the heading « {last} »"


@pytest.mark.parametrize("year,stem", SIGNED)
def test_signature_block_stays_with_its_fait_a(built, year, stem):
    """The last lines of the page with « Fait à » are the signature block's: the AR Hlm's name, or
    its title where the approved text writes no name (the convention)."""
    pages = PdfReader(built / str(year) / f"{stem}.pdf").pages
    fait_a = [n for n, page in enumerate(pages) if "Fait à" in page.extract_text()]
    signature = [n for n, page in enumerate(pages) if any("FRIQUET" in line or "Corse" in line for line in body_lines(page)[-3:])]
    assert fait_a and signature and fait_a[-1] == signature[-1]


@pytest.mark.parametrize("year,stem", [(y, s) for y, s in ALL if y in (2023, 2025)])
def test_pages_are_a4_portrait(built, year, stem):
    for page in PdfReader(built / str(year) / f"{stem}.pdf").pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


def test_tables_with_a_column_per_modalite_keep_the_widths_the_template_gives(built):
    """docxtpl's column loops make every column alike; the template's widths are put back, so the
    chantier's name reads on one line beside its counts (and the final bilan's, beside its years)."""
    import subprocess

    def layout_text(pdf):
        return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout

    bilan = layout_text(built / "2023" / "bilan-2022.pdf")
    assert any(
        line.split()[:4] == ["1.", "Le", "PLH", "métropolitain"] and line.split()[-1].isdigit() for line in bilan.splitlines()
    ), "the chantier × modalité table squeezed its first column"
    final = layout_text(built / "2025" / "bilan-final-2022-2024.pdf")
    assert any(line.split()[:4] == ["1.", "Le", "PLH", "métropolitain"] and len(line.split()) == 8 for line in final.splitlines())
