"""Le bureau in a real browser, as staff use it: Debian's headless Chromium (installed by « make
setup », never downloaded) driven by Selenium through Debian's chromedriver, one browser for the
module. Open the board, build a year from its page and see the progress and the dossier's
link, drop the signed bilan on its slot and see its state change, read what is due next and the
cycle's calendar, upload a faulty template and see check's error, drop a scan on a piece's slot
and see the page change, follow a document's preview as its template is saved; the screenshots
of the board, the calendar, a year's page and the templates page in docs/ are taken here."""

from __future__ import annotations

import datetime as dt
import io
import os
import threading
from pathlib import Path

import pytest
from bureau_helpers import SIGNED_BILAN, TOKEN, convention_copy
from helpers import CONV, ROOT, TEMPLATES
from pki import Pki

from pipeline import build
from pipeline.bureau import serve
from pipeline.bureau.site import create_app

CHROMIUM, DRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
YEAR = 2023
TODAY = dt.date(2024, 1, 10)
SHOTS = ROOT / "docs"

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and DRIVER.exists()), reason="Chromium et chromedriver de Debian absents : « make setup » les installe"
)


@pytest.fixture(scope="module")
def site(office, tmp_path_factory):
    """The bureau served by uvicorn on a free port of 127.0.0.1, its builds with the session's
    LibreOffice; the shipped convention copied, its authority the tests' own."""
    import uvicorn

    root = tmp_path_factory.mktemp("bureau")
    inputs, outputs = convention_copy(root)
    pki = Pki(root / "pki")
    pki.trusted_by(inputs / CONV)

    import contextlib

    @contextlib.contextmanager
    def with_session_office(**told):
        yield build.Runtime(office, **told)

    class Borrowed:  # the previews convert with the session's LibreOffice, and leave it running
        def convert(self, docs, outdir):
            return office.convert(docs, outdir)

        def close(self):
            pass

    app = create_app(
        inputs,
        TEMPLATES,
        outputs,
        token=TOKEN,
        hosts=("127.0.0.1",),
        runtime=with_session_office,
        today=lambda: TODAY,
        office=Borrowed,
    )  # the calendar read on a fixed day: the same screenshots at each run
    sock = serve.listening("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        threading.Event().wait(0.02)
    here = os.getcwd()
    os.chdir(root)  # the paths the pages show read as staff's do (inputs/…), the screenshots the same at each run
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", inputs, outputs, pki, root
    finally:
        os.chdir(here)
    server.should_exit = True
    thread.join(10)
    sock.close()


@pytest.fixture(scope="module")
def browser(site, tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
        "--window-size=1280,1000",
        "--lang=fr-FR",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(DRIVER)), options=options)
    driver.implicitly_wait(0)
    url = site[0]
    driver.get(f"{url}/?jeton={TOKEN}")  # as staff open the address the terminal printed
    yield driver
    driver.quit()


def _wait(driver, condition, seconds=120):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, seconds, poll_frequency=0.1).until(condition)


