"""Each document signed on its own date, by its own signatories, then enclosed unchanged: the
2023 dossier built with the signed convention, bilan 2022 and minutes of the COPIL 2023."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess

import pytest
from builder import DROP, convention
from helpers import CONV, TEMPLATES, build_years, cli
from pki import Pki
from pypdf import PdfReader

from pipeline.errors import InputError
from pipeline.french import date_fr
from pipeline.pdf import signing

D = dt.date
# who signs what, on which day: the convention before the first call (29 March 2022), the bilan
# 2022 after its own date (14 February 2023) and before the COPIL that approves it (14 March),
# the minutes after the meeting and before the call (28 March 2023)
SIGNATURES = {
    "convention": [
        ("convention-metropole", "Martine MARTIN", D(2022, 2, 28)),
        ("convention-association", "Pascal FRIQUET", D(2022, 2, 28)),
    ],
    "bilan-2022": [("bilan-association", "Pascal FRIQUET", D(2023, 2, 20))],
    "pv-copil-2023": [
        ("pv-copil-metropole", "Sophie MARTIN", D(2023, 3, 15)),
        ("pv-copil-association", "Pascal FRIQUET", D(2023, 3, 16)),
    ],
}


def sign_all(pki, published, signes, which=SIGNATURES):
    """Each document signed in turn in its own fields, as its signatories do, then put in signes/."""
    for stem, steps in which.items():
        current = published / f"{stem}.pdf"
        for i, (field, who, day) in enumerate(steps):
            current = pki.sign(current, signes.parent / f".{stem}-{i}.pdf", field, who, day)
        shutil.move(current, signes / f"{stem}.pdf")


def _final():
    """Real data (no example, no specimen). The convention names its Métropole signatory's office
    only: the data gives her name, so that her certificate can be checked against it."""
    return convention(metropole={"representant": {"prenom": "Martine", "nom": "MARTIN"}}).final()


def _in_turn():
    """Real data, the convention's days given per party: the association's first."""
    return _final().convention(
        convention={"date_signature": DROP, "signatures": {"association": "2022-02-24", "metropole": "2022-02-28"}}
    )


@pytest.fixture(scope="module")
def scenario(office, tmp_path_factory):
    """Real data (no example, no specimen), the 2023 documents built, each signed on its day."""
    root = tmp_path_factory.mktemp("signes")
    inputs = _final().write(root / "inputs" / CONV)
    build_years([2023], inputs, root / "out", office=office)
    pki = Pki(root / "pki")
    pki.trusted_by(inputs)
    (inputs / "signes").mkdir()
    sign_all(pki, root / "out" / CONV / "2023", inputs / "signes")
    return root, inputs, pki


@pytest.fixture(scope="module")
def final_dossier(office, scenario):
    root, inputs, _ = scenario
    warnings = []
    build_years([2023], inputs, root / "out", final=True, warn=warnings.append, office=office)
    assert warnings == []
    return root / "out" / CONV / "2023" / "dossier-2023.pdf"


def test_the_documents_to_sign_carry_no_draft_mark_once_their_data_is_real(scenario):
    root, _, _ = scenario
    folder = root / "out" / CONV / "2023"
    for stem in SIGNATURES:  # ready to sign in a draft build: the dossier itself is still a PROJET
        assert "PROJET" not in " ".join(p.extract_text() for p in PdfReader(folder / f"{stem}.pdf").pages[:2]), stem


def test_the_final_dossier_encloses_the_signed_originals_unchanged(scenario, final_dossier):
    _, inputs, _ = scenario
    reader = PdfReader(final_dossier)
    attached = {name: data[0] for name, data in reader.attachments.items()}
    assert set(attached) == {f"{stem}.pdf" for stem in SIGNATURES}
    for name, data in attached.items():
        assert data == (inputs / "signes" / name).read_bytes(), name  # byte for byte what was signed
    # their pages are the signed ones, with the margin mention, and the only empty field is the letter's
    assert [f.name for f in signing.list_fields(final_dossier)] == ["appel-association"]
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert (
        "Signé électroniquement le 20 février 2023 par Pascal FRIQUET, pour l’AR Hlm – original joint au "
        "présent fichier (bilan-2022.pdf)"
    ) in text
    assert (
        "Signé électroniquement par Sophie MARTIN, pour la Métropole Aix-Marseille-Provence, le 15 mars 2023, "
        "et Pascal FRIQUET, pour l’AR Hlm, le 16 mars 2023 – original joint au présent fichier (pv-copil-2023.pdf)" in text
    )
    assert "COPIE – convention signée le 28 février 2022" in text  # a copy says so at the top of each page
    assert "Copie de la convention signée électroniquement le 28 février 2022 par Martine MARTIN" in text
    titles = [i.title.replace("\u00a0", " ") for i in reader.outline if not isinstance(i, list)]
    assert "Le bilan 2022 de la mise en œuvre de la convention (original signé joint)" in titles
    assert "La copie de la convention de partenariat signée le 28 février 2022 (fichier signé joint)" in titles
    sommaire = " ".join(reader.pages[1].extract_text().split())
    assert "bilan-2022.pdf – signé le 20 février 2023 par Pascal FRIQUET" in sommaire
    assert "PROJET" not in text and "à signer séparément" not in text
    # the signatures keep their look on the enclosed pages, their fonts embedded (PDF/A)
    assert "Pascal FRIQUET le 16/03/2023 à 12 h 00" in text and "Sophie MARTIN le 15/03/2023 à 12 h 00" in text
    fonts = subprocess.run(["pdffonts", str(final_dossier)], capture_output=True, text=True, check=True).stdout
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:]), fonts
    # the signed bilan is now provided: the bordereau counts it and says who signed it, and when
    import docx

    table = docx.Document(final_dossier.with_name("bordereau-2023.docx")).tables[0]
    row = next(r for r in table.rows if r.cells[1].text.startswith("Un bilan"))
    assert row.cells[2].text == "Oui" and row.cells[4].text.startswith("Original signé électroniquement le 20")


def test_verify_reports_the_embedded_signatures_and_pdfsig_validates_each_original(scenario, final_dossier, tmp_path):
    _, _, pki = scenario
    result = cli("verify", str(final_dossier), "--trust", str(pki.pem))
    lines = result.stdout.splitlines()
    assert any(line.startswith("appel-association : vide") for line in lines), result.stdout
    for stem, steps in SIGNATURES.items():
        for field, who, day in steps:
            line = next(line for line in lines if line.startswith(f"{stem}.pdf › {field} :"))
            assert f"signé par {who} le {date_fr(day)} à 12 h 00 (heure de Paris" in line, line
            assert "intacte : oui" in line and "valide : oui" in line, line
            assert line.endswith("conforme aux données : oui"), line  # the documents built beside the dossier
    assert result.returncode == 0, result.stdout + result.stderr  # the letter's empty field is no failure
    for name, data in PdfReader(final_dossier).attachments.items():
        original = tmp_path / name
        original.write_bytes(data[0])
        check = subprocess.run(["pdfsig", "-nocert", str(original)], capture_output=True, text=True)
        assert check.stdout.count("Signature Validation: Signature is Valid.") == len(SIGNATURES[original.stem]), check.stdout


def test_verify_finds_the_built_documents_of_a_copy_kept_elsewhere(scenario, final_dossier, tmp_path):
    root, inputs, pki = scenario
    copy = tmp_path / "envoi" / "dossier-2023.pdf"  # the file that went to the Métropole, kept anywhere
    copy.parent.mkdir()
    shutil.copy(final_dossier, copy)
    args = ["--inputs", str(inputs.parent), "verify", str(copy), "--trust", str(pki.pem)]
    found = cli("--outputs", str(root / "out"), *args)
    originals = [line for line in found.stdout.splitlines() if " › " in line]
    assert originals and all(line.endswith("conforme aux données : oui") for line in originals), found.stdout
    (tmp_path / "vide").mkdir()
    unbuilt = cli("--outputs", str(tmp_path / "vide"), *args)
    assert "conforme aux données : non vérifié : aucune convention de" in unbuilt.stdout, unbuilt.stdout
    assert "n'a de dossier 2023 construit" in unbuilt.stdout and "document du jour" not in unbuilt.stdout


# the convention signed in turn: the association on 24 February 2022, the Métropole on the 28th,
# the convention dated the 28th; the minutes of the COPIL 2022 (15 March) on the 16th and 17th
IN_TURN = {
    "convention": [
        ("convention-association", "Pascal FRIQUET", D(2022, 2, 24)),
        ("convention-metropole", "Martine MARTIN", D(2022, 2, 28)),
    ],
    "pv-copil-2022": [
        ("pv-copil-metropole", "Sophie MARTIN", D(2022, 3, 16)),
        ("pv-copil-association", "Pascal FRIQUET", D(2022, 3, 17)),
    ],
}


@pytest.fixture(scope="module")
def in_turn(office, tmp_path_factory):
    """Real data, the convention's days given per party, the 2022 documents each signed on its day."""
    root = tmp_path_factory.mktemp("tour")
    inputs = _in_turn().write(root / "inputs" / CONV)
    build_years([2022], inputs, root / "out", office=office)
    pki = Pki(root / "pki")
    pki.trusted_by(inputs)
    (inputs / "signes").mkdir()
    sign_all(pki, root / "out" / CONV / "2022", inputs / "signes", IN_TURN)
    return root, inputs, pki


