"""French formatting for the documents: dates, amounts, amounts in words, typography.

These are the Jinja filters that templates use (see ``FILTERS``); each takes the typed
value from the model and returns the text as a French administration writes it. Beside them,
what the model needs of French to read the data: a time of day (``Heure``, « 14 h 30 »), a
civilité written out (« Mme » → « Madame ») and the gender of a title (« Présidente »).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date
from num2words import num2words

NBSP = "\u00a0"  # before € and inside « guillemets »
NNBSP = "\u202f"  # narrow no-break space: thousands, before ; ! ?

_CENT = Decimal("0.01")


def date_fr(value: dt.date | None) -> str:
    """'15 mars 2023', and '1er janvier 2022' for the first of a month."""
    if value is None:
        return "…"
    if not isinstance(value, dt.date):
        raise TypeError(f"date_fr attend une date, pas {value!r}")
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {format_date(value, 'MMMM y', locale='fr_FR')}"


def date_longue(value: dt.date | None) -> str:
    """'mercredi 15 mars 2023', for meeting dates."""
    if value is None:
        return "…"
    return f"{format_date(value, 'EEEE', locale='fr_FR')} {date_fr(value)}"


def date_courte(value: dt.date | None) -> str:
    """'15/03/2023', for tables where space is short."""
    if value is None:
        return "…"
    return value.strftime("%d/%m/%Y")


def _to_decimal(value) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise TypeError(f"montant attendu, pas {value!r}")
    return Decimal(str(value)).quantize(_CENT, rounding=ROUND_HALF_UP)


def montant(value) -> str:
    """'20 000,00 €': narrow no-break thousands, comma decimals, no-break space before €."""
    amount = _to_decimal(value)
    sign = "-" if amount < 0 else ""
    units, cents = f"{abs(amount):.2f}".split(".")
    groups: list[str] = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    return f"{sign}{NNBSP.join(groups)},{cents}{NBSP}€"


def pourcentage(value, signe: bool = True) -> str:
    """A share as French writes it, one decimal, signed as a gap is: '+12,5 %', '−3,0 %' (from a
    fraction: 0.125); '38,9 %' unsigned (``signe=False``, a part of a whole); '–' when there is
    none (nothing was forecast)."""
    if value is None:
        return "–"
    share = (Decimal(str(value)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    sign = ("+" if share > 0 else ("−" if share < 0 else "")) if signe else ("-" if share < 0 else "")
    return f"{sign}{abs(share):.1f}".replace(".", ",") + f"{NNBSP}%"


def ecart(value) -> str:
    """A gap in euros, signed as its percentage is: '+850,00 €', '−600,00 €', '0,00 €'."""
    amount = _to_decimal(value)
    sign = "+" if amount > 0 else ("−" if amount < 0 else "")
    return sign + montant(abs(amount))


def nombre(value) -> str:
    """An integer with French thousands separators: '1 250'."""
    digits = str(int(value))
    groups: list[str] = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return NNBSP.join(groups)


def montant_lettres(value) -> str:
    """'vingt mille euros', 'un million d'euros', '… euros et cinquante centimes' (lower case)."""
    amount = _to_decimal(value)
    if amount < 0:
        raise ValueError("un montant en lettres ne peut pas être négatif")
    euros = int(amount)
    cents = int((amount - euros) * 100)
    words = num2words(euros, lang="fr")
    if euros in (0, 1):
        unit = "euro"
    elif re.search(r"(million|milliard)s?$", words):
        unit = "d'euros"
    else:
        unit = "euros"
    text = f"{words} {unit}" if unit != "d'euros" else f"{words} d’euros"
    if cents:
        text += f" et {num2words(cents, lang='fr')} centime{'s' if cents > 1 else ''}"
    return text


def montant_complet(value) -> str:
    """'vingt mille euros (20 000,00 €)', the form of official letters."""
    return f"{montant_lettres(value)} ({montant(value)})"


