"""The bilan's chart: actions per chantier, stacked by modalité, as a PNG drawn with Pillow.

Here, beside the context that inserts it (``context.images``), not under ``pdf/``: it is a
picture for a Word template, drawn with the convention's own words (chantiers × modalités),
and ``pdf/`` knows no convention. Imported only when a bilan is filled.

Pillow is already a dependency (reportlab) and draws this in milliseconds, with the same
Liberation font as the documents; the picture is reproducible byte for byte.
"""

from __future__ import annotations

import functools
import io

from PIL import Image, ImageDraw, ImageFont

from pipeline.pdf.fonts import font_path

PALETTE = ["#1F3A5F", "#4F81BD", "#9BBB59", "#F79646", "#8064A2", "#4BACC6", "#C0504D", "#7F7F7F"]


def _wrap(draw, text: str, font, width: int) -> list[str]:
    """A label cut into lines at spaces so that it is read whole, never truncated."""
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and draw.textlength(candidate, font=font) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return lines + ([line] if line else [])


def stacked_bars(rows: list[tuple[str, list[int]]], legend: list[str], *, scale: float = 1.5) -> bytes:
    """rows: (label, counts per modalité). Returns PNG bytes, about 225 dpi at 16 cm wide.
    Drawn once per distinct figures: ``check`` fills the bilan with each year's data, then the
    build fills it again, and the bureau's previews again (a few hundredths of a second each)."""
    return _drawn(tuple((label, tuple(counts)) for label, counts in rows), tuple(legend), scale)


@functools.lru_cache(maxsize=32)
def _drawn(rows: tuple[tuple[str, tuple[int, ...]], ...], legend: tuple[str, ...], scale: float) -> bytes:
    def px(value: float) -> int:
        return int(round(value * scale))

    width, label_w, line_h = px(940), px(330), px(15)
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    font = ImageFont.truetype(str(font_path("Liberation Sans")), px(14))
    small = ImageFont.truetype(str(font_path("Liberation Sans")), px(12))
    labels = [_wrap(probe, label, small, label_w - px(20)) for label, _ in rows]
    heights = [max(px(34), len(lines) * line_h + px(12)) for lines in labels]
    legend_lines = [_wrap(probe, name, font, width // 2 - px(40)) for name in legend]
    legend_rows = [max(len(legend_lines[j]) for j in range(i, min(i + 2, len(legend)))) for i in range(0, len(legend), 2)]
    legend_h = sum(n * px(17) + px(9) for n in legend_rows) + px(16)
    height = px(30) + sum(heights) + px(40) + legend_h
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    top = px(20)
    biggest = max([sum(c) for _, c in rows] + [1])
    unit = (width - label_w - px(40)) / biggest
    y = top
    for (_, counts), lines, row_h in zip(rows, labels, heights):
        text_top = y + (row_h - len(lines) * line_h) // 2
        for k, line in enumerate(lines):
            draw.text((px(10), text_top + k * line_h), line, fill="black", font=small)
        x: float = label_w
        bar_top, bar_bottom = y + row_h // 2 - px(11), y + row_h // 2 + px(11)
        for j, n in enumerate(counts):
            if n:
                draw.rectangle([x, bar_top, x + n * unit - 1, bar_bottom], fill=PALETTE[j % len(PALETTE)])
                x += n * unit
        draw.text((x + px(6), y + row_h // 2 - px(7)), str(sum(counts)), fill="black", font=small)
        y += row_h
    axis_y = y
    draw.line([label_w, top, label_w, axis_y], fill="black", width=max(1, px(1)))
    for k in range(biggest + 1):
        x = label_w + k * unit
        draw.line([x, axis_y, x, axis_y + px(5)], fill="black", width=max(1, px(1)))
        draw.text((x - px(4), axis_y + px(7)), str(k), fill="black", font=small)
    ly = axis_y + px(36)
    for i, n_lines in zip(range(0, len(legend), 2), legend_rows):
        for j in range(i, min(i + 2, len(legend))):
            lx = px(10) + (j % 2) * (width // 2)
            draw.rectangle([lx, ly + px(2), lx + px(16), ly + px(18)], fill=PALETTE[j % len(PALETTE)])
            for k, line in enumerate(legend_lines[j]):
                draw.text((lx + px(24), ly + px(2) + k * px(17)), line, fill="black", font=font)
        ly += n_lines * px(17) + px(9)
    buf = io.BytesIO()
    img.save(buf, format="PNG", dpi=(int(150 * scale), int(150 * scale)))
    return buf.getvalue()
