"""Reproducible outputs, the manifest, and rebuilds that redo only what changed."""

import json
import re
import shutil
import subprocess

import pytest
from builder import convention
from helpers import CONV, INPUTS, build_years, cli
from pypdf import PdfReader

from pipeline import manifest
from pipeline.convention import documents, model
from pipeline.events import Event
from pipeline.office import libreoffice
from pipeline.pdf import reproducible


def batches(events: list[Event]) -> list[int]:
    """How many documents each batch put in line for LibreOffice held (what the cache lacked)."""
    return [len(e.names) for e in events if e.kind == "queued"]


def test_two_builds_give_byte_identical_outputs(built, office, tmp_path, monkeypatch):
    def no_rewrite(*args):
        raise AssertionError("a LibreOffice PDF was rewritten by pypdf instead of patched")

    monkeypatch.setattr(reproducible, "rewrite", no_rewrite)
    build_years([2023], INPUTS, tmp_path / "other", office=office)  # its own cache: converted again from scratch
    first = {p.name: p.read_bytes() for p in (built / "2023").iterdir()}
    second = {p.name: p.read_bytes() for p in (tmp_path / "other" / CONV / "2023").iterdir()}
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_manifest_proves_what_the_dossier_was_built_from(built):
    data = json.loads((built / "2023" / "manifest.json").read_text(encoding="utf-8"))
    outputs = {o["path"]: o["sha256"] for o in data["outputs"]}
    assert outputs["dossier-2023.pdf"] == manifest.sha256(built / "2023" / "dossier-2023.pdf")
    inputs = {i["path"]: i["sha256"] for i in data["inputs"]}
    year_yaml = next(path for path in inputs if path.endswith("2023/year.yaml"))
    assert inputs[year_yaml] == manifest.sha256(INPUTS / "2023" / "year.yaml")
    assert any(path.endswith("templates/bilan.docx") for path in inputs)
    assert any(path.endswith("pieces/rib.pdf") for path in inputs)
    assert data["pipeline"]


def test_rebuild_with_nothing_changed_starts_no_libreoffice(office, inputs_copy, tmp_path):
    outputs = tmp_path / "out"
    build_years([2023], inputs_copy, outputs, office=office)  # the later builds, watched, start their own
    before = {p.name: p.read_bytes() for p in (outputs / CONV / "2023").iterdir()}
    events: list[Event] = []
    build_years([2023], inputs_copy, outputs, watch=events.append)
    assert events == []
    shutil.rmtree(outputs / CONV / "2023")  # outputs gone, cache kept: rebuilt without converting anything
    build_years([2023], inputs_copy, outputs, watch=events.append)
    assert [e.kind for e in events if e.kind != "started"] == ["assembled"]
    assert {p.name: p.read_bytes() for p in (outputs / CONV / "2023").iterdir()} == before
    result = cli("--inputs", str(inputs_copy), "--outputs", str(outputs), "build", "2023")
    assert result.returncode == 0 and f"{CONV} 2023 : déjà à jour" in result.stderr  # which convention's 2023


def test_a_rebuild_of_one_document_starts_one_libreoffice(office, inputs_copy, tmp_path):
    """The call's reference changed: the call and its bordereau, one after the other, on one
    worker (a second would only slow the first's start)."""
    outputs = tmp_path / "out"
    build_years([2023], inputs_copy, outputs, office=office)
    path = inputs_copy / "2023" / "year.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("AR-2023-012", "AR-2023-099"), encoding="utf-8")
    events: list[Event] = []
    build_years([2023], inputs_copy, outputs, watch=events.append)
    assert [e.kind for e in events].count("started") == 1
    assert [e.names for e in events if e.kind == "queued"] == [("appel-2023",), ("bordereau-2023",)]


def test_changed_data_reconverts_only_what_it_touches(office, inputs_copy, tmp_path):
    outputs = tmp_path / "out"
    build_years([2022, 2023, 2024], inputs_copy, outputs, office=office)
    guide = "Mise à jour du guide « Acquisition-amélioration en centre ancien »"
    convention().year(
        2023,
        actions=lambda actions: [
            dict(a, titre="Guide « Acquisition-amélioration », 2e édition") if a["titre"] == guide else a for a in actions
        ],
    ).write(inputs_copy)
    events: list[Event] = []
    build_years([2022, 2023, 2024], inputs_copy, outputs, watch=events.append, office=office)
    assert sum(batches(events)) == 1  # the bilan 2023 alone, in the dossier 2024; the others come from the cache
    from pypdf import PdfReader

    bilan = " ".join(p.extract_text() for p in PdfReader(outputs / CONV / "2024" / "bilan-2023.pdf").pages)
    assert "2e édition" in " ".join(bilan.split())  # the table cell may wrap there


