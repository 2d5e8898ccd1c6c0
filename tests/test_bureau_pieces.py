"""Le bureau's pieces of article 3, templates, preview and calendar at the HTTP level: every page
and action, and every refusal — a disguised or hostile file, an oversized one, path tricks, no
token or another site, a year.yaml laid out unusually, a build holding the year, a faulty
template (refused with check's own lines, the old one untouched)."""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import io
import re
import zipfile

import pytest
from bureau_helpers import ORIGIN, TOKEN, app_for, convention_copy
from helpers import CONV, TEMPLATES, run_cli
from PIL import Image
from pypdf import PdfWriter
from starlette.testclient import TestClient
from test_hostile_pieces import png_header

from pipeline import places, publish, status
from pipeline.convention import model

YEAR = 2023
PAGE = f"/c/{CONV}/{YEAR}"
CHANGE = {"Origin": ORIGIN, "X-Jeton": TOKEN, "Accept": "application/json"}


@pytest.fixture()
def place(tmp_path):
    return convention_copy(tmp_path)


@contextlib.contextmanager
def _client(inputs, outputs, **options):
    with TestClient(app_for(inputs, outputs, **options)) as client:
        client.get(f"/?jeton={TOKEN}")  # the cookie, as staff open the address
        yield client


@pytest.fixture()
def client(place):
    with _client(*place) as c:
        yield c


def _png(width=850, height=1100) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, "PNG", dpi=(100, 100))
    return out.getvalue()


def _drop(client, code, content, name="piece.pdf", headers=CHANGE, data=None):
    return client.post(
        f"{PAGE}/piece/{code}", files={"fichier": (name, content, "application/pdf")}, headers=headers, data=data or {}
    )


def _snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _text(page) -> str:
    return html.unescape(page.text)


# ---------------------------------------------------------------------------------------------- pieces


def test_each_article_3_piece_has_its_slot_with_what_is_there(client, place):
    inputs, _ = place
    page = client.get(PAGE)
    assert page.status_code == 200
    text = _text(page)
    conv, _ = model.load_convention(inputs / CONV)
    for spec in conv.pieces_requises:
        assert f'id="piece-{spec.code}"' in page.text
        if spec.document is None:
            assert f'for="piece-fichier-{spec.code}"' in page.text  # a label for each drop
    assert f"<title>Bureau – {CONV} {YEAR}</title>" in page.text  # each block holds its own, and only that
    assert page.text.count('id="apercu"') == 1
    assert "2023/pieces/rib.pdf" in text and "spécimen" in text
    assert "produite par la chaîne" in text  # the bilan: nothing to drop
    assert client.get(f"{PAGE}/piece/rib").content == (inputs / CONV / "2023" / "pieces" / "rib.pdf").read_bytes()


def test_a_scan_dropped_replaces_the_piece_and_changes_one_line_of_year_yaml(client, place):
    inputs, outputs = place
    year_yaml = inputs / CONV / "2023" / "year.yaml"
    before = year_yaml.read_text(encoding="utf-8").splitlines()
    old = (inputs / CONV / "2023" / "pieces" / "rib.pdf").read_bytes()
    scan = _png()
    answer = _drop(client, "rib", scan, name="rib.pdf")  # a PNG named .pdf: its content says what it is
    assert answer.status_code == 200, answer.text
    said = answer.json()
    assert said["fichier"] == "pieces/rib.png" and said["specimen"] is False
    assert (inputs / CONV / "2023" / "pieces" / "rib.png").read_bytes() == scan
    assert not (inputs / CONV / "2023" / "pieces" / "rib.pdf").exists()
    kept = list((inputs / CONV / "2023" / "pieces" / "precedents").glob("rib-remplace-le-*.pdf"))
    assert len(kept) == 1 and kept[0].read_bytes() == old and kept[0].name in said["changement"]
    after = year_yaml.read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert len(before) == len(after) and changed == [
        ("    fichier: pieces/rib.pdf", "    fichier: pieces/rib.png"),
        ("    specimen: true", "    specimen: false"),
    ]
    assert "ligne 140 : « fichier: pieces/rib.png »" in said["changement"]
    data = model.load(inputs / CONV, YEAR)  # the year loads, as check reads it
    rib = next(p for p in data.year.pieces if p.code == "rib")
    assert rib.fichier == "pieces/rib.png" and not rib.specimen
    assert said["reconstruire"].startswith(f"le dossier {YEAR} est à reconstruire")
    assert "2023/pieces/rib.png" in _text(client.get(PAGE))


