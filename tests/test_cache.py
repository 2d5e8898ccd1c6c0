"""The PDF cache heals itself: an entry cut short, emptied with its digest rewritten to agree, or
replaced by a folder is dropped and converted again (battery A13, A14), never trusted and never
a build blocked until someone deletes a file by hand."""

from __future__ import annotations

import hashlib

import pytest

from pipeline import cache

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture()
def store(tmp_path):
    source = tmp_path / "made.pdf"
    source.write_bytes(PDF)
    pdfs = cache.PdfCache(tmp_path / "cache")
    pdfs.put("ab" * 32, source)
    return pdfs


def test_an_intact_entry_is_taken(store, tmp_path):
    assert store.get("ab" * 32, tmp_path / "out.pdf") and (tmp_path / "out.pdf").read_bytes() == PDF


@pytest.mark.parametrize(
    "damage", ["cut short", "emptied, digest agreeing", "not a pdf, digest agreeing", "a folder", "its digest a folder"]
)
def test_a_damaged_entry_is_dropped_then_stored_again(store, tmp_path, damage):
    entry = store._path("ab" * 32)
    digest = entry.with_suffix(".sha256")
    if damage == "cut short":
        entry.write_bytes(PDF[:10])
    elif damage in ("emptied, digest agreeing", "not a pdf, digest agreeing"):
        data = b"" if damage.startswith("emptied") else b"<html>not a pdf</html>"
        entry.write_bytes(data)
        digest.write_text(hashlib.sha256(data).hexdigest(), encoding="ascii")
    elif damage == "a folder":
        entry.unlink()
        entry.mkdir()
    else:
        digest.unlink()
        digest.mkdir()
    assert not store.get("ab" * 32, tmp_path / "out.pdf")
    assert not (tmp_path / "out.pdf").exists()
    source = tmp_path / "again.pdf"
    source.write_bytes(PDF)
    store.put("ab" * 32, source)  # the conversion made again takes its place
    assert store.get("ab" * 32, tmp_path / "out.pdf") and (tmp_path / "out.pdf").read_bytes() == PDF
