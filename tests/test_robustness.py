"""Hostile data that must come out intact, large inputs that must still lay out, random input."""

import datetime as dt
import shutil

import yaml
from builder import convention
from helpers import CONV, INPUTS, build_years, docx_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from pipeline.convention import model
from pipeline.errors import InputError
from pipeline.french import typographie


def run_build(office, inputs, outputs, year=2023):
    return build_years([year], inputs, outputs, office=office)[0]


def test_special_characters_come_out_intact(office, inputs_copy, tmp_path):
    title = "Atelier « A & B » <balise> \"guillemets\" 'simples' l’îlot — 100 % 🏠"
    atelier = "Atelier « Bail réel solidaire » du PLH métropolitain"  # an action of 2022, in the dossier 2023's bilan 2022
    convention().year(
        2022, actions=lambda actions: [dict(a, titre=title) if a["titre"] == atelier else a for a in actions]
    ).write(inputs_copy)
    assert title in [a.titre for a in model.load(inputs_copy, 2023).reported[2022].actions]
    dossier = run_build(office, inputs_copy, tmp_path / "out")
    assert typographie(title) in docx_text(tmp_path / "out" / CONV / "2023" / "bilan-2022.docx")
    pdf_text = " ".join(p.extract_text() for p in PdfReader(tmp_path / "out" / CONV / "2023" / "bilan-2022.pdf").pages)
    assert "A & B" in pdf_text and "<balise>" in pdf_text and "l’îlot" in pdf_text
    assert dossier.is_file()


def test_hundreds_of_actions_and_long_texts_still_lay_out(office, inputs_copy, tmp_path):
    path = inputs_copy / "2022" / "year.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    chantiers = ["PLH", "LLS", "DEMANDE", "PUBLICS", "NPNRU", "PPA", "PV"]
    modalites = ["ANIMATION", "MISE_EN_RELATION", "GROUPES", "TEMOIGNAGES", "RESSOURCES", "FORMATION", "EVENEMENTS"]
    long_text = "Un résultat très détaillé, " * 40
    data["actions"] = [
        {
            "date": (dt.date(2022, 1, 3) + dt.timedelta(days=i % 360)).isoformat(),
            "chantier": chantiers[i % 7],
            "modalite": modalites[(i * 3) % 7],
            "titre": f"Action numéro {i + 1}",
            "partenaires": ["Partenaire A", "Partenaire B"],
            "participants": i,
            "resultat": long_text if i % 50 == 0 else "Fait.",
        }
        for i in range(300)
    ]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    run_build(office, inputs_copy, tmp_path / "out")
    text = docx_text(tmp_path / "out" / CONV / "2023" / "bilan-2022.docx")
    assert all(f"Action numéro {i + 1}\n" in text + "\n" for i in range(300))
    bilan = PdfReader(tmp_path / "out" / CONV / "2023" / "bilan-2022.pdf")
    assert len(bilan.pages) > 10
    assert words_outside_the_text_width(tmp_path / "out" / CONV / "2023" / "bilan-2022.pdf") == []


def words_outside_the_text_width(pdf, margin_cm: float = 2.3) -> list[str]:
    """Words that a table or a line pushes past the page's side margins, read from the PDF's text
    positions (poppler's word boxes), as a reader would see them run off the text block."""
    import re
    import subprocess

    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    width = float(re.search(r'<page width="([\d.]+)"', html).group(1))
    left, right = margin_cm / 2.54 * 72 - 1, width - margin_cm / 2.54 * 72 + 1
    return [
        f"{word} ({float(x0):.0f}–{float(x1):.0f} pt)"
        for x0, x1, word in re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<', html)
        if float(x0) < left or float(x1) > right
    ]


def test_every_document_keeps_its_text_inside_the_margins(built):
    from helpers import shipped_stems

    for year, stems in shipped_stems().items():
        for stem in stems:
            assert words_outside_the_text_width(built / str(year) / f"{stem}.pdf") == [], stem


def test_huge_piece(office, inputs_copy, warm_outputs):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from pipeline.pdf import fonts

    fonts.register()
    big = inputs_copy / "2023" / "pieces" / "rapport-activite-2022.pdf"
    c = canvas.Canvas(str(big), pagesize=A4, initialFontName=fonts.REGULAR)
    for n in range(400):
        c.drawString(72, 720, f"Rapport d'activité, page {n + 1}")
        c.showPage()
    c.save()
    dossier = PdfReader(run_build(office, inputs_copy, warm_outputs))
    assert len(dossier.pages) > 400
    assert "page 420 /" in dossier.pages[419].extract_text()


values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=True)
    | st.text(max_size=30)
    | st.dates().map(lambda d: d.isoformat())
    | st.sampled_from(["2023-02-30", "oui", "20000.00", "-1", "PLH", "COPIL"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
keys = st.sampled_from([f.name for f in model.dataclasses.fields(model.Annee)] + ["inconnu", "annee"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=st.dictionaries(keys, values, max_size=9) | values)
def test_loader_either_loads_or_raises_its_own_error(tmp_path_factory, document):
    root = tmp_path_factory.getbasetemp() / "hypothesis-inputs"
    if not root.exists():
        shutil.copytree(INPUTS, root)
    text = yaml.safe_dump(document, allow_unicode=True)
    (root / "2023" / "year.yaml").write_text(text, encoding="utf-8")
    try:
        model.load(root, 2023)
    except InputError:
        pass


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.text(max_size=200))
def test_loader_survives_any_text(tmp_path_factory, raw):
    root = tmp_path_factory.getbasetemp() / "hypothesis-raw"
    if not root.exists():
        shutil.copytree(INPUTS, root)
    (root / "2023" / "year.yaml").write_text(raw, encoding="utf-8")
    try:
        model.load(root, 2023)
    except InputError:
        pass