def test_a_piece_still_a_specimen_keeps_its_flag_and_the_same_file_twice_changes_nothing(client, place):
    inputs, _ = place
    year_yaml = inputs / CONV / "2023" / "year.yaml"
    content = (inputs / CONV / "2022" / "pieces" / "statuts.pdf").read_bytes()
    first = _drop(client, "statuts", content, data={"specimen": "oui"}).json()
    assert first["ok"] and first["specimen"] is True and "specimen: true" in year_yaml.read_text(encoding="utf-8")
    text = year_yaml.read_text(encoding="utf-8")
    again = _drop(client, "statuts", content, data={"specimen": "oui"}).json()
    assert again["ok"] and "rien n'a changé" in again["changement"]
    assert year_yaml.read_text(encoding="utf-8") == text


def test_a_piece_the_year_does_not_give_yet_is_added_to_its_list(client, place):
    inputs, _ = place
    year_yaml = inputs / CONV / "2023" / "year.yaml"
    text = year_yaml.read_text(encoding="utf-8")
    cut = re.sub(r"  - code: comptes\n    fichier: .*\n    specimen: true\n    note: .*\n", "", text)
    assert cut != text
    year_yaml.write_text(cut, encoding="utf-8")
    assert "aucun fichier" in _text(client.get(PAGE))
    pdf = (inputs / CONV / "2023" / "pieces" / "comptes-2022.pdf").read_bytes()
    said = _drop(client, "comptes", pdf).json()
    assert said["ok"], said
    data = model.load(inputs / CONV, YEAR)
    assert next(p for p in data.year.pieces if p.code == "comptes").fichier == "pieces/comptes.pdf"
    assert year_yaml.read_text(encoding="utf-8").startswith(cut.split("pieces:")[0])  # comments before, untouched


@pytest.mark.parametrize(
    "content, words",
    [
        (b"MZ\x90\x00\x03 un programme Windows", "n'est ni un PDF"),
        (b"", "est vide"),
        (b"<html>%PDF-1.7</html>", "n'est ni un PDF"),
        (None, "n'est ni un PDF"),  # a zip archive that is no Word document, named .pdf
    ],
)
def test_a_disguised_piece_is_refused_and_nothing_changes(client, place, content, words):
    inputs, _ = place
    if content is None:
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as z:
            z.writestr("virus.exe", b"MZ")
        content = archive.getvalue()
    folder = inputs / CONV / "2023"
    before = _snapshot(folder)
    answer = _drop(client, "rib", content, name="rib.pdf")
    assert answer.status_code == 422 and words in answer.json()["erreur"], answer.text
    assert _snapshot(folder) == before


def _encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _bomb(tmp_path) -> bytes:
    png_header(tmp_path / "bombe.png", 30000, 30000)
    return (tmp_path / "bombe.png").read_bytes()


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda tmp: _encrypted_pdf(), "est protégé par un mot de passe : fournissez une version non chiffrée"),
        (_bomb, "image de 30000 × 30000 pixels, plus qu'une page numérisée n'en a"),
        (lambda tmp: b"%PDF-1.7\n1 0 obj garbage\n%%EOF\n", "est un PDF abîmé ou illisible"),
        (lambda tmp: b"\x89PNG\r\n\x1a\n tronquee", "image illisible"),
    ],
)
def test_a_hostile_piece_gets_check_s_own_words_and_nothing_is_written(client, place, tmp_path, make, words):
    inputs, _ = place
    folder = inputs / CONV / "2023"
    before = _snapshot(folder)
    answer = _drop(client, "rib", make(tmp_path))
    assert answer.status_code == 422 and words in answer.json()["erreur"], answer.text
    assert "pieces/rib." in answer.json()["erreur"] or "image illisible" in words  # named as it would be stored
    assert ".depot-" not in answer.json()["erreur"]
    assert _snapshot(folder) == before  # no temporary left, year.yaml untouched


def test_the_same_bomb_is_what_check_refuses(place, tmp_path):
    """The bureau's words are check's: the same file, written by hand, fails check with them."""
    inputs, outputs = place
    bomb = _bomb(tmp_path)
    with _client(inputs, outputs) as c:
        said = _drop(c, "rib", bomb).json()["erreur"]
    pieces = inputs / CONV / "2023" / "pieces"
    (pieces / "rib.png").write_bytes(bomb)
    year_yaml = inputs / CONV / "2023" / "year.yaml"
    year_yaml.write_text(year_yaml.read_text(encoding="utf-8").replace("pieces/rib.pdf", "pieces/rib.png"), encoding="utf-8")
    done = run_cli("--inputs", str(inputs), "--outputs", str(outputs), "check")
    line = next(x for x in done.stderr.splitlines() if "rib.png" in x)
    assert line.split("pieces[1].fichier", 1)[1].strip(" :") in said