_BEFORE_HIGH = re.compile(r"[ \u00a0\u202f]*([;!?])")
_BEFORE_COLON = re.compile(r"[ \u00a0\u202f]*:(?=\s|$)")
_OPEN_GUILLEMET = re.compile(r"«[ \u00a0\u202f]*")
_CLOSE_GUILLEMET = re.compile(r"[ \u00a0\u202f]*»")
# a number and the word it counts or dates stay on one line: « 14 février », « 1er mars », « 15 agents »;
# a year (four figures) is left alone: « le bilan 2022 de la convention » may break after it
NUMBER_WORD = re.compile(r"(?<![\w-])(\d{1,3}(?:er|e)?) (?=[a-zà-ÿœ])")
# a place name is never cut before its elided part: « Côte d'Azur », « Val-d'Oise », « Côte d'Or »
_NAME_ELISION = re.compile(r"(\b[A-ZÀ-Ý][\w-]*) (d['’][A-ZÀ-Ý])")


def typo(value) -> str:
    """French spacing: no-break space before : ; ! ?, inside « guillemets », and between a number
    and the word it counts or dates (« 14 février », « 11 actions »).

    URLs and times ("14:30", "https://…") keep their colon: only a colon followed by a
    space or the end of the text is a punctuation colon.
    """
    if value is None:
        return ""
    text = str(value)
    text = _BEFORE_HIGH.sub(lambda m: NNBSP + m.group(1), text)
    text = _BEFORE_COLON.sub(NBSP + ":", text)
    text = _OPEN_GUILLEMET.sub("«" + NBSP, text)
    text = _CLOSE_GUILLEMET.sub(NBSP + "»", text)
    text = NUMBER_WORD.sub(lambda m: m.group(1) + NBSP, text)
    return text


def typographie(value) -> str:
    """``typo`` and the typographic apostrophe ’: for the text the engine draws itself (cover,
    sommaire, bookmarks, margin lines, metadata), as the documents' own text gets it. A place
    name holds together there (« Côte d'Azur » on the cover); not in a Word table's narrow
    column, where LibreOffice would then have to cut the word itself."""
    text = _NAME_ELISION.sub(lambda m: m.group(1) + NBSP + m.group(2), typo(value))
    return text.replace("'", "’")


def liste_fr(values) -> str:
    """'a, b et c' — a French enumeration."""
    items = [str(v) for v in values if v not in (None, "")]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " et " + items[-1]


def compte(value, singulier: str, pluriel: str | None = None, feminin: bool = True) -> str:
    """A count that agrees with its noun, in words as running text writes it: 'aucune action',
    'une réunion', 'onze actions', 'trente-trois actions menées' (figures from 100, where words
    would be heavier than the fact): one sentence never mixes « 11 actions » and « six chantiers »."""
    n = int(value)
    plural = pluriel or (singulier if singulier.endswith(("s", "x", "z")) else singulier + "s")
    if n == 0:
        return f"{'aucune' if feminin else 'aucun'} {singulier}"
    return f"{en_lettres(n, feminin)} {singulier if n == 1 else plural}"


def en_lettres(value, feminin: bool = False) -> str:
    """A number in words below 100 (« six », « trente et une » for a feminine noun), in figures
    from 100: for « six des sept chantiers » beside a count written by ``compte``."""
    n = int(value)
    if n >= 100 or n < 0:
        return nombre(n)
    words = num2words(n, lang="fr")
    return words[:-2] + "une" if feminin and words.endswith("un") else words


def de(phrase: str) -> str:
    """« de » before a phrase, contracted as French writes it: « du Président », « des
    équipes », « de la Présidente », « de l'AR Hlm »."""
    for article, contracted in (("le ", "du "), ("les ", "des ")):
        if phrase.startswith(article):
            return contracted + phrase[len(article) :]
    return f"de {phrase}"


def minuscule(value) -> str:
    """The first letter in lower case, the rest as written: 'Le bilan 2022' → 'le bilan 2022',
    for an item of a list that follows a colon."""
    text = str(value)
    return text[:1].lower() + text[1:]


def majuscule(value) -> str:
    """The first letter in capital, the rest as written: « l'AR Hlm » → « L'AR Hlm »."""
    text = str(value)
    return text[:1].upper() + text[1:]


def typo_heure(value) -> str:
    """'10 h 00' whose spaces never break across lines."""
    return re.sub(r"\s*h\s*", f"{NBSP}h{NBSP}", str(value).strip()) if value else ""


