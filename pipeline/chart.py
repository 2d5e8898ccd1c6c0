"""The bilan's chart: actions per chantier, stacked by modalité, as a PNG drawn with Pillow.

Pillow is already a dependency (reportlab) and draws this in milliseconds, with the same
Liberation font as the documents; the picture is reproducible byte for byte.
"""
from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from pipeline.programs import font_path

PALETTE = ["#1F3A5F", "#4F81BD", "#9BBB59", "#F79646", "#8064A2", "#4BACC6", "#C0504D", "#7F7F7F"]


def stacked_bars(rows: list[tuple[str, list[int]]], legend: list[str], *, scale: float = 1.5) -> bytes:
    """rows: (label, counts per modalité). Returns PNG bytes, about 225 dpi at 16 cm wide."""
    def px(value: float) -> int:
        return int(round(value * scale))

    width, row_h, label_w = px(940), px(34), px(330)
    legend_h = (len(legend) + 1) // 2 * px(26) + px(16)
    height = px(30) + row_h * len(rows) + px(40) + legend_h
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(font_path("Liberation Sans")), px(14))
    small = ImageFont.truetype(str(font_path("Liberation Sans")), px(12))
    top = px(20)
    biggest = max([sum(c) for _, c in rows] + [1])
    unit = (width - label_w - px(40)) / biggest
    for i, (label, counts) in enumerate(rows):
        y = top + i * row_h
        text = label if len(label) <= 42 else label[:41] + "…"
        draw.text((px(10), y + px(8)), text, fill="black", font=small)
        x = label_w
        for j, n in enumerate(counts):
            if n:
                draw.rectangle([x, y + px(4), x + n * unit - 1, y + row_h - px(8)], fill=PALETTE[j % len(PALETTE)])
                x += n * unit
        draw.text((x + px(6), y + px(8)), str(sum(counts)), fill="black", font=small)
    axis_y = top + len(rows) * row_h
    draw.line([label_w, top, label_w, axis_y], fill="black", width=max(1, px(1)))
    for k in range(biggest + 1):
        x = label_w + k * unit
        draw.line([x, axis_y, x, axis_y + px(5)], fill="black", width=max(1, px(1)))
        draw.text((x - px(4), axis_y + px(7)), str(k), fill="black", font=small)
    ly = axis_y + px(36)
    for j, name in enumerate(legend):
        lx = px(10) + (j % 2) * (width // 2)
        yy = ly + (j // 2) * px(26)
        draw.rectangle([lx, yy + px(2), lx + px(16), yy + px(18)], fill=PALETTE[j % len(PALETTE)])
        draw.text((lx + px(24), yy + px(2)), name, fill="black", font=font)
    buf = io.BytesIO()
    img.save(buf, format="PNG", dpi=(int(150 * scale), int(150 * scale)))
    return buf.getvalue()