def test_an_oversized_piece_is_refused(place):
    inputs, outputs = place
    with _client(inputs, outputs, max_upload=100_000) as c:
        answer = _drop(c, "rib", b"%PDF-1.7\n" + b"0" * 300_000)
        assert answer.status_code == 413 and "trop gros" in answer.json()["erreur"]
    assert not (inputs / CONV / "2023" / "pieces" / "precedents").exists()


def test_a_piece_without_token_or_from_another_site_is_refused(client, place):
    inputs, _ = place
    folder = inputs / CONV / "2023"
    before = _snapshot(folder)
    png = _png()
    assert _drop(client, "rib", png, headers={**CHANGE, "Origin": "http://evil.example"}).status_code == 403
    assert _drop(client, "rib", png, headers={**CHANGE, "X-Jeton": "faux"}).status_code == 403
    assert _drop(client, "rib", png, headers={k: v for k, v in CHANGE.items() if k != "X-Jeton"}).status_code == 403
    assert _snapshot(folder) == before
    form = client.post(
        f"{PAGE}/piece/rib",
        files={"fichier": ("scan.png", png, "image/png")},
        data={"jeton": TOKEN},
        headers={"Referer": f"{ORIGIN}{PAGE}"},
    )  # the page's form, no script
    assert form.status_code == 200 and "2023/pieces/rib.png" in _text(form)


def test_path_tricks_on_pieces_are_refused(client, place):
    inputs, _ = place
    before = _snapshot(inputs)
    for code in ("..%2F..%2Fconvention", "inconnue", "bilan%2F..%2F..", "%2E%2E"):
        answer = _drop(client, code, _png())
        assert answer.status_code in (404, 405), code
        assert client.get(f"{PAGE}/piece/{code}").status_code in (404, 405)
    assert _drop(client, "bilan", _png()).status_code == 422  # made by the engine: no file to drop
    assert _snapshot(inputs) == before
    said = _drop(client, "rib", _png(), name="../../../../etc/passwd").json()  # the browser's name is never used
    assert said["fichier"] == "pieces/rib.png"


def test_a_piece_pointing_outside_the_convention_is_not_served(client, place, tmp_path):
    inputs, _ = place
    (tmp_path / "secret.pdf").write_bytes(b"%PDF-1.7 secret")
    year_yaml = inputs / CONV / "2023" / "year.yaml"
    year_yaml.write_text(
        year_yaml.read_text(encoding="utf-8").replace("fichier: pieces/rib.pdf", f"fichier: {tmp_path / 'secret.pdf'}"),
        encoding="utf-8",
    )
    assert client.get(f"{PAGE}/piece/rib").status_code == 404
    said = _drop(client, "rib", _png()).json()  # stored inside, the line pointed back in
    assert said["ok"] and said["fichier"] == "pieces/rib.png" and (tmp_path / "secret.pdf").exists()


def test_an_unusual_year_yaml_is_left_alone_with_the_line_to_write(client, place):
    inputs, _ = place
    year_yaml = inputs / CONV / "2023" / "year.yaml"
    text = year_yaml.read_text(encoding="utf-8")
    odd = text.replace(
        "  - code: rib\n    fichier: pieces/rib.pdf\n    specimen: true\n",
        "  - {code: rib, fichier: pieces/rib.pdf, specimen: true}\n",
    )
    assert odd != text
    year_yaml.write_text(odd, encoding="utf-8")
    before = _snapshot(inputs / CONV / "2023")
    answer = _drop(client, "rib", _png())
    assert answer.status_code == 422, answer.text
    assert "rien n'a été enregistré" in answer.json()["erreur"] and "fichier: pieces/rib.png" in answer.json()["erreur"]
    assert _snapshot(inputs / CONV / "2023") == before


def test_a_piece_dropped_while_a_build_holds_the_year_gets_the_terminal_s_refusal(client, place):
    inputs, outputs = place
    out = places.outputs_for(outputs, inputs / CONV)
    out.mkdir(parents=True)
    before = _snapshot(inputs / CONV / "2023")
    with publish.locks(out, [YEAR]):
        answer = _drop(client, "rib", _png())
    assert answer.status_code == 422
    assert answer.json()["erreur"] == (
        f"une autre construction de l'année {YEAR} est en cours — attendez qu'elle se termine, puis relancez"
    )
    assert _snapshot(inputs / CONV / "2023") == before


