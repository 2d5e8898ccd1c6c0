"""The dossier as an archive: PDF/A identification, fonts, metadata, sommaire, page numbers."""

import re
import subprocess

import pytest
from builder import convention
from pypdf import PdfReader

YEARS = (2022, 2023, 2024)


@pytest.mark.parametrize("year", YEARS)
def test_dossier_passes_qpdf_and_embeds_every_font(built, year):
    pdf = built / str(year) / f"dossier-{year}.pdf"
    check = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts, "no font listed"
    not_embedded = [line for line in fonts if line.split()[-5] != "yes"]
    assert not_embedded == []


@pytest.mark.parametrize("year", YEARS)
def test_dossier_is_identified_as_pdfa_in_french(built, year):
    reader = PdfReader(built / str(year) / f"dossier-{year}.pdf")
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object()
    assert xmp["/Type"] == "/Metadata" and xmp["/Subtype"] == "/XML"
    packet = xmp.get_data().decode("utf-8")
    assert re.search(r'pdfaid:part(>|=")2', packet) and re.search(r'pdfaid:conformance(>|=")B', packet)
    assert "<rdf:li>fr-FR</rdf:li>" in packet
    assert root["/Lang"] == "fr-FR"
    intents = root["/OutputIntents"]
    assert intents[0].get_object()["/S"] == "/GTS_PDFA1"
    assert "sRGB" in str(intents[0].get_object().get("/OutputConditionIdentifier", "")) + str(
        intents[0].get_object().get("/Info", "")
    )
    info = reader.metadata
    assert str(year) in info.title and "Convention" in info.title
    assert info.author and info.subject and "appel de participation" in info["/Keywords"]


@pytest.mark.parametrize("year", YEARS)
def test_every_page_is_numbered_and_the_sommaire_matches_the_bookmarks(built, year):
    reader = PdfReader(built / str(year) / f"dossier-{year}.pdf")
    total = len(reader.pages)
    for n, page in enumerate(reader.pages, 1):
        assert f"page {n} / {total}" in page.extract_text()
    sommaire = reader.pages[1].extract_text().replace("\u00a0", " ")
    for item in reader.outline:
        if isinstance(item, list) or item.title == "Page de garde et sommaire":
            continue
        start = reader.get_destination_page_number(item) + 1
        title = item.title.replace("\u00a0", " ")
        after = sommaire[sommaire.index(title) + len(title) :]
        assert re.search(r"\d+", after).group(0) == str(start), (item.title, start)


def test_convention_articles_are_bookmarked_under_the_convention(built):
    reader = PdfReader(built / "2022" / "dossier-2022.pdf")
    titles = [i.title if not isinstance(i, list) else i for i in reader.outline]
    children = titles[titles.index("La convention de partenariat (à signer séparément)") + 1]
    assert isinstance(children, list)
    flat = []

    def walk(items):
        for i in items:
            walk(i) if isinstance(i, list) else flat.append(i.title)

    walk(children)
    for article in ("PREAMBULE", "ARTICLE 1 - OBJET DE LA CONVENTION", "ARTICLE 6 – RESILIATION DE LA CONVENTION"):
        assert article in flat


def test_piece_with_unembedded_fonts_is_normalised(office, inputs_copy, warm_outputs):
    from helpers import build_years
    from reportlab.pdfgen import canvas

    from pipeline.pdf import pieces

    rib = inputs_copy / "2023" / "pieces" / "rib.pdf"
    c = canvas.Canvas(str(rib))  # Helvetica, a standard font reportlab does not embed
    c.drawString(72, 720, "RIB SPÉCIMEN avec police non incorporée")
    c.save()
    assert pieces.unembedded_fonts(rib) == ["Helvetica"]
    before = rib.read_bytes()
    dossier = build_years([2023], inputs_copy, warm_outputs, office=office)[0]
    assert pieces.unembedded_fonts(dossier) == []
    assert rib.read_bytes() == before  # the staff's file is never rewritten
    assert any("RIB SPÉCIMEN" in p.extract_text() for p in PdfReader(dossier).pages)


def test_pieces_lose_javascript_actions_and_embedded_files(office, inputs_copy, warm_outputs):
    from helpers import build_years
    from pypdf import PdfWriter

    statuts = inputs_copy / "2023" / "pieces" / "statuts.pdf"
    writer = PdfWriter(clone_from=statuts)
    from pypdf.actions import JavaScript

    writer.add_open_action(JavaScript("app.alert('bonjour');"))
    writer.add_attachment("cache.txt", b"contenu cache")
    writer.add_uri(0, "javascript:alert(1)", [10, 10, 50, 50])
    with open(statuts, "wb") as handle:
        writer.write(handle)
    dossier = build_years([2023], inputs_copy, warm_outputs, office=office)[0]
    raw = dossier.read_bytes()
    root = PdfReader(dossier).trailer["/Root"]
    assert "/OpenAction" not in root
    names = root.get("/Names")
    assert names is None or ("/JavaScript" not in names and "/EmbeddedFiles" not in names)
    assert b"app.alert" not in raw and b"contenu cache" not in raw and b"javascript:" not in raw
    for page in PdfReader(dossier).pages:  # structurally: pypdf may write « javascript\\072 » in the bytes
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            if action is not None:
                action = action.get_object()
                assert action.get("/S") != "/JavaScript"
                assert not str(action.get("/URI", "")).strip().lower().startswith("javascript:")


