"""The faster second ways the build keeps, each against the plain way it stands for, on the
shipped data: the same result (make bench measures what each saves).

- LibreOffice's PDFs patched byte-wise (``reproducible.patch``) / rewritten through pypdf;
- empty signature fields appended by hand (``signing._fields_update``) / by pyHanko's
  incremental writer;
- Jinja templates and docxtpl's patched XML kept per text (``render``) / parsed at each fill;
- a signed original's text read once per file's bytes (``originals.text_lines``) / read each time;
- a data file read once per text (``yamlsource._parse``) / read by the reader each time;
- a template part's Jinja analysis once per text (``templates._analysed``) / parsed each time;
- the bilan's chart drawn once per figures (``chart.stacked_bars``) / drawn each time.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import jinja2
from helpers import INPUTS, TEMPLATES
from pypdf import PdfReader

from pipeline import places, render, templates, yamlsource
from pipeline.convention import documents, model
from pipeline.pdf import originals, reproducible, signing


def _same_pdf(a: bytes, b: bytes, name: str) -> None:
    """Two PDFs that say the same: information, XMP packet, output profile, identifier, and every
    page's content and size."""
    ra, rb = PdfReader(io.BytesIO(a)), PdfReader(io.BytesIO(b))
    assert dict(ra.metadata) == dict(rb.metadata), name
    assert ra.trailer["/ID"] == rb.trailer["/ID"], name

    def root_stream(reader, key):
        return reader.trailer["/Root"][key].get_object()

    assert root_stream(ra, "/Metadata").get_data() == root_stream(rb, "/Metadata").get_data(), name
    profiles = [
        r.trailer["/Root"]["/OutputIntents"][0].get_object()["/DestOutputProfile"].get_object().get_data() for r in (ra, rb)
    ]
    assert profiles[0] == profiles[1] and profiles[0][24:36] == bytes(12), name
    assert len(ra.pages) == len(rb.pages), name
    for pa, pb in zip(ra.pages, rb.pages):
        assert [round(float(v), 3) for v in pa.mediabox] == [round(float(v), 3) for v in pb.mediabox], name
        assert pa.get_contents().get_data() == pb.get_contents().get_data(), name


def test_patching_libreoffice_s_pdfs_says_what_pypdf_rewriting_says(office, built, tmp_path):
    """Every document of a year as LibreOffice writes it, normalised both ways."""
    docs = sorted((built / "2023").glob("*.docx"))
    raw = office.convert(docs, tmp_path)
    when = reproducible.build_date(model.load(INPUTS, 2023).year.appel.date)
    for pdf in raw:
        data = pdf.read_bytes()
        patched = reproducible.patch(data, when, b"graine")
        _same_pdf(patched, reproducible.rewrite(data, when, b"graine"), pdf.name)
        assert b"LibreOffice" not in patched  # the patch left nothing of the software's stamp


def _boxes(pdf: bytes) -> dict[str, tuple]:
    """Each signature field's name → (page, box), read by pyHanko."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    pages = [reader.find_page_for_modification(i)[0].idnum for i in range(int(reader.root["/Pages"]["/Count"]))]
    found = {}
    for name, _value, ref in enumerate_sig_fields(reader, filled_status=None):
        field = ref.get_object()
        found[name] = (pages.index(field.raw_get("/P").idnum), tuple(round(float(v), 2) for v in field["/Rect"]))
    return found


def test_fields_appended_by_hand_are_pyhanko_s_fields(built, tmp_path):
    """The documents published to be signed apart: the fields the build appended, and the same
    fields appended to the same converted bytes by pyHanko's incremental writer."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.fields import SigFieldSpec, append_signature_field

    checked = 0
    for published in sorted((built / "2023").glob("*.pdf")):
        data = published.read_bytes()
        fields = signing.list_fields(published)
        if published.name.startswith("dossier") or not fields:
            continue
        converted = data[: data.index(b"%%EOF") + len(b"%%EOF\n")]  # the revision before the fields
        ours = _boxes(data)
        writer = IncrementalPdfFileWriter(io.BytesIO(converted), strict=False)
        for name, (page, box) in ours.items():
            append_signature_field(writer, SigFieldSpec(name, on_page=page, box=box))
        out = io.BytesIO()
        writer.write(out)
        assert data.startswith(converted) and out.getvalue().startswith(converted), published.name
        assert _boxes(out.getvalue()) == ours, published.name
        path = tmp_path / published.name
        path.write_bytes(out.getvalue())
        assert [(f.name, f.page) for f in signing.list_fields(path)] == [(f.name, f.page) for f in fields]
        assert subprocess.run(["qpdf", "--check", str(published)], capture_output=True).returncode == 0
        checked += 1
    assert checked >= 2  # the convention, the minutes (and the bilan)


def _fill_every_document(out: Path) -> dict[str, bytes]:
    filled = {}
    for year in model.dossier_years(INPUTS):
        data = model.load(INPUTS, year)
        for d in documents.plan(data):
            target = out / str(year) / f"{d.stem}.docx"
            templates.fill(data, places.template_for(INPUTS, TEMPLATES, f"{d.key}.docx"), target, final=False)
            filled[f"{year}/{d.stem}"] = target.read_bytes()
    return filled


