"""Benchmark of the build (make bench): not a test, a measurement to compare with the targets.

The build is timed as staff run it: ``make clean && make dossier YEAR=…``, the whole process
(make, Python's start, LibreOffice's start and stop), in a copy of the project (its own
outputs/, the same .venv), so that the bench never touches the real outputs. Its floor is
LibreOffice alone converting the same .docx in one batch (``soffice --headless --convert-to``)
with a profile already warmed by such runs. Such a profile never notes LibreOffice's version (only
its first window on a desktop does), so each start runs its graphics render tests, four fifths of
a start; the build's worker notes it. The same batch on a profile where it is noted, as a
LibreOffice that staff open every day has it, is the second floor. Beside it: a
rebuild with nothing changed, a rebuild after one year's data changed, a cold build of every
year (``make clean && make dossiers``); each as a ratio to the floor, with the fastest and
slowest run; and the peak memory of the build's Python processes, measured from outside the
pipeline (``Peaks``). The runs are interleaved, one of each per round: this machine's speed
drifts by ±10 % from minute to minute, and a drift then weighs on every figure alike. The load
average before and after says how busy the machine was, and the load at each cold build beside
the ratio of each round (the cold build against the floor measured right after it).
``BENCH_ONLY=froid`` measures that pair alone (the quick figure to compare with the target).

Then the live preview (make apercu): from a template's save to its PDF rewritten, with
LibreOffice kept warm, against LibreOffice alone converting that one document cold.

Then a batch at scale: every year of BENCH_CONVENTIONS synthetic conventions (copies of the
shipped one with other titles, so that their documents differ) built by one
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
COLD_ONLY = os.environ.get("BENCH_ONLY") == "froid"
YEAR = "2023"
# the export the pipeline asks of LibreOffice (pipeline/office/lo_worker.py): PDF/A-2b, tagged, with bookmarks
PDFA = (
    'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"},'
    '"UseTaggedPDF":{"type":"boolean","value":"true"},"ExportBookmarks":{"type":"boolean","value":"true"},'
    '"ExportFormFields":{"type":"boolean","value":"false"},'
    '"ExportBookmarksToPDFDestination":{"type":"boolean","value":"true"}}'
)


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
        return dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(self.hook), os.environ.get("PYTHONPATH")])))

    def total_kb(self) -> int:
        """The last measured command's processes, added up."""
        return sum(int(report.read_text()) for report in self.reports.iterdir())


def cli(inputs: Path, outputs: Path, *args: str, peaks: Peaks | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pipeline", "--inputs", str(inputs), "--outputs", str(outputs), *args],
        cwd=ROOT,
        check=True,
        capture_output=True,
        env=peaks.env() if peaks else None,
    )
    return time.perf_counter() - start


def project_copy(work: Path) -> Path:
    """The project as staff have it after ``make setup`` (its bytecode compiled), without its
    outputs, git history or caches: ``make clean`` there removes nothing of the real outputs.
    Times are kept, so that make finds the copy set up already; the .venv is the real one."""
    copy = work / "projet"
    shutil.copytree(
        ROOT,
        copy,
        symlinks=True,
        ignore=shutil.ignore_patterns(".venv", ".git", "outputs", ".pytest_cache", ".coverage-data", ".hypothesis", "bench-*"),
    )
    (copy / "outputs").mkdir()
    (copy / ".venv").symlink_to(ROOT / ".venv")
    subprocess.run([sys.executable, "-m", "compileall", "-q", "pipeline"], cwd=copy, check=True)
    return copy


def make(project: Path, *targets: str, peaks: Peaks | None = None, **variables: str) -> float:
    """The whole ``make`` command, as staff type it, from its start to its exit."""
    start = time.perf_counter()
    subprocess.run(
        ["make", "--no-print-directory", *targets, *(f"{k}={v}" for k, v in variables.items())],
        cwd=project,
        check=True,
        capture_output=True,
        env=peaks.env() if peaks else None,
    )
    return time.perf_counter() - start


