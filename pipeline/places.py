"""Where things are: the conventions under inputs/, each one's templates, each one's outputs.

A convention is a folder (``inputs/<convention>/``) with its convention.yaml, a folder per
year and its own ``templates/``; a template there replaces the shared one of the same name,
and the convention's text (convention.docx) is always its own. Outputs go to
``outputs/<convention>/<YEAR>/``, so that two conventions covering the same year never meet.
Kept light (no document libraries): a rebuild with nothing to do reads only this.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from pipeline.convention import catalogue, cycle
from pipeline.errors import InputError

# never taken from the shared templates: each convention's own text (catalogue: own_text)
OWN_ONLY = tuple(f"{spec.key}.docx" for spec in catalogue.DOCUMENTS if spec.own_text)


def convention_dirs(conventions_dir: Path) -> list[Path]:
    """The conventions ``conventions_dir`` holds: itself when it is one, else its sub-folders that
    are. A folder that is a link to another is none: its outputs would be another's (``linked``)."""
    conventions_dir = Path(conventions_dir)
    if (conventions_dir / "convention.yaml").is_file():
        return [] if conventions_dir.is_symlink() else [conventions_dir]
    if not conventions_dir.is_dir():
        return []
    return sorted(d for d in conventions_dir.iterdir() if (d / "convention.yaml").is_file() and not d.is_symlink())


def linked(conventions_dir: Path) -> list[Path]:
    """The sub-folders of ``conventions_dir`` that are links to a convention folder elsewhere."""
    conventions_dir = Path(conventions_dir)
    if not conventions_dir.is_dir() or (conventions_dir / "convention.yaml").is_file():
        return [conventions_dir] if conventions_dir.is_symlink() else []
    return sorted(d for d in conventions_dir.iterdir() if d.is_symlink() and (d / "convention.yaml").is_file())


def _refuse_link(folder: Path) -> None:
    raise InputError(
        f"{folder} est un lien vers {Path(folder).resolve()} : une convention est un vrai dossier, "
        "pas un lien (ses documents seraient publiés sous le nom d'une autre)",
        hint=f"copiez ou déplacez ce dossier dans {Path(folder).parent}/ sous le nom voulu, puis retirez le lien",
    )


NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def new_convention_folder(conventions_dir: Path, name: str) -> Path:
    """The folder of a convention to create: ``name`` must be a plain folder name, so that it is
    made inside the conventions' folder and nowhere else."""
    if not NAME.fullmatch(name) or ".." in name:
        raise InputError(
            f"« {name} » n'est pas un nom de convention : il faut un simple nom de dossier (lettres, "
            "chiffres, tirets, points), sans « / » ni « .. »",
            hint="par exemple : make convention NAME=amp-arhlm-2025-2027",
        )
    return Path(conventions_dir) / name


def template_for(convention: Path, shared: Path, name: str) -> Path:
    """The convention's own template if it has one, else the shared one (never for its text). An
    own template that is a link to a file outside the convention's folder is refused: what a
    convention is made of stays in its folder."""
    own = Path(convention) / "templates" / name
    if own.is_file() or name in OWN_ONLY:
        confined(own, convention, "modèle")
        return own
    return Path(shared) / name


def confined(path: Path, convention: Path, what: str) -> Path:
    """``path`` itself, if it stays inside the convention's folder once its links are followed;
    else one clear line saying where it leads."""
    path = Path(path)
    if path.exists() and not path.resolve().is_relative_to(Path(convention).resolve()):
        raise InputError(
            f"{path} : ce {what} est un lien vers {path.resolve()}, hors du dossier de la convention",
            hint=f"copiez le fichier lui-même dans {path.parent}/ à la place du lien",
        )
    return path


def templates_used(convention: Path, shared: Path) -> list[Path]:
    """Every template a convention's builds read: its own, then the shared ones it does not replace."""

    def templates(folder: Path) -> list[Path]:  # not the commented copies that « check --annotate » writes
        return sorted(p for p in folder.glob("*.docx") if not p.name.endswith(".erreurs.docx"))

    own = templates(Path(convention) / "templates")
    names = {p.name for p in own}
    return own + [p for p in templates(Path(shared)) if p.name not in names and p.name not in OWN_ONLY]