class Heure(str):
    """A time of day as French typography writes it, « 14 h 30 »: the text templates print
    (``{{ copil.heure }}``, ``{{ copil.heure|typo_heure }}``), read from what staff write —
    « 14:30 », « 14h30 », « 14 h 30 », « 14H30 », « 14 h » (« 14 h 00 »)."""

    FORM = re.compile(r"(\d{1,2})(?:\s*[hH]\s*(\d{2})?|:(\d{2})(?::00)?)?")

    @classmethod
    def parse(cls, value) -> Heure:
        """The time ``value`` means, or ValueError saying in French why it is none."""
        text = str(getattr(value, "written", value)).strip()
        found = cls.FORM.fullmatch(text)
        if found is None:
            raise ValueError(f"il faut une heure, écrite 14 h 30 (ou 14:30, 14h30), pas « {text} »")
        hours, minutes = int(found.group(1)), int(found.group(2) or found.group(3) or 0)
        if hours > 23 or minutes > 59:
            raise ValueError(f"l'heure « {text} » n'existe pas : écrivez-la de 0 h 00 à 23 h 59 (ex. 14 h 30)")
        return cls(f"{hours} h {minutes:02d}")

    @property
    def minutes(self) -> int:
        """Minutes since midnight, to compare two times (a text compares « 9 h » after « 12 h »)."""
        hours, _, minutes = self.partition(" h ")
        return int(hours) * 60 + int(minutes)


# --------------------------------------------------------------------------- civilité and fonction

_MADAME, _MONSIEUR = {"madame", "mme", "mme."}, {"monsieur", "m.", "m", "mr", "mr."}


def civilite_longue(civilite: str | None) -> str | None:
    """« Madame » or « Monsieur » written out, as a form of address prints it (« Madame la
    Présidente »); any other civilité as written. A list of those present keeps « Mme », « M. »."""
    word = (civilite or "").strip().casefold()
    if word in _MADAME:
        return "Madame"
    if word in _MONSIEUR:
        return "Monsieur"
    return civilite


def civilite_feminine(civilite: str | None) -> bool | None:
    """True for Madame / Mme, False for Monsieur / M., None for anything else."""
    word = (civilite or "").strip().casefold()
    return True if word in _MADAME else False if word in _MONSIEUR else None


def civilite_contraire(civilite: str | None) -> str | None:
    """The other civilité, written the same way: « Madame » ↔ « Monsieur », « Mme » ↔ « M. »."""
    feminine = civilite_feminine(civilite)
    if feminine is None:
        return None
    written_out = (civilite_longue(civilite) or "").casefold() == (civilite or "").strip().casefold()
    return ("Monsieur" if feminine else "Madame") if written_out else ("M." if feminine else "Mme")


# the words of a title whose masculine and feminine French knows; only these are judged
_GENRES = [
    ("président", "présidente"),
    ("vice-président", "vice-présidente"),
    ("directeur", "directrice"),
    ("délégué", "déléguée"),
    ("conseiller", "conseillère"),
    ("chargé", "chargée"),
    ("trésorier", "trésorière"),
    ("administrateur", "administratrice"),
    ("inspecteur", "inspectrice"),
    ("coordinateur", "coordinatrice"),
    ("coordonnateur", "coordonnatrice"),
    ("animateur", "animatrice"),
    ("sénateur", "sénatrice"),
    ("député", "députée"),
    ("préfet", "préfète"),
    ("sous-préfet", "sous-préfète"),
    ("premier", "première"),
    ("général", "générale"),
    ("métropolitain", "métropolitaine"),
    ("municipal", "municipale"),
    ("départemental", "départementale"),
    ("régional", "régionale"),
    ("territorial", "territoriale"),
]
_MASCULINE = {m: f for m, f in _GENRES}
_FEMININE = {f: m for m, f in _GENRES} | {"cheffe": "chef"}  # « Cheffe » is only feminine, « Chef » either
# words that leave the title's gender to the next one (« Secrétaire générale »), or that usage
# gives to both (« Madame l'Adjoint », « la Chef de service »): never judged, never changed
_EITHER = {"secrétaire", "maire", "ministre", "membre", "responsable", "gestionnaire", "chef", "adjoint", "adjointe"}
_AGREEING = {"adjoint": "adjointe", "adjointe": "adjoint"}  # agree after a judged word: « Directrice adjointe »


