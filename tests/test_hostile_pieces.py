"""Hostile pieces get one clear line from check and from the build: an image claiming more pixels
than any scanned page (a decompression bomb) was let through by check and failed the build as
« erreur inattendue DecompressionBombError » (battery C35)."""

from __future__ import annotations

import re
import struct
import zlib

import pytest
from helpers import cli

from pipeline.convention import model
from pipeline.errors import ConversionError, InputError
from pipeline.pdf import pieces


def png_header(path, width: int, height: int) -> None:
    """A PNG whose header claims ``width`` × ``height`` (its pixels never written: a bomb needs none
    to be refused by its size)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\0"))
        + chunk(b"IEND", b"")
    )


def _rib_as(inputs, name: str) -> None:
    year = inputs / "2023" / "year.yaml"
    text = year.read_text(encoding="utf-8")
    year.write_text(re.sub(r"fichier: pieces/rib\.pdf", f"fichier: pieces/{name}", text), encoding="utf-8")
    assert f"pieces/{name}" in year.read_text(encoding="utf-8")


@pytest.mark.parametrize("size", [(30000, 30000), (100000, 100000)])
def test_a_bomb_image_piece_is_one_line_from_check_and_the_build(inputs_copy, tmp_path, size):
    png_header(inputs_copy / "2023" / "pieces" / "rib.png", *size)
    _rib_as(inputs_copy, "rib.png")
    with pytest.raises(InputError) as info:
        model.load(inputs_copy, 2023)
    assert f"pieces/rib.png : image de {size[0]} × {size[1]} pixels" in str(info.value)
    for command in (("check",), ("build", "2023")):
        done = cli("--inputs", str(inputs_copy.parent), "--outputs", str(tmp_path / "out"), *command)
        assert done.returncode == 2 and "rib.png : image de" in done.stderr, done.stderr
        assert "Traceback" not in done.stderr and "inattendue" not in done.stderr


def test_the_build_s_own_scan_step_refuses_a_bomb_by_its_header(tmp_path):
    png_header(tmp_path / "rib.png", 30000, 30000)
    with pytest.raises(ConversionError, match="30000 × 30000 pixels"):
        pieces.from_scan(tmp_path / "rib.png", tmp_path / "work", "RIB")