def test_a_year_whose_piece_is_missing_still_shows_its_slots_and_a_drop_mends_it(client, place):
    inputs, _ = place
    (inputs / CONV / "2023" / "pieces" / "rib.pdf").unlink()
    page = client.get(PAGE)
    assert page.status_code == 422 and "fichier introuvable : pieces/rib.pdf" in _text(page)
    assert 'id="piece-rib"' in page.text
    assert _drop(client, "rib", _png()).json()["ok"]
    assert client.get(PAGE).status_code == 200


# ---------------------------------------------------------------------------------------------- templates


def _faulty_appel(tmp_path) -> bytes:
    import docx

    document = docx.Document(TEMPLATES / "appel.docx")
    document.add_paragraph("Montant : {{ appel.montnat }}")
    document.save(tmp_path / "appel.docx")
    return (tmp_path / "appel.docx").read_bytes()


def _drop_template(client, key, content, name="modele.docx", headers=CHANGE):
    return client.post(
        f"/c/{CONV}/modeles/{key}", files={"fichier": (name, content, "application/octet-stream")}, headers=headers
    )


def test_the_templates_page_says_which_template_serves_each_document(client, place):
    inputs, _ = place
    page = client.get(f"/c/{CONV}/modeles")
    assert page.status_code == 200
    text = _text(page)
    assert "le modèle commun n'est jamais modifié depuis le bureau" in text
    for key in ("appel", "bilan", "pv-copil", "convention"):
        assert f'id="modele-{key}"' in page.text and f'for="modele-fichier-{key}"' in page.text
    own = re.search(r'id="modele-convention".*?</li>', page.text, re.S).group(0)
    shared = re.search(r'id="modele-appel".*?</li>', page.text, re.S).group(0)
    assert "propre à la convention" in own and "modèle commun" in shared
    assert client.get(f"/c/{CONV}/modeles/appel.docx").content == (TEMPLATES / "appel.docx").read_bytes()
    assert client.get(f"/c/{CONV}/modeles/..%2F..%2Fconvention.yaml").status_code == 404
    assert client.get(f"/c/{CONV}/modeles/inconnu").status_code == 404


def test_a_faulty_template_is_refused_with_check_s_lines_and_the_old_one_untouched(client, place, tmp_path):
    inputs, outputs = place
    faulty = _faulty_appel(tmp_path)
    shared = (TEMPLATES / "appel.docx").read_bytes()
    answer = _drop_template(client, "appel", faulty)
    assert answer.status_code == 422
    said = answer.json()
    assert "le modèle en place n'a pas changé" in said["erreur"]
    assert not (inputs / CONV / "templates" / "appel.docx").exists()  # no own copy made
    assert (TEMPLATES / "appel.docx").read_bytes() == shared
    # check says the same lines of the same file put in place by hand
    (inputs / CONV / "templates" / "appel.docx").write_bytes(faulty)
    done = run_cli("--inputs", str(inputs), "--outputs", str(outputs), "check")
    assert done.returncode != 0
    for line in said["problemes"]:
        assert line in done.stderr, (line, done.stderr)
    assert any("« appel.montnat » n'existe pas — vouliez-vous dire « appel.montant » ?" in line for line in said["problemes"])


def test_a_faulty_template_refused_in_the_page_without_script(client, tmp_path):
    answer = client.post(
        f"/c/{CONV}/modeles/appel",
        files={"fichier": ("a.docx", _faulty_appel(tmp_path))},
        data={"jeton": TOKEN},
        headers={"Referer": f"{ORIGIN}/c/{CONV}/modeles"},
    )
    assert answer.status_code == 422 and "appel.montnat" in _text(answer) and 'role="alert"' in answer.text


def test_a_good_template_becomes_the_convention_s_own_copy_the_previous_kept(client, place):
    inputs, outputs = place
    own = inputs / CONV / "templates"
    content = (TEMPLATES / "appel.docx").read_bytes()
    said = _drop_template(client, "appel", content).json()
    assert said["ok"], said
    assert "le modèle commun reste inchangé pour les autres conventions" in said["changement"]
    assert (own / "appel.docx").read_bytes() == content
    assert "propre à la convention" in re.search(r'id="modele-appel".*?</li>', client.get(f"/c/{CONV}/modeles").text, re.S).group(
        0
    )
    again = _drop_template(client, "convention", (own / "convention.docx").read_bytes()).json()
    assert again["ok"], again
    kept = list((own / "precedents").glob("convention-remplace-le-*.docx"))
    assert len(kept) == 1 and kept[0].name in again["changement"]
    assert places.templates_used(inputs / CONV, TEMPLATES)[0].name == "appel.docx"  # precedents/ is never read