def genre_fonction(qualite: str | None) -> tuple[bool | None, str, str]:
    """Whether a title is feminine (True), masculine (False) or says nothing (None), decided by
    its first words; with those words (« Vice-Présidente déléguée ») and the same words in the
    other gender (« Vice-Président délégué »), for the message that asks to make them agree."""
    words = (qualite or "").split()
    feminine, said, other = None, [], []
    for word in words:
        key = word.rstrip(",;:").casefold()
        if key in _MASCULINE or key in _FEMININE:
            if feminine is not None and feminine != (key in _FEMININE):
                break  # « Directrice général »: the first words decide
            feminine = key in _FEMININE
            other.append(_same_case(word, _FEMININE.get(key) or _MASCULINE[key]))
        elif key in _AGREEING and feminine is not None:
            other.append(_same_case(word, _AGREEING[key] if feminine == (key == "adjointe") else key))
        elif key in _EITHER and feminine is None:
            other.append(word)
        else:
            break
        said.append(word)
    if feminine is None:
        return None, "", ""
    rest = " …" if len(said) < len(words) else ""
    return feminine, " ".join(said) + rest, " ".join(other) + rest


def _same_case(model: str, word: str) -> str:
    """``word`` in the case ``model`` is written in, letter by letter (« Vice-présidente » gives
    « Vice-président »), all capitals kept."""
    cased = (
        word.upper()
        if model.isupper()
        else "".join(c.upper() if i < len(model) and model[i].isupper() else c for i, c in enumerate(word))
    )
    return cased + model[len(model.rstrip(",;:")) :]


def suggestion(value: str, choices, otherwise: str = "", *, cutoff: float = 0.6) -> str:
    """« vouliez-vous dire « X » ? » with the closest of ``choices`` to a mistyped name, else
    ``otherwise`` (the list of what is allowed, say): the one wording of every such message."""
    guess = difflib.get_close_matches(str(value), [str(c) for c in choices], n=1, cutoff=cutoff)
    return f"vouliez-vous dire « {guess[0]} » ?" if guess else otherwise


def ordinal(value: int) -> str:
    """'1er', '2e' — for article and meeting numbers."""
    return "1er" if int(value) == 1 else f"{int(value)}e"


FILTERS = {
    "date_fr": date_fr,
    "date_longue": date_longue,
    "date_courte": date_courte,
    "montant": montant,
    "montant_lettres": montant_lettres,
    "montant_complet": montant_complet,
    "nombre": nombre,
    "pourcentage": pourcentage,
    "ecart": ecart,
    "de": de,
    "typo": typo,
    "liste_fr": liste_fr,
    "ordinal": ordinal,
    "compte": compte,
    "en_lettres": en_lettres,
    "minuscule": minuscule,
    "majuscule": majuscule,
    "typo_heure": typo_heure,
}

FILTER_HELP = {
    "date_fr": "une date en toutes lettres : « 15 mars 2023 », « 1er janvier 2022 »",
    "date_longue": "une date avec le jour : « mercredi 15 mars 2023 »",
    "date_courte": "une date en chiffres : « 15/03/2023 »",
    "montant": "un montant en euros : « 20 000,00 € »",
    "montant_lettres": "un montant en lettres : « vingt mille euros »",
    "montant_complet": "lettres et chiffres : « vingt mille euros (20 000,00 €) »",
    "nombre": "un nombre avec séparateur de milliers : « 1 250 »",
    "ecart": "un écart en euros, signé : « +850,00 € », « −600,00 € »",
    "pourcentage": "une part en pour cent, signée comme un écart : « +21,3 % », « −10,0 % » ; "
    "{{ x|pourcentage(false) }} pour une part d'un tout : « 38,9 % »",
    "typo": "applique les espaces insécables françaises avant : ; ! ? et dans « »",
    "liste_fr": "une liste en phrase : « a, b et c »",
    "ordinal": "un ordinal : « 1er », « 2e »",
    "minuscule": "première lettre en minuscule (élément d'une liste après deux-points) : « le bilan 2022 »",
    "majuscule": "première lettre en majuscule (début de phrase) : « L'AR Hlm »",
    "typo_heure": "une heure qui ne se coupe pas en fin de ligne : « 10 h 00 »",
    "compte": "un nombre accordé avec son nom : {{ n|compte('action') }} → « aucune action », « une action », "
    "« deux actions », « onze actions » ; pour un nom masculin : {{ n|compte('chantier', feminin=false) }}",
    "en_lettres": "un nombre en lettres, en chiffres à partir de 100 : {{ 7|en_lettres }} → « sept » ; "
    "{{ n|en_lettres(feminin=true) }} → « une », « vingt et une »",
}