def crf_outputs(out: Path) -> Path:
    """Where a convention's comptes rendus financiers are published, each year's sending in its
    own folder (``crf/2024/``), apart from the dossiers: outputs/<convention>/crf/."""
    return out / "crf"


def signed_folder(convention: Path) -> Path:
    """``signes/`` beside the years: where documents signed apart come back once signed."""
    return Path(convention) / "signes"


def authorities_folder(convention: Path) -> Path:
    """``autorites/`` beside the years: the certificates of the authorities whose signatures the
    convention accepts (a signature by any other certificate is « non vérifiable »)."""
    return Path(convention) / "autorites"


def signed_original(convention: Path, stem: str) -> Path:
    """A signed original, under the name the build gave its document (``bilan-2022.pdf``,
    ``convention.pdf``)."""
    return signed_folder(convention) / f"{stem}.pdf"


def outputs_for(outputs: Path, convention: Path) -> Path:
    """outputs/<convention>/: where one convention's years are published, locked and recovered;
    named after the convention's own folder, never after what a link points to."""
    return Path(outputs) / Path(os.path.abspath(convention)).name


def choose(conventions_dir: Path, name: str | None, year: int | None = None, command: str = "make dossier") -> Path:
    """The convention a command is about: the one named, else the only one covering ``year``
    (or the only one there is); otherwise say which exist, with the ``command`` staff ran
    (« make statut ») completed by each choice."""
    found = convention_dirs(conventions_dir)
    for link in linked(conventions_dir):
        if not found or name == link.name or link == Path(conventions_dir):
            _refuse_link(link)
    if not found:
        raise InputError(
            f"{conventions_dir} : aucune convention (pas de convention.yaml, ni de sous-dossier qui en ait une)",
            hint="indiquez avec --inputs le dossier des conventions, ou celui d'une convention",
        )
    names = [d.name for d in found]
    if name:
        for d in found:
            if d.name == name:
                return d
        # lazy: french loads num2words (~80 ms); places is on --help's path
        from pipeline.french import suggestion

        tip = suggestion(name, names, cutoff=0.5)
        raise InputError(
            f"convention « {name} » introuvable dans {conventions_dir}" + (f" — {tip}" if tip else ""),
            hint=f"conventions : {', '.join(names)}",
        )
    candidates = found if year is None else [d for d in found if year in cycle.dossier_years(cycle.peek_period(d))]
    if len(candidates) == 1:
        return candidates[0]
    if len(found) == 1:  # the only convention: its own loading says which years it has
        return found[0]
    if not candidates:
        raise InputError(
            f"aucune convention ne couvre l'année {year}",
            hint=f"conventions : {', '.join(f'{d.name} ({_span(d)})' for d in found)}",
        )
    choices = " ; ".join(
        f"« {command} YEAR={year} CONVENTION={d.name} » pour {_which(d, year)}" if year else f"CONVENTION={d.name}"
        for d in candidates
    )
    raise InputError(
        f"plusieurs conventions couvrent {'l’année ' + str(year) if year else 'ce dossier'} : "
        f"{', '.join(d.name for d in candidates)}",
        hint=f"choisissez-en une : {choices} (en direct : --convention NOM)",
    )


def _which(convention: Path, year: int) -> str:
    """What the dossier of ``year`` is for a convention: its closing, its first year, or another."""
    period = cycle.peek_period(convention)
    if cycle.is_closing(year, period):
        return f"le dossier de clôture de {_span(convention)}"
    if cycle.is_first(year, period):
        return f"la première année de {_span(convention)}"
    return f"l'année {period.index(year) + 1} de {_span(convention)}"


def _span(convention: Path) -> str:
    period = cycle.peek_period(convention)
    return f"{period[0]}-{period[-1]}" if period else "?"
