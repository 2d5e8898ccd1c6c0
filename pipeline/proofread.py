"""What a filled document must say of itself, read after every fill (build, ``check``, preview).

Every variable of a template may exist and the document still be wrong: a bilan titled with the
call's year, minutes signed on the call's date, a first-year bordereau calling the bilan missing,
a letter that encloses what the dossier does not, minutes whose agenda is not their body's, « les
co-présidents » for two women. These rules read the filled Word file against what the data fix —
the dossier's plan, its pieces, the people and their civilité — and against the document's own
structure (its agenda and its numbered headings), never against free prose: a rule that refused
a legitimate template would be worse than none. The shipped templates and a convention's own
alike; each problem is one line, the place and what to write instead. A value printed as a
structure (« {'numero': 1, …} ») is refused earlier, as it is printed (``render``).

``problems`` are errors (the build stops); ``warnings`` are said and let the build go on.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from pipeline.convention import catalogue, context, documents, model
from pipeline.french import date_fr, de

_DAY = r"(\d{1,2}(?:er)? \S+ \d{4})"
# « Fait à Marseille, le 14 mars 2023 », « Établi à Marseille, le 28 mars 2023. », and a letter's
# date line, alone in its paragraph: « Marseille, le 28 mars 2023 »
_SIGNED_ON = [re.compile(rf"\b(?:Fait|Établi|Établie) à [^,\n]{{1,60}}, le {_DAY}"), re.compile(rf"^[^,\n]{{1,40}}, le {_DAY}$")]
_YEAR = re.compile(r"(?<![\d-])(\d{4})(?![\d-])")


def problems(template: Path, filled: Path, data: model.DossierData) -> list[str]:
    """What is wrong in ``filled``, the template ``template`` filled with the dossier ``data``."""
    reading = _reading(template, filled, data)
    if reading is None:
        return []
    found = [
        *_dates(reading),
        *_bilan_year(reading),
        *_first_bordereau(reading),
        *_enclosures(reading),
        *_agenda(reading),
        *_genders(reading),
        *_signers(reading),
    ]
    return _said(template, data, found)


def warnings(template: Path, filled: Path, data: model.DossierData) -> list[str]:
    """What ``filled`` says that the data word otherwise, without being wrong for sure: a signature
    block whose title is not the signatory's as the data give it."""
    reading = _reading(template, filled, data)
    if reading is None:
        return []
    return _said(template, data, list(_signature_titles(reading)))


def _said(template: Path, data: model.DossierData, found: list[str]) -> list[str]:
    return [f"modèle {template.name} ({p}) (données {data.year.annee})" for p in dict.fromkeys(found)]


# --------------------------------------------------------------------------- the filled document


@dataclass
class _Block:
    """A paragraph of the body, in reading order (a table's cells in theirs)."""

    text: str  # plain: no-break spaces as spaces, typographic apostrophes straight
    style: str
    numbered: bool  # Word numbers it (a list or a heading with numbering)
    cell: tuple[int, int, int] | None = None  # (table, row, column) for a table's cell
    marks: list[str] = field(default_factory=list)  # signature fields marked here (« pv-copil-metropole »)

    @property
    def heading(self) -> bool:
        """A heading of the body (Word stores its built-in styles' names in English: « heading 1 »)."""
        return self.style.casefold().startswith(("heading", "titre"))

    @property
    def listed(self) -> bool:
        return self.numbered or "List" in self.style or "Liste" in self.style


@dataclass
class _Reading:
    template: Path
    data: model.DossierData
    planned: documents.Planned
    blocks: list[_Block]
    people: list[_Person]
    ctx: context.Context | None = None

    @property
    def key(self) -> str:
        return self.planned.key

    @property
    def sigle(self) -> str:
        return self.data.convention.copil.sigle

    def context(self) -> context.Context:
        if self.ctx is None:
            self.ctx = context.build_context(self.data, projet=True)
        return self.ctx


_LAST: dict[tuple, _Reading | None] = {}


def _reading(template: Path, filled: Path, data: model.DossierData) -> _Reading | None:
    """The filled document read once for ``problems`` and ``warnings`` of the same fill."""
    stat = Path(filled).stat()
    key = (str(template), str(filled), stat.st_mtime_ns, stat.st_size, id(data))
    if key not in _LAST:
        _LAST.clear()
        _LAST[key] = _read(template, filled, data)
    return _LAST[key]


