"""Command line: parse options, call the library, turn its errors into one line and an exit code."""

from __future__ import annotations

import datetime as dt
import gc
import logging
import re
import signal
import sys
import tempfile
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path

import click

from pipeline import __version__, files, lanes, places, settings
from pipeline import build as recipe  # the module (« build » is the command below)
from pipeline.build import BuildRequest, build_conventions, runtime_for
from pipeline.errors import ExitCode, PipelineError

DEFAULT_INPUTS = Path("inputs")


class Interrupted(Exception):
    """SIGTERM, turned into an exception so that temporary files and LibreOffice are cleaned up."""


def _on_sigterm(signum, frame):
    raise Interrupted()


def _err(message: str) -> None:
    click.echo(message, err=True)


@dataclass
class Context:
    """What the group's options tell every command: where the conventions, templates and outputs are."""

    conventions_dir: Path  # the conventions' folder, or one convention's
    convention: str | None  # the one named with --convention
    templates: Path
    outputs: Path
    verbose: bool

    def conventions(self, year: int | None = None) -> list[Path]:
        """The convention a command is about, or every one when none is named and no year chosen."""
        if self.convention or year is not None:
            return [places.choose(self.conventions_dir, self.convention, year, _make_line())]
        found = places.convention_dirs(self.conventions_dir)
        return found or [places.choose(self.conventions_dir, None)]  # none: says so

    def options(self) -> list[str]:
        """The group's options, for a command run again in another process."""
        return [
            "--inputs",
            str(self.conventions_dir),
            "--templates",
            str(self.templates),
            "--outputs",
            str(self.outputs),
            *(["--verbose"] if self.verbose else []),
        ]


pass_context = click.make_pass_decorator(Context)

# the make target staff run for each command, for a hint that names the command they ran
MAKE_TARGETS = {
    "build": "dossier",
    "crf": "crf",
    "status": "statut",
    "apercu": "apercu",
    "new-year": "new-year",
    "check": "check",
}


def _make_line() -> str:
    """« make statut » when staff ran ``status``: the hints repeat their command, completed."""
    current = click.get_current_context(silent=True)
    name = (current.info_name if current is not None else None) or "build"
    line = f"make {MAKE_TARGETS.get(name, 'dossier')}"
    document = current.params.get("document") if current is not None else None
    return f"{line} DOC={document}" if name == "apercu" and document else line


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--inputs",
    "conventions_dir",
    type=click.Path(path_type=Path),
    default=DEFAULT_INPUTS,
    show_default=True,
    help="Dossier des conventions (un sous-dossier par convention), ou le dossier d'une convention.",
)
@click.option(
    "--convention",
    "convention",
    default=None,
    metavar="NOM",
    help="La convention (nom de son dossier sous --inputs) ; inutile quand une seule couvre l'année.",
)
@click.option(
    "--templates",
    type=click.Path(path_type=Path),
    default=Path("templates"),
    show_default=True,
    help="Dossier des modèles Word communs (ceux du dossier templates/ d'une convention passent avant).",
)
@click.option(
    "--outputs",
    type=click.Path(path_type=Path),
    default=Path("outputs"),
    show_default=True,
    help="Dossier où les documents sont publiés.",
)
@click.option("-v", "--verbose", is_flag=True, help="Affiche le détail technique (traceback) des erreurs.")
@click.version_option(__version__, prog_name="pipeline")
@click.pass_context
def main_group(
    ctx: click.Context, conventions_dir: Path, convention: str | None, templates: Path, outputs: Path, verbose: bool
) -> None:
    """Produit les documents annuels et le dossier PDF des conventions de partenariat.

    Chaque convention est un dossier de inputs/ ; ses documents vont dans
    outputs/<convention>/<ANNÉE>/.
    """
    settings.check()
    ctx.obj = Context(
        conventions_dir=conventions_dir, convention=convention, templates=templates, outputs=outputs, verbose=verbose
    )


