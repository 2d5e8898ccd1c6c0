"""``status``: where each year's signatures stand, as the chargée de mission checks it before
sending — for each document, who must sign it, who signed and when, and what is missing.

It reads the data, the signed originals in ``signes/`` and the published documents; it builds
nothing. The signed text is compared with the documents published by the last build, which
``status`` says to redo when the data changed since.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import manifest, originals_status, places, publish
from pipeline.convention import crf, cycle, documents, model, signed
from pipeline.errors import PipelineError
from pipeline.french import date_fr
from pipeline.pdf import originals

# a year's CRF sending as ``status`` reads it once: its data, its documents, their signed
# originals' states, and whether both came back signed; or why it cannot be loaded
Sending = tuple[model.DossierData, list[documents.Planned], dict[str, signed.OriginalStatus], bool]
Sendings = dict[int, Sending | PipelineError]


@dataclass
class Line:
    """One document of one dossier: what it is, its state, and what is wrong with it."""

    title: str
    state: str
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Step:
    """One dated step of the cycle (le bureau's timeline): a document on its date, signed or not
    yet; a compte rendu financier's due date; the participation received."""

    day: dt.date
    what: str
    year: int  # the dossier that speaks of it
    done: bool
    state: str = ""  # status's own words for it, when it has a line


@dataclass
class YearStatus:
    year: int
    heading: str
    lines: list[Line]
    stale: list[str]  # why the published documents are not those of today's data (empty: they are)
    steps: list[Step] = field(default_factory=list)  # the dossier's dated steps (``calendar``)


def status(convention: Path, templates: Path, outputs: Path, years: list[int] | None = None) -> list[YearStatus]:
    """Every dossier year of ``convention`` (or those given), in order."""
    out = places.outputs_for(outputs, convention)
    publish.recover(out)  # a build killed between its two renames: its previous dossier put back first
    report = []
    sendings: Sendings = {}  # each year's CRF sending, loaded once (_sending)
    for year in years or model.dossier_years(convention):
        data = model.load(convention, year)
        built = out / str(year)
        if not built.exists() and publish.in_progress(out, year):
            stale = ["publication en cours : une construction remplace ce dossier — relancez dans un instant"]
        else:  # against the published build, draft or final, its inputs hashed once
            published = manifest.published(built) or {}
            stale = publish.taken(out, convention, year, templates, final=bool(published.get("final"))).differs_from(built)
        lines = []
        plan = documents.plan(data)
        states = originals_status.of_year(data, plan, rendered=originals_status.published(built))
        for d in plan:
            if d.key in states:
                lines.append(_signed_apart(states[d.key], data, built))
            elif d.spec.signed_in_dossier:
                lines.append(_in_dossier(d, data, convention, year, built))
        lines += _crf_owed(data, out, templates, sendings)
        lines += _crf_sending(data, out, templates, sendings)
        steps = _steps(data, plan, states, lines, convention)
        annee = data.year
        heading = (
            f"Dossier {year} – appel du {date_fr(annee.appel.date)}"
            if annee.appel
            else f"Dossier de clôture {year} – lettre de transmission du {date_fr(annee.transmission.date)}"
            if annee.transmission
            else f"Dossier de clôture {year} – comité du {date_fr(annee.copil.date)}"
        )
        report.append(YearStatus(year, heading, lines, stale, steps))
    return report


def _crf_owed(data: model.DossierData, out: Path, templates: Path, sendings: Sendings) -> list[Line]:
    """The comptes rendus financiers the dossier does not enclose: one missing (due before its
    letter), one still to come (due after it), each with its due date — or, once its own sending
    went (signed, with its letter), when it was sent, read as that sending's status line reads it."""
    lines = []
    for owed in crf.owed(data):
        title = f"Le compte rendu financier de la participation {owed.annee}"
        sent = _sent_on(data.convention_dir, owed.annee, out, sendings) if owed.state == "a_venir" else None
        if sent is not None:
            lines.append(
                Line(
                    title,
                    f"envoyé le {date_fr(sent)} avec sa lettre d'envoi, après ce dossier qui "
                    f"l'annonçait (dû au plus tard le {date_fr(owed.due)})",
                )
            )
        elif owed.state == "manquant":
            lines.append(
                Line(
                    title,
                    f"NON JOINT – dû au plus tard le {date_fr(owed.due)}, avant la lettre de ce dossier",
                    [
                        f"ajoutez « crf: » (date, lieu, comptes_approuves_le) à {owed.annee}"
                        f"/year.yaml et ses chiffres dans {owed.annee}/compte-rendu-"
                        "financier.xlsx, ou le bordereau le dit manquant"
                    ],
                )
            )
        elif owed.state == "a_venir":
            lines.append(
                Line(
                    title,
                    f"à venir – dû au plus tard le {date_fr(owed.due)}, après l'approbation des "
                    f"comptes {owed.annee} ; annoncé par ce dossier",
                )
            )
    return lines


def _crf_sending(data: model.DossierData, out: Path, templates: Path, sendings: Sendings) -> list[Line]:
    """The dossier year's own compte rendu financier, sent apart by 30 June of the next year
    (``make crf``): still to draw up, to sign, signed, or sent — each with its date; then the
    dossier that will enclose its signed original, if any."""
    period, n = data.convention.convention.annees, data.year.annee
    if n not in period:
        return []
    due = date_fr(cycle.crf_due(n))
    title = _sending_title(n)
    later = cycle.crf_enclosed_by(n, period)
    then = (
        f" ; son original signé sera joint au dossier {later}"
        if later is not None
        else " ; dernière année : aucun dossier ne le joindra, seul cet envoi le transmet"
    )
    if data.year.crf is None:
        return [
            Line(
                title,
                f"à établir – dû au plus tard le {due}, une fois les comptes {n} approuvés : ajoutez « crf: » "
                f"(date, lieu, comptes_approuves_le, transmis_le) à {n}/year.yaml et ses chiffres dans "
                f"{n}/compte-rendu-financier.xlsx, puis make crf YEAR={n}{then}",
            )
        ]
    try:
        sending, plan, states, signed_all = _sending(data.convention_dir, n, out, sendings)
    except PipelineError as exc:
        return [Line(title, f"données à corriger avant make crf YEAR={n} – dû au plus tard le {due}", str(exc).splitlines())]
    built = places.crf_outputs(out) / str(n)
    lines = [_signed_apart(states[d.key], sending, built) for d in plan]
    block = sending.year.crf
    assert block is not None  # load_sending refuses a year without one
    if block.transmis_le is None:
        state = f"lettre d'envoi à dater : ajoutez crf.transmis_le à {n}/year.yaml – à envoyer au plus tard le {due}"
    elif signed_all:
        state = f"envoyé le {date_fr(block.transmis_le)} avec sa lettre d'envoi, signés tous deux{then}"
    elif states["crf"].received:
        state = (
            f"signé, à envoyer le {date_fr(block.transmis_le)} (au plus tard le {due}) avec sa lettre d'envoi, "
            "à faire signer ce jour-là"
        )
    else:
        state = (
            f"à faire signer (make crf YEAR={n} le prépare), puis à envoyer le {date_fr(block.transmis_le)} "
            f"(au plus tard le {due}) avec sa lettre d'envoi"
        )
    problems = [w for w in sending.warnings if "crf.pieces" in w]  # a piece the letter should enclose and cannot
    published = manifest.published(built) or {}  # draft or final, as it was built
    if built.exists() and publish.taken(
        places.crf_outputs(out), data.convention_dir, n, templates, final=bool(published.get("final"))
    ).differs_from(built):
        problems.append(f"les documents publiés sont antérieurs aux données : make crf YEAR={n} les refait")
    return [Line(title, state, problems), *lines]


def _sending(convention: Path, n: int, out: Path, sendings: Sendings) -> Sending:
    """Year ``n``'s CRF sending: its data, documents, their signed originals' states, and whether
    both came back signed — loaded and examined once per ``status`` (its own line and the dossier
    that announces it read the same), or its loading error again."""
    if n not in sendings:
        try:
            sending = model.load_sending(convention, n)
        except PipelineError as exc:
            sendings[n] = exc
        else:
            plan = documents.plan(sending)
            states = originals_status.of_year(
                sending, plan, rendered=originals_status.published(places.crf_outputs(out) / str(n))
            )
            sendings[n] = (
                sending,
                plan,
                states,
                len(plan) == 2 and all(states[d.key].received and states[d.key].signatures for d in plan),
            )
    found = sendings[n]
    if isinstance(found, PipelineError):
        raise found
    return found


def _sent_on(convention: Path, n: int, out: Path, sendings: Sendings) -> dt.date | None:
    """The day the CRF N left with its letter, both signed (its sending's « envoyé le … »); None
    while it has not, or while its data cannot say."""
    try:
        sending, _plan, _states, signed_all = _sending(convention, n, out, sendings)
    except PipelineError:
        return None
    block = sending.year.crf
    if block is None or block.transmis_le is None:
        return None
    return block.transmis_le if signed_all else None


def _sending_title(year: int) -> str:
    """The status line of a year's own CRF sending (the calendar reads its state)."""
    return f"Le compte rendu financier {year} (envoi à part)"


def _who(d: documents.Planned, data: model.DossierData) -> str:
    return " et ".join(s.title + (f" ({s.name})" if s.name else "") for s in documents.signatories(d, data))


def _signed_apart(state: signed.OriginalStatus, data: model.DossierData, built: Path) -> Line:
    """A document signed on its own: absent from signes/, or signed (by whom, when) and checked."""
    d = state.planned
    if not state.received:
        ready = documents.not_ready_to_sign(d, data)
        todo = f"à faire signer par {_who(d, data)}"
        where = model.display(built / f"{d.stem}.pdf")
        return Line(
            d.title,
            f"NON SIGNÉ – {todo}"
            + (
                f" ; pas encore prêt à signer : {ready}"
                if ready
                else f" ; copiez {where} hors de outputs/, faites-le signer, puis déposez-le sous {state.shown}"
            ),
        )
    if state.unreadable is not None:
        return Line(d.title, "ILLISIBLE", [state.unreadable])
    problems = [f.message for f in state.findings]
    said = ", ".join(f"{s.signer} le {date_fr(s.day)}" if s.day else s.signer for s in state.signatures)
    copy = " (joint en copie)" if state.enclosure.copy else ""
    unverified = [s for s in state.signatures if s.intact and not s.trusted]
    if unverified:  # never « signé » for a certificate no trusted authority issued
        who = ", ".join(f"{s.signer} (certificat émis par « {s.issuer} »)" for s in unverified)
        return Line(d.title, f"signature non vérifiable : {who}{copy}", problems)
    return Line(d.title, f"signatures : {said}{copy}" if state.signatures else "sans signature", problems)


def _in_dossier(d: documents.Planned, data: model.DossierData, convention: Path, year: int, built: Path) -> Line:
    """The letter, signed last inside the dossier, whose signed copy is kept in signes/: signed
    by whom it should be, on its date, and the dossier still the one the last build made."""
    kept = places.signed_original(convention, f"dossier-{year}")
    shown = model.display(kept)
    who = _who(d, data)
    if not kept.is_file():
        return Line(
            d.title,
            f"à signer en dernier, dans le dossier, par {who} ; copiez d'abord le dossier définitif "
            f"sous {shown}, puis signez cette copie",
        )
    try:
        content = kept.read_bytes()
        signatures = originals.read_signatures(content, shown, originals_status.trusted(convention))
    except PipelineError as exc:
        return Line(d.title, "ILLISIBLE", [str(exc)])
    ours = [s for s in signatures if s.field in {w.field for w in documents.signatories(d, data)}] or signatures
    published = built / f"dossier-{year}.pdf"
    difference = originals.compare(content, published) if published.is_file() else None
    problems = [
        f.message
        for f in signed.findings(d, data, shown, ours, difference, compared="n'est plus le dossier de la dernière construction")
    ]
    if not ours:
        return Line(d.title, f"{shown} : non signé – à signer par {who}", problems)
    said = ", ".join(f"{s.signer} le {date_fr(s.day)}" if s.day else s.signer for s in ours)
    return Line(d.title, f"signature dans le dossier : {said}", problems)


def signing_today(pdf: Path, field: str, conventions: list[Path], today: dt.date) -> str | None:
    """What ``status`` will say of a signature made today in ``field`` of ``pdf`` (a document
    signed apart, a compte rendu financier's sending, or a dossier whose letter is signed in it),
    found among ``conventions`` by its file name — or the one whose ``signes/`` holds it. None
    when nothing is wrong with that day, or when the file is none of these conventions' documents (nothing to compare with)."""
    pdf = Path(pdf).resolve()
    if pdf.parent.name == "signes" and (pdf.parent.parent / "convention.yaml").is_file():
        conventions = [pdf.parent.parent]
    for convention in conventions:
        try:
            years = model.dossier_years(convention)
        except PipelineError:
            continue
        for year, load in [(y, model.load) for y in years] + [(y, model.load_sending) for y in model.crf_years(convention)]:
            try:
                data = load(convention, year)
            except PipelineError:
                continue
            for d in documents.plan(data):
                letter = d.spec.signed_in_dossier and pdf.stem == f"dossier-{year}"
                if (letter or (not d.spec.signed_in_dossier and pdf.stem == d.stem)) and any(
                    s.field == field for s in documents.signatories(d, data)
                ):
                    who = next(s for s in documents.signatories(d, data) if s.field == field)
                    problem = signed.out_of_window(d, data, "vous", today, who.who)
                    if problem is None:
                        return None
                    problem = problem.replace(f"signé par vous le {date_fr(today)}", f"signé aujourd'hui, {date_fr(today)}", 1)
                    return f"{pdf.name} ({d.title}) : {problem}"
    return None


# ---------------------------------------------------------------------------------------------- the calendar
# The cycle's dated steps, for le bureau's timeline and its « what is due next »: from the same
# reading as the lines above (the plan, the signed originals' states, the CRF sent apart), never
# computed again by a page.


def _steps(
    data: model.DossierData,
    plan: list[documents.Planned],
    states: dict[str, signed.OriginalStatus],
    lines: list[Line],
    convention: Path,
) -> list[Step]:
    said = {line.title: line.state for line in lines}
    year = data.year.annee
    steps = []
    for d in plan:
        if not d.spec.signers:
            continue  # the bordereau: nobody signs it, it has no step of its own
        if d.key in states:
            done = states[d.key].received and states[d.key].unreadable is None and bool(states[d.key].signatures)
        else:
            done = places.signed_original(convention, f"dossier-{year}").is_file()
        steps.append(Step(d.date, d.own_title, year, done, said.get(d.title, "")))  # the convention: once
    if year in data.convention.convention.annees:  # the year's own CRF, sent apart (``make crf``): done once sent
        sent = said.get(_sending_title(year), "")
        steps.append(
            Step(
                cycle.crf_due(year),
                f"Échéance du compte rendu financier de la participation {year}",
                year,
                sent.startswith("envoyé"),
                sent,
            )
        )
    money = data.year.finances
    if money is not None and money.date_reception is not None:
        steps.append(Step(money.date_reception, f"Participation {year} reçue", year, True))
    return steps


LATE, TODAY, DONE, COMING = "en retard", "aujourd'hui", "fait", "à venir"


@dataclass(frozen=True)
class Dated:
    """A step as of ``today``: its mark (« fait », « en retard », « aujourd'hui », « à venir »)."""

    step: Step
    mark: str


def calendar(reports: list[YearStatus], today: dt.date | None = None) -> list[Dated]:
    """A convention's steps in date order, each once (the convention, or a CRF, appears in more
    than one dossier: done if done in any), marked as of ``today``."""
    today = today or dt.date.today()
    merged: dict[tuple[dt.date, str], Step] = {}
    for report in reports:
        for step in report.steps:
            key = (step.day, step.what)
            seen = merged.get(key)
            if seen is None or (step.done and not seen.done):
                merged[key] = step
    dated = []
    for step in sorted(merged.values(), key=lambda s: (s.day, s.year)):
        mark = DONE if step.done else LATE if step.day < today else TODAY if step.day == today else COMING
        dated.append(Dated(step, mark))
    return dated


def due_next(dated: list[Dated]) -> Dated | None:
    """What is due next: the first step not done from today on (the late ones are said apart)."""
    return next((d for d in dated if d.mark in (TODAY, COMING)), None)
