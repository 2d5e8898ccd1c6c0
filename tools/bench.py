"""Benchmark of the build (make bench): not a test, a measurement to compare with the targets.

Prints the median of several runs of: a cold build of one year, a rebuild with nothing
changed, a rebuild after one year's data changed, a cold build of all years, and
LibreOffice alone converting the same .docx in one batch; each as a ratio to that last
figure, with the fastest and slowest run; and the peak memory of the build's Python
process, measured from outside the pipeline (``Peaks``). The runs are interleaved, one of
each per round: this machine's speed drifts by ±10 % from minute to minute, and a drift then
weighs on every figure alike.

Then the live preview (make apercu): from a template's save to its PDF rewritten, with
LibreOffice kept warm, against LibreOffice alone converting that one document cold.

Then a batch at scale: every year of BENCH_CONVENTIONS synthetic conventions (copies of the
shipped one with other parties' names, so that their documents differ) built by one
command, against LibreOffice alone converting the same .docx in one batch, with dossiers per
minute and peak memory.
"""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INPUTS = ROOT / "inputs" / "amp-arhlm-2022-2024"
RUNS = int(os.environ.get("BENCH_RUNS", "7"))
CONVENTIONS = int(os.environ.get("BENCH_CONVENTIONS", "20"))
YEAR = "2023"
# the export the pipeline asks of LibreOffice (pipeline/office/lo_worker.py): PDF/A-2b, tagged, with bookmarks
PDFA = ('pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"},'
        '"UseTaggedPDF":{"type":"boolean","value":"true"},"ExportBookmarks":{"type":"boolean","value":"true"},'
        '"ExportFormFields":{"type":"boolean","value":"false"},'
        '"ExportBookmarksToPDFDestination":{"type":"boolean","value":"true"}}')


# a sitecustomize loaded by every Python the measured command starts (the CLI and its lanes; not
# LibreOffice's bridge, started with an empty PYTHONPATH): each writes its own peak memory as it exits
REPORT_PEAK = """\
import atexit, os, resource


def _peak():
    with open(os.path.join({folder!r}, str(os.getpid())), "w") as out:
        out.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))


atexit.register(_peak)
"""


class Peaks:
    """The peak memory of a command's Python processes, in kB, added up (lanes run at the same
    time), as each process reports it when it exits; the pipeline itself knows nothing of it."""

    def __init__(self, work: Path):
        self.hook = work / "peak-hook"
        self.reports = work / "peaks"
        self.hook.mkdir()
        self.reports.mkdir()
        (self.hook / "sitecustomize.py").write_text(REPORT_PEAK.format(folder=str(self.reports)))

    def env(self) -> dict[str, str]:
        """The environment of a measured command: the hook first on its path, old reports cleared."""
        for report in self.reports.iterdir():
            report.unlink()
        return dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(self.hook),
                                                                          os.environ.get("PYTHONPATH")])))

    def total_kb(self) -> int:
        """The last measured command's processes, added up."""
        return sum(int(report.read_text()) for report in self.reports.iterdir())