@main_group.command()
@click.argument("year", type=int, required=False)
@click.option(
    "--all",
    "all_years",
    is_flag=True,
    help="Toutes les années qui ont des données, et le dossier de clôture s'il a les siennes ; "
    "de chaque convention, ou de celle de --convention.",
)
@click.option("--final", is_flag=True, help="Version définitive : règles de la convention et pièces exigées, sans marque PROJET.")
@click.option("--lot", default=None, hidden=True, help="i/n : la part i des conventions (travail en parallèle)")
@pass_context
def build(ctx: Context, year: int | None, all_years: bool, final: bool, lot: str | None) -> None:
    """Construit le dossier de l'année YEAR (ou de toutes avec --all).

    Le dossier de l'année N contient l'appel N, son bordereau, le bilan N-1 et le
    procès-verbal du COPIL de N ; l'année qui suit la convention (ex. 2025 pour 2022-2024)
    donne le dossier de clôture : bilan de la dernière année, bilan final, COPIL de clôture.
    """
    if all_years == (year is not None):
        raise click.UsageError("donnez une année (ex. « build 2023 ») ou --all, pas les deux")
    conventions = ctx.conventions(year)
    if lot:
        index, count = (int(n) for n in lot.split("/"))
        conventions = conventions[index::count]
    elif min(len(conventions), lanes.cores()) > 1:  # several conventions, several cores: a LibreOffice per core
        code = lanes.run(
            ctx.options(),
            min(len(conventions), lanes.cores()),
            ["build", "--all", *(["--final"] if final else [])],
            out=click.echo,
            err=_err,
        )
        if code:
            raise SystemExit(code)
        return
    requests = [BuildRequest(convention, ctx.templates, ctx.outputs, final) for convention in conventions]
    # a lane is one of several processes side by side, one per core: one LibreOffice each
    with runtime_for(ctx.outputs, log=_err, warn=_err, progress=sys.stderr.isatty(), workers=1 if lot else None) as runtime:
        for path in build_conventions(requests, year, runtime):
            click.echo(f"dossier : {path}")


@main_group.command()
@click.argument("year", type=int)
@click.option("--final", is_flag=True, help="Version définitive : exige les vraies données et les deux documents revenus signés.")
@pass_context
def crf(ctx: Context, year: int, final: bool) -> None:
    """Construit l'envoi du compte rendu financier de la participation YEAR : le compte rendu
    et sa lettre d'envoi, chacun prêt à signer à part par l'association, à adresser à la
    Métropole au plus tard le 30 juin YEAR+1 (loi du 12 avril 2000, article 10), dans
    outputs/<convention>/crf/YEAR/. Il suffit du « crf: » de YEAR/year.yaml et de ses chiffres :
    le dossier YEAR+2 (ou celui de clôture), qui en joindra l'original signé, n'est pas attendu.
    """
    convention = ctx.conventions(year)[0]
    request = BuildRequest(convention, ctx.templates, ctx.outputs, final)
    with runtime_for(ctx.outputs, log=_err, warn=_err, progress=sys.stderr.isatty()) as runtime:
        for path in recipe.build_years([year], request, runtime, sending=True):
            click.echo(f"compte rendu financier : {path}")
            letter = path.with_name(f"lettre-crf-{year}.pdf")
            if letter.is_file():
                click.echo(f"lettre d'envoi : {letter}")


