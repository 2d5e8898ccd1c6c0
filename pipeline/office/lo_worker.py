"""LibreOffice worker, run by the Python that has LibreOffice's ``uno`` module.

It starts one headless LibreOffice, then converts documents to PDF/A-2b as asked on
stdin, one JSON line per request, answering one JSON line per document. One process
serves the whole build, so later rounds (the bordereau, once the page numbers are known)
cost no new start. This file imports nothing from the pipeline: it runs outside the venv.
"""

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

uno = None  # imported once LibreOffice is launched: it boots while the bridge loads


def prop(name, value):
    # uno's types exist once the bridge is imported (main): not at this module's start
    from com.sun.star.beans import PropertyValue

    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect(pipe_name, soffice, deadline):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    while True:
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe_name};urp;StarOffice.ComponentContext")
            remember_version(ctx)
            return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        except Exception:  # NoConnectException until LibreOffice is up
            if soffice.poll() is not None:
                raise SystemExit(f"LibreOffice s'est arrêté au démarrage (code {soffice.returncode})") from None
            if time.monotonic() > deadline:
                raise SystemExit("LibreOffice n'a pas démarré à temps") from None
            time.sleep(0.02)  # LibreOffice opens its pipe about a second after it starts


def remember_version(ctx):
    """Note in the profile that this version of LibreOffice has started on it, as its first window
    does on a desktop. Never noted in headless use, each start took the profile for one from an
    older version and ran its graphics render tests (GraphicsRenderTests.log): four fifths of a
    start's CPU. Written as LibreOffice quits: the next start on this profile skips them. A
    LibreOffice without these settings starts as before."""
    try:
        provider = ctx.ServiceManager.createInstanceWithContext("com.sun.star.configuration.ConfigurationProvider", ctx)
        product = provider.createInstanceWithArguments(
            "com.sun.star.configuration.ConfigurationUpdateAccess", (prop("nodepath", "/org.openoffice.Setup/Product"),)
        )
        version = product.getByName("ooSetupVersion")
        if version and product.getByName("ooSetupLastVersion") != version:
            product.replaceByName("ooSetupLastVersion", version)
            product.commitChanges()
    except Exception:  # a setting missing or refused: only the start's speed is at stake
        pass


def convert(desktop, source, target):
    doc = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(source), "_blank", 0, (prop("Hidden", True), prop("ReadOnly", True), prop("UpdateDocMode", 0))
    )
    if doc is None:
        raise RuntimeError("document illisible")
    try:
        doc.refresh() if hasattr(doc, "refresh") else None
        fields = doc.getTextFields() if hasattr(doc, "getTextFields") else None
        if fields is not None:
            fields.refresh()
        filter_data = uno.Any(
            "[]com.sun.star.beans.PropertyValue",
            (
                prop("SelectPdfVersion", 2),
                prop("UseTaggedPDF", True),
                prop("ExportBookmarks", True),
                prop("ExportFormFields", False),
                prop("ExportBookmarksToPDFDestination", True),
            ),
        )
        doc.storeToURL(
            uno.systemPathToFileUrl(target), (prop("FilterName", "writer_pdf_Export"), prop("FilterData", filter_data))
        )
    finally:
        doc.close(True)


# the smallest .docx that makes LibreOffice load what every document needs: the Word import
# filter, Writer's layout of text in Arial (Liberation Sans) and of a table, the PDF/A export
WARM_UP = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>',
    "word/document.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
    '<w:p><w:r><w:rPr><w:rFonts w:ascii="Arial" w:hAnsi="Arial"/><w:b/></w:rPr><w:t>Mise en route</w:t></w:r></w:p>'
    '<w:tbl><w:tr><w:tc><w:p><w:r><w:rPr><w:rFonts w:ascii="Arial" w:hAnsi="Arial"/></w:rPr>'
    "<w:t>é</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:p/></w:body></w:document>",
}


def warm_up(desktop, requests):
    """Convert a tiny document while no request waits: what LibreOffice loads on its first
    document (a third of a second) is loaded while the pipeline still reads its data, not once
    its first document came. Skipped when a request is already there; its PDF is thrown away,
    and a failure is left for the first real document to say."""
    if select.select([requests], [], [], 0)[0]:
        return False
    try:
        with tempfile.TemporaryDirectory(prefix="lo-mise-en-route-") as tmp:
            source = os.path.join(tmp, "mise-en-route.docx")
            with zipfile.ZipFile(source, "w") as docx:
                for name, text in WARM_UP.items():
                    docx.writestr(name, text)
            convert(desktop, source, os.path.join(tmp, "mise-en-route.pdf"))
    except Exception:  # no room to write it, LibreOffice gone: the next document says what is wrong
        return False
    return True


def orphaned(target):
    """A PDF finished after the pipeline was killed: its working folder may already have been
    cleared by the next build's recovery (LibreOffice then made it again): the PDF and, left
    empty, its folder go, so that a killed build leaves nothing behind its recovery."""
    try:
        os.unlink(target)
        os.rmdir(os.path.dirname(target))
    except OSError:  # not written, or the folder holds the build's other files: its recovery's
        pass


def main():
    global uno
    soffice_path, profile, pipe_name = sys.argv[1:4]
    soffice = subprocess.Popen(
        [
            soffice_path,
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            f"-env:UserInstallation={Path(profile).resolve().as_uri()}",
            f"--accept=pipe,name={pipe_name};urp;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # lazy: the bridge loads while LibreOffice boots (see ``uno`` above)
    import uno as bridge

    uno = bridge
    desktop = None
    pipeline = os.getppid()
    try:
        desktop = connect(pipe_name, soffice, time.monotonic() + float(os.environ.get("LO_START_TIMEOUT", "60")))
        print(json.dumps({"ready": True}), flush=True)
        warm_up(desktop, sys.stdin)  # stdin not read yet: select says whether a request waits
        for line in sys.stdin:
            request = json.loads(line)
            if request.get("quit"):
                break
            for source, target in request["convert"]:
                if os.getppid() != pipeline:  # the pipeline killed: what it asked is no one's now
                    return
                try:
                    convert(desktop, source, target)
                    if os.getppid() != pipeline:
                        orphaned(target)
                        return
                    print(json.dumps({"ok": True, "source": source}), flush=True)
                except Exception as exc:  # reported to the pipeline, which names the file
                    # LibreOffice itself gone (killed, out of memory): not the document's fault
                    crashed = soffice.poll() is not None or "Disposed" in type(exc).__name__ or "disposed" in str(exc).lower()
                    print(json.dumps({"ok": False, "source": source, "error": str(exc)[:300], "crashed": crashed}), flush=True)
                    if crashed:
                        break
    finally:
        # on every way out (asked to quit, the pipeline gone mid-answer, an error): LibreOffice
        # must not outlive its worker
        if desktop is not None:
            try:
                desktop.terminate()
            except Exception:  # the bridge drops while LibreOffice quits
                pass
        try:
            soffice.wait(timeout=10)
        except subprocess.TimeoutExpired:
            if os.getpgrp() == os.getpid():  # started in a group of its own: soffice.bin is in it too
                os.killpg(0, signal.SIGKILL)  # this worker goes with it
            else:
                soffice.kill()


if __name__ == "__main__":
    main()