def test_a_convention_signed_on_two_days_passes_a_final_build(office, in_turn):
    root, inputs, _ = in_turn
    warnings = []
    build_years([2022], inputs, root / "out", final=True, warn=warnings.append, office=office)
    assert warnings == []
    folder = root / "out" / CONV / "2022"
    letter = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(folder / "appel-2022.pdf").pages)
    assert "Convention de partenariat 2022-2024 signée le 28 février 2022" in letter  # the last signature
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(folder / "dossier-2022.pdf").pages)
    assert (
        "Signé électroniquement par Pascal FRIQUET, pour l’AR Hlm, le 24 février 2022, et Martine MARTIN, pour "
        "la Métropole Aix-Marseille-Provence, le 28 février 2022 – original joint au présent fichier "
        "(convention.pdf)"
    ) in text
    assert "Fait à Marseille, le 28 février 2022" in " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(inputs / "signes" / "convention.pdf").pages
    )
    done = cli("--inputs", str(inputs), "--outputs", str(root / "out"), "status", "2022")
    assert "Pascal FRIQUET le 24 février 2022, Martine MARTIN le 28 février 2022" in done.stdout, done.stdout
    assert "!" not in done.stdout


def test_a_party_that_signs_on_another_day_than_the_data_gives_stops_a_final_build(office, in_turn, tmp_path):
    root, inputs, _ = in_turn
    copy = tmp_path / "inputs" / CONV
    shutil.copytree(inputs, copy)
    shutil.copytree(root / "out" / ".cache", tmp_path / "out" / ".cache")
    _in_turn().convention(convention={"signatures": {"association": "2022-02-25"}}).write(copy)
    with pytest.raises(InputError) as info:
        build_years([2022], copy, tmp_path / "out", final=True, office=office)
    assert (
        "convention.pdf : signé par Pascal FRIQUET le 24 février 2022, quand convention.yaml date cette signature "
        "du 25 février 2022 (signatures.association)"
    ) in str(info.value)


