"""The bilan's chart: actions per chantier, stacked by modalité, as a PNG drawn with Pillow.

Pillow is already a dependency (reportlab) and draws this in milliseconds, with the same
Liberation font as the documents; the picture is reproducible byte for byte.
"""
from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from pipeline.programs import font_path

PALETTE = ["#1F3A5F", "#4F81BD", "#9BBB59", "#F79646", "#8064A2", "#4BACC6", "#C0504D", "#7F7F7F"]


def stacked_bars(rows: list[tuple[str, list[int]]], legend: list[str], *, scale: int = 2) -> bytes:
    """rows: (label, counts per modalité). Returns PNG bytes, 16 cm wide at 150 dpi."""
    width, row_h, label_w = 940 * scale // 1, 34 * scale, 330 * scale
    legend_h = (len(legend) + 1) // 2 * 26 * scale + 16 * scale
    height = 30 * scale + row_h * len(rows) + 40 * scale + legend_h
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(font_path("Liberation Sans")), 14 * scale)
    small = ImageFont.truetype(str(font_path("Liberation Sans")), 12 * scale)
    top = 20 * scale
    biggest = max([sum(c) for _, c in rows] + [1])
    bar_w = width - label_w - 40 * scale
    unit = bar_w / biggest
    for i, (label, counts) in enumerate(rows):
        y = top + i * row_h
        text = label if len(label) <= 42 else label[:41] + "…"
        draw.text((10 * scale, y + 8 * scale), text, fill="black", font=small)
        x = label_w
        for j, n in enumerate(counts):
            if n:
                draw.rectangle([x, y + 4 * scale, x + n * unit - 1, y + row_h - 8 * scale], fill=PALETTE[j % len(PALETTE)])
                x += n * unit
        draw.text((x + 6 * scale, y + 8 * scale), str(sum(counts)), fill="black", font=small)
    axis_y = top + len(rows) * row_h
    draw.line([label_w, top, label_w, axis_y], fill="black", width=scale)
    for k in range(biggest + 1):
        x = label_w + k * unit
        draw.line([x, axis_y, x, axis_y + 5 * scale], fill="black", width=scale)
        draw.text((x - 4 * scale, axis_y + 7 * scale), str(k), fill="black", font=small)
    ly = axis_y + 36 * scale
    for j, name in enumerate(legend):
        lx = 10 * scale + (j % 2) * (width // 2)
        yy = ly + (j // 2) * 26 * scale
        draw.rectangle([lx, yy + 2 * scale, lx + 16 * scale, yy + 18 * scale], fill=PALETTE[j % len(PALETTE)])
        draw.text((lx + 24 * scale, yy + 2 * scale), name, fill="black", font=font)
    buf = io.BytesIO()
    img.save(buf, format="PNG", dpi=(150 * scale, 150 * scale))
    return buf.getvalue()