def _read(template: Path, filled: Path, data: model.DossierData) -> _Reading | None:
    planned = next((d for d in documents.plan(data) if d.key == template.stem), None)
    if planned is None:
        return None
    return _Reading(template, data, planned, _blocks(filled), _people(data))


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _blocks(filled: Path) -> list[_Block]:
    """The body's paragraphs, read from the document's XML (python-docx's objects cost ten times
    more, and this runs after every fill)."""
    with zipfile.ZipFile(filled) as z:
        body = etree.fromstring(z.read("word/document.xml")).find(f"{_W}body")
        styles = etree.fromstring(z.read("word/styles.xml")) if "word/styles.xml" in z.namelist() else None
    names, numbered = {}, set()
    for style in styles.iterfind(f"{_W}style") if styles is not None else ():
        sid = style.get(f"{_W}styleId")
        name = style.find(f"{_W}name")
        names[sid] = name.get(f"{_W}val") if name is not None else sid
        if style.find(f"{_W}pPr/{_W}numPr") is not None:
            numbered.add(sid)
    default = next(
        (
            s.get(f"{_W}styleId")
            for s in (styles.iterfind(f"{_W}style") if styles is not None else ())
            if s.get(f"{_W}type") == "paragraph" and s.get(f"{_W}default") == "1"
        ),
        None,
    )

    def block(p, cell=None) -> _Block:
        parts = []
        for node in p.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr", f"{_W}bookmarkStart"):
            if node.tag == f"{_W}t":
                parts.append(node.text or "")
            elif node.tag != f"{_W}bookmarkStart":
                parts.append("\t" if node.tag == f"{_W}tab" else "\n")
        text = "".join(parts)
        sid = p.find(f"{_W}pPr/{_W}pStyle")
        sid = sid.get(f"{_W}val") if sid is not None else default
        marks = re.findall(r"§SIG:([A-Za-z0-9_-]+)§", text)
        marks += [
            _field_of(b.get(f"{_W}name"))
            for b in p.iter(f"{_W}bookmarkStart")
            if (b.get(f"{_W}name") or "").startswith("Signature")
        ]
        return _Block(
            _plain(re.sub(r"§SIG:[A-Za-z0-9_-]+§", "", text)),
            names.get(sid, sid or ""),
            p.find(f"{_W}pPr/{_W}numPr") is not None or sid in numbered,
            cell,
            marks,
        )

    found, tables = [], 0
    for element in body:
        if element.tag == f"{_W}p":
            found.append(block(element))
        elif element.tag == f"{_W}tbl":
            for r, row in enumerate(element.iterfind(f"{_W}tr")):
                column = 0
                for cell in row.iterfind(f"{_W}tc"):
                    span = cell.find(f"{_W}tcPr/{_W}gridSpan")
                    found += [block(p, (tables, r, column)) for p in cell.iter(f"{_W}p")]
                    column += int(span.get(f"{_W}val")) if span is not None else 1
            tables += 1
    return found


def _field_of(bookmark: str) -> str:
    """« SignaturePvCopilMetropole » → « pvcopil-metropole »: enough to know who signs there."""
    words = re.findall(r"[A-Z][a-z0-9]*", bookmark.removeprefix("Signature"))
    return "".join(words[:-1]).lower() + "-" + words[-1].lower() if words else ""


def _rows(r: _Reading) -> list[str]:
    """Each table row's text, its cells apart: « Bilan … | Non | … »."""
    rows: dict[tuple[int, int], dict[int, list[str]]] = {}
    for b in r.blocks:
        if b.cell is not None:
            rows.setdefault(b.cell[:2], {}).setdefault(b.cell[2], []).append(b.text)
    return [" | ".join("\n".join(cell) for cell in cells.values()) for cells in rows.values()]