def test_scanned_pieces_are_placed_losslessly_on_a4_pages(office, inputs_copy, warm_outputs):
    """A JPEG scan keeps its bytes (no recompression), a multi-page TIFF gives a page per image, a
    transparent PNG is flattened on white: each on an A4 page of the dossier."""
    import io

    from helpers import CONV, build_years
    from PIL import Image, ImageDraw

    year = inputs_copy / "2023"
    page = Image.new("RGB", (2480, 3508), "white")  # A4 at 300 dpi
    ImageDraw.Draw(page).text((200, 200), "RIB SCANNÉ", fill="black")
    jpeg = io.BytesIO()
    page.save(jpeg, format="JPEG", quality=85, dpi=(300, 300))
    (year / "pieces" / "rib.jpg").write_bytes(jpeg.getvalue())
    frames = [Image.new("L", (1240, 1754), shade) for shade in (255, 230)]
    frames[0].save(year / "pieces" / "statuts.tiff", save_all=True, append_images=frames[1:], dpi=(150, 150))
    Image.new("RGBA", (800, 600), (0, 0, 0, 0)).save(year / "pieces" / "bureau-ca.png")
    scans = {
        "pieces/rib.pdf": "pieces/rib.jpg",
        "pieces/statuts.pdf": "pieces/statuts.tiff",
        "pieces/bureau-ca.pdf": "pieces/bureau-ca.png",
    }
    convention().year(2023, pieces=lambda pieces: [dict(p, fichier=scans.get(p["fichier"], p["fichier"])) for p in pieces]).write(
        inputs_copy
    )
    dossier = PdfReader(build_years([2023], inputs_copy, warm_outputs, office=office)[0])
    sizes, streams = [], []
    for page_ in dossier.pages:
        assert (round(float(page_.mediabox.width)), round(float(page_.mediabox.height))) == (595, 842)
        xobjects = page_["/Resources"].get("/XObject") or {}
        for ref in xobjects.values():
            xobj = ref.get_object()
            if xobj.get("/Subtype") == "/Image":
                sizes.append((int(xobj["/Width"]), int(xobj["/Height"])))
                streams.append(xobj._data)
    assert jpeg.getvalue() in streams  # the scan's own JPEG bytes, not re-encoded
    assert sizes.count((1240, 1754)) == 2 and (800, 600) in sizes
    assert (warm_outputs / CONV / "2023" / "dossier-2023.pdf").is_file()


def test_a_piece_written_in_word_is_converted_with_the_documents(office, inputs_copy, tmp_path):
    import docx as python_docx
    from helpers import CONV, build_years

    year = inputs_copy / "2023"
    report = python_docx.Document()
    report.add_heading("Rapport d'activité 2022 de l'association", 0)
    for n in range(60):
        report.add_paragraph(f"Activité numéro {n + 1} : une ligne du rapport écrit dans Word.")
    report.save(year / "pieces" / "rapport-activite-2022.docx")
    convention().year(
        2023,
        pieces=lambda pieces: [
            dict(p, fichier="pieces/rapport-activite-2022.docx") if p["fichier"] == "pieces/rapport-activite-2022.pdf" else p
            for p in pieces
        ],
    ).write(inputs_copy)
    dossier = PdfReader(build_years([2023], inputs_copy, tmp_path / "out", office=office)[0])
    table = __import__("docx").Document(tmp_path / "out" / CONV / "2023" / "bordereau-2023.docx").tables[0]
    row = next(r for r in table.rows if r.cells[1].text.startswith("Le rapport d’activité"))
    first = int(row.cells[3].text)
    assert "Rapport d'activité 2022 de l'association" in dossier.pages[first - 1].extract_text()
    assert "Activité numéro 60" in " ".join(p.extract_text() for p in dossier.pages[first - 1 : first + 2])
    assert (year / "pieces" / "rapport-activite-2022.docx").is_file()  # the original is untouched


def test_a_carried_file_s_long_list_of_signatories_wraps_in_the_sommaire_never_cut(tmp_path):
    """« … et Pascal FRIQUET le 18 ma… »: a long but real signatory's name cut the line (fresh reading, P3)."""
    import datetime as dt
    import io

    from pipeline.pdf import assemble

    long = assemble.Attachment(
        "pv-copil-2022.pdf",
        b"%PDF",
        "procès-verbal",
        "signé par Sophie ROUSSEL-AUDIBERT le 17 mars 2022 et Pascal FRIQUET le 18 mars 2022",
        dt.datetime(2022, 3, 18),
    )
    short = assemble.Attachment(
        "bilan-2022.pdf", b"%PDF", "bilan", "signé le 20 février 2023 par Pascal FRIQUET", dt.datetime(2023, 2, 20)
    )
    entry = assemble.Entry("La lettre d'appel", tmp_path / "a.pdf", "document", "appel", "Lettre")
    meta = assemble.Meta("t", "a", "s", [], dt.datetime(2022, 3, 29), ["Dossier"], None)
    placement = assemble.layout([entry], [1], [long, short])
    assert placement.starts["appel"] == 3
    text = " ".join(
        PdfReader(io.BytesIO(assemble._front_matter([entry], placement, meta, [long, short]))).pages[1].extract_text().split()
    )
    assert "Pascal FRIQUET le 18 mars 2022" in text and "…" not in text, text
    assert len(assemble._attached_lines(long)) == 2 and len(assemble._attached_lines(short)) == 1


@pytest.mark.parametrize("text", ["Métropole & AR Hlm", "a < b > c", "« guillemets » \"droits\" 'simples'", "&amp;"])
def test_metadata_is_escaped_as_xml_sax_writes_it(text):
    from xml.sax.saxutils import escape

    from pipeline.pdf import assemble

    assert assemble.escape(text) == escape(text)


def test_the_assembly_loads_no_network_library():
    """xml.sax.saxutils loads urllib, http and ssl: a twentieth of a second of every build."""
    import sys

    code = "import sys, pipeline.pdf.assemble; print(sorted({'urllib.request', 'http.client'} & set(sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"
