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
    (
        "pipeline/publish.py",
        "publish writes straight into outputs/<YEAR>/, old files deleted first",
        'staging = Path(tempfile.mkdtemp(prefix=working_prefix("new", [year]), dir=outputs))',
        "staging = outputs / str(year); shutil.rmtree(staging, ignore_errors=True); staging.mkdir(parents=True)",
        ["tests/test_publish.py", "tests/test_errors.py"],
    ),
    (
        "pipeline/publish.py",
        "a refused rename loses the previous folder",
        'os.rename(old / "previous", target)',
        "pass",
        ["tests/test_publish.py", "tests/test_errors.py"],
    ),
    (
        "pipeline/publish.py",
        "recovery drops the previous outputs",
        "os.rename(previous, target)",
        "shutil.rmtree(previous)",
        ["tests/test_publish.py", "tests/test_errors.py"],
    ),
    (
        "pipeline/publish.py",
        "published folder keeps mkdtemp's mode 700",
        "os.chmod(staging, 0o777 & ~files.umask())",
        "pass",
        ["tests/test_publish.py", "tests/test_errors.py"],
    ),
    (
        "pipeline/publish.py",
        "no lock per year",
        "            if handle is None and not skip_held:\n                raise OutputError(\n",
        "            if False:\n                raise OutputError(\n",
        ["tests/test_errors.py"],
    ),
    (
        "pipeline/files.py",
        "no lock per year (the lock in its own module)",
        "        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)\n",
        "        pass\n",
        ["tests/test_errors.py"],
    ),
    (
        "pipeline/pdf/originals.py",
        "verify reports every signature valid",
        "trusted=bool(status.bottom_line),",
        "trusted=True,",
        ["tests/test_signing.py"],
    ),
    (
        "pipeline/pdf/originals.py",
        "verify reports every signature intact",
        "intact=bool(status.intact and status.valid),",
        "intact=True,",
        ["tests/test_signing.py"],
    ),
    (
        "pipeline/pdf/originals.py",
        "pyHanko's traceback reaches the terminal",
        "        with quiet_validation():\n            reader = PdfFileReader(",
        "        with contextlib.nullcontext():\n            reader = PdfFileReader(",
        ["tests/test_verify_changes.py", "tests/test_signing.py"],
    ),
    (
        "pipeline/pdf/marks.py",
        "the two signatories' fields swapped",
        "places.append(FieldPlace(name, labels.get(name, name), first_page - 1 + index, box))",
        "places.append(FieldPlace(marks[len(marks) - 1 - len(places)][0], labels.get(name, name), first_page - 1 + index, box))",
        ["tests/test_signing.py"],
    ),
    ("pipeline/french.py", "« deux millions euros »", 'unit = "d\'euros"', 'unit = "euros"', ["tests/test_french.py"]),
    ("pipeline/french.py", "« zéro euros »", "if euros in (0, 1):", "if euros == 1:", ["tests/test_french.py"]),
    (
        "pipeline/french.py",
        "counts in figures from ten (« 11 actions sur six chantiers »)",
        "    if n >= 100 or n < 0:",
        "    if n >= 10 or n < 0:",
        ["tests/test_french.py"],
    ),
    (
        "pipeline/typesetting.py",
        "the template's own apostrophes left straight",
        'fixed = fixed.replace("\'", APOSTROPHE)',
        "fixed = fixed",
        ["tests/test_wording.py"],
    ),
    (
        "pipeline/convention/rules.py",
        "another year's pieces block a final dossier",
        "        if why is None:\n",
        "        if True:\n",
        ["tests/test_cycle.py"],
    ),
    (
        "pipeline/proofread.py",
        "a signature line on another date accepted",
        "            if said != own:",
        "            if False:",
        ["tests/test_proofread.py"],
    ),
    (
        "pipeline/french.py",
        "no narrow space before ; ! ?",
        "lambda m: NNBSP + m.group(1)",
        "lambda m: ' ' + m.group(1)",
        ["tests/test_french.py"],
    ),
    (
        "pipeline/french.py",
        "« 1 janvier »",
        'day = "1er" if value.day == 1 else str(value.day)',
        "day = str(value.day)",
        ["tests/test_french.py"],
    ),
    (
        "pipeline/french.py",
        "thousands with a breakable space",
        'return f"{sign}{NNBSP.join(groups)},{cents}{NBSP}€"',
        "return f\"{sign}{' '.join(groups)},{cents}{NBSP}€\"",
        ["tests/test_french.py"],
    ),
    # the environment and docxtpl's render() each turn escaping on (render() sets it on the
    # environment it is given): off in one place alone is no bug, off in both is
    (
        "pipeline/render.py",
        "no autoescape: « & » dropped",
        (
            "env = _CompilingOnce(undefined=jinja2.StrictUndefined, autoescape=True,",
            "tpl.render(ctx, _render_env(), autoescape=True)",
        ),
        (
            "env = _CompilingOnce(undefined=jinja2.StrictUndefined, autoescape=False,",
            "tpl.render(ctx, _render_env(), autoescape=False)",
        ),
        ["tests/test_robustness.py"],
    ),
    (
        "pipeline/render.py",
        "an unknown variable prints blank",
        "env = _CompilingOnce(undefined=jinja2.StrictUndefined,",
        "env = _CompilingOnce(undefined=jinja2.Undefined,",
        ["tests/test_templates.py"],
    ),
    (
        "pipeline/render.py",
        "no French spacing on inserted values",
        "        return typo(value)\n",
        "        return value\n",
        ["tests/test_build.py"],
    ),
    (
        "pipeline/render.py",
        "table grids not fitted after column loops",
        '    for tbl in document.element.body.iter(qn("w:tbl")):',
        "    for tbl in []:",
        ["tests/test_robustness.py", "tests/test_layout.py"],
    ),
    # the yearly cycle's edges (issue 22)
    (
        "pipeline/convention/rules.py",
        "bilan ≤ COPIL ≤ call with a day's tolerance",
        "        if d2 < d1:\n",
        "        if d2 < d1 - dt.timedelta(days=1):\n",
        ["tests/test_cycle.py"],
    ),
    (
        "pipeline/convention/rules.py",
        "a payment's receipt compared with the COPIL, not the call",
        "fin.date_reception < data.appel.date:",
        "fin.date_reception < data.copil.date:",
        ["tests/test_cycle.py"],
    ),
    (
        "pipeline/convention/context.py",
        "a payment received on the bilan's own day shown pending",
        "fin.date_reception <= until",
        "fin.date_reception < until",
        ["tests/test_cycle.py"],
    ),
    (
        "pipeline/convention/rules.py",
        "a bilan dated 31 December of its own year accepted",
        "if data.bilan.date <= dt.date(year, 12, 31):",
        "if data.bilan.date < dt.date(year, 12, 31):",
        ["tests/test_cycle.py"],
    ),
    (
        "pipeline/convention/rules.py",
        "the COPIL's date not checked for weekends and holidays",
        '    found.append(("copil.date", data.copil.date))\n',
        "",
        ["tests/test_cycle.py"],
    ),
    (
        "pipeline/convention/context.py",
        "the final bilan's total leaves out the first year",
        "actions_total=sum(len(v.actions) for v in views),",
        "actions_total=sum(len(v.actions) for v in views[1:]),",
        ["tests/test_cycle.py"],
    ),
    (
        "pipeline/french.py",
        "cents rounded down, not half up",
        "quantize(_CENT, rounding=ROUND_HALF_UP)",
        'quantize(_CENT, rounding="ROUND_DOWN")',
        ["tests/test_cycle.py", "tests/test_french.py"],
    ),
    # several conventions (issue 22)
    (
        "pipeline/places.py",
        "a convention's own template no longer replaces the shared one",
        "if own.is_file() or name in OWN_ONLY:",
        "if name in OWN_ONLY:",
        ["tests/test_several_conventions.py"],
    ),
    (
        "pipeline/cli.py",
        "build --all builds every convention from the first one's data",
        "requests = [BuildRequest(convention, ctx.templates",
        "requests = [BuildRequest(conventions[0], ctx.templates",
        ["tests/test_several_conventions.py"],
    ),
    (
        "pipeline/lanes.py",
        "a lane's failure lost: the last exit code wins",
        "code = code or proc.returncode",
        "code = proc.returncode",
        ["tests/test_several_conventions.py"],
    ),
    (
        "pipeline/cli.py",
        "each lane builds a single convention",
        "conventions = conventions[index::count]",
        "conventions = conventions[index:index + 1]",
        ["tests/test_several_conventions.py"],
    ),
    (
        "pipeline/convention/documents.py",
        "the last member with signe_pour signs the minutes, not the first",
        "member = next((m for m in data.convention.copil.membres if m.signe_pour == who), None)",
        "member = ([None] + [m for m in data.convention.copil.membres if m.signe_pour == who])[-1]",
        ["tests/test_several_conventions.py"],
    ),
    # staleness and renewal (issue 22)
    (
        "pipeline/manifest.py",
        "a changed actions sheet (xlsx, ods, csv) triggers no rebuild",
        'files += sorted(p for p in folder.rglob("*") if p.is_file())',
        'files += sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("actions."))',
        ["tests/test_staleness.py"],
    ),
    (
        "pipeline/manifest.py",
        "a replaced piece of year N-1 triggers no rebuild of dossier N",
        "cycle.years_read(year, period, with_next=True) if period else [year]",
        "[year]",
        ["tests/test_staleness.py"],
    ),
    (
        "pipeline/manifest.py",
        "a changed year.yaml of year N+1 (the meetings compared) triggers no rebuild of dossier N",
        'elif (folder / "year.yaml").is_file():',
        "elif False:",
        ["tests/test_staleness.py"],
    ),
    (
        "pipeline/manifest.py",
        "a --final build after a draft is taken as up to date (the key)",
        'f"{__version__}|{year}|final={final}"',
        'f"{__version__}|{year}"',
        ["tests/test_staleness.py"],
    ),
    (
        "pipeline/build.py",
        "a --final build after a draft is taken as up to date (the decision)",
        "request.templates, final=request.final) for y in years}",
        "request.templates, final=False) for y in years}",
        ["tests/test_staleness.py"],
    ),
    (
        "pipeline/convention/scaffold.py",
        "a renewal keeps the previous convention's signature date",
        '[_child(terms, "date_signature"), _child(deliberation',
        "[_child(deliberation",
        ["tests/test_conventions.py::test_the_renewal_starts_from_the_previous_convention"],
    ),
    # the build's own LibreOffice, and Ctrl-C (issue 22)
    (
        "pipeline/office/libreoffice.py",
        "a build's LibreOffice left running once the build stops",
        '        """Ask LibreOffice to quit; kill its whole process group if it does not."""\n        if self.proc is not None:',
        '        """Ask LibreOffice to quit; kill its whole process group if it does not."""\n        if False:',
        [
            "tests/test_errors.py::test_one_document_failing_is_named",
            "tests/test_errors.py::test_interrupted_build_leaves_outputs_and_no_process",
        ],
    ),
    (
        "pipeline/build.py",
        "a failing build leaves LibreOffice running while its working folders are removed",
        "        stack.enter_context(office.stopped_on_failure())\n",
        "",
        ["tests/test_runtime.py::test_a_failing_build_stops_libreoffice_before_its_working_folders_are_removed"],
    ),
    (
        "pipeline/cli.py",
        "a parent that ignores Ctrl-C makes the build deaf to it",
        "    signal.signal(signal.SIGINT, signal.default_int_handler)\n",
        "",
        ["tests/test_errors.py::test_interrupted_build_leaves_outputs_and_no_process"],
    ),
    # verify on a file changed after signing (issue 22)
    (
        "pipeline/cli.py",
        "verify says every signature covers the whole file",
        "if signature.coverage_level is Coverage.ENTIRE_FILE or level",
        "if True or level",
        ["tests/test_verify_changes.py"],
    ),
    (
        "pipeline/pdf/originals.py",
        "a page changed after signing taken as harmless",
        "return level is None or level <= ModificationLevel.FORM_FILLING",
        "return level is None or level <= ModificationLevel.OTHER",
        ["tests/test_verify_changes.py"],
    ),
    (
        "pipeline/pdf/originals.py",
        "a second signature taken as a change after the first",
        "return level is None or level <= ModificationLevel.FORM_FILLING",
        "return level is None or level < ModificationLevel.FORM_FILLING",
        ["tests/test_verify_changes.py"],
    ),
    (
        "pipeline/pdf/originals.py",
        "a change after signing blamed on the certificate",
        "    if not harmless(status.modification_level):\n        # what was signed",
        "    if False:\n        # what was signed",
        ["tests/test_verify_changes.py"],
    ),
    (
        "pipeline/cli.py",
        "a change after signing said to be another signature",
        """else "non (d'autres signatures ont suivi)"\n        if level is Level.FORM_FILLING""",
        """else "non (d'autres signatures ont suivi)"\n        if True""",
        ["tests/test_verify_changes.py"],
    ),
    (
        "pipeline/publish.py",
        "recovery deletes the working folders of a build still running",
        "            if free:\n                shutil.rmtree(leftover",
        "            if True:\n                shutil.rmtree(leftover",
        ["tests/test_recover.py"],
    ),
    (
        "pipeline/publish.py",
        "recovery undoes a publish in progress",
        "            if not free:\n                continue\n",
        "",
        ["tests/test_recover.py"],
    ),
    (
        "pipeline/pdf/marks.py",
        "the two parties' field labels swapped",
        "FieldPlace(name, labels.get(name, name), first_page",
        'FieldPlace(name, labels.get(name.replace("metropole", "%").replace("association", "metropole")'
        '.replace("%", "association"), name), first_page',
        ["tests/test_signing.py::test_fields_sit_on_every_signature_block"],
    ),
    # the survivors of issue 31's audit: the signed originals and their windows
    (
        "pipeline/convention/signed.py",
        "a signature on the last allowed day refused",
        "if latest is not None and day > latest:",
        "if latest is not None and day >= latest:",
        ["tests/test_signing_windows.py"],
    ),
    (
        "pipeline/convention/signed.py",
        "a signature on the first allowed day refused",
        "if earliest is not None and day < earliest:",
        "if earliest is not None and day <= earliest:",
        ["tests/test_signing_windows.py"],
    ),
    (
        "pipeline/convention/signed.py",
        "the letter's own signature date never checked",
        "if planned.spec.letter and day != planned.date:",
        "if False:",
        ["tests/test_signing_windows.py"],
    ),
    (
        "pipeline/convention/documents.py",
        "the convention's window ends at this year's call, not the first",
        "            terms.deliberation.date,\n            data.first_call,\n",
        "            terms.deliberation.date,\n            year.appel.date if year.appel else data.first_call,\n",
        ["tests/test_signing_windows.py"],
    ),
    (
        "pipeline/convention/documents.py",
        "a bilan may be signed after the committee that examines it",
        'return planned.date, year.copil.date, f"le {sigle}',
        'return planned.date, year.appel.date if year.appel else None, f"le {sigle}',
        ["tests/test_signing_windows.py"],
    ),
    (
        "pipeline/originals_status.py",
        "an unsigned PDF in signes/ enclosed as « original signé »",
        (
            "return self.signed and all(s.intact for s in self.signatures)",
            "unsigned = original is not None and original.reader is not None and not original.signed",
        ),
        ("return self.reader is not None and all(s.intact for s in self.signatures)", "unsigned = False"),
        ["tests/test_returned_originals.py", "tests/test_returned_dossier.py"],
    ),
    (
        "pipeline/dossier.py",
        "a tampered original still enclosed and attached in a draft",
        "return job.originals[key] if state is not None and state.enclosure.enclosed else None",
        "return job.originals[key] if state is not None and state.received else None",
        ["tests/test_returned_dossier.py"],
    ),
    (
        "pipeline/convention/signed.py",
        "a tampered original still enclosed (its state)",
        "return Enclosure.SIGNED if intact else Enclosure.DAMAGED",
        "return Enclosure.SIGNED",
        ["tests/test_returned_dossier.py"],
    ),
    (
        "pipeline/pdf/originals.py",
        "a signed original missing its last lines or pages reads as today's",
        "    if len(signed) != len(fresh):\n",
        "    if False:\n",
        ["tests/test_returned_originals.py", "tests/test_returned_dossier.py"],
    ),
    (
        "pipeline/pdf/signing.py",
        "verify says every embedded original matches today's data",
        'return "" if difference is None else f"',
        'return "" if True else f"',
        ["tests/test_returned_originals.py"],
    ),
    (
        "pipeline/checks.py",
        "check stops comparing a signed original's text with the published document",
        "rendered=originals_status.published(out / str(year) if today and out is not None else None)",
        "rendered=originals_status.published(None)",
        ["tests/test_returned_dossier.py"],
    ),
    (
        "pipeline/status.py",
        "status stops comparing a signed original's text with the published document",
        "states = originals_status.of_year(data, plan, rendered=originals_status.published(built))",
        "states = originals_status.of_year(data, plan)",
        ["tests/test_returned_dossier.py"],
    ),
    (
        "pipeline/convention/signed.py",
        "the copy's banner dated by the first party's signature",
        'return text, (f"COPIE – convention signée le {date_fr(days[-1])}"',
        'return text, (f"COPIE – convention signée le {date_fr(days[0])}"',
        ["tests/test_returned_originals.py", "tests/test_returned_dossier.py"],
    ),
    (
        "pipeline/convention/signed.py",
        "a damaged original's margin says « non signé à ce jour »",
        'Enclosure.DAMAGED: "Document à signer séparément par {who} – l\'original reçu est abîmé ou modifié : non joint",',
        'Enclosure.DAMAGED: "Document à signer séparément par {who} – non signé à ce jour",',
        ["tests/test_returned_dossier.py"],
    ),
    (
        "pipeline/convention/signed.py",
        "a signed working version not named as such",
        'if difference is not None and "PROJET" in difference[0]:',
        "if False:",
        ["tests/test_returned_originals.py"],
    ),
    (
        "pipeline/convention/rules.py",
        "--final refuses « EXEMPLE » only in names, banks and addresses",
        "return bool(EXAMPLE.search(text) or (key in IDENTITY and",
        "return bool((key in IDENTITY) and (EXAMPLE.search(text) or",
        ["tests/test_final_blanks.py"],
    ),
    (
        "pipeline/convention/rules.py",
        "« à compléter » in lower case is not a blank",
        'PLACEHOLDER = re.compile(r"à compléter", re.IGNORECASE)',
        'PLACEHOLDER = re.compile(r"À COMPLÉTER")',
        ["tests/test_final_blanks.py"],
    ),
    (
        "pipeline/convention/rules.py",
        "an account holder named by part of the association's name passes",
        "if _plain(bank.titulaire) != _plain(conv.association.nom):",
        "if _plain(bank.titulaire) not in _plain(conv.association.nom):",
        ["tests/test_final_blanks.py"],
    ),
    (
        "pipeline/convention/documents.py",
        "a bilan of a year still in example data published ready to sign",
        "years = [data.bilan_year] if data.bilan_year is not None else []",
        "years = [data.year]",
        ["tests/test_final_blanks.py"],
    ),
    (
        "pipeline/convention/documents.py",
        "a convention whose signature date is blank published ready to sign",
        '("la date de signature", terms.date_signature),',
        '("la date de signature", terms.date_debut),',
        ["tests/test_final_blanks.py"],
    ),
    (
        "pipeline/convention/rules.py",
        "a meeting held on a Saturday or a holiday gets no notice",
        '    found += [(f"reunions[{i}].date", r.date) for i, r in enumerate(data.reunions, 1)]\n',
        "",
        ["tests/test_final_blanks.py"],
    ),
    (
        "pipeline/convention/rules.py",
        "a Saturday is a working day",
        "if day.weekday() >= 5:",
        "if day.weekday() == 6:",
        ["tests/test_final_blanks.py"],
    ),
    (
        "pipeline/convention/rules.py",
        "a holiday is a working day",
        '    if name:\n        return f"un jour férié',
        '    if False:\n        return f"un jour férié',
        ["tests/test_final_blanks.py"],
    ),
    (
        "pipeline/convention/context.py",
        "the letter lists specimen pieces among what it joins",
        "for p in pieces if p.jointe and not p.specimen]",
        "for p in pieces if p.jointe]",
        ["tests/test_letter_wording.py"],
    ),
    (
        "pipeline/typesetting.py",
        "« n° 22 » may break across lines",
        '_WORD_NUMBER = re.compile(r"(?<![\\w-])(articles?|pages?|n°) (?=\\d)")',
        '_WORD_NUMBER = re.compile(r"(?<![\\w-])(articles?|pages?) (?=\\d)")',
        ["tests/test_letter_wording.py"],
    ),
    (
        "pipeline/proofread.py",
        "check no longer reads the letter's « Marseille, le … » date line",
        ', re.compile(rf"^[^,\\n]{{1,40}}, le {_DAY}$")]',
        "]",
        ["tests/test_letter_wording.py"],
    ),
    (
        "pipeline/render.py",
        "a template tag printing a list or a record reaches the document",
        "if isinstance(value, (dict, list, tuple, set)) or (dataclasses.is_dataclass(value) and not isinstance(value, type)):",
        "if isinstance(value, dict):",
        ["tests/test_letter_wording.py"],
    ),
    (
        "pipeline/publish.py",
        "recovery puts an old folder back over a newer publication (and crashes)",
        "if previous.is_dir() and not target.exists():",
        "if previous.is_dir():",
        ["tests/test_recover_newer.py"],
    ),
    (
        "pipeline/lanes.py",
        "several failing lanes exit with the last failure's code",
        "code = code or proc.returncode",
        "code = proc.returncode or code",
        ["tests/test_lanes.py"],
    ),
    (
        "pipeline/templates.py",
        "the preview skips the build's finishing",
        "finish=finishing(key, planned, data) if planned is not None else None,",
        "finish=None,",
        ["tests/test_preview_finishing.py"],
    ),
    # (end of issue 31's survivors)
    # issue 31's turn: new code mutated (the CRF sent apart, le bureau, two LibreOffice workers, …)
    (
        "pipeline/convention/cycle.py",
        "the CRF N due on 30 June N, not N+1",
        "return dt.date(year + 1, 6, 30)",
        "return dt.date(year, 6, 30)",
        ["tests/test_crf_sending.py", "tests/test_crf.py"],
    ),
    (
        "pipeline/convention/cycle.py",
        "the CRF N due on 1 July N+1",
        "return dt.date(year + 1, 6, 30)",
        "return dt.date(year + 1, 7, 1)",
        ["tests/test_crf_sending.py", "tests/test_crf.py"],
    ),
    (
        "pipeline/convention/model.py",
        "a sending of a year outside the period accepted",
        "    if year not in period:\n        raise InputError(\n",
        "    if False:\n        raise InputError(\n",
        ["tests/test_crf_sending.py"],
    ),
    (
        "pipeline/convention/model.py",
        "a year without its « crf: » block sent anyway",
        "    if f.data is not None and f.data.crf is None:\n",
        "    if False:\n",
        ["tests/test_crf_sending.py"],
    ),
    (
        "pipeline/convention/model.py",
        "a sending's rules skipped",
        "        rules.check_sending(conv, f, conv_file, final=final)\n",
        "        pass\n",
        ["tests/test_crf_sending.py", "tests/test_crf.py"],
    ),
    (
        "pipeline/convention/model.py",
        "a sending's problems listed but not raised",
        "    problems = f.problems.items + conv_file.problems.items\n"
        "    if problems:\n"
        "        raise InputError(sorted(problems, key=_place))\n"
        "    assert f.data is not None  # a year that did not load has its problems raised above\n"
        "    return DossierData(\n",
        "    problems = f.problems.items + conv_file.problems.items\n"
        "    if False:\n"
        "        raise InputError(sorted(problems, key=_place))\n"
        "    assert f.data is not None  # a year that did not load has its problems raised above\n"
        "    return DossierData(\n",
        ["tests/test_crf_sending.py", "tests/test_crf.py"],
    ),
    (
        "pipeline/convention/model.py",
        "a sending built as a dossier (sending=False)",
        "        sending=True,\n    )",
        "        sending=False,\n    )",
        ["tests/test_crf_sending.py"],
    ),
    (
        "pipeline/convention/model.py",
        "a year with « crf: » not a CRF year (crf_years empty)",
        '        if isinstance(raw.get("crf"), dict):\n',
        "        if False:\n",
        ["tests/test_crf_sending.py", "tests/test_crf.py"],
    ),
    (
        "pipeline/convention/rules.py",
        "a sending's convention blanks not checked for a final version",
        "    check_convention(conv, conv_file, {year_file.annee: year_file}, final=final)\n",
        "",
        ["tests/test_crf_sending_rules.py", "tests/test_crf_sending.py", "tests/test_crf.py", "tests/test_final_blanks.py"],
    ),
    (
        "pipeline/convention/rules.py",
        "a sending's year facts (participation received) not checked",
        '    check = _Checker(year_file, final=final, why="son compte rendu financier est envoyé")\n    _year_facts(conv, check)\n',
        '    check = _Checker(year_file, final=final, why="son compte rendu financier est envoyé")\n',
        ["tests/test_crf_sending_rules.py", "tests/test_crf_sending.py", "tests/test_crf.py"],
    ),
    (
        "pipeline/convention/rules.py",
        "a CRF's letter dated before the CRF accepted",
        "    elif block.transmis_le < block.date:",
        "    elif block.transmis_le < block.date - dt.timedelta(days=1):",
        ["tests/test_crf_sending.py", "tests/test_crf.py"],
    ),
    (
        "pipeline/convention/rules.py",
        "a CRF sent after 30 June N+1 accepted",
        "    elif block.transmis_le > cycle.crf_due(n):",
        "    elif block.transmis_le > cycle.crf_due(n + 1):",
        ["tests/test_crf_sending.py", "tests/test_crf.py"],
    ),
    (
        "pipeline/convention/rules.py",
        "a CRF dated before the accounts' approval accepted",
        "    if block.date < block.comptes_approuves_le:",
        "    if block.date < block.comptes_approuves_le - dt.timedelta(days=1):",
        ["tests/test_crf_sending_rules.py", "tests/test_crf_sending.py", "tests/test_crf.py"],
    ),
    (
        "pipeline/convention/documents.py",
        "the sending's letter planned even undated",
        "    if block.transmis_le is not None:\n        found.append(",
        "    if True:\n        found.append(",
        ["tests/test_crf_sending_rules.py", "tests/test_crf_sending.py", "tests/test_crf.py"],
    ),
    (
        "pipeline/convention/documents.py",
        "the sending's CRF named for year N-1",
        'found = [Planned(SPECS["crf"], f"crf-{n}",',
        'found = [Planned(SPECS["crf"], f"crf-{n - 1}",',
        ["tests/test_crf_sending.py"],
    ),
    (
        "pipeline/convention/documents.py",
        "a sending planned as a dossier",
        "    if data.sending:\n        return sending_plan(data)\n",
        "",
        ["tests/test_crf_sending.py"],
    ),
    (
        "pipeline/convention/documents.py",
        "the sent CRF may be signed after its letter",
        "        return planned.date, sent, f\"la lettre d'envoi du",
        "        return planned.date, None, f\"la lettre d'envoi du",
        ["tests/test_crf_sending.py", "tests/test_signing_windows.py"],
    ),
    (
        "pipeline/convention/documents.py",
        "a letter signed on any day from its date",
        '        return planned.date, planned.date, "la date de la lettre"',
        '        return planned.date, None, "la date de la lettre"',
        ["tests/test_crf_sending.py", "tests/test_signing_windows.py"],
    ),
    (
        "pipeline/status.py",
        "status says the CRF sent once the CRF alone is signed",
        "len(plan) == 2 and all(states[d.key].received",
        "len(plan) == 2 and any(states[d.key].received",
        ["tests/test_crf_sending.py", "tests/test_cycle.py"],
    ),
    (
        "pipeline/status.py",
        "status says a sending up to date whatever its data",
        'final=bool(published.get("final"))\n    ).differs_from(built):',
        'final=bool(published.get("final"))\n    ).differs_from(built) and False:',
        ["tests/test_crf_sending_rules.py", "tests/test_crf_sending.py", "tests/test_cycle.py"],
    ),
    (
        "pipeline/status.py",
        "status forgets the CRF sending of a dossier year",
        "        lines += _crf_sending(data, out, templates",
        "        lines += [] and _crf_sending(data, out, templates",
        ["tests/test_crf_sending.py", "tests/test_cycle.py"],
    ),
    (
        "pipeline/status.py",
        "the calendar: a step due today marked late",
        "mark = DONE if step.done else LATE if step.day < today else",
        "mark = DONE if step.done else LATE if step.day <= today else",
        ["tests/test_bureau_pieces.py", "tests/test_cycle.py"],
    ),
    (
        "pipeline/status.py",
        "the calendar: a step done in one dossier and not the other shown not done",
        "            if seen is None or (step.done and not seen.done):",
        "            if seen is None:",
        ["tests/test_calendar.py", "tests/test_bureau_pieces.py", "tests/test_cycle.py"],
    ),
    (
        "pipeline/status.py",
        "what is due next: a late step",
        "return next((d for d in dated if d.mark in (TODAY, COMING)), None)",
        "return next((d for d in dated if d.mark != DONE), None)",
        ["tests/test_bureau_pieces.py", "tests/test_cycle.py"],
    ),
    (
        "pipeline/status.py",
        "the calendar: a document received unsigned counted as done",
        "done = states[d.key].received and states[d.key].unreadable is None and bool(states[d.key].signatures)",
        "done = states[d.key].received and states[d.key].unreadable is None",
        ["tests/test_calendar.py", "tests/test_bureau_pieces.py", "tests/test_cycle.py", "tests/test_returned_originals.py"],
    ),
    (
        "pipeline/status.py",
        "the calendar: the CRF's due date done before it is sent",
        '                sent.startswith("envoyé"),\n                sent,\n',
        "                bool(sent),\n                sent,\n",
        ["tests/test_calendar.py", "tests/test_bureau_pieces.py", "tests/test_cycle.py", "tests/test_crf_sending.py"],
    ),
    (
        "pipeline/originals_status.py",
        "an unsigned PDF in signes/ counted as received",
        "received=original is not None and not unsigned,",
        "received=original is not None,",
        ["tests/test_returned_originals.py", "tests/test_original_status.py"],
    ),
    (
        "pipeline/bureau/pieces.py",
        "a piece's kind taken from its name, a .pdf of anything taken as PDF",
        '    if content.startswith(rules.PDF_MAGIC):\n        return ".pdf"',
        '    if True:\n        return ".pdf"',
        ["tests/test_bureau_pieces.py"],
    ),
    (
        "pipeline/bureau/pieces.py",
        "any zip taken for a Word document",
        '                if "word/document.xml" in names:',
        "                if True:",
        ["tests/test_bureau_pieces.py"],
    ),
    (
        "pipeline/bureau/pieces.py",
        "a piece dropped without the year's build lock",
        "    with publish.locks(out, [year]):\n        found = _year_file",
        "    with publish.locks(out, []):\n        found = _year_file",
        ["tests/test_bureau_pieces.py"],
    ),
    (
        "pipeline/bureau/pieces.py",
        "a piece the rules refuse stored anyway",
        '    if said:\n        raise InputError(f"la pièce « {slot.label} »',
        '    if False:\n        raise InputError(f"la pièce « {slot.label} »',
        ["tests/test_bureau_pieces.py"],
    ),
    (
        "pipeline/bureau/pieces.py",
        "the replaced piece not kept in precedents/",
        "            if target.is_file():\n                kept = deposit.keep_previous(target, folder / KEPT)\n",
        "",
        ["tests/test_bureau_replacing.py", "tests/test_bureau_pieces.py"],
    ),
    (
        "pipeline/bureau/pieces.py",
        "a real piece dropped over a specimen keeps « specimen: true »",
        "lines[number - 1] = f\"{match['lead']}specimen:{match['gap'] or ' '}false{match['rest']}{end}\"",
        "pass",
        ["tests/test_bureau_pieces.py"],
    ),
    (
        "pipeline/bureau/pieces.py",
        "a piece made by the chain (the bilan) takes a dropped file",
        "    if slot.made_by:\n        raise InputError(",
        "    if False:\n        raise InputError(",
        ["tests/test_bureau_pieces.py"],
    ),
    (
        "pipeline/bureau/pieces.py",
        "a piece's file named after the browser's name, not the year's",
        'stem = Path(match.group(1)).stem if match else slot.code.replace("_", "-")',
        'stem = slot.code.replace("_", "-")',
        ["tests/test_piece_names.py", "tests/test_bureau_pieces.py"],
    ),
    (
        "pipeline/bureau/modeles.py",
        "a faulty template stored anyway",
        "    if verdict.problems:\n        return verdict\n",
        "",
        ["tests/test_bureau_pieces.py"],
    ),
    (
        "pipeline/bureau/modeles.py",
        "a template that is no Word document judged anyway",
        'if pieces.recognised(content) != ".docx":',
        "if pieces.recognised(content) is None:",
        ["tests/test_bureau_replacing.py", "tests/test_bureau_pieces.py"],
    ),
    (
        "pipeline/bureau/modeles.py",
        "the replaced own template not kept",
        "            verdict.kept = deposit.keep_previous(target, own / KEPT)",
        "            pass",
        ["tests/test_bureau_pieces.py"],
    ),
    (
        "pipeline/bureau/apercu.py",
        "the preview never rendered again after a change",
        "if known is not None and known.version == now and",
        "if known is not None and",
        ["tests/test_bureau_replacing.py", "tests/test_bureau_pieces.py"],
    ),
    (
        "pipeline/bureau/apercu.py",
        "the preview's fingerprint blind to a file's size and time",
        'digest.update(f"{path}\\0{stat.st_size}\\0{stat.st_mtime_ns}\\n".encode())',
        'digest.update(f"{path}\\n".encode())',
        ["tests/test_bureau_replacing.py", "tests/test_bureau_pieces.py"],
    ),
    (
        "pipeline/preview.py",
        "the preview of a sending's letter looked for in the dossier only",
        "    data = model.load_sending(conv_dir, year)  # says what the year lacks to have its CRF\n",
        "    data = model.load(conv_dir, year)\n",
        ["tests/test_crf_sending.py", "tests/test_preview_finishing.py", "tests/test_preview.py"],
    ),
    (
        "pipeline/preview.py",
        "an undated sending letter's preview crashes",
        "    if planned is None:  # the letter, while the data does not say when it leaves\n",
        "    if False:\n",
        ["tests/test_crf_sending.py", "tests/test_preview_finishing.py", "tests/test_preview.py"],
    ),
    (
        "pipeline/office/libreoffice.py",
        "one LibreOffice worker where there are two cores",
        "return 2 if (os.cpu_count() or 1) >= 2 else 1",
        "return 1",
        ["tests/test_office_pool.py", "tests/test_runtime.py", "tests/test_build.py"],
    ),
    (
        "pipeline/office/libreoffice.py",
        "the pool sends every document to its first worker",
        "        min(live, key=lambda s: len(s.pending)).send(doc, pdf)",
        "        live[0].send(doc, pdf)",
        ["tests/test_office_pool.py", "tests/test_runtime.py", "tests/test_build.py"],
    ),
    (
        "pipeline/office/libreoffice.py",
        "the pool's close stops only the first worker",
        '        """Stop every worker."""\n        for session in self.sessions:',
        '        """Stop every worker."""\n        for session in self.sessions[:1]:',
        ["tests/test_office_pool.py", "tests/test_runtime.py", "tests/test_build.py"],
    ),
    (
        "pipeline/office/libreoffice.py",
        "a second worker shares the first's profile",
        'profile.with_name(f"{profile.name}-{i + 1}")',
        "profile",
        ["tests/test_office_pool.py", "tests/test_runtime.py", "tests/test_build.py"],
    ),
    (
        "pipeline/cli.py",
        "make crf builds the dossier, not the sending",
        "        for path in recipe.build_years([year], request, runtime, sending=True):",
        "        for path in recipe.build_years([year], request, runtime):",
        ["tests/test_crf_command.py", "tests/test_crf_sending.py", "tests/test_crf.py"],
    ),
    (
        "pipeline/checks.py",
        "check tries no trial sending when no year has its CRF",
        "    tried += [crf_trial] if crf_trial is not None else []\n",
        "",
        ["tests/test_crf_trial.py", "tests/test_crf.py", "tests/test_template_engine.py", "tests/test_crf_sending.py"],
    ),
    (
        "pipeline/checks.py",
        "check never loads the years' own sendings",
        "    for year in model.crf_years(convention_dir) if len(loaded) == len(years) else []:",
        "    for year in []:",
        ["tests/test_crf_trial.py", "tests/test_crf.py", "tests/test_crf_sending.py", "tests/test_template_engine.py"],
    ),
    (
        "pipeline/convention/trial.py",
        "the trial sending's letter dated before its CRF",
        "transmis_le=approved + dt.timedelta(days=8)",
        "transmis_le=approved + dt.timedelta(days=2)",
        ["tests/test_crf_trial.py", "tests/test_crf.py", "tests/test_template_engine.py", "tests/test_crf_sending.py"],
    ),
    (
        "tools/check_commits.py",
        "a 73-character subject accepted",
        "    if len(subject) > SUBJECT_MAX:",
        "    if len(subject) > SUBJECT_MAX + 1:",
        ["tests/test_commit_messages.py", "tests/test_commit_rules.py"],
    ),
    (
        "tools/check_commits.py",
        "a body glued to its subject accepted",
        "    if rest and rest[0].strip():",
        "    if False:",
        ["tests/test_commit_messages.py", "tests/test_commit_rules.py"],
    ),
    (
        "tools/check_commits.py",
        "a big change without a body accepted",
        "        if changed > BODY_AFTER_LINES:",
        "        if False:",
        ["tests/test_commit_messages.py", "tests/test_commit_rules.py"],
    ),
    (
        "tools/check_commits.py",
        "a merge commit asked for a body",
        "    if len(parents) == 1 and not any(",
        "    if len(parents) >= 1 and not any(",
        ["tests/test_commit_messages.py", "tests/test_commit_rules.py"],
    ),
    (
        "Makefile",
        "make dossier FINAL=1 builds a draft",
        "\t$(RUN) build $(YEAR) $(FINAL_FLAG)",
        "\t$(RUN) build $(YEAR)",
        ["tests/test_makefile.py"],
    ),
    (
        "Makefile",
        "make dossier FINAL=0 builds the final version",
        "FINAL_FLAG = $(if $(filter-out 0 non no,$(FINAL)),--final)",
        "FINAL_FLAG = $(if $(FINAL),--final)",
        ["tests/test_makefile.py"],
    ),
    # session of 2026-12-06 (evening): peek through the model's reader
    (
        "pipeline/yamlsource.py",
        "peek's loader built apart again: a key written twice kept silently",
        "    loader: Any = loader_over(base)\n    loader.__name__",
        '    loader: Any = type(f"Plain{base.__name__}", (base,), {"yaml_constructors": dict(base.yaml_constructors)})\n'
        "    loader.__name__",
        ["tests/test_cycle_rules.py"],
    ),
    (
        "pipeline/convention/cycle.py",
        "peek reads with the data loader: dates stay text",
        "loader=PlainLoader)",
        "loader=None)",
        ["tests/test_cycle_rules.py"],
    ),
    (
        "pipeline/convention/cycle.py",
        "peek returns a refused file's values",
        "        return None  # « 2023-13-45 »",
        "        return {}  # « 2023-13-45 »",
        ["tests/test_cycle_rules.py"],
    ),
    # the caches of the fast suite's branch: each keeps what the plain way gives
    (
        "pipeline/yamlsource.py",
        "a data file's reading kept for its text whatever the loader (peek gets text dates)",
        "    key = (loader, text)\n",
        "    key = text  # type: ignore[assignment]\n",
        ["tests/test_cycle_rules.py", "tests/test_plain_ways.py"],
    ),
    (
        "pipeline/yamlsource.py",
        "every caller gets the same kept object: one caller's change reaches the next",
        ("    pickled = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)\n", "        return pickle.loads(kept)\n"),
        ("    pickled = result\n", "        return kept\n"),
        ["tests/test_plain_ways.py"],
    ),
    (
        "pipeline/templates.py",
        "a template's unknown filters no longer found by the kept analysis",
        "    unknown = tuple(sorted({n.name for n in ast.find_all(nodes.Filter)} - set(env.filters)))\n",
        "    unknown: tuple[str, ...] = ()\n",
        ["tests/test_templates.py", "tests/test_template_engine.py", "tests/test_messages.py"],
    ),
    # the cold build's branch: LibreOffice started warm, one for a lone year
    (
        "pipeline/build.py",
        "a lone year starts every LibreOffice worker",
        "    return 1 if len(years) == 1 else None\n",
        "    return None\n",
        ["tests/test_runtime.py"],
    ),
    (
        "pipeline/office/lo_worker.py",
        "the profile never notes LibreOffice's version: render tests at every start",
        "            product.commitChanges()\n",
        "            pass\n",
        ["tests/test_convert.py"],
    ),
    (
        "pipeline/office/lo_worker.py",
        "the warm-up converts even when a document waits",
        "    if select.select([requests], [], [], 0)[0]:\n        return False\n",
        "    if False:\n        return False\n",
        ["tests/test_office_pool.py"],
    ),
    (
        "pipeline/pdf/assemble.py",
        "the dossier's XMP escapes nothing (« & » in a title breaks it)",
        "    return _escape(text, quote=False)\n",
        "    return text\n",
        ["tests/test_assemble.py"],
    ),
    (
        "pipeline/office/libreoffice.py",
        "a new profile not given the version: render tests at its first start",
        "        seed_profile(Path(profile), soffice)\n",
        "        pass\n",
        ["tests/test_convert.py"],
    ),
    (
        "pipeline/office/libreoffice.py",
        "a profile's own settings replaced by the version alone",
        "    if version is None or settings_file.exists():\n",
        "    if version is None:\n",
        ["tests/test_convert.py"],
    ),
    (
        "pipeline/office/libreoffice.py",
        "a profile that cannot be written stops the build",
        "    except OSError:  # a broken profile",
        "    except ValueError:  # a broken profile",
        ["tests/test_build.py"],
    ),
    (
        "pipeline/office/lo_worker.py",
        "a killed build's LibreOffice goes on converting its documents",
        (
            "                if os.getppid() != pipeline:  # the pipeline killed",
            "                    if os.getppid() != pipeline:\n",
        ),
        ("                if False:  # the pipeline killed", "                    if False:\n"),
        ["tests/test_convert.py", "tests/test_errors.py"],
    ),
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
                result = subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "pytest",
                        "-x",
                        "-q",
                        "-p",
                        "no:cacheprovider",
                        f"--basetemp={Path(tmp) / 'pytest'}",
                        *guards,
                    ],
                    cwd=copy,
                    capture_output=True,
                    text=True,
                    timeout=900,
                )
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
        print(
            f"score : {killed}/{tried} mutants tués ({len(MUTANTS) - tried} sans objet dans cette version"
            f"{' ou hors de --only' if only else ''})"
        )
        return 0 if killed == tried else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--at", help="le projet tel qu'il était à ce commit (avant/après)")
    parser.add_argument("--only", help="seulement les mutants dont le module ou la description contient ce texte")
    args = parser.parse_args()
    sys.exit(run(args.at, args.only))