def test_templates_kept_per_text_fill_as_templates_parsed_each_time(tmp_path, monkeypatch):
    """Every document of every shipped year, byte for byte, with the kept compilations and
    without them (Jinja and docxtpl as they come)."""
    kept = _fill_every_document(tmp_path / "gardes")
    assert render._PATCHED  # the memo was used

    def parsed_each_time(self, source, globals=None, template_class=None):
        return jinja2.Environment.from_string(self, source, globals, template_class)

    monkeypatch.setattr(render._CompilingOnce, "from_string", parsed_each_time)
    monkeypatch.setattr(render._template_class(), "patch_xml", render._template_class().__mro__[1].patch_xml)
    render._PATCHED.clear()
    plain = _fill_every_document(tmp_path / "simples")
    assert not render._PATCHED  # the memo was not
    assert plain.keys() == kept.keys() and len(kept) >= 15
    assert [name for name in kept if kept[name] != plain[name]] == []


def test_text_read_once_per_bytes_is_the_text_read_each_time(built):
    """Every PDF of a shipped year, its text given as bytes, a path or an open reader."""
    for pdf in sorted((built / "2023").glob("*.pdf")):
        originals._lines_of.cache_clear()
        plain = list(originals._read_lines(PdfReader(pdf)))
        assert plain and originals.text_lines(pdf.read_bytes()) == plain, pdf.name
        assert originals.text_lines(PdfReader(pdf)) == plain == originals.text_lines(pdf), pdf.name


def _read_fresh(path: Path):
    """A data file read by the reader itself, nothing kept."""
    text = path.read_text(encoding="utf-8")
    reader = yamlsource._Loader(text)
    reader.source_lines = text.splitlines()
    try:
        return reader.get_single_data()
    finally:
        reader.dispose()


def _same_reading(a, b, where: str) -> None:
    """Two readings alike down to each value's type, line and spelling (« 010 », « 20000.00 »)."""
    assert type(a) is type(b) and a == b, where
    if isinstance(a, (dict, list)):
        assert (a.line, a.lines) == (b.line, b.lines), where
        for key in a if isinstance(a, dict) else range(len(a)):
            _same_reading(a[key], b[key], f"{where}.{key}")
    assert getattr(a, "written", None) == getattr(b, "written", None), where


def test_data_read_once_per_text_is_the_data_read_each_time(tmp_path):
    """Every shipped data file, read twice through the kept readings, as the reader reads it
    afresh; each reading its own: what one caller changes, the next never sees."""
    files = sorted(INPUTS.rglob("*.yaml"))
    assert len(files) >= 4
    for path in files:
        first = yamlsource.load_yaml(path, path.name)
        again = yamlsource.load_yaml(path, path.name)
        _same_reading(again, _read_fresh(path), path.name)
        _same_reading(first, again, path.name)
        first["ajout"] = first.pop(next(iter(first)))
        assert "ajout" not in yamlsource.load_yaml(path, path.name), path.name
    changed = tmp_path / "convention.yaml"
    changed.write_text((INPUTS / "convention.yaml").read_text(encoding="utf-8") + "\nautre: 010\n", encoding="utf-8")
    assert yamlsource.load_yaml(changed, "convention.yaml")["autre"].written == "010"  # another text, read anew


def test_templates_analysed_once_per_text_are_analysed_each_time():
    """The Jinja analysis of every part of every shipped template, kept, as Jinja gives it afresh."""
    from jinja2 import meta

    env = render.make_env()
    parts = [
        xml for path in sorted(TEMPLATES.glob("*.docx")) for _, xml in templates.template_sources(render.open_template(path))
    ]
    assert len(parts) >= 10
    for xml in parts:
        kept, fresh = templates._analysed(xml), env.parse(xml)
        assert templates._analysed(xml) is kept  # the memo was used
        assert kept.undeclared == meta.find_undeclared_variables(fresh) and kept.unknown_filters == ()
        assert kept.ast == fresh  # Jinja's nodes compare field by field
    broken = templates._analysed("{{ montant|inconnu }} {{ x }}")
    assert broken.unknown_filters == ("inconnu",) and broken.undeclared is None


def test_a_chart_drawn_once_per_figures_is_the_chart_drawn_each_time():
    """The bilan's chart of every shipped year, kept, as drawn afresh; other figures, another chart."""
    from pipeline.convention import chart

    for year in model.dossier_years(INPUTS):
        bilan = templates.template_context(model.load(INPUTS, year)).bilan
        if not bilan:
            continue
        rows = [(f"{line['numero']}. {line['titre']}", line["nombres"]) for line in bilan.tableau["lignes"]]
        legend = [f"{m['numero']}. {m['titre']}" for m in bilan.modalites]
        fresh = chart._drawn.__wrapped__(tuple((label, tuple(n)) for label, n in rows), tuple(legend), 1.5)
        assert chart.stacked_bars(rows, legend) == fresh == chart.stacked_bars(rows, legend), year
        more = [(label, [n + 1 for n in counts]) for label, counts in rows]
        assert chart.stacked_bars(more, legend) != fresh, year