def test_a_template_that_is_no_word_file_or_comes_from_elsewhere_is_refused(client, place):
    inputs, outputs = place
    assert _drop_template(client, "appel", b"%PDF-1.7 not word").status_code == 422
    assert "n'est pas un document Word" in _drop_template(client, "appel", b"PK\x03\x04 zip").json()["erreur"]
    content = (TEMPLATES / "appel.docx").read_bytes()
    assert _drop_template(client, "appel", content, headers={**CHANGE, "Origin": "http://evil.example"}).status_code == 403
    assert _drop_template(client, "appel", content, headers={**CHANGE, "X-Jeton": "faux"}).status_code == 403
    assert _drop_template(client, "..%2F..%2Fconvention", content).status_code in (404, 405)
    out = places.outputs_for(outputs, inputs / CONV)
    out.mkdir(parents=True)
    with publish.locks(out, [2024]):
        held = _drop_template(client, "appel", content)
    assert held.status_code == 422 and "une autre construction de l'année 2024 est en cours" in held.json()["erreur"]
    assert not (inputs / CONV / "templates" / "appel.docx").exists()


# ---------------------------------------------------------------------------------------------- preview


def test_the_preview_is_the_document_filled_and_its_version_follows_a_template_drop(client, place):
    inputs, _ = place
    pdf = client.get(f"{PAGE}/apercu/appel")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert "inline" in pdf.headers["content-disposition"]
    first = client.get(f"{PAGE}/apercu/appel/version").json()["version"]
    assert client.get(f"{PAGE}/apercu/appel/version").json()["version"] == first  # nothing changed
    assert _drop_template(client, "appel", (TEMPLATES / "appel.docx").read_bytes()).json()["ok"]
    assert client.get(f"{PAGE}/apercu/appel/version").json()["version"] != first
    assert 'id="apercu-document"' in client.get(PAGE).text


def test_a_preview_of_broken_data_says_the_error_and_an_unknown_document_is_404(client, place):
    inputs, _ = place
    assert client.get(f"{PAGE}/apercu/transmission").status_code == 404
    assert client.get(f"{PAGE}/apercu/..%2F..%2Fx").status_code == 404
    assert client.get(f"{PAGE}/apercu/appel").status_code == 200
    year_yaml = inputs / CONV / "2023" / "year.yaml"
    year_yaml.write_text(
        year_yaml.read_text(encoding="utf-8").replace("montant: 20000.00", "montant: beaucoup"), encoding="utf-8"
    )
    broken = client.get(f"{PAGE}/apercu/appel")
    assert broken.status_code == 422 and "appel.montant" in _text(broken)


# ---------------------------------------------------------------------------------------------- calendar


def test_the_board_says_what_is_due_next_and_what_is_late_from_status(place):
    inputs, outputs = place
    today = dt.date(2024, 1, 10)
    with _client(inputs, outputs, today=lambda: today) as c:
        text = " ".join(re.sub(r"<[^>]+>", " ", _text(c.get("/"))).split())  # the words, as read aloud
    dated = status.calendar(status.status(inputs / CONV, TEMPLATES, outputs), today)
    following = status.due_next(dated)
    late = [d for d in dated if d.mark == status.LATE]
    assert following is not None and following.step.day >= today and late
    from pipeline.french import date_fr

    assert f"Prochaine échéance : {following.step.what} — le {date_fr(following.step.day)}" in text
    assert f"En retard : {len(late)}" in text
    assert text.count("⚠ en retard") == len(late)  # a word and a sign, not only a colour
    assert text.count("✓ fait") == sum(d.mark == status.DONE for d in dated)
    assert f"Aujourd'hui, {date_fr(today)}" in text
    assert "Échéance du compte rendu financier de la participation 2023" in text


def test_the_calendar_marks_steps_as_of_today():
    step = status.Step(dt.date(2024, 3, 1), "Le bilan", 2024, False)
    done = status.Step(dt.date(2024, 2, 1), "Le COPIL", 2024, True)
    report = status.YearStatus(2024, "Dossier", [], [], [step, done])
    assert [d.mark for d in status.calendar([report], dt.date(2024, 3, 2))] == ["fait", "en retard"]
    assert [d.mark for d in status.calendar([report], dt.date(2024, 3, 1))] == ["fait", "aujourd'hui"]
    assert status.due_next(status.calendar([report], dt.date(2024, 1, 1))).step == step
