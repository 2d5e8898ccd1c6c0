"""A small hostile corpus, made by the tests: each file, given as the year's RIB, gets one clear
line from ``check`` (naming the file, no traceback, no « erreur inattendue ») and the build stops
on it with the same words, publishing nothing; or, for what is only dangerous and not wrong (a
Word piece linking an image at an address), builds without touching the network."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from helpers import CONV, build_years, cli
from pypdf import PdfWriter
from test_hostile_pieces import png_header
from test_nothing_fetched import linked_piece

from pipeline.errors import PipelineError


def _pdf(path, *, encrypt=False):
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    if encrypt:
        writer.encrypt(user_password="", owner_password="proprietaire")
    buffer = io.BytesIO()
    writer.write(buffer)
    path.write_bytes(buffer.getvalue())


def _truncated(path):
    _pdf(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _zip_bomb(path):
    """A .docx whose document.xml inflates to 200 MB from a few hundred kilobytes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<w:document>" + b" " * (200 << 20) + b"</w:document>")


CORPUS = {  # name in pieces/ → (how it is made, what check must say of it; None: it builds)
    "bombe.png": (lambda p: png_header(p, 30000, 30000), "image de 30000 × 30000 pixels"),
    "chiffre.pdf": (lambda p: _pdf(p, encrypt=True), "protégé par un mot de passe"),
    "coupe.pdf": (_truncated, "abîmé ou illisible"),
    "page-web.pdf": (lambda p: p.write_text("<html>pas un PDF</html>"), "n'est pas un PDF"),
    "vide.pdf": (lambda p: p.write_bytes(b""), "n'est pas un PDF"),
    "pas-un-zip.docx": (lambda p: p.write_text("texte"), "n'est pas un document DOCX lisible"),
    "lien-externe.docx": (lambda p: linked_piece(p, "http://127.0.0.1:9"), None),
    "bombe-zip.docx": (_zip_bomb, None),
}


def _as_rib(inputs, name):
    CORPUS[name][0](inputs / "2023" / "pieces" / name)
    year = inputs / "2023" / "year.yaml"
    text = year.read_text(encoding="utf-8")
    year.write_text(re.sub(r"fichier: pieces/rib\.pdf", f"fichier: pieces/{name}", text), encoding="utf-8")


@pytest.mark.parametrize("name", [n for n, (_, said) in CORPUS.items() if said])
def test_each_hostile_file_is_one_clear_line_from_check_and_the_build(office, inputs_copy, warm_outputs, name):
    _as_rib(inputs_copy, name)
    said = CORPUS[name][1]
    done = cli("--inputs", str(inputs_copy.parent), "check")
    lines = [line for line in done.stderr.splitlines() if line.startswith("erreur")]
    assert done.returncode == 2 and any(name in line and said in line for line in lines), done.stderr
    assert "Traceback" not in done.stderr and "inattendue" not in done.stderr
    with pytest.raises(PipelineError) as stopped:
        build_years([2023], inputs_copy, warm_outputs, office=office)
    assert name in str(stopped.value) and said in str(stopped.value)
    assert not (warm_outputs / CONV / "2023").exists()


@pytest.mark.parametrize("name", [n for n, (_, said) in CORPUS.items() if said is None])
def test_a_hostile_word_piece_is_checked_clean_and_built_or_refused_in_one_line(office, inputs_copy, warm_outputs, name):
    _as_rib(inputs_copy, name)
    done = cli("--inputs", str(inputs_copy.parent), "check")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    try:
        build_years([2023], inputs_copy, warm_outputs, office=office)
    except PipelineError as exc:  # a bomb LibreOffice cannot open in time is named, never a crash
        assert name in str(exc) or "rib" in str(exc), exc
    else:
        assert (warm_outputs / CONV / "2023" / "dossier-2023.pdf").is_file()