def soffice_batch(docs: list[Path], profile: Path, outdir: Path | None = None) -> float:
    """LibreOffice alone converting ``docs`` in one batch, as PDF/A, on ``profile`` (kept warm
    between calls: the floor is LibreOffice as staff run it every day, not its first start),
    into ``outdir`` (a temporary folder, thrown away, when None)."""
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        subprocess.run(
            [
                "soffice",
                "--headless",
                "--norestore",
                f"-env:UserInstallation={profile.as_uri()}",
                "--convert-to",
                PDFA,
                "--outdir",
                str(outdir or tmp),
                *map(str, docs),
            ],
            check=True,
            capture_output=True,
        )
        return time.perf_counter() - start


def note_version(profile: Path) -> None:
    """A LibreOffice profile as the build gives it (``libreoffice.seed_profile``), and as a
    LibreOffice opened on a desktop leaves it: its version noted, so that it runs its graphics
    render tests no more at each start. The floor on it is what LibreOffice alone costs without them."""
    sys.path.insert(0, str(ROOT))
    from pipeline.office import libreoffice, programs

    libreoffice.seed_profile(profile, programs.soffice_path())


def load() -> str:
    """The machine's load average over 1, 5 and 15 minutes: how busy it was (2 cores: 2 is full)."""
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        project = project_copy(work)
        convention = project / "inputs" / INPUTS.name
        peaks = Peaks(work)
        profile = work / "profil-libreoffice"
        year_file = convention / YEAR / "year.yaml"
        original = year_file.read_text(encoding="utf-8")
        counter = iter(range(1000))
        times: dict[str, list[float]] = {k: [] for k in ("cold", "nothing", "changed", "all", "alone", "noted")}
        peak_kb = 0
        before = load()

        make(project, "clean")
        make(project, "dossier", YEAR=YEAR)  # a warm-up round, not counted: the system's caches, the profiles
        docs = sorted((project / "outputs" / INPUTS.name / YEAR).glob("*.docx"))
        soffice_batch(docs, profile)
        noted = work / "profil-libreoffice-version-notee"
        note_version(noted)
        soffice_batch(docs, noted)
        # one round measures everything in turn, so that the machine's drifts touch every figure alike
        loads = []  # the machine's load over the last minute as each cold build starts
        for _ in range(RUNS):
            year_file.write_text(original, encoding="utf-8")
            make(project, "clean")
            loads.append(os.getloadavg()[0])
            times["cold"].append(make(project, "dossier", peaks=peaks, YEAR=YEAR))
            peak_kb = max(peak_kb, peaks.total_kb())
            times["alone"].append(soffice_batch(docs, profile))
            times["noted"].append(soffice_batch(docs, noted))
            if COLD_ONLY:
                continue
            times["nothing"].append(make(project, "dossier", YEAR=YEAR))
            year_file.write_text(original.replace("AR-2023-012", f"AR-2023-{next(counter):03d}"), encoding="utf-8")
            times["changed"].append(make(project, "dossier", YEAR=YEAR))
            year_file.write_text(original, encoding="utf-8")
            make(project, "clean")
            times["all"].append(make(project, "dossiers", peaks=peaks))
            peak_kb = max(peak_kb, peaks.total_kb())
        ratios = [c / a for c, a in zip(times["cold"], times["alone"])]
        ratios_noted = [c / a for c, a in zip(times["cold"], times["noted"])]
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(
        f"une année après make clean (make dossier YEAR={YEAR}, processus entier) / LibreOffice seul "
        f"(mêmes {len(docs)} .docx en un lot, profil chaud), rapport de chaque tour sur {RUNS} tours alternés :"
    )
    print(f"  médiane {statistics.median(ratios):.2f} ×   [min {min(ratios):.2f} – max {max(ratios):.2f}]   (objectif ≤ 1.15 ×)")
    print(
        f"  construction {statistics.median(times['cold']):.2f} s [{min(times['cold']):.2f}–{max(times['cold']):.2f}], "
        f"LibreOffice seul {statistics.median(times['alone']):.2f} s [{min(times['alone']):.2f}–{max(times['alone']):.2f}]"
    )
    print(
        f"  contre LibreOffice seul sur un profil où sa version est notée (comme un LibreOffice ouvert au bureau "
        f"le laisse : sans ses tests de rendu à chaque départ) : médiane {statistics.median(ratios_noted):.2f} ×   "
        f"[min {min(ratios_noted):.2f} – max {max(ratios_noted):.2f}], ce LibreOffice seul "
        f"{statistics.median(times['noted']):.2f} s [{min(times['noted']):.2f}–{max(times['noted']):.2f}]"
    )
    print(
        f"  charge de la machine (1 min, 2 cœurs : 2 = pleine) au départ de chaque construction : médiane "
        f"{statistics.median(loads):.2f} [{min(loads):.2f}–{max(loads):.2f}] ; par tour : "
        + ", ".join(f"{r:.2f} × à {x:.1f}" for r, x in zip(ratios, loads))
    )
    if COLD_ONLY:
        return
    cold, nothing, changed, all_years, alone = (
        statistics.median(times[k]) for k in ("cold", "nothing", "changed", "all", "alone")
    )
    spread = {k: (min(v), max(v)) for k, v in times.items()}
    paired = statistics.median(ratios)

    rows = [
        ("make dossier après make clean, une année", "cold", cold, 1.15),
        ("make dossier sans changement", "nothing", nothing, 0.25),
        ("make dossier après changement des données d'une année", "changed", changed, None),
        ("make dossiers après make clean, tous", "all", all_years, None),
        ("LibreOffice seul, mêmes .docx en un lot, profil chaud", "alone", alone, None),
        ("le même, profil où sa version est notée", "noted", statistics.median(times["noted"]), None),
    ]
    print(
        f"médiane de {RUNS} tours, chaque tour mesurant tout à la suite "
        f"({len(docs)} documents convertis par LibreOffice seul) ; charge de la machine "
        f"avant {before}, après {load()} (1, 5, 15 min)"
    )
    for label, key, seconds, target in rows:
        ratio = seconds / alone
        goal = f"  (objectif ≤ {target} ×)" if target else ""
        low, high = spread[key]
        print(f"  {label:<58} {seconds:6.2f} s [{low:.2f}–{high:.2f}]   {ratio:5.2f} × LibreOffice seul{goal}")
    print(
        f"  {'une année après make clean / LibreOffice seul, par tour':<58} {paired:6.2f} ×       (médiane des "
        "rapports de chaque tour)"
    )
    print(f"  {'tous les dossiers / une année':<58} {all_years / cold:6.2f} ×")
    print(f"  {'mémoire maximale du processus Python':<58} {peak_kb / 1024:6.0f} Mo     (objectif ≤ 200 Mo)")
    second_ways()
    preview()
    bureau()
    if CONVENTIONS:
        at_scale(CONVENTIONS)


