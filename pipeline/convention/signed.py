"""What a signed original must be before a dossier encloses it: intact, signed by everyone who
signs it, the document today's data describes, and signed within its window of dates.

Findings come as (message, breach): a breach is a warning in a draft and an error with
``--final``; the rest (a certificate whose name is not the expected signatory's) stays a
warning, since a delegate or a parapheur's certificate may legitimately sign.
"""
from __future__ import annotations

import unicodedata

from pipeline.convention.documents import Planned, signatories, signature_window
from pipeline.convention.model import DossierData
from pipeline.french import date_fr, de

CHANGES = {"ANNOTATIONS": "une annotation ou un commentaire a été ajouté",
           "OTHER": "le fichier a été modifié (annotation, commentaire ou contenu ajouté)"}


def findings(planned: Planned, data: DossierData, shown: str, signatures: list, difference: tuple[str, str] | None
             ) -> list[tuple[str, bool]]:
    """Every problem of one signed original (``shown``: its path as staff type it), given its
    signatures (``pdf.originals.Signature``) and the first line where it differs from today's
    rendering of the data (None: the same text)."""
    found: list[tuple[str, bool]] = []

    def breach(message: str) -> None:
        found.append((f"{shown} : {message}", True))

    if not signatures:
        breach("aucune signature dans ce fichier — déposez ici le PDF une fois signé")
        return found
    for s in signatures:
        if not s.intact:
            breach(f"la signature de {s.signer} n'est plus intacte : le document a été modifié après elle, ou le "
                   "fichier est abîmé — redemandez l'original signé")
        elif s.changed_after:
            breach(f"après la signature de {s.signer}, {CHANGES.get(s.modifications, 'le fichier a été modifié')} : "
                   "seules d'autres signatures peuvent s'ajouter — redemandez l'original signé, sans annotation")
    expected = signatories(planned, data)
    for who in expected:
        mine = _signature_of(who, signatures)
        if mine is None:
            name = f" ({who.name})" if who.name else ""
            breach(f"la signature {de(who.title)}{name} manque — faites-le signer dans le champ « {who.field} »")
        elif who.name and mine.field == who.field and _plain(who.name) not in _plain(mine.signer):
            found.append((f"{shown} : le champ « {who.field} » est signé par {mine.signer}, alors que les données "
                          f"nomment {who.name} ({who.title}) — vérifiez la délégation de signature", False))
        elif not who.name:
            found.append((f"{shown} : le champ « {who.field} » est signé par {mine.signer}, que rien ne permet de "
                          f"vérifier : les données ne nomment pas {who.title} — ajoutez son nom (prenom, nom) "
                          f"dans les données", False))
    if difference is not None and "PROJET" in difference[0]:
        breach("le document signé est une version de travail (marque PROJET) : faites signer le document publié "
               "une fois ses données réelles (sans marque PROJET), puis remplacez ce fichier")
    elif difference is not None:
        signed, today = difference
        breach(f"ne correspond plus aux données : le document signé porte « {signed or '(rien)'} » où les données "
               f"d'aujourd'hui donnent « {today or '(rien)'} » — si la donnée est juste, faites signer le document "
               "reconstruit ; sinon, corrigez la donnée")
    earliest, latest, before_what = signature_window(planned, data)
    for s in signatures:
        day = s.day
        if day is None:
            breach(f"la signature de {s.signer} ne porte pas de date")
        elif earliest is not None and day < earliest:
            breach(f"signé par {s.signer} le {date_fr(day)}, avant la date du document ({date_fr(earliest)}) : "
                   "une signature ne peut pas précéder le document")
        elif latest is not None and day > latest:
            breach(f"signé par {s.signer} le {date_fr(day)}, après {before_what} : il doit être signé avant")
    return found


def _signature_of(who, signatures: list):
    """The signature standing for a signatory: in their field, else one by their name (a
    parapheur may sign in a field of its own)."""
    for s in signatures:
        if s.field == who.field:
            return s
    if who.name:
        return next((s for s in signatures if _plain(who.name) in _plain(s.signer)), None)
    return None


def _plain(name: str) -> str:
    """A name compared without case or accents (« Sophie Exemple » is « SOPHIE EXEMPLE »)."""
    return "".join(c for c in unicodedata.normalize("NFD", name.casefold()) if not unicodedata.combining(c))
