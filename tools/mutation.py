"""A small mutation pass over the modules that carry the README's promises (publish, signing,
french, render): each mutant is a deliberate bug; the tests that guard the module must fail.

Usage: python tools/mutation.py [--at COMMIT] [--only TEXT]
Runs in a copy of the project (the tree is never touched); --at takes the whole project as it
was at an earlier commit, to compare the suite before and after (a mutant whose code did not
exist then is counted apart). Prints each mutant, killed or survived,
and the score. Slow (a test run per mutant): a developer's tool, not part of `make test`.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (module, what the bug is, text in the module, text it becomes, the tests that guard it);
# texts may be tuples, for a bug made in several places of the module
MUTANTS = [
    ("pipeline/publish.py", "publish writes straight into outputs/<YEAR>/, old files deleted first",
     'staging = Path(tempfile.mkdtemp(prefix=working_prefix("new", [year]), dir=outputs))',
     'staging = outputs / str(year); shutil.rmtree(staging, ignore_errors=True); staging.mkdir(parents=True)',
     ["tests/test_publish.py", "tests/test_errors.py"]),
    ("pipeline/publish.py", "a refused rename loses the previous folder",
     'os.rename(old / "previous", target)', "pass", ["tests/test_publish.py", "tests/test_errors.py"]),
    ("pipeline/publish.py", "recovery drops the previous outputs",
     "os.rename(previous, target)", "shutil.rmtree(previous)", ["tests/test_publish.py", "tests/test_errors.py"]),
    ("pipeline/publish.py", "published folder keeps mkdtemp's mode 700",
     "os.chmod(staging, 0o777 & ~files.umask())", "pass", ["tests/test_publish.py", "tests/test_errors.py"]),
    ("pipeline/publish.py", "no lock per year",
     "            if handle is None:\n                raise OutputError(f\"une autre construction",
     "            if False:\n                raise OutputError(f\"une autre construction", ["tests/test_errors.py"]),
    ("pipeline/files.py", "no lock per year (the lock in its own module)",
     "        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)\n", "        pass\n", ["tests/test_errors.py"]),
    ("pipeline/pdf/originals.py", "verify reports every signature valid",
     "trusted=bool(status.bottom_line),", "trusted=True,", ["tests/test_signing.py"]),
    ("pipeline/pdf/originals.py", "verify reports every signature intact",
     "intact=bool(status.intact and status.valid),", "intact=True,", ["tests/test_signing.py"]),
    ("pipeline/pdf/originals.py", "pyHanko's traceback reaches the terminal",
     "        with quiet_validation():\n            reader = PdfFileReader(",
     "        with contextlib.nullcontext():\n            reader = PdfFileReader(",
     ["tests/test_verify_changes.py", "tests/test_signing.py"]),
    ("pipeline/pdf/marks.py", "the two signatories' fields swapped",
     "places.append(FieldPlace(name, labels.get(name, name), first_page - 1 + index, box))",
     "places.append(FieldPlace(marks[len(marks) - 1 - len(places)][0], labels.get(name, name), first_page - 1 + index, box))",
     ["tests/test_signing.py"]),
    ("pipeline/french.py", "« deux millions euros »", 'unit = "d\'euros"', 'unit = "euros"', ["tests/test_french.py"]),
    ("pipeline/french.py", "« zéro euros »", "if euros in (0, 1):", "if euros == 1:", ["tests/test_french.py"]),
    ("pipeline/french.py", "counts in figures from ten (« 11 actions sur six chantiers »)", "    if n >= 100 or n < 0:",
     "    if n >= 10 or n < 0:", ["tests/test_french.py"]),
    ("pipeline/typesetting.py", "the template's own apostrophes left straight", 'fixed = fixed.replace("\'", APOSTROPHE)',
     "fixed = fixed", ["tests/test_wording.py"]),
    ("pipeline/convention/rules.py", "another year's pieces block a final dossier", "        if why is None:\n",
     "        if True:\n", ["tests/test_cycle.py"]),
    ("pipeline/proofread.py", "a signature line on another date accepted", "            if said != own:",
     "            if False:", ["tests/test_proofread.py"]),
    ("pipeline/french.py", "no narrow space before ; ! ?", "lambda m: NNBSP + m.group(1)", "lambda m: ' ' + m.group(1)",
     ["tests/test_french.py"]),
    ("pipeline/french.py", "« 1 janvier »", 'day = "1er" if value.day == 1 else str(value.day)', "day = str(value.day)",
     ["tests/test_french.py"]),
    ("pipeline/french.py", "thousands with a breakable space", 'return f"{sign}{NNBSP.join(groups)},{cents}{NBSP}€"',
     'return f"{sign}{\' \'.join(groups)},{cents}{NBSP}€"', ["tests/test_french.py"]),
    # the environment and docxtpl's render() each turn escaping on (render() sets it on the
    # environment it is given): off in one place alone is no bug, off in both is
    ("pipeline/render.py", "no autoescape: « & » dropped",
     ("env = _CompilingOnce(undefined=jinja2.StrictUndefined, autoescape=True,",
      "tpl.render(ctx, _render_env(), autoescape=True)"),
     ("env = _CompilingOnce(undefined=jinja2.StrictUndefined, autoescape=False,",
      "tpl.render(ctx, _render_env(), autoescape=False)"), ["tests/test_robustness.py"]),
    ("pipeline/render.py", "an unknown variable prints blank",
     "env = _CompilingOnce(undefined=jinja2.StrictUndefined,", "env = _CompilingOnce(undefined=jinja2.Undefined,",
     ["tests/test_templates.py"]),
    ("pipeline/render.py", "no French spacing on inserted values",
     "        return typo(value)\n", "        return value\n", ["tests/test_build.py"]),
    ("pipeline/render.py", "table grids not fitted after column loops",
     '    from docx.oxml.ns import qn\n\n    for tbl in document.element.body.iter(qn("w:tbl")):',
     '    from docx.oxml.ns import qn\n\n    for tbl in []:', ["tests/test_robustness.py", "tests/test_layout.py"]),
    # the yearly cycle's edges (issue 22)
    ("pipeline/convention/rules.py", "bilan ≤ COPIL ≤ call with a day's tolerance",
     "        if d2 < d1:\n", "        if d2 < d1 - dt.timedelta(days=1):\n", ["tests/test_cycle.py"]),
    ("pipeline/convention/rules.py", "a payment's receipt compared with the COPIL, not the call",
     "fin.date_reception < data.appel.date:", "fin.date_reception < data.copil.date:", ["tests/test_cycle.py"]),
    ("pipeline/convention/context.py", "a payment received on the bilan's own day shown pending",
     "fin.date_reception <= until", "fin.date_reception < until", ["tests/test_cycle.py"]),
    ("pipeline/convention/rules.py", "a bilan dated 31 December of its own year accepted",
     "if data.bilan.date <= dt.date(year, 12, 31):", "if data.bilan.date < dt.date(year, 12, 31):",
     ["tests/test_cycle.py"]),
    ("pipeline/convention/rules.py", "the COPIL's date not checked for weekends and holidays",
     '    found.append(("copil.date", data.copil.date))\n', "", ["tests/test_cycle.py"]),
    ("pipeline/convention/context.py", "the final bilan's total leaves out the first year",
     "actions_total=sum(len(v.actions) for v in views),", "actions_total=sum(len(v.actions) for v in views[1:]),",
     ["tests/test_cycle.py"]),
    ("pipeline/french.py", "cents rounded down, not half up", "quantize(_CENT, rounding=ROUND_HALF_UP)",
     'quantize(_CENT, rounding="ROUND_DOWN")', ["tests/test_cycle.py", "tests/test_french.py"]),
    # several conventions (issue 22)
    ("pipeline/places.py", "a convention's own template no longer replaces the shared one",
     "if own.is_file() or name in OWN_ONLY:", "if name in OWN_ONLY:", ["tests/test_several_conventions.py"]),
    ("pipeline/cli.py", "build --all builds every convention from the first one's data",
     "BuildRequest(convention, ctx.templates", "BuildRequest(conventions[0], ctx.templates",
     ["tests/test_several_conventions.py"]),
    ("pipeline/lanes.py", "a lane's failure lost: the last exit code wins",
     "code = code or proc.returncode", "code = proc.returncode", ["tests/test_several_conventions.py"]),
    ("pipeline/cli.py", "each lane builds a single convention",
     "conventions = conventions[index::count]", "conventions = conventions[index:index + 1]",
     ["tests/test_several_conventions.py"]),
    ("pipeline/convention/documents.py", "the last member with signe_pour signs the minutes, not the first",
     "member = next((m for m in data.convention.copil.membres if m.signe_pour == who), None)",
     "member = ([None] + [m for m in data.convention.copil.membres if m.signe_pour == who])[-1]",
     ["tests/test_several_conventions.py"]),
    # staleness and renewal (issue 22)
    ("pipeline/manifest.py", "a changed actions sheet (xlsx, ods, csv) triggers no rebuild",
     'files += sorted(p for p in folder.rglob("*") if p.is_file())',
     'files += sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("actions."))',
     ["tests/test_staleness.py"]),
    ("pipeline/manifest.py", "a replaced piece of year N-1 triggers no rebuild of dossier N",
     "cycle.years_read(year, period, with_next=True) if period else [year]", "[year]", ["tests/test_staleness.py"]),
    ("pipeline/manifest.py", "a changed year.yaml of year N+1 (the meetings compared) triggers no rebuild of dossier N",
     'elif (folder / "year.yaml").is_file():', "elif False:", ["tests/test_staleness.py"]),
    ("pipeline/manifest.py", "a --final build after a draft is taken as up to date (the key)",
     'f"{__version__}|{year}|final={final}"', 'f"{__version__}|{year}"', ["tests/test_staleness.py"]),
    ("pipeline/build.py", "a --final build after a draft is taken as up to date (the decision)",
     "request.templates, final=request.final)]", "request.templates, final=False)]", ["tests/test_staleness.py"]),
    ("pipeline/convention/scaffold.py", "a renewal keeps the previous convention's signature date",
     '[_child(terms, "date_signature"), _child(deliberation', '[_child(deliberation',
     ["tests/test_conventions.py::test_the_renewal_starts_from_the_previous_convention"]),
    # the build's own LibreOffice, and Ctrl-C (issue 22)
    ("pipeline/office/libreoffice.py", "a build's LibreOffice left running once the build stops",
     '        """Ask LibreOffice to quit; kill its whole process group if it does not."""\n        if self.proc is not None:',
     '        """Ask LibreOffice to quit; kill its whole process group if it does not."""\n        if False:',
     ["tests/test_errors.py::test_one_document_failing_is_named",
      "tests/test_errors.py::test_interrupted_build_leaves_outputs_and_no_process"]),
    ("pipeline/build.py", "a failing build leaves LibreOffice running while its working folders are removed",
     "        stack.enter_context(office.stopped_on_failure())\n", "",
     ["tests/test_runtime.py::test_a_failing_build_stops_libreoffice_before_its_working_folders_are_removed"]),
    ("pipeline/cli.py", "a parent that ignores Ctrl-C makes the build deaf to it",
     "    signal.signal(signal.SIGINT, signal.default_int_handler)\n", "",
     ["tests/test_errors.py::test_interrupted_build_leaves_outputs_and_no_process"]),
    # verify on a file changed after signing (issue 22)
    ("pipeline/pdf/originals.py", "verify says every signature covers the whole file",
     "coverage=status.coverage.name if status.coverage else None", 'coverage="ENTIRE_FILE"',
     ["tests/test_verify_changes.py"]),
    ("pipeline/pdf/originals.py", "a page changed after signing taken as harmless",
     'HARMLESS = {"NONE", "LTA_UPDATES", "FORM_FILLING"}', 'HARMLESS = {"NONE", "LTA_UPDATES", "FORM_FILLING", "OTHER"}',
     ["tests/test_verify_changes.py"]),
    ("pipeline/pdf/originals.py", "a second signature taken as a change after the first",
     'HARMLESS = {"NONE", "LTA_UPDATES", "FORM_FILLING"}', 'HARMLESS = {"NONE", "LTA_UPDATES"}',
     ["tests/test_verify_changes.py"]),
    ("pipeline/pdf/originals.py", "a change after signing blamed on the certificate",
     "    if status.modification_level is not None and status.modification_level.name not in HARMLESS:",
     "    if False:", ["tests/test_verify_changes.py"]),
    ("pipeline/cli.py", "a change after signing said to be another signature",
     """else "non (d'autres signatures ont suivi)" if signature.modifications == "FORM_FILLING" """,
     """else "non (d'autres signatures ont suivi)" if True """, ["tests/test_verify_changes.py"]),
    ("pipeline/publish.py", "recovery deletes the working folders of a build still running",
     "            if free:\n                shutil.rmtree(leftover", "            if True:\n                shutil.rmtree(leftover",
     ["tests/test_recover.py"]),
    ("pipeline/publish.py", "recovery undoes a publish in progress",
     "            if not free:\n                continue\n", "", ["tests/test_recover.py"]),
    ("pipeline/pdf/marks.py", "the two parties' field labels swapped",
     "FieldPlace(name, labels.get(name, name), first_page",
     'FieldPlace(name, labels.get(name.replace("metropole", "%").replace("association", "metropole")'
     '.replace("%", "association"), name), first_page', ["tests/test_signing.py::test_fields_sit_on_every_signature_block"]),
]


def _stop_left_behind(folder: Path) -> None:
    """Kill what a mutant left running (a LibreOffice that a mutated build forgot to stop): the
    processes naming this pass's folder, where its copy, its tests' files and their LibreOffice
    profiles are; never another LibreOffice of the machine."""
    import os
    import signal

    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and int(proc.name) != os.getpid():
            try:
                if str(folder).encode() in (proc / "cmdline").read_bytes():
                    os.kill(int(proc.name), signal.SIGKILL)
            except OSError:  # gone meanwhile, or not ours
                pass


def run(at: str | None, only: str | None = None) -> int:
    with tempfile.TemporaryDirectory(prefix="mutation-") as tmp:
        copy = Path(tmp) / "project"
        if at:
            copy.mkdir()
            archive = subprocess.run(["git", "archive", at], cwd=ROOT, capture_output=True, check=True)
            subprocess.run(["tar", "-x", "-C", str(copy)], input=archive.stdout, check=True)
        else:
            shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", "outputs", ".git", "__pycache__"))
        (copy / "outputs").mkdir(exist_ok=True)
        killed = tried = 0
        for path, what, old, new, tests in MUTANTS:
            if only and only not in f"{path} {what}":
                continue
            source = copy / path
            original = source.read_text(encoding="utf-8")
            olds, news = (old, new) if isinstance(old, tuple) else ((old,), (new,))  # a bug in several places
            if any(original.count(o) != 1 for o in olds):
                print(f"—       {path}: {what} (ce code n'existe pas dans cette version)")
                continue
            tried += 1
            guards = [t for t in tests if (copy / t.split("::")[0]).exists()]  # an earlier suite may lack a newer file
            if not guards:  # no test guards this code in that version: nothing can kill the mutant
                print(f"SURVIT  {path}: {what} (aucun test de garde dans cette version)", flush=True)
                continue
            mutated = original
            for o, n in zip(olds, news):
                mutated = mutated.replace(o, n)
            source.write_text(mutated, encoding="utf-8")
            result = None
            try:
                result = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                                         f"--basetemp={Path(tmp) / 'pytest'}", *guards],
                                        cwd=copy, capture_output=True, text=True, timeout=900)
                dead = result.returncode == 1  # tests failed (2-5: interrupted, usage, nothing collected)
                if result.returncode not in (0, 1):
                    print(f"?  {what}: pytest a répondu {result.returncode}\n{result.stdout[-500:]}")
            except subprocess.TimeoutExpired:
                dead = True
            finally:
                source.write_text(original, encoding="utf-8")
                _stop_left_behind(Path(tmp))
            killed += dead
            by = [line.split()[1] for line in result.stdout.splitlines() if line.startswith("FAILED ")] if dead and result else []
            print(f"{'tué   ' if dead else 'SURVIT'}  {path}: {what}{f'  ← {by[0]}' if by else ''}", flush=True)
        print(f"score : {killed}/{tried} mutants tués ({len(MUTANTS) - tried} sans objet dans cette version"
              f"{' ou hors de --only' if only else ''})")
        return 0 if killed == tried else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--at", help="le projet tel qu'il était à ce commit (avant/après)")
    parser.add_argument("--only", help="seulement les mutants dont le module ou la description contient ce texte")
    args = parser.parse_args()
    sys.exit(run(args.at, args.only))
