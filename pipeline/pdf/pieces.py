"""Attached pieces made fit for an archival dossier.

A piece whose fonts are not embedded would break PDF/A: Ghostscript rewrites it as
PDF/A-2b (embedding the fonts) in the build's work folder; the original is never touched.
Pieces that already embed their fonts are used as they are, at no cost. A scan (JPEG, PNG,
TIFF, multi-page TIFF included) is placed losslessly on A4 pages by img2pdf: its pixels are
embedded as they are, so a 300 dpi scan stays as legible as the paper.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from pypdf import PdfReader

from pipeline.errors import ConversionError
from pipeline.office import ghostscript


def unembedded_fonts(pdf: Path) -> list[str]:
    """Names of the fonts a PDF uses without embedding them."""
    missing: set[str] = set()
    seen: set[int] = set()

    def visit_resources(resources) -> None:
        if resources is None:
            return
        resources = resources.get_object()
        fonts = resources.get("/Font")
        for ref in fonts.get_object().values() if fonts is not None else []:
            font = ref.get_object()
            key = id(font)
            if key in seen:
                continue
            seen.add(key)
            if font.get("/Subtype") == "/Type3":
                continue
            descendant = font.get("/DescendantFonts")
            target = descendant[0].get_object() if descendant else font
            desc = target.get("/FontDescriptor")
            desc = desc.get_object() if desc is not None else None
            if desc is None or not any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                missing.add(str(font.get("/BaseFont", "?")).lstrip("/"))
        xobjects = resources.get("/XObject")
        for ref in xobjects.get_object().values() if xobjects is not None else []:
            xobj = ref.get_object()
            if xobj.get("/Subtype") == "/Form" and id(xobj) not in seen:
                seen.add(id(xobj))
                visit_resources(xobj.get("/Resources"))

    for page in PdfReader(pdf).pages:
        visit_resources(page.get("/Resources"))
    return sorted(missing)


IMAGES = {".jpg", ".jpeg", ".png", ".tif", ".tiff"}
OFFICE = {".docx", ".odt"}  # converted by the build's LibreOffice, with the documents
A4 = (595.2756, 841.8898)  # points
MOST_PIXELS = 70_000_000  # an A3 page scanned at 600 dpi: an image larger is no scan (rules.SCAN_PIXELS)


def from_scan(image: Path, work: Path, label: str) -> Path:
    """A scanned piece as a PDF: each image (each page of a TIFF) fitted on an A4 page, unscaled
    pixels; a transparent PNG is flattened on white first (img2pdf refuses an alpha channel)."""
    # lazy: img2pdf (~70 ms), for a scanned piece only
    import img2pdf

    work.mkdir(parents=True, exist_ok=True)
    out = work / f"{image.stem}-scan.pdf"
    source: Path | bytes = image
    size = None
    try:
        with Image.open(image) as picture:  # the header only: a decompression bomb is refused unopened
            size = picture.size
    except Image.DecompressionBombError:
        size = (0, 0)
    except (OSError, ValueError):
        pass  # unreadable: said below, as img2pdf finds it
    if size is not None and (size == (0, 0) or size[0] * size[1] > MOST_PIXELS):
        shown = f"de {size[0]} × {size[1]} pixels" if size != (0, 0) else "démesurée"
        raise ConversionError(
            f"la pièce « {label} » : image {shown}, plus qu'une page numérisée n'en a", hint="numérisez-la à nouveau en 300 dpi"
        )
    try:
        with Image.open(image) as picture:
            if picture.mode in ("RGBA", "LA", "PA") or (picture.mode == "P" and "transparency" in picture.info):
                flat = Image.new("RGB", picture.size, "white")
                flat.paste(picture.convert("RGBA"), mask=picture.convert("RGBA").getchannel("A"))
                flat_path = work / f"{image.stem}-flat.png"
                flat.save(flat_path, dpi=picture.info.get("dpi", (300, 300)))
                source = flat_path
        layout = img2pdf.get_layout_fun(A4, fit=img2pdf.FitMode.into)
        out.write_bytes(img2pdf.convert(str(source), layout_fun=layout, rotation=img2pdf.Rotation.ifvalid))
    except (OSError, ValueError, img2pdf.ImageOpenError) as exc:
        raise ConversionError(
            f"la pièce « {label} » : image illisible ({exc.__class__.__name__})",
            hint="numérisez-la à nouveau en JPEG, PNG ou TIFF",
        ) from None
    return out


def normalise(pdf: Path, work: Path, label: str) -> Path:
    """The piece itself if it is fit; a scan put on A4 pages; otherwise a PDF/A-2b copy written
    by Ghostscript."""
    if pdf.suffix.lower() in IMAGES:
        return from_scan(pdf, work, label)
    fonts = unembedded_fonts(pdf)
    if not fonts:
        return pdf
    work.mkdir(parents=True, exist_ok=True)
    out = work / f"{pdf.stem}-pdfa.pdf"
    ghostscript.to_pdfa(pdf, out, what=f"la pièce « {label} » (polices non incorporées : {', '.join(fonts[:3])})")
    if unembedded_fonts(out):
        raise ConversionError(
            f"la pièce « {label} » garde des polices non incorporées après conversion",
            hint="demandez à l'émetteur une version PDF/A de la pièce",
        )
    return out
