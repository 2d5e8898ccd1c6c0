"""Nothing fetched while building: a Word piece whose image is linked to an address (not embedded)
and which holds an INCLUDEPICTURE field made LibreOffice request that address during the build
(battery C37). A listener on 127.0.0.1 must receive nothing; the file written without the
stripping shows the listener would see the request."""

from __future__ import annotations

import io
import re
import socket
import threading
import zipfile

import docx
import pytest
from docx.shared import Cm
from helpers import build_years
from PIL import Image

from pipeline.office import external


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it receives."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self.stop.set()
        self.thread.join()
        self.sock.close()


@pytest.fixture()
def listener():
    server = Listener()
    yield server
    server.close()


def linked_piece(path, url: str) -> None:
    """A Word report whose picture is linked to ``url`` instead of embedded, with an
    INCLUDEPICTURE field to the same address, as Word writes « insert and link »."""
    png = io.BytesIO()
    Image.new("RGB", (40, 40), "red").save(png, "PNG")
    document = docx.Document()
    document.add_paragraph("Rapport d'activité 2022")
    document.add_picture(io.BytesIO(png.getvalue()), width=Cm(3))
    paragraph = document.add_paragraph()
    run = paragraph.add_run()
    run._r.append(
        docx.oxml.parse_xml(
            '<w:fldChar xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:fldCharType="begin"/>'
        )
    )
    run._r.append(
        docx.oxml.parse_xml(
            '<w:instrText xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xml:space="preserve">'
            f' INCLUDEPICTURE "{url}/field.png" \\d </w:instrText>'
        )
    )
    run._r.append(
        docx.oxml.parse_xml(
            '<w:fldChar xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:fldCharType="end"/>'
        )
    )
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/_rels/document.xml.rels":
                data = re.sub(
                    rb'(Type="[^"]*/image" )Target="[^"]*"',
                    rb'\1Target="' + url.encode() + rb'/linked.png" TargetMode="External"',
                    data,
                )
            elif info.filename == "word/document.xml":
                data = data.replace(b"r:embed=", b"r:link=")
            target.writestr(info, data)


def _with_the_piece(inputs, port: int) -> None:
    linked_piece(inputs / "2023" / "pieces" / "rapport.docx", f"http://127.0.0.1:{port}")
    year = inputs / "2023" / "year.yaml"
    text = year.read_text(encoding="utf-8")
    year.write_text(re.sub(r"fichier: pieces/rapport-activite-2022\.pdf", "fichier: pieces/rapport.docx", text), encoding="utf-8")
    assert "pieces/rapport.docx" in year.read_text(encoding="utf-8")


def test_a_word_piece_linked_to_an_address_is_built_without_any_request(office, inputs_copy, warm_outputs, listener):
    _with_the_piece(inputs_copy, listener.port)
    build_years([2023], inputs_copy, warm_outputs, office=office)
    assert listener.connections == 0
    assert (warm_outputs / inputs_copy.name / "2023" / "dossier-2023.pdf").is_file()


def test_the_listener_sees_libreoffice_fetch_a_linked_image_left_in_place(office, tmp_path, listener):
    """The test's own proof: the same file converted as it is makes LibreOffice connect."""
    piece = tmp_path / "rapport.docx"
    linked_piece(piece, f"http://127.0.0.1:{listener.port}")
    office.convert([piece], tmp_path)
    assert listener.connections > 0


def test_strip_takes_out_the_links_and_leaves_a_clean_file_byte_for_byte(tmp_path):
    piece = tmp_path / "rapport.docx"
    linked_piece(piece, "http://127.0.0.1:9")
    assert external.strip(piece) == 2  # the linked image and the field
    with zipfile.ZipFile(piece) as archive:
        rels = archive.read("word/_rels/document.xml.rels")
        body = archive.read("word/document.xml")
    assert b"127.0.0.1" not in rels and b"INCLUDEPICTURE" not in body
    before = piece.read_bytes()
    assert external.strip(piece) == 0 and piece.read_bytes() == before