def _plain(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2011", "-")
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def _short(text: str) -> str:
    text = _plain(text)
    return text if len(text) <= 80 else text[:79] + "…"


def _key(text: str) -> str:
    """A name as compared in a text: lower case, no spaces, its leading article dropped."""
    text = re.sub(r"^(?:le|la|les|l'|un|une|des)\s*", "", _plain(text).casefold())
    return re.sub(r"\s+", "", text)


# --------------------------------------------------------------------------- dates and years


def _dates(r: _Reading) -> list[str]:
    """« Fait à …, le … » and a letter's date line say the document's own date."""
    found = []
    own = _plain(date_fr(r.planned.date))
    tag = r.planned.spec.date_tag
    whose = f", celle du {r.sigle}" if r.planned.spec.minutes else ""
    fix = f"écrivez {{{{ {tag}|date_fr }}}}{whose}" if tag else "écrivez la date de ce document"
    for text in (b.text for b in r.blocks):
        for said in (day for pattern in _SIGNED_ON for day in pattern.findall(_plain(text))):
            if said != own:
                found.append(
                    f"paragraphe « {_short(text)} » : ce document est daté du {own} (sa date propre), pas du {said} — {fix}"
                )
    return found


def _bilan_year(r: _Reading) -> list[str]:
    """A bilan's headings name the year it reports, not its dossier's."""
    found = []
    if r.planned.spec.reports_year and r.data.bilan_year is not None:
        year = str(r.data.bilan_year.annee)
        for b in r.blocks:
            if b.cell is None and (b.heading or b.style.casefold().startswith("title")):
                for other in set(_YEAR.findall(b.text)) - {year}:
                    found.append(
                        f"titre « {_short(b.text)} » : ce bilan rend compte de {year}, pas de {other} — "
                        "utilisez {{ bilan.annee }}"
                    )
    return found


def _first_bordereau(r: _Reading) -> list[str]:
    """The first year, the bilan is « sans objet » in the bordereau, not missing."""
    found = []
    if r.planned.spec.lists_pieces and r.data.first:  # no year before the first: nothing to report on
        label = next(
            (
                p.libelle
                for p in r.data.convention.pieces_requises
                if p.document in catalogue.SPECS and catalogue.SPECS[p.document].reports_year
            ),
            None,
        )
        for row in _rows(r):
            if label and _plain(label)[:25].casefold() in row.casefold() and "sans objet" not in row.casefold():
                found.append(
                    f"ligne « {_short(row)} » : la première année, le bilan est « sans objet », "
                    "pas manquant — écrivez {{ piece.sans_objet }} quand il est donné"
                )
    return found


# --------------------------------------------------------------------------- a letter's enclosures


@dataclass
class _Item:
    """Something a letter may name as enclosed: a document of the dossier or an article 3 piece."""

    label: str  # as a message says it
    names: list[str]  # as a text may name it (compared by _key)
    rank: int | None  # its place in the dossier; None: the dossier does not join it
    piece: bool  # article 3 asks for it
    loose: list[str] = field(default_factory=list)  # shorter words enough to count it as named


# a sentence that encloses: « vous trouverez ci-joint … », « sont également joints … : … »
_JOINS = re.compile(r"ci-joint|\b(?:est|sont)\s+(?:également\s+)?joint|\bje\s+joins\b|vous\s+trouverez", re.I)


def _items(r: _Reading) -> list[_Item]:
    """What the dossier joins to the letter, in the dossier's order (the bordereau, article 3's
    pieces in its order, the bilan at its place, then the other documents), and the pieces it does
    not join this year (absent, or « sans objet »)."""
    ctx = r.context()
    plan = {d.key: d for d in documents.plan(r.data)}
    items, rank = [], 0
    lists = next((d for d in plan.values() if d.spec.lists_pieces), None)  # the bordereau
    if lists is not None:
        items.append(_Item(_lower(lists.title), [lists.title], rank, False, _loose(lists)))
    for piece in ctx.pieces:
        names = [n for n in (piece.nom, piece.libelle, piece.titre) if n]
        if piece.document in plan:
            doc = plan[piece.document]
            names.insert(0, doc.title)
            items.append(_Item(_lower(doc.title), names, (rank := rank + 1) if piece.jointe else None, True, _loose(doc)))
        else:
            items.append(_Item(_lower(piece.nom), names, (rank := rank + 1) if piece.jointe else None, True))
    as_pieces = {p.document for p in ctx.pieces if p.document}
    for doc in context.others(r.data):
        if doc.key != r.key and doc.key not in as_pieces:
            items.append(_Item(_lower(doc.title), [doc.title], rank := rank + 1, False, _loose(doc)))
    return items


def _loose(doc: documents.Planned) -> list[str]:
    """Shorter words that name a document well enough for a letter that names it in its own way:
    « bordereau », « procès-verbal », « bilan final », « bilan 2022 »."""
    words = re.sub(r"^(?:le|la|les|l')\s*", "", _plain(doc.title), flags=re.I).split()
    if doc.spec.reports_year:
        year = _YEAR.search(doc.title)
        return [f"{words[0]} {year.group(1)}"] if year else []
    if len(words) > 1 and words[1] not in ("de", "du", "des", "d'"):
        return [" ".join(words[:2])]
    return words[:1]


def _enclosures(r: _Reading) -> list[str]:
    """A letter's enclosures are the dossier's: it names every document and piece the dossier
    joins, lists as enclosed nothing the dossier does not join, keeps the dossier's order within
    each list, and does not count among article 3's pieces a document article 3 does not ask for."""
    if not r.planned.spec.signed_in_dossier:
        return []
    items = _items(r)
    body = [b for b in r.blocks if b.cell is None]
    found = []
    for intro, region, head in _joined_lists(body):
        shown = _short(head)
        named = _named(region, items)
        for item in (i for _at, i in named if i.rank is None):
            found.append(
                f"paragraphe « {shown} » : la lettre dit joindre « {item.label} », que le dossier ne joint "
                "pas cette année — écrivez la liste des pièces jointes avec {{ pieces_article3 }} et "
                "{{ pieces_specimens }}, celles qui suivront avec {{ pieces_absentes }}"
            )
        ranks = [i.rank for _at, i in named if i.rank is not None]
        if ranks != sorted(ranks):
            found.append(
                f"paragraphe « {shown} » : la lettre énumère les pièces jointes dans un autre ordre que le "
                "dossier (le bordereau, les pièces de l'article 3 dans son ordre, puis les autres documents) "
                "— écrivez-les avec {{ pieces_article3 }} puis {{ autres_documents }}"
            )
        if re.search(r"article\s+3\b", intro, re.I):
            for item in (i for _at, i in named if not i.piece and i.rank is not None):
                found.append(
                    f"paragraphe « {shown} » : la lettre range « {item.label} » parmi les pièces de "
                    "l'article 3, qui ne le demande pas — écrivez les pièces de l'article 3 avec "
                    "{{ pieces_article3 }} et les autres documents à part avec {{ autres_documents }}"
                )
    text = _key(" ".join(b.text for b in body))
    left_out = [i.label for i in items if i.rank is not None and not any(_key(n) in text for n in i.names + i.loose)]
    if left_out:
        where = next((h for _i, _r, h in _joined_lists(body)), None)
        found.append(
            (f"paragraphe « {_short(where)} » : " if where else "")
            + f"la lettre ne nomme pas {_liste([f'« {x} »' for x in left_out])}, que le dossier joint — "
            "écrivez les pièces jointes avec {{ pieces_article3 }}, {{ pieces_specimens }} et "
            "{{ autres_documents }}"
        )
    return found


def _joined_lists(body: list[_Block]):
    """Each list of enclosures: (its introduction, the list, the paragraph). The introduction is
    the sentence of « ci-joint » up to its colon (« vous trouverez ci-joint les pièces prévues à
    l'article 3 … : »), the list what follows, with the list items under a paragraph ending with a
    colon; without a colon, what follows « ci-joint » is the list."""
    for i, b in enumerate(body):
        m = _JOINS.search(b.text)
        if not m:
            continue
        sentence = b.text.rfind(". ", 0, m.start()) + 1
        colon = b.text.find(":", m.end())
        if colon < 0:
            intro, region = b.text[sentence : m.end()], b.text[m.end() :]
        else:
            intro, region = b.text[sentence:colon], b.text[colon + 1 :]
        if b.text.rstrip().endswith(":"):
            for nxt in body[i + 1 :]:
                if not nxt.text:
                    continue
                if not (nxt.listed or nxt.text.endswith((";", ","))):
                    break
                region += " ; " + nxt.text
        yield intro, region, b.text


def _named(region: str, items: list[_Item]) -> list[tuple[int, _Item]]:
    """The items a text names, by position, the longest name first where two overlap."""
    text = _key(region)
    spans = []
    for item in items:
        for name in item.names:
            k = _key(name)
            if len(k) < 8:
                continue
            for m in re.finditer(re.escape(k), text):
                spans.append((m.start(), m.end(), item))
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    kept, end = [], -1
    for start, stop, item in spans:
        if start >= end:
            kept.append((start, item))
            end = stop
        elif stop > end and kept and kept[-1][1] is item:
            end = stop
    seen, out = set(), []
    for at, item in kept:
        if id(item) not in seen:
            seen.add(id(item))
            out.append((at, item))
    return out


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() or text[1:2] in (" ", "'") else text


# --------------------------------------------------------------------------- the minutes' agenda

_NUMBERED = re.compile(r"^\s*(\d{1,2})\s*[.)°]?[-–]?\s+(\S.*)$")


def _agenda(r: _Reading) -> list[str]:
    """The agenda the minutes announce is the one their body follows: the same items, in the same
    order, under the same numbers. The agenda is the list under « Ordre du jour », the body's the
    numbered headings after it."""
    body = [b for b in r.blocks if b.cell is None]
    at = next(
        (
            i
            for i, b in enumerate(body)
            if re.fullmatch(r"ordre du jour\s*:?", b.text, re.I) or re.match(r"ordre du jour\s*:\s*\S", b.text, re.I)
        ),
        None,
    )
    if at is None:
        return []
    head = body[at]
    agenda = _inline_items(head.text.split(":", 1)[1]) if ":" in head.text.rstrip(": ") else []
    i = at + 1
    if not agenda:
        counter = 0
        while i < len(body) and not body[i].heading:
            b = body[i]
            i += 1
            if not b.text:
                continue
            m = _NUMBERED.match(b.text)
            if m:
                agenda.append((int(m.group(1)), m.group(2)))
            elif b.numbered:
                counter += 1
                agenda.append((counter, b.text))
            elif agenda:
                break
    sections, counter = [], 0
    for b in body[i:]:
        if not b.heading:
            continue
        m = _NUMBERED.match(b.text)
        if m:
            sections.append((int(m.group(1)), m.group(2)))
        elif b.numbered:
            counter += 1
            sections.append((counter, b.text))
    if not agenda or not sections:
        return []
    if len(agenda) == len(sections) and all(n == m and _same_title(a, b) for (n, a), (m, b) in zip(agenda, sections)):
        return []
    said = lambda points: ", ".join(f"{n}. {_short(t)}" for n, t in points)  # noqa: E731
    return [
        f"paragraphe « {_short(head.text)} » : l'ordre du jour annonce « {said(agenda)} » mais le corps du "
        f"procès-verbal est numéroté « {said(sections)} » — faites suivre au procès-verbal l'ordre du jour point "
        "par point : écrivez l'un et l'autre avec {% for point in ordre_du_jour %} et "
        "{{ point.numero }}. {{ point.titre }}"
    ]


def _inline_items(text: str) -> list[tuple[int, str]]:
    """« 1. Accueil, 2. Programme, 3. Questions diverses » → its numbered items."""
    parts = re.split(r"[,;]?\s*(?=(?<!\S)\d{1,2}\s*[.)]\s)", text.strip())
    items = []
    for part in parts:
        m = _NUMBERED.match(part.strip().rstrip(".;,"))
        if m:
            items.append((int(m.group(1)), m.group(2)))
    return items


def _same_title(a: str, b: str) -> bool:
    """Two titles of one item: the same words, or one the beginning of the other (« Accueil » and
    « Accueil et adoption de l'ordre du jour »)."""
    a, b = (re.sub(r"[^\w]+", " ", t.casefold()).strip() for t in (a, b))
    return a == b or b.startswith(a + " ") or a.startswith(b + " ")


# --------------------------------------------------------------------------- people: gender and number


@dataclass
class _Person:
    names: list[str]  # as a text may write them: « Mme Sophie EXEMPLE », « Sophie EXEMPLE »
    feminine: bool | None  # from the civilité; None when the data do not say
    qualite: str | None
    party: str | None  # « metropole », « association »: the party the person represents, directs or signs for
    role: str  # « representant », « directeur », « signataire », « membre »
    tag: str  # the tag that prints the person's title, for the message
    label: str = ""  # as a message names the person: the name, else the title

    def __post_init__(self):
        self.label = self.label or (self.names[-1] if self.names else self.qualite or "")


# title words that have a feminine: masculine → feminine
_TITLES = {
    "président": "présidente",
    "vice-président": "vice-présidente",
    "co-président": "co-présidente",
    "coprésident": "coprésidente",
    "directeur": "directrice",
    "délégué": "déléguée",
    "adjoint": "adjointe",
    "conseiller": "conseillère",
    "chargé": "chargée",
    "trésorier": "trésorière",
}
# (not « chef »: « la chef de projet » is said too)
_GENDER = {**{m: (m, False) for m in _TITLES}, **{f: (m, True) for m, f in _TITLES.items()}}
_WORD = re.compile(r"(?<![\w-])(" + "|".join(sorted(map(re.escape, _GENDER), key=len, reverse=True)) + r")(s?)(?![\w-])", re.I)
_ARTICLE = re.compile(r"(?:^|(?<=[\s(]))(de la|à la|le|la|du|au|les|des|aux)\s+$", re.I)
_ARTICLE_GENDER = {"le": False, "du": False, "au": False, "la": True, "de la": True, "à la": True}
_SWAP = {
    "le": "la",
    "la": "le",
    "Le": "La",
    "La": "Le",
    "du": "de la",
    "de la": "du",
    "au": "à la",
    "à la": "au",
    "Du": "De la",
    "De la": "Du",
    "Au": "À la",
    "À la": "Au",
}
_CIVILITY = re.compile(r"(?:^|(?<=[\s(]))(Madame|Monsieur)\s+(?:la|le|l')\s*$")


def _civility(value: str | None) -> bool | None:
    value = (value or "").strip().casefold()
    return True if value in ("madame", "mme") else False if value in ("monsieur", "m.", "m") else None


def _people(data: model.DossierData) -> list[_Person]:
    """The people the data name, with the gender their civilité gives."""
    conv, copil = data.convention, data.year.copil
    people = []
    for who, party in (("metropole", conv.metropole), ("association", conv.association)):
        rep = party.representant
        people.append(
            _Person(
                _names(rep.civilite, rep.prenom, rep.nom),
                _civility(rep.civilite),
                rep.qualite,
                who,
                "representant",
                f"{who}.representant",
                "" if rep.nom else f"{'la' if rep.feminin else 'le'} {rep.qualite} {de(party.designation)}",
            )
        )
        if party.directeur is not None:
            d = party.directeur
            people.append(
                _Person(
                    _names(d.civilite, d.prenom, d.nom), _civility(d.civilite), d.qualite, who, "directeur", f"{who}.directeur"
                )
            )
    signers = {}
    for who in ("metropole", "association"):
        _member, person = documents.minutes_signer(data, who)
        if person is not None:
            signers[id(person)] = who
    for p in copil.presents + copil.excuses:
        signs_for = signers.get(id(p))
        people.append(
            _Person(
                _names(p.civilite, p.prenom, p.nom),
                _civility(p.civilite),
                p.qualite,
                signs_for,
                "signataire" if signs_for else "membre",
                f"signataires.{signs_for}" if signs_for else "p",
            )
        )
    return people


def _names(civilite: str | None, prenom: str | None, nom: str | None) -> list[str]:
    if not nom:
        return []
    whole = " ".join(x for x in (prenom, nom) if x)
    return [n for n in dict.fromkeys([" ".join(x for x in (civilite, prenom, nom) if x), whole]) if len(n) > 3]


def _title_base(qualite: str | None) -> tuple[str, bool] | None:
    """« Vice-Présidente déléguée à … » → (« vice-président », feminine)."""
    m = _WORD.match(_plain(qualite or ""))
    return _GENDER[m.group(1).casefold()] if m and not m.group(2) else None


def _data_spans(r: _Reading) -> list[str]:
    """The texts the data give whole, where a title is the data's, not the template's: the title
    blocks, the forms of address and each person's title with its article."""
    conv, ctx = r.data.convention, r.context()
    texts = [
        *conv.metropole.titre_signature,
        *conv.association.titre_signature,
        ctx.destinataire["appellation"],
        ctx.destinataire["adresse"],
        *(s.get("titre", "") for s in ctx.signataires.values()),
        *ctx.seance.values(),
    ]
    texts += [p.titre for p in r.data.year.copil.presents + r.data.year.copil.excuses]
    copil = r.data.year.copil
    texts += [
        *copil.decisions,
        copil.examen_bilan,
        copil.examen_bilan_final,
        copil.questions_diverses,
        *(a for p in copil.programme for a in p.actions),
    ]
    for year in [r.data.year, *r.data.reported.values()]:  # what the bilans tell of the year's actions
        texts += [x for a in year.actions for x in (a.titre, a.resultat, *a.partenaires) if x]
        texts += [x.objet for x in year.reunions if x.objet]
    texts = [_plain(t) for t in texts if t and _WORD.search(t)]
    # a short one (« le Président ») is the template's words too: only where the data contradict
    # themselves (« Madame la Président ») is it kept out of the template's reading
    return [t for t in texts if len(t) >= 25 or _self_contradicting(t)]


def _self_contradicting(text: str) -> bool:
    """« Madame la Président », « le Présidente »: an article or a civilité of the other gender."""
    for m in _WORD.finditer(text):
        feminine = _GENDER[m.group(1).casefold()][1]
        before = text[: m.start()]
        article = _ARTICLE.search(before)
        civility = re.search(r"(Madame|Monsieur|Mme|M\.)\s+(?:la|le|l')?\s*$", before)
        if article and _ARTICLE_GENDER.get(article.group(1).casefold(), feminine) != feminine:
            return True
        if civility and civility.group(1).startswith("M") and (civility.group(1) in ("Madame", "Mme")) != feminine:
            return True
    return False


def _genders(r: _Reading) -> list[str]:
    """A title agrees with who holds it: « la Vice-Présidente » for a woman, « les co-présidentes »
    for two, never « la Président ». Who holds it is read from the text's structure: the name
    just before it (« Mme Sophie EXEMPLE, Vice-Présidente »), the party after it (« le Président de
    l'AR Hlm »), the signature block it heads, a letter's form of address; a title whose holder
    cannot be told is only checked against its own article."""
    if r.planned.spec.approved_text:
        return []
    found = []
    spans = _data_spans(r)
    owners = _block_owners(r)
    for i, b in enumerate(r.blocks):
        if not b.text:
            continue
        masked = _mask(b.text, spans)
        for m in _WORD.finditer(b.text):
            if masked[m.start()] == "\0":
                continue  # the data's own words: a wrong civilité is the data's to mend
            word, plural = m.group(1), bool(m.group(2))
            base, feminine = _GENDER[word.casefold()]
            before = b.text[: m.start()]
            article = _ARTICLE.search(before)
            said = _short(b.text)
            if plural:
                if base not in ("co-président", "coprésident"):
                    continue  # « les chargés de mission »: whom it is about, the text does not say
                holders = _holders(r, i)
                if holders and all(p.feminine is not None for p in holders):
                    all_women = all(p.feminine for p in holders)
                    if all_women != feminine:
                        form = (_TITLES[base] if all_women else base) + "s"
                        found.append(
                            f"paragraphe « {said} » : « {m.group(0)} » pour "
                            f"{_liste([p.label for p in holders])} — écrivez « {_cased(form, word)} »"
                            + (" (toutes des femmes)" if all_women else "")
                        )
                continue
            if (
                article
                and article.group(1).casefold() in _ARTICLE_GENDER
                and _ARTICLE_GENDER[article.group(1).casefold()] != feminine
            ):
                found.append(
                    f"paragraphe « {said} » : « {article.group(1)} {word} » — l'article et le titre ne "
                    f"s'accordent pas ; écrivez le titre avec son article d'après la civilité "
                    f"(« {{{{ …titre }}}} », ou {{% if ….feminin %}}la{{% else %}}le{{% endif %}})"
                )
                continue
            holder = _holder(r, b, before, b.text[m.end() :], base, owners)
            if holder is None or holder.feminine is None or holder.feminine == feminine:
                continue
            if _title_base(holder.qualite) == (base, feminine):
                continue  # the data's own title for this person: a civilité to mend in the data
            whom = f"{holder.label} ({'une femme' if holder.feminine else 'un homme'} d'après sa civilité)"
            civility = _CIVILITY.search(before) if r.planned.spec.letter else None
            if civility:  # a letter's form of address: the data word it whole
                wrong = f"{civility.group(0).strip()} {word}"
                found.append(
                    f"paragraphe « {said} » : « {wrong} » pour {whom} — écrivez "
                    f"{{{{ destinataire.appellation }}}} (« {r.context().destinataire['appellation']} »)"
                )
                continue
            right = _cased(_TITLES[base] if holder.feminine else base, word)
            wrong = word
            if article:
                wrong = f"{article.group(1)} {word}"
                right = f"{_SWAP.get(article.group(1), article.group(1))} {right}"
            tag = f"{holder.tag}.titre" if holder.role == "signataire" else f"{holder.tag}.qualite"
            found.append(
                f"paragraphe « {said} » : « {wrong} » pour {whom} — écrivez « {right} », ou mieux "
                f"le titre que donnent les données : {{{{ {tag} }}}}"
            )
    return found


def _mask(text: str, spans: list[str]) -> str:
    """``text`` with the data's own words blanked out (« \\0 »), the same length."""
    out = text
    for span in spans:
        for m in re.finditer(re.escape(span), text):
            out = out[: m.start()] + "\0" * (m.end() - m.start()) + out[m.end() :]
    return out


def _holders(r: _Reading, i: int) -> list[_Person]:
    """Whom a plural title (« les co-présidents ») is about: the people named in its paragraph and in
    what follows it up to the next heading, else, in minutes, those who sign them."""
    named: list[_Person] = []
    for b in r.blocks[i : i + 12]:
        if b is not r.blocks[i] and b.heading:
            break
        for p in r.people:
            if p.names and not any(p.names[-1] == q.names[-1] for q in named) and any(n in b.text for n in p.names):
                named.append(p)
    if not named and r.planned.spec.minutes:
        named = [p for p in r.people if p.role == "signataire"]
    return named if len(named) > 1 else []


def _holder(r: _Reading, b: _Block, before: str, after: str, base: str, owners: dict[tuple[int, int], str]) -> _Person | None:
    """Whose title this is, when the text's structure says it."""
    for p in r.people:  # « Mme Sophie EXEMPLE, Vice-Présidente … »
        if any(re.search(re.escape(n) + r"\s*,\s*(?:\w+\s+)?$", before) for n in p.names):
            return p
    conv = r.data.convention
    party = None
    m = re.match(r"\s+(?:de la|de l'|d'|du|de)\s*(.{0,80})", after)
    if m:
        following = m.group(1).casefold()
        for who, part in (("metropole", conv.metropole), ("association", conv.association)):
            refs = [part.nom, part.sigle or "", "métropole" if who == "metropole" else "association"]
            if any(ref and following.startswith(ref.casefold()) for ref in refs):
                party = who
    if party is not None:
        return next(
            (
                p
                for p in r.people
                if p.party == party and p.role in ("representant", "directeur") and (_title_base(p.qualite) or ("",))[0] == base
            ),
            None,
        )
    if b.cell is not None and (b.cell[0], b.cell[2]) in owners:
        who = owners[(b.cell[0], b.cell[2])]
        return next((p for p in _signers_of(r, who) if (_title_base(p.qualite) or ("",))[0] == base), None)
    if r.planned.spec.letter and _CIVILITY.search(before):
        rep = next(p for p in r.people if p.party == "metropole" and p.role == "representant")
        return rep if (_title_base(rep.qualite) or ("",))[0] == base else None
    return None


def _block_owners(r: _Reading) -> dict[tuple[int, int], str]:
    """Each table column that is a signature block, and for whom: its signature mark, or its
    « Pour la Métropole … » line."""
    conv = r.data.convention
    owners = {}
    for b in r.blocks:
        if b.cell is None:
            continue
        column = (b.cell[0], b.cell[2])
        for mark in b.marks:
            owners[column] = mark.rsplit("-", 1)[-1]
        for who, party in (("metropole", conv.metropole), ("association", conv.association)):
            if re.match(rf"pour {re.escape(party.designation.casefold())}", b.text.casefold()):
                owners.setdefault(column, who)
    return owners


def _liste(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]


def _cased(form: str, like: str) -> str:
    """``form`` written with the capitals of ``like`` (« Vice-Président » → « Vice-Présidente »)."""
    parts, model_parts = form.split("-"), like.split("-")
    return "-".join(
        p[:1].upper() + p[1:] if i < len(model_parts) and model_parts[i][:1].isupper() else p for i, p in enumerate(parts)
    )


# --------------------------------------------------------------------------- signature blocks


def _signers_of(r: _Reading, who: str) -> list[_Person]:
    """Who signs ``r``'s document for ``who``: the minutes' signatory, else the party's representant."""
    role = "signataire" if r.planned.spec.minutes else "representant"
    return [p for p in r.people if p.role == role and p.party == who]


def _blocks_of(r: _Reading) -> dict[str, list[_Block]]:
    """Each signature block's paragraphs, by who signs there: the table column of its mark (the
    cells above it included), else the paragraphs just before the mark."""
    found: dict[str, list[_Block]] = {}
    for i, b in enumerate(r.blocks):
        for mark in b.marks:
            who = mark.rsplit("-", 1)[-1]
            if b.cell is not None:
                found[who] = [
                    c
                    for c in r.blocks
                    if c.cell is not None and c.cell[1] <= b.cell[1] and (c.cell[0], c.cell[2]) == (b.cell[0], b.cell[2])
                ]
            else:
                found[who] = [c for c in r.blocks[max(0, i - 3) : i + 2] if c.cell is None]
    return found


def _signers(r: _Reading) -> list[str]:
    """A signature block names its signatory, no one else (« Pascal FRIQUET » under the
    Métropole's title would have him sign for it)."""
    found = []
    for who, block in _blocks_of(r).items():
        signers = _signers_of(r, who)
        text = " ".join(b.text for b in block)
        own = {n for s in signers for n in s.names}
        for p in r.people:
            if p in signers or not p.names or own & set(p.names) or p.names[-1] not in text:
                continue
            right = f", mais c'est {signers[0].names[-1]} qui signe" if signers and signers[0].names else ""
            tag = f"signataires.{who}.nom" if r.planned.spec.minutes else f"{who}.representant.signature_nom"
            found.append(
                f"paragraphe « {_short(text)} » : le bloc de signature {_for(who)} nomme "
                f"{p.names[-1]}{right} — écrivez {{{{ {tag} }}}}"
            )
    return found


def _for(who: str) -> str:
    return "pour la Métropole" if who == "metropole" else "pour l'association"


def _signature_titles(r: _Reading) -> list[str]:
    """A signature block gives the signatory's title as the data do: the party's title block, or
    the minutes' « {{ signataires.<party>.titre }} »."""
    found = []
    conv = r.data.convention
    ctx = r.context()
    for who, block in _blocks_of(r).items():
        party = conv.metropole if who == "metropole" else conv.association
        whole = lambda t: re.sub(r"\s+", "", _plain(t).casefold())  # noqa: E731 — its article kept
        text = whole(" ".join(b.text for b in block))
        wanted = [" ".join(party.titre_signature)]
        if r.planned.spec.minutes and who in ctx.signataires:
            wanted.append(ctx.signataires[who]["titre"])
        if party.titre_signature and not any(whole(w) in text for w in wanted if w):
            shown = _short(" / ".join(b.text for b in block if b.text))
            tag = f"signataires.{who}.titre" if r.planned.spec.minutes else f"{who}.titre_signature|join('\\n')"
            found.append(
                f"paragraphe « {shown} » : le bloc de signature {_for(who)} ne donne pas le titre du "
                f"signataire comme les données l'écrivent (« {_plain(wanted[-1])} ») — écrivez "
                f"{{{{ {tag} }}}}"
            )
    return found
