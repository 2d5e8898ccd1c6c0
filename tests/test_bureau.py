"""Le bureau at the HTTP level (Starlette's TestClient): every page and action, and every refusal —
no token or a wrong one, a change from another site, an oversized or disguised upload, path
tricks, a build of a year another build holds. The facts it shows are ``status``'s own words;
a build from a page runs ``build.build_years`` with the scheduler's stand-in for LibreOffice."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from bureau_helpers import ORIGIN, SIGNED_BILAN, TOKEN, app_for, convention_copy, wait_for
from helpers import CONV, TEMPLATES
from pki import Pki
from reportlab.pdfgen import canvas
from starlette.testclient import TestClient

from pipeline import places, publish, status
from pipeline.bureau import jobs, serve
from pipeline.events import Event

YEAR = 2023
PAGE = f"/c/{CONV}/{YEAR}"
CHANGE = {"Origin": ORIGIN, "X-Jeton": TOKEN, "Accept": "application/json"}


@pytest.fixture()
def place(tmp_path):
    inputs, outputs = convention_copy(tmp_path)
    return inputs, outputs


@pytest.fixture()
def client(place):
    inputs, outputs = place
    with TestClient(app_for(inputs, outputs)) as c:
        assert c.get(f"/?jeton={TOKEN}", follow_redirects=False).status_code == 303  # the cookie, as staff open it
        yield c


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return Pki(tmp_path_factory.mktemp("pki"))


def _pdf(path, text="Le bilan 2022"):
    page = canvas.Canvas(str(path))
    page.drawString(72, 720, text)
    page.save()
    return path


def _signed_bilan(pki, folder):
    current = _pdf(folder / "bilan-0.pdf")
    for i, (field, who, day) in enumerate(SIGNED_BILAN, 1):
        current = pki.sign(current, folder / f"bilan-{i}.pdf", field, who, day)
    return current


def _drop(client, stem, content, name="scan.pdf", headers=CHANGE, year=YEAR):
    return client.post(f"/c/{CONV}/{year}/signe/{stem}", files={"fichier": (name, content, "application/pdf")}, headers=headers)


# ---------------------------------------------------------------------------------------------- the token


def test_the_token_opens_the_session_then_the_cookie_keeps_it(place):
    inputs, outputs = place
    with TestClient(app_for(inputs, outputs)) as c:
        assert c.get("/").status_code == 403 and "jeton" in c.get("/").text
        assert c.get("/?jeton=faux").status_code == 403
        opened = c.get(f"/?jeton={TOKEN}", follow_redirects=False)
        assert opened.status_code == 303 and opened.headers["location"] == "/"  # the token leaves the address
        cookie = opened.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
        assert c.get("/").status_code == 200
        assert c.get("/static/bureau.css").status_code == 200


def test_a_wrong_cookie_or_host_is_refused(place):
    inputs, outputs = place
    with TestClient(app_for(inputs, outputs), cookies={"bureau-jeton": "autre"}) as c:
        assert c.get("/").status_code == 403
    with TestClient(app_for(inputs, outputs), base_url="http://evil.example") as c:  # DNS rebinding
        assert c.get(f"/?jeton={TOKEN}").status_code == 400


# ---------------------------------------------------------------------------------------------- the board


def test_the_board_says_what_status_says_for_every_year(client, place):
    inputs, outputs = place
    page = client.get("/")
    assert page.status_code == 200 and 'lang="fr"' in page.text
    import html

    text = html.unescape(page.text)
    for report in status.status(inputs / CONV, TEMPLATES, outputs):
        assert report.heading in text and f'href="/c/{CONV}/{report.year}"' in page.text
        for line in report.lines:
            assert line.title in text and line.state in text
    assert text.count("jamais construit") >= 4


def test_the_board_tells_up_to_date_and_to_rebuild_with_why(client, place):
    inputs, outputs = place
    job = client.post(f"{PAGE}/construire", data={"version": "travail"}, headers=CHANGE).json()
    assert wait_for(job, client)["reussi"]
    assert "à jour" in client.get("/").text
    year_yaml = inputs / CONV / str(YEAR) / "year.yaml"
    year_yaml.write_text(year_yaml.read_text(encoding="utf-8") + "\n# relu\n", encoding="utf-8")
    page = client.get("/").text
    assert "à reconstruire" in page and f"{YEAR}/year.yaml modifié" in page


# ---------------------------------------------------------------------------------------------- a year


def test_a_year_page_lists_its_slots_with_status_words(client, place):
    inputs, outputs = place
    page = client.get(PAGE)
    assert page.status_code == 200
    for stem in ("bilan-2022", "pv-copil-2023", "convention", f"dossier-{YEAR}"):
        assert f'id="case-{stem}"' in page.text and f'for="fichier-{stem}"' in page.text  # a label for each input
    report = status.status(inputs / CONV, TEMPLATES, outputs, [YEAR])[0]
    import html

    for line in report.lines:
        assert line.state in html.unescape(page.text)
    assert "Aucun document publié" in page.text


def test_unknown_convention_year_or_slot_is_404(client):
    assert client.get(f"/c/inconnue/{YEAR}").status_code == 404
    assert client.get(f"/c/{CONV}/1999").status_code == 404
    assert client.get(f"{PAGE}/signe/inconnu").status_code == 404
    assert client.get(f"{PAGE}/signe/bilan-2022").status_code == 404  # nothing dropped yet


def test_path_tricks_are_refused(client, place):
    inputs, outputs = place
    secret = inputs / CONV / "convention.yaml"
    for path in (
        f"{PAGE}/f/..%2F..%2F..%2Finputs%2F{CONV}%2Fconvention.yaml",
        f"{PAGE}/f/%2E%2E",
        f"{PAGE}/f/.lock-2023",
        f"/c/..%2F..%2Finputs/{YEAR}",
        f"{PAGE}/f/manifest.json",
        f"{PAGE}/signe/..%2F..%2Fconvention",
    ):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert secret.read_text(encoding="utf-8")[:40] not in answer.text
    before = sorted(p.relative_to(inputs) for p in inputs.rglob("*"))
    for stem in ("..%2F..%2Fconvention", "..", "convention.yaml", "../../x"):
        answer = _drop(client, stem, b"%PDF-1.7\n", name="../../../etc/passwd.pdf")
        assert answer.status_code in (404, 405), stem  # « .. » is resolved by the client: the page takes no POST
    assert sorted(p.relative_to(inputs) for p in inputs.rglob("*")) == before  # nothing written anywhere


# ---------------------------------------------------------------------------------------------- drops


def test_a_signed_bilan_dropped_is_checked_stored_and_its_state_changes(client, place, pki, tmp_path):
    inputs, outputs = place
    pki.trusted_by(inputs / CONV)
    signed = _signed_bilan(pki, tmp_path)
    answer = _drop(client, "bilan-2022", signed.read_bytes(), name="n'importe quoi.pdf")
    assert answer.status_code == 200, answer.text
    said = answer.json()
    stored = inputs / CONV / "signes" / "bilan-2022.pdf"
    assert stored.read_bytes() == signed.read_bytes()  # under the document's name, whatever the file's name
    line = next(
        line for line in status.status(inputs / CONV, TEMPLATES, outputs, [YEAR])[0].lines if line.title == said["document"]
    )
    assert said["etat"] == line.state and said["problemes"] == line.problems  # status's words, not ours
    assert said["etat"].startswith("signatures : Pascal FRIQUET le 20 février 2023")
    assert "avant : NON SIGNÉ" in said["changement"]
    assert said["reconstruire"].startswith(f"le dossier {YEAR} est à reconstruire")  # never built
    assert not list((inputs / CONV / "signes").glob(".depot-*"))  # no temporary left
    # the page says it too, and the file can be fetched back
    assert "Pascal FRIQUET le 20 février 2023" in client.get(PAGE).text
    assert client.get(f"{PAGE}/signe/bilan-2022").content == signed.read_bytes()


def test_a_replaced_original_is_kept_and_the_same_file_twice_changes_nothing(client, place, pki, tmp_path):
    inputs, _ = place
    first = _signed_bilan(pki, tmp_path)
    assert _drop(client, "bilan-2022", first.read_bytes()).json()["ok"]
    again = _drop(client, "bilan-2022", first.read_bytes()).json()
    assert again["ok"] and "rien n'a changé" in again["changement"]
    other = tmp_path / "other"
    other.mkdir()
    second = pki.sign(
        _pdf(other / "b.pdf", "Autre texte"), other / "b1.pdf", "bilan-association", "Pascal FRIQUET", dt.date(2023, 2, 21)
    )
    said = _drop(client, "bilan-2022", second.read_bytes()).json()
    kept = list((inputs / CONV / "signes" / "precedents").glob("bilan-2022-remplace-le-*.pdf"))
    assert len(kept) == 1 and kept[0].read_bytes() == first.read_bytes()
    assert "gardé sous" in said["changement"] and kept[0].name in said["changement"]
    assert (inputs / CONV / "signes" / "bilan-2022.pdf").read_bytes() == second.read_bytes()


def test_an_untrusted_signature_is_said_as_status_says_it(client, place, pki, tmp_path):
    signed = _signed_bilan(pki, tmp_path)  # the authority is not in autorites/
    said = _drop(client, "bilan-2022", signed.read_bytes()).json()
    assert said["ok"] and said["etat"].startswith("signature non vérifiable : Pascal FRIQUET")


def test_a_disguised_file_is_refused_and_nothing_is_written(client, place):
    inputs, _ = place
    for content in (b"MZ\x90\x00 not a pdf at all", b"", b"<html>%PDF-1.7</html>"):
        answer = _drop(client, "bilan-2022", content, name="bilan-2022.pdf")
        assert answer.status_code == 422 and "pas un PDF" in answer.json()["erreur"] or "vide" in answer.json()["erreur"]
    broken = _drop(client, "bilan-2022", b"%PDF-1.7\n1 0 obj garbage\n%%EOF\n")  # says it is a PDF, is none
    assert broken.status_code == 422 and "bilan-2022.pdf" in broken.json()["erreur"]
    assert not (inputs / CONV / "signes" / "bilan-2022.pdf").exists()
    assert not list((inputs / CONV / "signes").glob(".depot-*"))


def test_an_oversized_upload_is_refused_before_it_is_read(place):
    inputs, outputs = place
    with TestClient(app_for(inputs, outputs, max_upload=100_000)) as c:
        c.get(f"/?jeton={TOKEN}")
        answer = _drop(c, "bilan-2022", b"%PDF-1.7\n" + b"0" * 300_000)
        assert answer.status_code == 413 and "trop gros" in answer.json()["erreur"]

        def chunked():  # no Content-Length: the stream itself is cut
            yield b'--b\r\nContent-Disposition: form-data; name="fichier"; filename="x.pdf"\r\n\r\n%PDF-'
            for _ in range(40):
                yield b"0" * 10_000
            yield b"\r\n--b--\r\n"

        answer = c.post(
            f"{PAGE}/signe/bilan-2022", content=chunked(), headers={**CHANGE, "Content-Type": "multipart/form-data; boundary=b"}
        )
        assert answer.status_code == 413
    assert not (inputs / CONV / "signes" / "bilan-2022.pdf").exists()


def test_a_change_without_the_token_or_from_another_site_is_refused(client, place, pki, tmp_path):
    inputs, _ = place
    content = _signed_bilan(pki, tmp_path).read_bytes()
    assert _drop(client, "bilan-2022", content, headers={**CHANGE, "Origin": "http://evil.example"}).status_code == 403
    foreign = _drop(client, "bilan-2022", content, headers={**CHANGE, "Origin": "null"})
    assert foreign.status_code == 403 and "pas des pages du bureau" in foreign.json()["erreur"]  # said to the page's script
    no_origin = {k: v for k, v in CHANGE.items() if k != "Origin"}
    assert _drop(client, "bilan-2022", content, headers=no_origin).status_code == 403
    assert _drop(client, "bilan-2022", content, headers={**CHANGE, "X-Jeton": "faux"}).status_code == 403
    without = {k: v for k, v in CHANGE.items() if k != "X-Jeton"}
    assert _drop(client, "bilan-2022", content, headers=without).status_code == 403
    build = client.post(f"{PAGE}/construire", data={"version": "travail"}, headers={**CHANGE, "X-Jeton": "faux"})
    assert build.status_code == 403
    assert (
        client.post(
            f"{PAGE}/construire", data={"version": "travail"}, headers={**CHANGE, "Origin": "http://evil.example"}
        ).status_code
        == 403
    )
    assert not (inputs / CONV / "signes" / "bilan-2022.pdf").exists()
    # the page's own form, without script: the token in its field, the Referer of the page
    form = client.post(
        f"{PAGE}/signe/bilan-2022",
        files={"fichier": ("b.pdf", content, "application/pdf")},
        data={"jeton": TOKEN},
        headers={"Referer": f"{ORIGIN}{PAGE}"},
    )
    assert form.status_code == 200 and "déposé" in form.text


# ---------------------------------------------------------------------------------------------- builds


def test_a_build_from_the_page_streams_its_events_and_publishes(client, place):
    inputs, outputs = place
    job = client.post(f"{PAGE}/construire", data={"version": "travail"}, headers=CHANGE)
    assert job.status_code == 202
    with client.stream("GET", job.json()["flux"]) as stream:
        text = "".join(stream.iter_text())
    assert "event: progression\ndata: converti en PDF : bilan-2022" in text
    assert "event: progression\ndata: dossier assemblé : 2023" in text
    assert text.rstrip().endswith(f"event: fin\ndata: dossier : dossier-{YEAR}.pdf")
    state = client.get(f"/travaux/{job.json()['travail']}").json()
    assert state["reussi"] and state["dossier"] == f"{PAGE}/f/dossier-{YEAR}.pdf"
    pdf = client.get(state["dossier"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-") and "inline" in pdf.headers["content-disposition"]
    word = client.get(f"{PAGE}/f/appel-{YEAR}.docx")
    assert word.status_code == 200 and "attachment" in word.headers["content-disposition"]
    page = client.get(PAGE).text
    assert f"dossier-{YEAR}.pdf" in page and f"appel-{YEAR}.docx" in page and "à jour" in page
    again = wait_for(client.post(f"{PAGE}/construire", data={"version": "travail"}, headers=CHANGE).json(), client)
    assert any("déjà à jour" in m["texte"] for m in again["messages"])  # as a second « make dossier » says


def test_a_build_of_a_year_another_build_holds_gets_the_terminal_s_refusal(client, place):
    inputs, outputs = place
    out = places.outputs_for(outputs, inputs / CONV)
    out.mkdir(parents=True)
    with publish.locks(out, [YEAR]):  # a terminal building 2023
        state = wait_for(client.post(f"{PAGE}/construire", data={"version": "travail"}, headers=CHANGE).json(), client)
    assert not state["reussi"]
    assert state["messages"][-1] == {
        "type": "erreur",
        "texte": f"erreur : une autre construction de l'année {YEAR} est en cours — attendez qu'elle se termine, puis relancez",
    }


def test_two_builds_from_two_tabs_one_is_refused_as_in_two_terminals(place, monkeypatch):
    inputs, outputs = place
    from bureau_helpers import StandInSession

    gate = threading.Event()
    slow = StandInSession.receive

    def receive(self):  # the first build holds its lock while LibreOffice works
        gate.wait(10)
        return slow(self)

    monkeypatch.setattr(StandInSession, "receive", receive)
    with TestClient(app_for(inputs, outputs)) as c:
        c.get(f"/?jeton={TOKEN}")
        first = c.post(f"{PAGE}/construire", data={"version": "travail"}, headers=CHANGE).json()
        out = places.outputs_for(outputs, inputs / CONV)
        deadline = time.monotonic() + 30
        while not publish.in_progress(out, YEAR) and time.monotonic() < deadline:
            time.sleep(0.02)
        second = wait_for(c.post(f"{PAGE}/construire", data={"version": "travail"}, headers=CHANGE).json(), c)
        gate.set()
        first = wait_for(first, c)
    assert first["reussi"] and not second["reussi"]
    assert "une autre construction de l'année 2023 est en cours" in second["messages"][-1]["texte"]


def test_a_build_error_is_said_as_the_command_line_says_it(client, place):
    inputs, _ = place
    year_yaml = inputs / CONV / str(YEAR) / "year.yaml"
    year_yaml.write_text("appel: [ceci n'est pas\n", encoding="utf-8")
    state = wait_for(client.post(f"{PAGE}/construire", data={"version": "definitive"}, headers=CHANGE).json(), client)
    from helpers import run_cli

    said = run_cli("--inputs", str(inputs), "--outputs", str(place[1]), "build", str(YEAR), "--final")
    last = state["messages"][-1]
    assert (
        last["type"] == "erreur"
        and last["texte"] == said.stderr.strip().splitlines()[-1]
        or said.stderr.strip().startswith(last["texte"].splitlines()[0])
    )


def test_the_form_without_script_redirects_to_the_page_that_follows_the_build(client):
    answer = client.post(
        f"{PAGE}/construire", data={"version": "travail", "jeton": TOKEN}, headers={"Origin": ORIGIN}, follow_redirects=False
    )
    assert answer.status_code == 303 and answer.headers["location"].startswith(f"{PAGE}?travail=")
    assert client.get("/travaux/999").status_code == 404


def test_events_are_said_in_french():
    assert jobs.event_line(Event("started", ("libreoffice",))) == "LibreOffice démarré"
    assert jobs.event_line(Event("converted", ("bilan-2022",))) == "converti en PDF : bilan-2022"


def test_the_server_takes_another_port_when_its_own_is_taken():
    first = serve.listening("127.0.0.1", 0)
    try:
        second = serve.listening("127.0.0.1", first.getsockname()[1])
        assert second.getsockname()[1] != first.getsockname()[1]
        second.close()
    finally:
        first.close()


def test_the_command_prints_its_address_serves_on_127_0_0_1_and_stops_on_ctrl_c(place):
    """« python -m pipeline bureau » as staff start it: the address with its token, the page at
    that address, then Ctrl-C stops it cleanly."""
    import re
    import signal
    import subprocess
    import sys
    import urllib.request
    from http.cookiejar import CookieJar

    from helpers import ROOT

    inputs, outputs = place
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline",
            "--inputs",
            str(inputs),
            "--outputs",
            str(outputs),
            "bureau",
            "--sans-navigateur",
            "--port",
            "0",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        first = process.stdout.readline()
        url = re.search(r"(http://127\.0\.0\.1:\d+/)\?jeton=(\S+)", first)
        assert url, first
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        deadline = time.monotonic() + 20
        while True:
            try:
                page = opener.open(url.group(0), timeout=10)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        assert page.status == 200 and "Où en est chaque dossier" in page.read().decode()
        assert page.url == url.group(1)  # the token left the address, the cookie keeps the session
    finally:
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=30)
    assert process.returncode == 0 and out.strip().endswith("bureau arrêté"), out