def _case_inputs(scenario, tmp_path):
    """A copy of the signed scenario a test may spoil, with the PDFs already converted."""
    root, inputs, pki = scenario
    copy = tmp_path / "inputs" / CONV
    shutil.copytree(inputs, copy)
    shutil.copytree(root / "out" / ".cache", tmp_path / "out" / ".cache")
    return copy, pki


def _add_note(pdf):
    """A sticky note added after the signatures, as a reader's annotation tool does."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf.read_bytes()), strict=False)
    page_ref = writer.root["/Pages"]["/Kids"].raw_get(0)
    note = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Annot"),
            generic.pdf_name("/Subtype"): generic.pdf_name("/Text"),
            generic.pdf_name("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in (100, 100, 120, 120)]),
            generic.pdf_name("/Contents"): generic.TextStringObject("à revoir"),
        }
    )
    writer.register_annotation(page_ref, writer.add_object(note))
    out = io.BytesIO()
    writer.write(out)
    pdf.write_bytes(out.getvalue())


def _tamper(pdf):
    """One byte of the signed content changed, inside a page's compressed stream."""
    data = bytearray(pdf.read_bytes())
    at = data.index(b"stream\n", len(data) // 3) + 40
    data[at] ^= 0xFF
    pdf.write_bytes(bytes(data))


def _resign(pki, published, signes, stem, steps):
    (signes / f"{stem}.pdf").unlink()
    sign_all(pki, published, signes, {stem: steps})


def _retitle_an_action(inputs):
    _final().year(2022, actions={0: {"titre": "Séminaire renommé après la signature"}}).write(inputs)


def _self_made(inputs, published):
    """The bilan signed in the right name, on the right day, with a certificate its signer made
    himself: an authority the convention does not trust (battery D6)."""
    rogue = Pki(inputs.parent / "rogue", authority="AC maison")
    _resign(rogue, published, inputs / "signes", "bilan-2022", [("bilan-association", "Pascal FRIQUET", D(2023, 2, 20))])


PV = SIGNATURES["pv-copil-2023"]
CASES = {
    "self-made certificate": (
        lambda inputs, pki, pub: _self_made(inputs, pub),
        "bilan-2022.pdf : signature de Pascal FRIQUET non vérifiable : certificat émis par "
        "« AC maison », qui n'est pas une autorité de confiance de la convention",
    ),
    "tampered": (
        lambda inputs, pki, pub: _tamper(inputs / "signes" / "bilan-2022.pdf"),
        "bilan-2022.pdf : la signature de Pascal FRIQUET n'est plus intacte",
    ),
    "annotated": (
        lambda inputs, pki, pub: _add_note(inputs / "signes" / "bilan-2022.pdf"),
        "bilan-2022.pdf : après la signature de Pascal FRIQUET, le fichier a été modifié (annotation",
    ),
    "missing signatory": (
        lambda inputs, pki, pub: _resign(pki, pub, inputs / "signes", "pv-copil-2023", PV[:1]),
        "pv-copil-2023.pdf : la signature du Président de l'AR Hlm (Pascal FRIQUET) manque",
    ),
    "data changed": (lambda inputs, pki, pub: _retitle_an_action(inputs), "bilan-2022.pdf : ne correspond plus aux données"),
    "before its date": (
        lambda inputs, pki, pub: _resign(
            pki, pub, inputs / "signes", "bilan-2022", [("bilan-association", "Pascal FRIQUET", D(2023, 2, 1))]
        ),
        "signé par Pascal FRIQUET le 1er février 2023, avant la date du document (14 février 2023)",
    ),
    "after the letter": (
        lambda inputs, pki, pub: _resign(
            pki, pub, inputs / "signes", "pv-copil-2023", [PV[0], ("pv-copil-association", "Pascal FRIQUET", D(2023, 4, 3))]
        ),
        "signé par Pascal FRIQUET le 3 avril 2023, après l'appel de participation du 28 mars 2023",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_rule_on_signed_originals_warns_in_a_draft_and_stops_a_final_build(office, scenario, tmp_path, case):
    spoil, expected = CASES[case]
    inputs, pki = _case_inputs(scenario, tmp_path)
    spoil(inputs, pki, scenario[0] / "out" / CONV / "2023")
    warnings = []
    build_years([2023], inputs, tmp_path / "out", warn=warnings.append, office=office)
    assert any(expected in w and w.endswith("(erreur avec --final)") for w in warnings), warnings
    assert (tmp_path / "out" / CONV / "2023" / "dossier-2023.pdf").is_file()  # a draft is still built
    with pytest.raises(InputError) as info:
        build_years([2023], inputs, tmp_path / "out", final=True, office=office)
    assert expected in str(info.value)


def test_a_certificate_in_another_name_is_only_a_warning(office, scenario, tmp_path):
    inputs, pki = _case_inputs(scenario, tmp_path)
    _resign(
        pki,
        scenario[0] / "out" / CONV / "2023",
        inputs / "signes",
        "pv-copil-2023",
        [PV[0], ("pv-copil-association", "Jean DUPONT", D(2023, 3, 16))],
    )
    warnings = []
    build_years([2023], inputs, tmp_path / "out", final=True, warn=warnings.append, office=office)  # not refused
    assert any(
        "« pv-copil-association » est signé par Jean DUPONT, alors que les données nomment Pascal FRIQUET" in w for w in warnings
    ), warnings


def test_a_final_dossier_needs_every_document_signed(office, scenario, tmp_path):
    inputs, _ = _case_inputs(scenario, tmp_path)
    (inputs / "signes" / "pv-copil-2023.pdf").unlink()
    with pytest.raises(InputError) as info:
        build_years([2023], inputs, tmp_path / "out", final=True, office=office)
    assert "signes/pv-copil-2023.pdf : absent" in str(info.value)
    build_years([2023], inputs, tmp_path / "out", office=office)  # a draft shows it as still to sign
    text = " ".join(p.extract_text() for p in PdfReader(tmp_path / "out" / CONV / "2023" / "dossier-2023.pdf").pages)
    assert "Document à signer séparément par" in " ".join(text.split())


def test_a_signed_original_added_replaced_or_removed_makes_the_dossier_stale(office, scenario, tmp_path):
    from pipeline import publish

    inputs, pki = _case_inputs(scenario, tmp_path)
    out = tmp_path / "out" / CONV
    signed = inputs / "signes" / "bilan-2022.pdf"
    kept = signed.read_bytes()
    signed.unlink()
    build_years([2023], inputs, tmp_path / "out", office=office)
    assert publish.up_to_date(out, inputs, 2023, TEMPLATES, final=False)
    signed.write_bytes(kept)  # added
    assert not publish.up_to_date(out, inputs, 2023, TEMPLATES, final=False)
    build_years([2023], inputs, tmp_path / "out", office=office)
    assert "bilan-2022.pdf" in PdfReader(out / "2023" / "dossier-2023.pdf").attachments
    _resign(
        pki,
        scenario[0] / "out" / CONV / "2023",
        inputs / "signes",
        "bilan-2022",
        [("bilan-association", "Pascal FRIQUET", D(2023, 2, 21))],
    )  # replaced
    assert not publish.up_to_date(out, inputs, 2023, TEMPLATES, final=False)
    build_years([2023], inputs, tmp_path / "out", office=office)
    signed.unlink()  # removed
    assert not publish.up_to_date(out, inputs, 2023, TEMPLATES, final=False)
    manifest = (out / "2023" / "manifest.json").read_text(encoding="utf-8")
    assert '"signes/bilan-2022.pdf"' in manifest


def test_status_says_who_signed_when_and_what_is_missing(office, scenario, tmp_path):
    inputs, _ = _case_inputs(scenario, tmp_path)
    (inputs / "signes" / "pv-copil-2023.pdf").unlink()
    build_years([2023], inputs, tmp_path / "out", office=office)
    result = cli("--inputs", str(inputs), "--outputs", str(tmp_path / "out"), "status", "2023")
    assert result.returncode == 0, result.stderr
    lines = {
        line.split(" : ", 1)[0].strip(): line.split(" : ", 1)[1]
        for line in result.stdout.splitlines()
        if " : " in line and line.startswith("  ")
    }
    assert lines["Le bilan 2022 de la mise en œuvre de la convention"] == "signatures : Pascal FRIQUET le 20 février 2023"
    assert (
        lines["La copie de la convention de partenariat signée le 28 février 2022"]
        == "signatures : Martine MARTIN le 28 février 2022, Pascal FRIQUET le 28 février 2022 (joint en copie)"
    )
    minutes = lines["Le procès-verbal du comité de pilotage du 14 mars 2023"]
    assert minutes.startswith("NON SIGNÉ – à faire signer par la Vice-Présidente déléguée") and "(Sophie MARTIN)" in minutes
    assert "signes/pv-copil-2023.pdf" in minutes
    assert lines["L'appel de participation 2023"].startswith("à signer en dernier, dans le dossier")
    assert "!" not in result.stdout  # nothing wrong with what is signed


def test_a_document_signed_in_place_is_never_replaced_by_a_build(office, scenario, tmp_path):
    from pipeline.errors import OutputError

    inputs, pki = _case_inputs(scenario, tmp_path)
    build_years([2023], inputs, tmp_path / "out", office=office)
    published = tmp_path / "out" / CONV / "2023" / "bilan-2022.pdf"
    pki.sign(published, published, "bilan-association", "Pascal FRIQUET", D(2023, 2, 20))
    signed = published.read_bytes()
    with pytest.raises(OutputError) as info:
        build_years([2023], inputs, tmp_path / "out", office=office)
    assert "signes/bilan-2022.pdf" in str(info.value)
    assert published.read_bytes() == signed


def test_check_examines_the_signed_originals_without_building(scenario, tmp_path):
    inputs, _ = _case_inputs(scenario, tmp_path)
    _tamper(inputs / "signes" / "bilan-2022.pdf")
    args = ["--inputs", str(inputs), "--outputs", str(tmp_path / "out"), "check"]
    draft = cli(*args)
    assert draft.returncode == 0, draft.stderr
    assert (
        "avertissement : " in draft.stderr
        and "bilan-2022.pdf : la signature de Pascal FRIQUET n'est plus intacte" in draft.stderr
        and "(erreur avec --final)" in draft.stderr
    )
    final = cli(*args, "--final")
    assert final.returncode == 7, final.stderr
    assert "erreur : " in final.stderr and "n'est plus intacte" in final.stderr and "Traceback" not in final.stderr


def test_status_says_why_published_documents_are_behind_the_data(office, scenario, tmp_path):
    inputs, _ = _case_inputs(scenario, tmp_path)
    build_years([2023], inputs, tmp_path / "out", office=office)
    path = inputs / "2023" / "year.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# une correction\n", encoding="utf-8")
    result = cli("--inputs", str(inputs), "--outputs", str(tmp_path / "out"), "status", "2023")
    assert "documents publiés antérieurs aux données : 2023/year.yaml modifié" in result.stdout, result.stdout
    assert "un dossier déjà signé et envoyé reste tel quel" in result.stdout


def test_status_never_says_signed_for_a_certificate_no_trusted_authority_issued(scenario, tmp_path):
    inputs, _ = _case_inputs(scenario, tmp_path)
    _self_made(inputs, scenario[0] / "out" / CONV / "2023")
    done = cli("--inputs", str(inputs), "--outputs", str(tmp_path / "out"), "status", "2023")
    line = next(line for line in done.stdout.splitlines() if "bilan 2022" in line)
    assert "signature non vérifiable : Pascal FRIQUET (certificat émis par « AC maison »)" in line, done.stdout