def cli(inputs: Path, outputs: Path, *args: str, peaks: Peaks | None = None) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pipeline", "--inputs", str(inputs), "--outputs", str(outputs), *args],
                   cwd=ROOT, check=True, capture_output=True, env=peaks.env() if peaks else None)
    return time.perf_counter() - start


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        inputs = work / "inputs" / INPUTS.name
        shutil.copytree(INPUTS, inputs)
        outputs = work / "outputs"
        peaks = Peaks(work)

        year_file = inputs / YEAR / "year.yaml"
        original = year_file.read_text(encoding="utf-8")
        counter = iter(range(1000))
        docs: list[Path] = []
        times: dict[str, list[float]] = {k: [] for k in ("cold", "nothing", "changed", "all", "alone")}
        peak_kb = 0

        def libreoffice_alone() -> float:
            # a fresh profile, as the cold builds have after « make clean »: a fair floor
            with tempfile.TemporaryDirectory() as tmp:
                start = time.perf_counter()
                subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation={Path(tmp, 'p').as_uri()}",
                                "--convert-to", PDFA, "--outdir", tmp, *map(str, docs)], check=True, capture_output=True)
                return time.perf_counter() - start

        # one round measures everything in turn, so that the machine's drifts touch every figure alike
        for _ in range(RUNS):
            year_file.write_text(original, encoding="utf-8")
            shutil.rmtree(outputs, ignore_errors=True)
            times["cold"].append(cli(inputs, outputs, "build", YEAR, peaks=peaks))
            peak_kb = max(peak_kb, peaks.total_kb())
            docs = sorted((outputs / INPUTS.name / YEAR).glob("*.docx"))
            times["alone"].append(libreoffice_alone())
            times["nothing"].append(cli(inputs, outputs, "build", YEAR))
            year_file.write_text(original.replace("AR-2023-012", f"AR-2023-{next(counter):03d}"), encoding="utf-8")
            times["changed"].append(cli(inputs, outputs, "build", YEAR))
            year_file.write_text(original, encoding="utf-8")
            shutil.rmtree(outputs, ignore_errors=True)
            times["all"].append(cli(inputs, outputs, "build", "--all", peaks=peaks))
            peak_kb = max(peak_kb, peaks.total_kb())
        cold, nothing, changed, all_years, alone = (statistics.median(times[k])
                                                    for k in ("cold", "nothing", "changed", "all", "alone"))
        spread = {k: (min(v), max(v)) for k, v in times.items()}
    finally:
        shutil.rmtree(work, ignore_errors=True)

    rows = [
        ("build à froid, une année", "cold", cold, 1.5),
        ("reconstruction sans changement", "nothing", nothing, 0.25),
        ("reconstruction après changement des données d'une année", "changed", changed, None),
        ("build à froid, les trois années", "all", all_years, None),
        ("LibreOffice seul, mêmes .docx en un lot", "alone", alone, None),
    ]
    print(f"médiane de {RUNS} tours, chaque tour mesurant tout à la suite "
          f"({len(docs)} documents convertis par LibreOffice seul)")
    for label, key, seconds, target in rows:
        ratio = seconds / alone
        goal = f"  (objectif ≤ {target} ×)" if target else ""
        low, high = spread[key]
        print(f"  {label:<58} {seconds:6.2f} s [{low:.2f}–{high:.2f}]   {ratio:5.2f} × LibreOffice seul{goal}")
    print(f"  {'trois années / une année':<58} {all_years / cold:6.2f} ×       (objectif ≤ 1.6 ×)")
    print(f"  {'mémoire maximale du processus Python':<58} {peak_kb / 1024:6.0f} Mo     (objectif ≤ 200 Mo)")
    preview()
    bureau()
    if CONVENTIONS:
        at_scale(CONVENTIONS)


def filled(key: str, out: Path) -> Path:
    """The document ``key`` of YEAR filled as the build fills it, not converted."""
    sys.path.insert(0, str(ROOT))
    from pipeline import places, render, templates
    from pipeline.convention import context, model

    inputs = model.load(INPUTS, int(YEAR))
    ctx = templates.template_context(inputs, [], projet=True)
    return render.render(places.template_for(INPUTS, ROOT / "templates", f"{key}.docx"), ctx.variables(), out,
                         context.images(ctx) if key == "bilan" else None)