def second_ways(runs: int = 7) -> None:
    """What each faster second way saves against the plain way it stands for (tests/test_plain_ways.py
    proves them equivalent on the shipped data), on the shipped convention, median of ``runs``."""
    sys.path.insert(0, str(ROOT))
    import datetime as dt
    import io

    import jinja2
    from pypdf import PdfReader

    from pipeline import render
    from pipeline.convention import documents, model
    from pipeline.pdf import originals, reproducible, signing

    work = Path(tempfile.mkdtemp(prefix="bench-secondes-"))
    try:
        outputs = work / "outputs"
        cli(INPUTS.parent, outputs, "--convention", INPUTS.name, "build", "--all")
        year = outputs / INPUTS.name / YEAR
        docs = sorted(year.glob("*.docx"))
        soffice_batch(docs, work / "profil")  # warmed
        with tempfile.TemporaryDirectory() as tmp:
            soffice_batch(docs, work / "profil", outdir=Path(tmp))
            raw = [p.read_bytes() for p in sorted(Path(tmp).glob("*.pdf"))]

        def timed(call) -> float:
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                call()
                times.append(time.perf_counter() - start)
            return statistics.median(times)

        rows = []
        when = dt.datetime(2023, 1, 1)
        rows.append(
            (
                f"PDF de LibreOffice rendus reproductibles ({len(raw)}, une année)",
                timed(lambda: [reproducible.patch(d, when, b"x") for d in raw]),
                timed(lambda: [reproducible.rewrite(d, when, b"x") for d in raw]),
                "réécrits par pypdf",
            )
        )

        signed_apart = [p for p in sorted(year.glob("*.pdf")) if not p.name.startswith("dossier") and signing.list_fields(p)]
        bases = [(p.read_bytes()[: p.read_bytes().index(b"%%EOF") + 6], p) for p in signed_apart]
        spots = {p: _field_places(p) for p in signed_apart}

        def by_hand():
            for base, p in bases:
                target = work / p.name
                target.write_bytes(base)
                signing.write_with_fields(target, spots[p])

        def by_pyhanko():
            from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
            from pyhanko.sign.fields import SigFieldSpec, append_signature_field

            for base, p in bases:
                writer = IncrementalPdfFileWriter(io.BytesIO(base), strict=False)
                for place in spots[p]:
                    append_signature_field(writer, SigFieldSpec(place.name, on_page=place.page, box=place.box))
                writer.write(io.BytesIO())

        hand = timed(by_hand)
        imported = subprocess.run(
            [
                sys.executable,
                "-X",
                "importtime",
                "-c",
                "import pypdf; import pyhanko.pdf_utils.incremental_writer, pyhanko.sign.fields",
            ],
            capture_output=True,
            text=True,
        ).stderr
        cost = (
            sum(
                int(line.split("|")[1])
                for line in imported.splitlines()
                if line.startswith("import time:")
                and line.split("|")[2].strip() in ("pyhanko.pdf_utils.incremental_writer", "pyhanko.sign.fields")
            )
            / 1e6
        )
        rows.append(
            (
                f"champs de signature vides ({len(bases)} documents signés à part)",
                hand,
                timed(by_pyhanko) + cost,
                f"par pyHanko, dont {cost:.2f} s de son import, que le build évite",
            )
        )

        datas = [model.load(INPUTS, y) for y in model.dossier_years(INPUTS)]

        def fill_all():
            from pipeline import places, templates

            for data in datas:
                for d in documents.plan(data):
                    templates.fill(
                        data,
                        places.template_for(INPUTS, ROOT / "templates", f"{d.key}.docx"),
                        work / "remplis" / f"{data.year.annee}-{d.stem}.docx",
                        final=False,
                    )

        def kept():
            render._render_env.cache_clear()
            render._PATCHED.clear()
            fill_all()

        def parsed_each_time():
            compiling, patching = render._CompilingOnce.from_string, render._template_class().patch_xml
            render._CompilingOnce.from_string = lambda self, source, globals=None, template_class=None: (
                jinja2.Environment.from_string(self, source, globals, template_class)
            )
            render._template_class().patch_xml = render._template_class().__mro__[1].patch_xml
            try:
                fill_all()
            finally:
                render._CompilingOnce.from_string, render._template_class().patch_xml = compiling, patching

        fill_all()  # the libraries loaded
        rows.append(
            (
                f"documents remplis, toutes les années ({sum(len(documents.plan(d)) for d in datas)})",
                timed(kept),
                timed(parsed_each_time),
                "modèles analysés à chaque fois",
            )
        )

        convention = (year / "convention.pdf").read_bytes()
        years = len(datas)

        def read_once():
            originals._lines_of.cache_clear()
            for _ in range(years):
                originals.compare(convention, convention)

        def read_each_time():
            for _ in range(years):
                originals.first_difference(
                    list(originals._read_lines(PdfReader(io.BytesIO(convention)))),
                    list(originals._read_lines(PdfReader(io.BytesIO(convention)))),
                )

        rows.append(
            (
                f"convention signée comparée, chaque année ({years})",
                timed(read_once),
                timed(read_each_time),
                "texte relu à chaque comparaison",
            )
        )

        # the caches kept for check, status and le bureau, which read the same files and templates again
        from pipeline import checks, templates, yamlsource
        from pipeline.convention import chart

        def loads():
            for y in model.dossier_years(INPUTS):
                model.load(INPUTS, y)

        def loads_reading_each_time():
            yamlsource._PARSED.clear()
            kept_max, yamlsource._PARSED_MAX = yamlsource._PARSED_MAX, 0  # nothing kept: every text read again
            try:
                loads()
            finally:
                yamlsource._PARSED_MAX = kept_max

        loads()
        rows.append(
            (
                f"données chargées, toutes les années ({years})",
                timed(loads),
                timed(loads_reading_each_time),
                "chaque fichier YAML relu à chaque fois",
            )
        )

        def check():
            checks.check_all(INPUTS, ROOT / "templates")

        def check_unkept():
            analysed, drawn = templates._analysed, chart._drawn
            templates._analysed, chart._drawn = analysed.__wrapped__, drawn.__wrapped__  # type: ignore[attr-defined]
            try:
                check()
            finally:
                templates._analysed, chart._drawn = analysed, drawn

        check()
        rows.append(
            (
                "make check du modèle (chaque modèle, chaque année)",
                timed(check),
                timed(check_unkept),
                "modèles analysés et graphique dessiné à chaque fois",
            )
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"secondes implémentations gardées, contre la voie simple (médiane de {runs})")
    for label, fast, plain, how in rows:
        print(f"  {label:<58} {fast:6.3f} s contre {plain:6.3f} s ({how}) : {plain - fast:+.3f} s")