def _shot(driver, name: str) -> None:
    """The whole page, as tall as it is."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(max(height, 800), 4000))
    SHOTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(SHOTS / name))
    driver.set_window_size(1280, 1000)


def test_the_board_opens_with_every_year(browser, site):
    from selenium.webdriver.common.by import By

    assert browser.current_url == f"{site[0]}/"  # the token left the address once the cookie was set
    assert browser.find_element(By.TAG_NAME, "h1").text == "Où en est chaque dossier"
    years = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "article.annee h3 a")]
    assert years[1] == "Dossier 2023 – appel du 28 mars 2023" and len(years) == 4
    assert "jamais construit" in browser.find_element(By.CSS_SELECTOR, "article.annee").text


def test_a_build_from_the_year_page_shows_its_progress_and_the_dossier_link(browser, site):
    from selenium.webdriver.common.by import By

    url = site[0]
    browser.find_element(By.LINK_TEXT, "Dossier 2023 – appel du 28 mars 2023").click()
    _wait(browser, lambda d: d.current_url.endswith(f"/c/{CONV}/{YEAR}"))
    browser.find_element(By.CSS_SELECTOR, 'button[value="travail"]').click()
    link = _wait(
        browser, lambda d: d.find_elements(By.ID, "lien-dossier") or d.find_elements(By.CSS_SELECTOR, "#messages .m-erreur")
    )[0]
    said = browser.find_element(By.ID, "messages").text
    assert link.get_attribute("id") == "lien-dossier", said
    assert "converti en PDF : bilan-2022" in said and "dossier assemblé : 2023" in said
    assert link.get_attribute("href") == f"{url}/c/{CONV}/{YEAR}/f/dossier-{YEAR}.pdf"
    browser.get(f"{url}/c/{CONV}/{YEAR}")  # the page again: the documents, and the year up to date
    assert "à jour" in browser.find_element(By.CSS_SELECTOR, '[data-role="etat-annee"]').text
    assert browser.find_element(By.LINK_TEXT, f"appel-{YEAR}.docx")


def test_a_signed_bilan_dropped_on_its_slot_changes_its_state(browser, site):
    from selenium.webdriver.common.by import By

    url, inputs, outputs, pki, root = site
    published = outputs / CONV / str(YEAR) / "bilan-2022.pdf"
    current = published
    for i, (field, who, day) in enumerate(SIGNED_BILAN):
        current = pki.sign(current, root / "a-signer" / f"bilan-2022-{i}.pdf", field, who, day)
    slot = browser.find_element(By.ID, "case-bilan-2022")
    before = slot.find_element(By.CSS_SELECTOR, '[data-role="etat"]').text
    assert before.startswith("NON SIGNÉ")
    slot.find_element(By.CSS_SELECTOR, 'input[type="file"]').send_keys(str(current))  # chosen: sent at once
    verdict = _wait(
        browser,
        lambda d: (
            (v := d.find_element(By.CSS_SELECTOR, '#case-bilan-2022 [data-role="verdict"]')).text.startswith(("Déposé", "Refusé"))
            and v
        ),
    )
    assert verdict.text.startswith("Déposé : "), verdict.text
    assert "à reconstruire" in verdict.text  # a new signed original: the dossier is to build again
    assert "à reconstruire" in browser.find_element(By.CSS_SELECTOR, '[data-role="etat-annee"]').text
    state = slot.find_element(By.CSS_SELECTOR, '[data-role="etat"]').text
    assert state.startswith("signatures : Pascal FRIQUET le 20 février 2023"), state
    assert (inputs / CONV / "signes" / "bilan-2022.pdf").read_bytes() == current.read_bytes()
    # the build's log (its durations change at each run) left out of the picture, the verdict kept
    browser.execute_script(
        "document.getElementById('messages').replaceChildren();document.getElementById('resultat').replaceChildren();"
    )
    _shot(browser, "bureau-annee.png")
    browser.get(f"{url}/")
    assert "Pascal FRIQUET le 20 février 2023" in browser.find_element(By.TAG_NAME, "main").text
    _shot(browser, "bureau-tableau.png")


def test_a_file_that_is_no_pdf_is_refused_in_the_page(browser, site, tmp_path):
    from selenium.webdriver.common.by import By

    url, inputs, *_ = site
    browser.get(f"{url}/c/{CONV}/{YEAR}")
    fake = tmp_path / "pv-copil-2023.pdf"
    fake.write_bytes(b"PK\x03\x04 un document Word renomme")
    browser.find_element(By.ID, "fichier-pv-copil-2023").send_keys(str(fake))
    verdict = _wait(
        browser,
        lambda d: (
            (v := d.find_element(By.CSS_SELECTOR, '#case-pv-copil-2023 [data-role="verdict"]')).text.startswith(
                ("Déposé", "Refusé")
            )
            and v
        ),
    )
    assert verdict.text.startswith("Refusé : ") and "pas un PDF" in verdict.text
    assert not (inputs / CONV / "signes" / "pv-copil-2023.pdf").exists()


def test_the_board_says_what_is_due_next_and_draws_the_cycle(browser, site):
    from selenium.webdriver.common.by import By

    browser.get(f"{site[0]}/")
    due = browser.find_element(By.CSS_SELECTOR, '[data-role="prochaine"]').text
    assert due.startswith("Prochaine échéance : ") and "2024" in due
    assert browser.find_element(By.CSS_SELECTOR, '[data-role="retards"]').text.startswith("⚠ En retard : ")
    browser.find_element(By.CSS_SELECTOR, "details.calendrier summary").click()  # opened as staff open it
    steps = browser.find_element(By.CSS_SELECTOR, "ol.frise").text
    assert "Aujourd'hui, 10 janvier 2024" in steps and "en retard" in steps and "à venir" in steps
    _shot(browser, "bureau-calendrier.png")


def _verdict(browser, case: str):
    from selenium.webdriver.common.by import By

    return _wait(
        browser,
        lambda d: (
            (v := d.find_element(By.CSS_SELECTOR, f'#{case} [data-role="verdict"]')).text.startswith(
                ("Déposé", "Refusé", "Accepté")
            )
            and v
        ),
    )


def test_a_faulty_template_uploaded_shows_check_s_error_and_changes_nothing(browser, site, tmp_path):
    import docx
    from selenium.webdriver.common.by import By

    url, inputs, *_ = site
    browser.get(f"{url}/c/{CONV}/modeles")
    faulty = docx.Document(TEMPLATES / "appel.docx")
    faulty.add_paragraph("Montant : {{ appel.montnat }}")
    faulty.save(tmp_path / "appel.docx")
    browser.find_element(By.ID, "modele-fichier-appel").send_keys(str(tmp_path / "appel.docx"))
    verdict = _verdict(browser, "modele-appel")
    assert verdict.text.startswith(
        "Refusé : la vérification (make check) trouve 1 erreur dans cette version de "
        "appel.docx ; le modèle en place n'a pas changé"
    ), verdict.text
    assert "« appel.montnat » n'existe pas — vouliez-vous dire « appel.montant » ?" in verdict.text
    assert verdict.get_attribute("role") == "alert"
    assert not (inputs / CONV / "templates" / "appel.docx").exists()
    _shot(browser, "bureau-modeles.png")


def test_a_piece_dropped_on_its_slot_changes_the_page(browser, site, tmp_path):
    from PIL import Image
    from selenium.webdriver.common.by import By

    url, inputs, *_ = site
    browser.get(f"{url}/c/{CONV}/{YEAR}")
    slot = browser.find_element(By.ID, "piece-rib")
    assert slot.find_element(By.CSS_SELECTOR, '[data-role="piece-fichier"]').text.startswith("2023/pieces/rib.pdf")
    assert "spécimen" in slot.find_element(By.CSS_SELECTOR, '[data-role="piece-specimen"]').text
    scan = io.BytesIO()
    Image.new("RGB", (850, 1100), "white").save(scan, "PNG", dpi=(100, 100))
    (tmp_path / "RIB scanné.png").write_bytes(scan.getvalue())
    slot.find_element(By.CSS_SELECTOR, 'input[type="file"]').send_keys(str(tmp_path / "RIB scanné.png"))
    verdict = _verdict(browser, "piece-rib")
    assert verdict.text.startswith("Déposé : "), verdict.text
    assert "« fichier: pieces/rib.png »" in verdict.text and "à reconstruire" in verdict.text
    assert slot.find_element(By.CSS_SELECTOR, '[data-role="piece-fichier"]').text.startswith("2023/pieces/rib.png")
    assert "vraie pièce" in slot.find_element(By.CSS_SELECTOR, '[data-role="piece-specimen"]').text
    assert (inputs / CONV / "2023" / "pieces" / "rib.png").read_bytes() == scan.getvalue()
    assert "fichier: pieces/rib.png" in (inputs / CONV / "2023" / "year.yaml").read_text(encoding="utf-8")
    browser.get(f"{url}/c/{CONV}/{YEAR}")  # the page again: the year says so too
    assert "2023/pieces/rib.png" in browser.find_element(By.ID, "piece-rib").text


def test_the_preview_shows_the_document_and_follows_a_saved_template(browser, site):
    import shutil

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    url, inputs, *_ = site
    browser.get(f"{url}/c/{CONV}/{YEAR}")
    Select(browser.find_element(By.ID, "apercu-document")).select_by_value("bordereau")
    browser.find_element(By.CSS_SELECTOR, "form.apercu button").click()
    frame = browser.find_element(By.ID, "apercu-cadre")
    _wait(browser, lambda d: "?v=" in (frame.get_attribute("src") or ""))
    first = frame.get_attribute("src")
    assert first.startswith(f"{url}/c/{CONV}/{YEAR}/apercu/bordereau?v=")
    assert browser.find_element(By.ID, "apercu-etat").text.startswith("Aperçu à jour")
    own = inputs / CONV / "templates" / "bordereau.docx"
    shutil.copy(TEMPLATES / "bordereau.docx", own)  # a template saved for this convention: the preview follows
    try:
        _wait(browser, lambda d: frame.get_attribute("src") != first, seconds=30)
    finally:
        own.unlink()
    import urllib.request

    opener = urllib.request.build_opener()
    opener.addheaders = [("Cookie", f"bureau-jeton={TOKEN}")]
    assert opener.open(frame.get_attribute("src"), timeout=120).read().startswith(b"%PDF-")
