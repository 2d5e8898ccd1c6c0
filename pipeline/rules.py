"""What the convention requires of a year's data, checked at load time, article by article.

Breaches of the meeting rhythm (article 4) and missing pieces (article 3) are warnings for
a draft and errors with ``--final``; inconsistent data (unknown codes, wrong amount, dates
outside the year) is always an error.
"""
from __future__ import annotations

import difflib
from pathlib import Path

from pipeline.yamlsource import LineDict

PDF_MAGIC = b"%PDF-"


def check_year(conv, data, raw: LineDict, year: int, year_dir: Path, root: Path,
               problems, warnings, *, final: bool) -> None:
    from pipeline.model import line_of

    def err(path: str, message: str) -> None:
        problems.add(line_of(raw, path), path, message)

    def breach(path: str, message: str) -> None:
        """A rule of the convention that a draft may still break."""
        target = problems if final else warnings
        suffix = "" if final else " (avertissement ; erreur avec --final)"
        target.add(line_of(raw, path), path, message + suffix)

    terms = conv.convention
    if data.annee != year:
        err("annee", f"le fichier dit {data.annee} mais il est dans le dossier de l'année {year}")

    for path, amount in (("appel.montant", data.appel.montant), ("finances.montant_appele", data.finances.montant_appele)):
        if amount != terms.montant_annuel:
            err(path, f"{amount} € ne correspond pas à la participation annuelle de la convention "
                      f"({terms.montant_annuel} €, article 3)")
    if data.finances.montant_recu > data.finances.montant_appele:
        err("finances.montant_recu", "le montant reçu dépasse le montant appelé")

    def in_year(path: str, value) -> None:
        if value is not None and value.year != year:
            err(path, f"la date {value.isoformat()} n'est pas dans l'année {year}")

    in_year("appel.date", data.appel.date)
    in_year("copil.date", data.copil.date)
    in_year("finances.date_reception", data.finances.date_reception)

    chantiers = [c.code for c in conv.chantiers]
    modalites = [m.code for m in conv.modalites]

    def known(path: str, value: str, codes: list[str], what: str) -> None:
        if value not in codes:
            guess = difflib.get_close_matches(value, codes, n=1, cutoff=0.5)
            hint = f"vouliez-vous dire « {guess[0]} » ?" if guess else f"codes permis : {', '.join(codes)}"
            err(path, f"{what} « {value} » inconnu(e) dans convention.yaml — {hint}")

    for i, action in enumerate(data.actions, 1):
        known(f"actions[{i}].chantier", action.chantier, chantiers, "chantier")
        known(f"actions[{i}].modalite", action.modalite, modalites, "modalité")
        in_year(f"actions[{i}].date", action.date)
    for i, item in enumerate(data.copil.programme, 1):
        known(f"copil.programme[{i}].chantier", item.chantier, chantiers, "chantier")

    # Article 4: rhythm and composition of the committees.
    for i, meeting in enumerate(data.reunions, 1):
        in_year(f"reunions[{i}].date", meeting.date)
    for instance in (conv.copil, conv.cotech):
        held = sum(1 for m in data.reunions if m.instance == instance.sigle)
        if held < instance.reunions_min_par_an:
            breach("reunions", f"{instance.sigle} réuni {held} fois en {year} ; l'article 4 demande "
                               f"au moins {instance.reunions_min_par_an} réunion(s) par an")
    if not any(m.instance == "COPIL" and m.date == data.copil.date for m in data.reunions):
        err("copil.date", f"le COPIL du {data.copil.date.isoformat()} n'est pas dans la liste « reunions »"
                          " : ajoutez-le pour que le bilan le compte")
    roles = {p.role for p in data.copil.presents + data.copil.excuses if p.role}
    for member in conv.copil.membres:
        if member.role not in roles:
            breach("copil.presents", f"le COPIL doit compter {member.libelle} (article 4) : "
                                     f"personne n'a le rôle « {member.role} » parmi les présents ou excusés")
    known_roles = [m.role for m in conv.copil.membres]
    for group in ("presents", "excuses"):
        for i, person in enumerate(getattr(data.copil, group), 1):
            if person.role is not None:
                known(f"copil.{group}[{i}].role", person.role, known_roles, "rôle")

    # Article 3: the pieces joined to the call.
    required = {p.code: p for p in conv.pieces_requises}
    given: dict[str, int] = {}
    for i, piece in enumerate(data.pieces, 1):
        path = f"pieces[{i}]"
        known(f"{path}.code", piece.code, list(required), "pièce")
        if piece.code in given:
            err(f"{path}.code", f"la pièce « {piece.code} » est déjà donnée en pieces[{given[piece.code]}]")
        given[piece.code] = i
        if piece.fichier:
            _check_piece_file(f"{path}.fichier", piece.fichier, year_dir, root, err)
    for code, spec in required.items():
        provided = spec.document is not None or (code in given and data.pieces[given[code] - 1].fichier)
        if not provided:
            from pipeline.documents import piece_label

            breach("pieces", f"pièce manquante : {piece_label(spec.libelle, year)} (article 3)")

    if final:
        if terms.deliberation.numero is None or terms.deliberation.date is None:
            problems.add(None, "convention.deliberation",
                         "convention.yaml : le numéro et la date de la délibération sont en blanc ; "
                         "complétez-les avant une version définitive")
        if data.donnees_exemple:
            err("donnees_exemple", "les données de cette année sont des exemples : une version définitive "
                                   "ne peut pas en contenir")


def _check_piece_file(path: str, relative: str, year_dir: Path, root: Path, err) -> None:
    """A piece must be a readable, unencrypted PDF inside the convention's folder."""
    candidate = (year_dir / relative).resolve()
    if not candidate.is_relative_to(root.resolve()):
        err(path, f"« {relative} » sort du dossier des données : placez la pièce dans {year_dir.name}/pieces/")
        return
    if not candidate.is_file():
        err(path, f"fichier introuvable : {relative} — vérifiez le nom ou déposez le PDF dans {year_dir.name}/pieces/")
        return
    try:
        with candidate.open("rb") as handle:
            head = handle.read(1024)
    except OSError as exc:
        err(path, f"{relative} est illisible ({exc.strerror})")
        return
    if PDF_MAGIC not in head:
        err(path, f"{relative} n'est pas un PDF : exportez la pièce en PDF puis recommencez")
        return
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(candidate)
        if reader.is_encrypted:
            err(path, f"{relative} est protégé par un mot de passe : fournissez une version non chiffrée")
            return
        if len(reader.pages) == 0:
            err(path, f"{relative} ne contient aucune page")
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        err(path, f"{relative} est un PDF abîmé ou illisible ({exc.__class__.__name__}) : "
                  "demandez un nouvel export de la pièce")