def _field_places(pdf: Path) -> list:
    """The empty signature fields of a published document, as the build placed them."""
    from pypdf import PdfReader

    from pipeline.pdf.marks import FieldPlace

    reader = PdfReader(pdf)
    pages = [p.indirect_reference.idnum for p in reader.pages]
    return [
        FieldPlace(str(f["/T"]), str(f.get("/TU", "")), pages.index(f.raw_get("/P").idnum), tuple(float(v) for v in f["/Rect"]))
        for f in (ref.get_object() for ref in reader.trailer["/Root"]["/AcroForm"]["/Fields"])
    ]


def filled(key: str, out: Path) -> Path:
    """The document ``key`` of YEAR filled as the build fills it, not converted."""
    sys.path.insert(0, str(ROOT))
    from pipeline import places, render, templates
    from pipeline.convention import context, model

    inputs = model.load(INPUTS, int(YEAR))
    ctx = templates.template_context(inputs, [], projet=True)
    return render.render(
        places.template_for(INPUTS, ROOT / "templates", f"{key}.docx"),
        ctx.variables(),
        out,
        context.images(ctx) if key == "bilan" else None,
    )


def preview(saves: int = 7, key: str = "bilan") -> None:
    """Save-to-PDF of the live preview: the template is saved (rewritten) and the time runs until
    the preview says its PDF is rewritten, watching included."""
    work = Path(tempfile.mkdtemp(prefix="bench-apercu-"))
    try:
        templates = work / "templates"
        shutil.copytree(ROOT / "templates", templates)
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pipeline",
                "--inputs",
                str(INPUTS),
                "--templates",
                str(templates),
                "--outputs",
                str(work / "outputs"),
                "apercu",
                YEAR,
                key,
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

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
            subprocess.run(
                [
                    "soffice",
                    "--headless",
                    "--norestore",
                    f"-env:UserInstallation={Path(tmp, 'p').as_uri()}",
                    "--convert-to",
                    PDFA,
                    "--outdir",
                    tmp,
                    str(docx),
                ],
                check=True,
                capture_output=True,
            )
            cold = time.perf_counter() - start
        warm = statistics.median(latencies)
        print(f"aperçu en direct ({pdf.name}, {saves} enregistrements)")
        print(
            f"  {'de l’enregistrement du modèle au PDF refait':<58} {warm:6.2f} s [{min(latencies):.2f}–"
            f"{max(latencies):.2f}]   {warm / cold:5.2f} × une conversion à froid (objectif < 1 s)"
        )
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
            # its title, not a party's name: the compte rendu financier's rubrics name the parties
            conv.write_text(
                conv.read_text(encoding="utf-8").replace(
                    "\n  titre: Convention de partenariat 2022-2024\n",
                    f"\n  titre: Convention de partenariat 2022-2024 (synthétique n° {i})\n",
                ),
                encoding="utf-8",
            )
        outputs, peaks = work / "outputs", Peaks(work)
        build = cli(root, outputs, "build", "--all", peaks=peaks)
        dossiers = len(list(outputs.glob("*/*/dossier-*.pdf")))
        docs = sorted(outputs.glob("*/*/*.docx"))
        soffice_batch(docs[:1], work / "profil-libreoffice")  # the profile warmed, as for the build's floor
        alone = soffice_batch(docs, work / "profil-libreoffice")
        print(f"à l'échelle : {count} conventions, {dossiers} dossiers, {len(docs)} documents")
        print(
            f"  {'toutes les années de toutes les conventions':<58} {build:6.2f} s   {build / alone:5.2f} × "
            f"LibreOffice seul (objectif ≤ 1.2 ×)"
        )
        print(f"  {'LibreOffice seul, mêmes .docx en un lot':<58} {alone:6.2f} s")
        print(f"  {'dossiers par minute':<58} {dossiers / build * 60:6.0f}")
        print(
            f"  {'mémoire maximale des processus Python (tous à la fois)':<58} {peaks.total_kb() / 1024:6.0f} Mo     "
            f"(objectif ≤ 300 Mo)"
        )
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
            year_file = inputs / CONV / "2023" / "year.yaml"
            edits = iter(range(10**6))

            def after_an_edit():  # a note added to a year: status reads every year again
                year_file.write_text(year_file.read_text(encoding="utf-8") + f"# note {next(edits)}\n", encoding="utf-8")
                return client.get("/")

            board_changed = timed(after_an_edit)
            page = timed(lambda: client.get(f"/c/{CONV}/2023"))
            drop = timed(
                lambda: client.post(
                    f"/c/{CONV}/2023/signe/bilan-2022",
                    headers=CHANGE,
                    files={"fichier": ("bilan.pdf", signed, "application/pdf")},
                )
            )
            piece = timed(
                lambda: client.post(
                    f"/c/{CONV}/2023/piece/rib",
                    headers=CHANGE,
                    files={"fichier": ("rib.png", scans[next(turn) % 2], "image/png")},
                )
            )
            model = timed(
                lambda: client.post(
                    f"/c/{CONV}/modeles/appel",
                    headers=CHANGE,
                    files={"fichier": ("appel.docx", template, "application/octet-stream")},
                )
            )
        print(f"le bureau (médiane de {runs} requêtes, à chaud)")
        for label, times, goal in (
            ("le tableau de bord, rien n'ayant changé", board, " (objectif ≤ 0,20 s)"),
            ("le tableau de bord après une donnée changée", board_changed, ""),
            ("la page d'une année", page, ""),
            ("un bilan signé déposé, jusqu'au verdict", drop, " (objectif ≤ 1 s)"),
            ("une pièce numérisée déposée, jusqu'au verdict", piece, ""),
            ("un modèle déposé, vérifié comme make check", model, ""),
        ):
            print(f"  {label:<58} {statistics.median(times):6.3f} s [{min(times):.3f}–{max(times):.3f}]{goal}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