@main_group.command()
@click.option("--final", is_flag=True, help="Vérifie aussi ce qu'exige une version définitive.")
@click.option(
    "--annotate",
    is_flag=True,
    help="Écrit à côté de chaque modèle fautif une copie <nom>.erreurs.docx, avec un commentaire Word "
    "sur chaque balise fautive (le modèle n'est jamais modifié).",
)
@pass_context
def check(ctx: Context, final: bool, annotate: bool) -> None:
    """Vérifie les données et les modèles sans rien construire."""
    # lazy: checks loads the templates' libraries (~0.4 s)
    from pipeline import checks

    every = checks.CheckReport()
    problems, warnings, notes = every.problems, every.warnings, every.notes
    conventions = ctx.conventions()
    warnings += [
        f"{link} est un lien vers {link.resolve()} : ignoré (une convention est un vrai dossier, pas un "
        "lien) — copiez ce dossier à sa place"
        for link in places.linked(ctx.conventions_dir)
    ]
    for convention in conventions:
        copies: list[Path] | None = [] if annotate else None
        report = checks.check_all(convention, ctx.templates, final=final, outputs=ctx.outputs, annotate_into=copies)
        for copy in copies or []:
            notes.append(f"commentaires écrits dans {copy} : ouvrez-le dans Word à côté du modèle")
        name = f"{convention.name} : " if len(conventions) > 1 else ""
        warnings += [f"{name}{line}" for line in report.warnings]
        notes += [f"{name}{line}" for line in report.notes + report.untried]
        every.untried += report.untried
        problems += [(code, f"{name}{line}") for code, line in report.problems]
    for line in notes:
        _err(f"information : {line}")
    for line in warnings:
        _err(f"avertissement : {line}")
    for _code, line in problems:
        _err(f"erreur : {line}")
    if problems:
        _err(f"{len(problems)} erreur(s) : corrigez-les puis relancez « make check ».")
        raise SystemExit(every.exit_code)
    if every.untried:  # nor when a template could not be tried
        n = len(every.untried)
        click.echo(
            f"aucune erreur, mais {n} modèle{'s' if n > 1 else ''} non essayé{'s' if n > 1 else ''} "
            "(voir ci-dessus)" + (f" et {len(warnings)} avertissement(s) à lire" if warnings else "") + "."
        )
        return
    if warnings:  # « tout est correct » is never said after a warning
        n = len(warnings)
        click.echo(
            f"aucune erreur, {n} avertissement{'s' if n > 1 else ''} à lire ci-dessus : les données et les "
            "modèles se construisent, mais relisez ce qui est signalé."
        )
        return
    click.echo("tout est correct : données et modèles prêts.")


@main_group.command("new-convention")
@click.argument("folder")
@click.option(
    "--depuis",
    "source",
    default=None,
    metavar="CONVENTION",
    help="Partir d'une convention existante (renouvellement) : nom de son dossier sous --inputs.",
)
@pass_context
def new_convention(ctx: Context, folder: str, source: str | None) -> None:
    """Crée le dossier d'une nouvelle convention sous --inputs (FOLDER : son nom).

    Avec --depuis, pour un renouvellement : mêmes parties, chantiers et comités, période
    suivante, blancs (signature, délibération) à remplir. Sans --depuis, quelques questions.
    """
    # lazy: scaffold loads openpyxl (~0.2 s)
    from pipeline.convention import scaffold

    root = ctx.conventions_dir
    if (Path(root) / "convention.yaml").is_file():
        root = Path(root).parent  # --inputs named a convention: its new sibling goes beside it
    places.new_convention_folder(root, folder)  # a name that is not a plain folder name: said before any question
    origin = places.choose(ctx.conventions_dir, source) if source else None
    answers = (
        None
        if origin
        else scaffold.questionnaire(lambda question: click.prompt(question, err=True, default="", show_default=False), _err)
    )
    for line in scaffold.new_convention(places.new_convention_folder(root, folder), source=origin, answers=answers):
        click.echo(f"à faire : {line}")


@main_group.command("new-year")
@click.argument("year", type=int)
@pass_context
def new_year(ctx: Context, year: int) -> None:
    """Crée le dossier de l'année YEAR à partir de l'année précédente.

    Reprend les coordonnées bancaires, les personnes et les réunions que le dernier
    procès-verbal annonçait ; crée un actions.xlsx vide avec les listes de la convention ;
    dit quelles pièces déposer. N'écrase jamais une année existante.
    """
    # lazy: scaffold loads openpyxl (~0.2 s)
    from pipeline.convention import scaffold

    for line in scaffold.new_year(ctx.conventions(year)[0], year):
        click.echo(f"à faire : {line}")


