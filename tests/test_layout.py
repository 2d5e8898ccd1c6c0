"""What a reader would see on the pages: no heading left alone at a page bottom, no
signature block torn from its « Fait à », every page of every document A4 portrait."""
import docx
import pytest
from pypdf import PdfReader

DOCS = ["convention", "appel", "bordereau", "bilan", "pv-copil"]


def body_lines(page) -> list[str]:
    lines = [line.strip() for line in page.extract_text().splitlines() if line.strip()]
    return [line for line in lines if "Page " not in line]  # the footer


@pytest.mark.parametrize("year", [2022, 2023, 2024])
@pytest.mark.parametrize("key", DOCS)
def test_no_heading_alone_at_the_bottom_of_a_page(built, year, key):
    document = docx.Document(built / str(year) / f"{key}-{year}.docx")
    headings = {p.text.strip() for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))}
    pages = PdfReader(built / str(year) / f"{key}-{year}.pdf").pages
    for number, page in enumerate(pages[:-1], 1):
        last = body_lines(page)[-1]
        assert last not in headings, f"{key}-{year}.pdf page {number} ends with the heading « {last} »"


@pytest.mark.parametrize("year", [2022, 2023, 2024])
@pytest.mark.parametrize("key", ["convention", "bilan", "pv-copil"])
def test_signature_block_stays_with_its_fait_a(built, year, key):
    pages = PdfReader(built / str(year) / f"{key}-{year}.pdf").pages
    fait_a = [n for n, page in enumerate(pages) if "Fait à" in page.extract_text()]
    signature = [n for n, page in enumerate(pages) if "Pascal FRIQUET" in body_lines(page)[-3:]
                 or any("FRIQUET" in line for line in body_lines(page)[-3:])]
    assert fait_a and signature and fait_a[-1] == signature[-1]


@pytest.mark.parametrize("key", DOCS)
def test_pages_are_a4_portrait(built, key):
    for page in PdfReader(built / "2023" / f"{key}-2023.pdf").pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
