"""Command line: parse options, call the library, turn its errors into one line and an exit code."""
from __future__ import annotations

import signal
import sys
import traceback
from pathlib import Path

import click

from pipeline import __version__
from pipeline.errors import ExitCode, PipelineError

DEFAULT_INPUTS = Path("inputs/amp-arhlm-2022-2024")


class Interrupted(Exception):
    """SIGTERM, turned into an exception so that temporary files and LibreOffice are cleaned up."""


def _on_sigterm(signum, frame):
    raise Interrupted()


def _err(message: str) -> None:
    click.echo(message, err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--inputs", "inputs", type=click.Path(path_type=Path), default=DEFAULT_INPUTS, show_default=True,
              help="Dossier d'une convention (contient convention.yaml et un dossier par année).")
@click.option("--templates", type=click.Path(path_type=Path), default=Path("templates"), show_default=True,
              help="Dossier des modèles Word.")
@click.option("--outputs", type=click.Path(path_type=Path), default=Path("outputs"), show_default=True,
              help="Dossier où les documents sont publiés.")
@click.option("-v", "--verbose", is_flag=True, help="Affiche le détail technique (traceback) des erreurs.")
@click.version_option(__version__, prog_name="pipeline")
@click.pass_context
def main_group(ctx: click.Context, inputs: Path, templates: Path, outputs: Path, verbose: bool) -> None:
    """Produit les documents annuels et le dossier PDF d'une convention de partenariat."""
    ctx.obj = {"inputs": inputs, "templates": templates, "outputs": outputs, "verbose": verbose}


@main_group.command()
@click.argument("year", type=int, required=False)
@click.option("--all", "all_years", is_flag=True, help="Toutes les années de la convention.")
@click.option("--final", is_flag=True, help="Version définitive : règles de la convention et pièces exigées, sans marque PROJET.")
@click.pass_obj
def build(obj, year: int | None, all_years: bool, final: bool) -> None:
    """Construit le dossier de l'année YEAR (ou de toutes avec --all)."""
    from pipeline import build as recipe
    from pipeline import model

    if all_years == (year is not None):
        raise click.UsageError("donnez une année (ex. « build 2023 ») ou --all, pas les deux")
    years = model.convention_years(obj["inputs"]) if all_years else [year]
    recipe.recover(obj["outputs"])
    opts = recipe.Options(inputs=obj["inputs"], templates=obj["templates"], outputs=obj["outputs"], final=final,
                          progress=sys.stderr.isatty(), log=_err, warn=_err)
    for path in recipe.build(years, opts):
        click.echo(f"dossier : {path}")


@main_group.command()
@click.option("--final", is_flag=True, help="Vérifie aussi ce qu'exige une version définitive.")
@click.pass_obj
def check(obj, final: bool) -> None:
    """Vérifie les données et les modèles sans rien construire."""
    from pipeline import checks

    problems, warnings = checks.check_all(obj["inputs"], obj["templates"], final=final)
    for line in warnings:
        _err(f"avertissement : {line}")
    for _code, line in problems:
        _err(f"erreur : {line}")
    if problems:
        _err(f"{len(problems)} erreur(s) : corrigez-les puis relancez « make check ».")
        raise SystemExit(max(checks.exit_code(problems)))
    click.echo("tout est correct : données et modèles prêts.")


def main() -> None:
    signal.signal(signal.SIGTERM, _on_sigterm)
    verbose = "-v" in sys.argv or "--verbose" in sys.argv
    try:
        main_group.main(standalone_mode=False, prog_name="python -m pipeline")
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
        _err(f"erreur : {exc.strerror or exc} ({exc.filename or ''})")
        sys.exit(int(ExitCode.OUTPUT))