@main_group.command()
@click.argument("year", type=int)
@click.argument("document")
@pass_context
def apercu(ctx: Context, year: int, document: str) -> None:
    """Aperçu en direct d'un document (ex. « apercu 2023 bilan ») pendant qu'on écrit son modèle.

    Le PDF (outputs/<convention>/apercu/) est refait à chaque enregistrement du modèle ou des
    données ; une erreur de modèle s'affiche aussitôt. Ctrl-C pour arrêter.
    """
    # lazy: the preview loads the build's libraries (~0.3 s)
    from pipeline import preview

    conv = ctx.conventions(year)[0]
    try:
        preview.run(conv, ctx.templates, ctx.outputs, year, document, click.echo)
    except KeyboardInterrupt:
        click.echo("aperçu arrêté")


@main_group.command()
@click.argument("template", required=False)
@click.option(
    "--year",
    type=int,
    default=None,
    help="Année dont on montre les valeurs (par défaut la deuxième, la première qui joint un bilan).",
)
@pass_context
def variables(ctx: Context, template: str | None, year: int | None) -> None:
    """Liste les variables et filtres utilisables dans les modèles, avec leur valeur.

    Avec TEMPLATE (ex. « appel »), seulement celles que ce modèle utilise.
    """
    # lazy: checks loads the templates' libraries (~0.4 s)
    from pipeline import checks
    from pipeline.convention import reference

    year, rows = checks.variables(ctx.conventions(year)[0], ctx.templates, template, year)
    click.echo(f"Variables (valeurs de l'année {year}) — à écrire entre {{{{ et }}}} dans Word :")
    for name, kind, meaning, value in rows:
        line = f"  {name}  [{kind}]"
        if meaning:
            line += f"  {meaning}"
        if value:
            line += f"  = {value}"
        click.echo(line)
    click.echo("Filtres — à écrire après une barre : {{ appel.montant|montant }} :")
    for name, meaning in reference.filter_rows():
        click.echo(f"  {name}  {meaning}")


@main_group.command()
@click.argument("year", type=int, required=False)
@pass_context
def status(ctx: Context, year: int | None) -> None:
    """Où en sont les signatures : pour chaque document de chaque dossier (ou de l'année YEAR),
    qui doit signer, qui a signé et quand, ce qui manque. Ne construit rien."""
    # lazy: status loads the data model and pypdf (~0.4 s)
    from pipeline import status as signatures

    for convention in ctx.conventions(year):
        for report in signatures.status(convention, ctx.templates, ctx.outputs, [year] if year else None):
            click.echo(f"{convention.name} – {report.heading}")
            if report.stale:
                click.echo(
                    f"  (documents publiés antérieurs aux données : {'; '.join(report.stale[:4])}"
                    f"{' …' if len(report.stale) > 4 else ''} — make dossier YEAR={report.year} les refait ; "
                    "un dossier déjà signé et envoyé reste tel quel : ne le remplacez que par une nouvelle "
                    "version à signer)"
                )
            for line in report.lines:
                click.echo(f"  {line.title} : {line.state}")
                for problem in line.problems:
                    click.echo(f"    ! {problem}")


@main_group.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Adresse d'écoute : cette machine seulement, sauf si vous en donnez une autre.",
)
@click.option("--port", type=int, default=8765, show_default=True, help="Port (un autre, libre, s'il est pris).")
@click.option("--sans-navigateur", "no_browser", is_flag=True, help="N'ouvre pas le navigateur.")
@pass_context
def bureau(ctx: Context, host: str, port: int, no_browser: bool) -> None:
    """Le bureau : une page web locale qui montre où en est chaque dossier, reçoit les originaux
    signés et construit les dossiers. Ctrl-C pour l'arrêter."""
    # lazy: le bureau loads starlette and uvicorn
    from pipeline.bureau import serve

    serve.run(ctx.conventions_dir, ctx.templates, ctx.outputs, host=host, port=port, browser=not no_browser, say=click.echo)