def preview(saves: int = 7, key: str = "bilan") -> None:
    """Save-to-PDF of the live preview: the template is saved (rewritten) and the time runs until
    the preview says its PDF is rewritten, watching included."""
    work = Path(tempfile.mkdtemp(prefix="bench-apercu-"))
    try:
        templates = work / "templates"
        shutil.copytree(ROOT / "templates", templates)
        proc = subprocess.Popen([sys.executable, "-m", "pipeline", "--inputs", str(INPUTS), "--templates",
                                 str(templates), "--outputs", str(work / "outputs"), "apercu", YEAR, key],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

        def next_update() -> str:
            for line in proc.stdout:
                if " à jour en " in line or line.startswith("erreur"):
                    return line
            raise RuntimeError("the preview stopped")

        next_update()  # the first rendering, LibreOffice starting
        latencies = []
        template = templates / f"{key}.docx"
        data = template.read_bytes()
        for _ in range(saves):
            time.sleep(0.3)
            start = time.perf_counter()
            template.write_bytes(data)  # a save, as Word writes it
            line = next_update()
            assert " à jour en " in line, line
            latencies.append(time.perf_counter() - start)
        proc.terminate()
        proc.wait(timeout=30)
        pdf = next((work / "outputs").glob("*/apercu/*.pdf"))
        docx = filled(key, work / f"{key}.docx")  # the same document, converted cold by LibreOffice alone
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation={Path(tmp, 'p').as_uri()}",
                            "--convert-to", PDFA, "--outdir", tmp, str(docx)], check=True, capture_output=True)
            cold = time.perf_counter() - start
        warm = statistics.median(latencies)
        print(f"aperçu en direct ({pdf.name}, {saves} enregistrements)")
        print(f"  {'de l’enregistrement du modèle au PDF refait':<58} {warm:6.2f} s [{min(latencies):.2f}–"
              f"{max(latencies):.2f}]   {warm / cold:5.2f} × une conversion à froid (objectif < 1 s)")
        print(f"  {'LibreOffice seul, ce document à froid':<58} {cold:6.2f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def at_scale(count: int) -> None:
    """Every year of ``count`` conventions in one command, against LibreOffice alone on the same .docx."""
    work = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    try:
        root = work / "inputs"
        for i in range(count):
            folder = root / f"synthetique-{i:02d}"
            shutil.copytree(INPUTS, folder)
            conv = folder / "convention.yaml"
            conv.write_text(conv.read_text(encoding="utf-8").replace(
                "  nom: Métropole Aix-Marseille-Provence", f"  nom: Métropole Synthétique n° {i}"), encoding="utf-8")
        outputs, peaks = work / "outputs", Peaks(work)
        build = cli(root, outputs, "build", "--all", peaks=peaks)
        dossiers = len(list(outputs.glob("*/*/dossier-*.pdf")))
        docs = sorted(outputs.glob("*/*/*.docx"))
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation={Path(tmp, 'p').as_uri()}",
                            "--convert-to", PDFA, "--outdir", tmp, *map(str, docs)], check=True, capture_output=True)
            alone = time.perf_counter() - start
        print(f"à l'échelle : {count} conventions, {dossiers} dossiers, {len(docs)} documents")
        print(f"  {'toutes les années de toutes les conventions':<58} {build:6.2f} s   {build / alone:5.2f} × "
              f"LibreOffice seul (objectif ≤ 1.2 ×)")
        print(f"  {'LibreOffice seul, mêmes .docx en un lot':<58} {alone:6.2f} s")
        print(f"  {'dossiers par minute':<58} {dossiers / build * 60:6.0f}")
        print(f"  {'mémoire maximale des processus Python (tous à la fois)':<58} {peaks.total_kb() / 1024:6.0f} Mo     "
              f"(objectif ≤ 300 Mo)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def bureau(runs: int = 15) -> None:
    """Le bureau (make bureau), warm, as staff use it: the board, a year's page, and from a signed
    bilan dropped on its slot to the verdict in status's words (the file is read, its signatures
    validated against the convention's authorities, stored, and status said again); a scanned
    piece dropped (checked, stored, its year.yaml line rewritten) and a template checked as
    ``make check`` checks it before it replaces the old one."""
    sys.path.insert(0, str(ROOT / "tests"))
    from bureau_helpers import CONV, app_for, convention_copy
    from pki import Pki
    from starlette.testclient import TestClient
    from test_bureau import CHANGE, _signed_bilan

    work = Path(tempfile.mkdtemp(prefix="bench-bureau-"))
    try:
        inputs, outputs = convention_copy(work)
        pki = Pki(work / "pki")
        pki.trusted_by(inputs / CONV)
        signed = _signed_bilan(pki, work).read_bytes()
        import io

        from PIL import Image

        scans = []
        for shade in ("white", "lightgray"):  # two scans in turn: each drop replaces the piece
            out = io.BytesIO()
            Image.new("RGB", (1240, 1754), shade).save(out, "PNG", dpi=(150, 150))
            scans.append(out.getvalue())
        turn = iter(range(10**6))
        template = (ROOT / "templates" / "appel.docx").read_bytes()
        with TestClient(app_for(inputs, outputs)) as client:
            client.get("/?jeton=jeton-de-test")

            def timed(call) -> list[float]:
                call()  # warm
                times = []
                for _ in range(runs):
                    start = time.perf_counter()
                    answer = call()
                    times.append(time.perf_counter() - start)
                    assert answer.status_code == 200, answer.text[:200]
                return times

            board = timed(lambda: client.get("/"))
            page = timed(lambda: client.get(f"/c/{CONV}/2023"))
            drop = timed(lambda: client.post(f"/c/{CONV}/2023/signe/bilan-2022", headers=CHANGE,
                                             files={"fichier": ("bilan.pdf", signed, "application/pdf")}))
            piece = timed(lambda: client.post(f"/c/{CONV}/2023/piece/rib", headers=CHANGE,
                                              files={"fichier": ("rib.png", scans[next(turn) % 2], "image/png")}))
            model = timed(lambda: client.post(f"/c/{CONV}/modeles/appel", headers=CHANGE,
                                              files={"fichier": ("appel.docx", template, "application/octet-stream")}))
        print(f"le bureau (médiane de {runs} requêtes, à chaud)")
        for label, times, goal in (("le tableau de bord", board, " (objectif ≤ 0,20 s)"),
                                   ("la page d'une année", page, ""),
                                   ("un bilan signé déposé, jusqu'au verdict", drop, " (objectif ≤ 1 s)"),
                                   ("une pièce numérisée déposée, jusqu'au verdict", piece, ""),
                                   ("un modèle déposé, vérifié comme make check", model, "")):
            print(f"  {label:<58} {statistics.median(times):6.3f} s [{min(times):.3f}–{max(times):.3f}]{goal}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