def test_convention_is_converted_once_for_all_years(office, tmp_path):
    events: list[Event] = []
    build_years([2022, 2023, 2024], INPUTS, tmp_path / "out", watch=events.append)
    # 3 documents a year before the bordereau, each sent as soon as it is filled: the convention
    # (converted once, the same document every year: signed apart once, joined as a copy later),
    # the call, the minutes and, from 2023, the bilan of the year before; in 2024 also the compte
    # rendu financier of 2022; then the 3 bordereaux
    queued = [name for e in events if e.kind == "queued" for name in e.names]
    assert batches(events) == [1] * 13 and len(set(queued)) == 13
    assert sorted(queued[-3:]) == ["bordereau-2022", "bordereau-2023", "bordereau-2024"]
    assert [e.kind for e in events].count("started") == libreoffice.workers()  # each worker once, for every year
    conventions = {(tmp_path / "out" / CONV / str(y) / "convention.pdf").read_bytes() for y in (2022, 2023, 2024)}
    assert len(conventions) == 1


@pytest.mark.parametrize("key", ["convention", "appel", "bordereau", "bilan", "pv-copil"])
def test_document_pdfs_carry_the_date_of_the_data_and_stay_valid(built, key):
    inputs = model.load(INPUTS, 2023)
    planned = next(d for d in documents.plan(inputs) if d.key == key)
    when = reproducible.build_date(planned.date)
    pdf = built / "2023" / f"{planned.stem}.pdf"
    check = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    reader = PdfReader(pdf)
    assert reader.metadata["/CreationDate"] == when.strftime("D:%Y%m%d%H%M%SZ")
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert set(re.findall(r"<xmp:\w+Date>([^<]*)", xmp)) == {when.strftime("%Y-%m-%dT%H:%M:%SZ")}
    intent = reader.trailer["/Root"]["/OutputIntents"][0].get_object()
    assert intent["/DestOutputProfile"].get_object().get_data()[24:36] == bytes(12)  # the profile's date
    assert "/DocChecksum" not in reader.trailer
    assert re.search(rb"/ID\s*\[\s*<([0-9A-Fa-f]{32})>\s*<\1>\s*\]", pdf.read_bytes())


def test_a_pdf_laid_out_otherwise_is_normalised_through_pypdf(built, tmp_path):
    """A PDF with object streams (another LibreOffice version, say) cannot be patched in place."""
    source = tmp_path / "objstm.pdf"
    subprocess.run(["qpdf", "--object-streams=generate", str(built / "2023" / "appel-2023.pdf"), str(source)], check=True)
    with pytest.raises(reproducible.NotLibreOfficeLayout):
        reproducible.patch(source.read_bytes(), reproducible.build_date(model.load(INPUTS, 2023).year.appel.date), b"x")
    when = reproducible.build_date(model.load(INPUTS, 2024).year.appel.date)
    reproducible.normalise_pdf(source, when, seed=b"x")
    assert subprocess.run(["qpdf", "--check", str(source)], capture_output=True).returncode == 0
    assert PdfReader(source).metadata["/CreationDate"] == when.strftime("D:%Y%m%d%H%M%SZ")


def test_document_pdfs_name_their_issuer_never_the_software(built):
    """/Creator and /Producer, and their XMP twins, are the issuing party's; the title's apostrophe
    is escaped once in the XMP packet (LibreOffice writes « L&amp;apos;appel »)."""
    for pdf in (built / "2023").glob("*.pdf"):
        reader = PdfReader(pdf)
        info = reader.metadata
        assert info["/Creator"] == info["/Producer"] == info["/Author"], pdf.name
        assert "LibreOffice" not in str(info["/Producer"]) and "Writer" != str(info["/Creator"])
        xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
        assert "&amp;apos;" not in xmp and "LibreOffice" not in xmp and ">Writer<" not in xmp, pdf.name
    xmp = PdfReader(built / "2023" / "appel-2023.pdf").trailer["/Root"]["/Metadata"].get_object().get_data()
    assert "L&apos;appel de participation 2023" in xmp.decode("utf-8")