@main_group.command()
@click.argument("dossier", type=click.Path(path_type=Path, exists=True, dir_okay=False))
def fields(dossier: Path) -> None:
    """Liste les champs de signature d'un dossier PDF."""
    # lazy: signing loads pypdf (~0.15 s)
    from pipeline.pdf import signing

    for f in signing.list_fields(dossier):
        state = "signé" if f.signed else "vide"
        click.echo(f"{f.name}\tpage {f.page}\t{state}\t{f.label}")


@main_group.command()
@click.argument("dossier", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--field", "field_name", required=True, help="Nom du champ (voir la commande fields).")
@click.option(
    "--pkcs12",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    required=True,
    help="Certificat et clé du signataire (.p12 / .pfx).",
)
@click.option("--reason", default=None, help="Motif de la signature.")
@click.option("--location", default=None, help="Lieu de la signature.")
@click.option(
    "--timestamp",
    "timestamp_url",
    default=None,
    metavar="URL",
    help="Adresse d'une autorité d'horodatage : signature horodatée (PAdES B-T).",
)
@click.option(
    "--ltv",
    is_flag=True,
    help="Avec --timestamp : joint certificats et données de révocation (PAdES B-LT), pour une "
    "vérification possible dans des années, sans réseau.",
)
@click.option(
    "--trust",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    multiple=True,
    help="Avec --ltv : certificat de l'autorité racine (PEM ou DER), répétable.",
)
def sign(
    dossier: Path,
    field_name: str,
    pkcs12: Path,
    reason: str | None,
    location: str | None,
    timestamp_url: str | None,
    ltv: bool,
    trust: tuple[Path, ...],
) -> None:
    """Signe DOSSIER (un document ou un dossier PDF) dans un champ : signature PAdES, ajoutée
    sans modifier ce qui est déjà signé.

    Le mot de passe du certificat vient de la variable PIPELINE_PKCS12_PASSWORD,
    ou est demandé à l'écran ; jamais sur la ligne de commande.
    """

    # lazy: signing loads pypdf (~0.15 s)
    from pipeline.pdf import signing

    _warn_if_not_its_day(click.get_current_context().find_object(Context), dossier, field_name)
    passphrase = settings.pkcs12_password()
    if passphrase is None:
        passphrase = click.prompt("Mot de passe du certificat", hide_input=True, default="", show_default=False, err=True)
    signing.sign(
        dossier,
        field_name,
        pkcs12,
        passphrase or None,
        reason=reason,
        location=location,
        timestamp=timestamp_url,
        ltv=ltv,
        trust=list(trust),
    )
    click.echo(f"signé : {field_name} dans {dossier}")


def _warn_if_not_its_day(ctx: Context | None, pdf: Path, field: str) -> None:
    """Before signing, the rule ``status`` will apply to the day of this signature (a letter on
    its date, a document within its window), said at once; the signature is still made."""
    from zoneinfo import ZoneInfo  # lazy: zoneinfo brings sysconfig (~3 ms), which --help does not need

    # lazy: status loads the data model and pypdf (~0.4 s)
    from pipeline import status as signatures
    from pipeline.pdf import originals

    today = dt.datetime.now(ZoneInfo(originals.PARIS)).date()
    conventions = places.convention_dirs(ctx.conventions_dir) if ctx is not None else []
    if ctx is not None and ctx.convention:
        conventions = [c for c in conventions if c.name == ctx.convention]
    problem = signatures.signing_today(pdf, field, conventions, today)
    if problem is not None:
        _err(f"avertissement : {problem} (make statut le signalera)")


@main_group.command()
@click.argument("dossier", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option(
    "--trust",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    multiple=True,
    help="Certificat d'autorité de confiance (PEM ou DER), répétable.",
)
@pass_context
def verify(ctx: Context, dossier: Path, trust: tuple[Path, ...]) -> None:
    """Vérifie les signatures de DOSSIER et celles des originaux signés qu'il contient :
    signataire, date, niveau, intégrité, validité, portée, conformité aux données.

    Fonctionne sans réseau : à partir de ce que le fichier contient (certificats,
    horodatages, données de révocation pour une signature B-LT).
    """
    # lazy: signing loads pypdf (~0.15 s)
    from pipeline.pdf import signing

    bad = 0
    built, unbuilt = _built_beside(ctx, dossier)
    for row in signing.verify(dossier, list(trust), built=built):
        where = f"{row.document} › " if row.document else ""
        signature = row.signature
        if signature is None:
            click.echo(f"{where}{row.name} : vide (page {row.page})")
            continue
        ok = signature.intact and signature.trusted and not signature.changed_after
        bad += not ok
        added, covers = _said_of_changes(signature)
        line = (
            f"{where}{row.name} : signé par {signature.signer} {signature.said} ; niveau {signature.level} ; "
            f"intacte : {'oui' if signature.intact else 'NON'} ; "
            f"valide : {'oui' if signature.trusted else 'NON'} ; "
            f"ajouts après signature : {added} ; couvre tout le fichier : {covers}"
        )
        if row.document:
            line += " ; conforme aux données : " + (
                _not_compared(built, unbuilt, row.document)
                if row.matches is None
                else "oui"
                if row.matches == ""
                else f"NON, {row.matches}"
            )
        click.echo(line)
        if signature.reason:
            _err(f"{where}{row.name} : {signature.reason}")
        elif signature.changed_after:
            _err(f"{where}{row.name} : le fichier a été modifié après cette signature (annotation ou contenu ajouté)")
    if bad:
        raise SystemExit(int(ExitCode.SIGNATURE))


def _said_of_changes(signature) -> tuple[str, str]:
    """What ``verify`` says was added after a signature, and whether it covers the whole file,
    from pyHanko's ordered levels."""
    # lazy: pyHanko (~0.9 s), for verify only
    from pyhanko.sign.diff_analysis import ModificationLevel as Level
    from pyhanko.sign.validation.status import SignatureCoverageLevel as Coverage

    level = signature.modification_level
    added = (
        "NON AUTORISÉS"
        if signature.changed_after
        else "aucun"
        if level is None or level is Level.NONE
        else "données de validation seulement (autorisé)"
        if level is Level.LTA_UPDATES
        else "autres signatures (autorisé)"
    )
    # validation data after a B-LT signature is no change
    covers = (
        "oui"
        if signature.coverage_level is Coverage.ENTIRE_FILE or level is Level.LTA_UPDATES
        else "non (d'autres signatures ont suivi)"
        if level is Level.FORM_FILLING
        else "NON (le fichier a été modifié après elle)"
    )
    return added, covers


def _built_beside(ctx: Context, pdf: Path) -> tuple[Path | None, str]:
    """Where today's documents of a dossier are built: beside it in outputs/, or, for a dossier
    kept in a convention's signes/, in that convention's outputs/<convention>/<YEAR>/; for a copy
    kept elsewhere, the one convention that has that year built. None, and why, when none is."""
    pdf = pdf.resolve()
    year = re.search(r"(\d{4})", pdf.stem)
    if pdf.parent.name == "signes" and (pdf.parent.parent / "convention.yaml").is_file():
        if year is None:
            return None, f"non vérifié : le nom {pdf.name} ne dit pas de quelle année est ce dossier"
        return places.outputs_for(ctx.outputs, pdf.parent.parent) / year.group(1), ""
    if (pdf.parent / "manifest.json").is_file():
        return pdf.parent, ""
    if year is None:
        return None, (
            f"non vérifié : {pdf.name} n'est ni dans le dossier signes/ d'une convention, ni à côté de sa "
            "construction, et son nom ne dit pas son année"
        )
    conventions = [c for c in places.convention_dirs(ctx.conventions_dir) if not ctx.convention or c.name == ctx.convention]
    built = [places.outputs_for(ctx.outputs, c) / year.group(1) for c in conventions]
    built = [b for b in built if (b / "manifest.json").is_file()]
    if len(built) == 1:
        return built[0], ""
    if not built:
        return None, (
            f"non vérifié : aucune convention de {ctx.conventions_dir} n'a de dossier {year.group(1)} construit "
            f"dans {ctx.outputs}/ pour le comparer — construisez l'année (make dossier YEAR={year.group(1)}), "
            "ou vérifiez la copie gardée dans inputs/<convention>/signes/"
        )
    return None, (
        f"non vérifié : plusieurs conventions ont un dossier {year.group(1)} construit — précisez laquelle avec --convention"
    )


def _not_compared(built: Path | None, unbuilt: str, name: str) -> str:
    """Why a signed original was not compared with today's document, said so that it can be."""
    if built is None:
        return unbuilt
    if not (built / name).is_file():
        return f"non vérifié : {name} n'est pas construit dans {model_display(built)}/ (make dossier YEAR={built.name})"
    return "non vérifié (le document construit est cet original même)"


def model_display(path: Path) -> str:
    # lazy: the data model (~0.1 s) is not needed by --help
    from pipeline.convention import model

    return model.display(path)


def _outputs_asked() -> str:
    """The outputs folder of this run, as given on the command line (else the default)."""
    args = sys.argv
    for i, arg in enumerate(args):
        if arg == "--outputs" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--outputs="):
            return arg.split("=", 1)[1]
    return "outputs"


def main() -> None:
    signal.signal(signal.SIGTERM, _on_sigterm)
    # started from a shell or runner that ignores Ctrl-C (a background job, some CI), a build can
    # still be interrupted: an interruption then cleans up like any other
    signal.signal(signal.SIGINT, signal.default_int_handler)
    verbose = "-v" in sys.argv or "--verbose" in sys.argv
    if not verbose:  # a library's own warnings (pypdf's « EOF marker not found »…) are for --verbose
        logging.getLogger().addHandler(logging.NullHandler())
        for name in ("pypdf", "pyhanko", "pyhanko_certvalidator", "fontTools", "PIL"):
            logging.getLogger(name).setLevel(logging.CRITICAL + 1)
        warnings.simplefilter("ignore")
    try:
        main_group.main(standalone_mode=False, prog_name="python -m pipeline")
        # done: the interpreter's exit need not sweep every object of the document libraries (a
        # tenth of a second after a build); exit handlers still run and the streams are flushed
        gc.freeze()
    except PipelineError as exc:
        if verbose:
            traceback.print_exc()
        _err(f"erreur : {exc}")
        sys.exit(int(exc.exit_code))
    except (KeyboardInterrupt, Interrupted):
        _err("interrompu : les documents publiés précédemment sont intacts.")
        sys.exit(int(ExitCode.INTERRUPTED))
    except click.exceptions.Abort:
        _err("interrompu.")
        sys.exit(int(ExitCode.INTERRUPTED))
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except OSError as exc:
        if verbose:
            traceback.print_exc()
        full = files.full_disk_error(exc, [_outputs_asked(), tempfile.gettempdir()])
        _err(f"erreur : {full}" if full else f"erreur : {exc.strerror or exc}" + (f" ({exc.filename})" if exc.filename else ""))
        sys.exit(int(ExitCode.OUTPUT))
    except Exception as exc:  # a bug of ours: still one line, the detail with --verbose
        if verbose:
            traceback.print_exc()
        _err(
            f"erreur inattendue : {exc.__class__.__name__}: {exc} — relancez avec --verbose et transmettez "
            "le message à l'équipe technique ; les documents publiés précédemment sont intacts"
        )
        sys.exit(1)
