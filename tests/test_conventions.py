"""Several conventions side by side: the shipped one and a second, deliberately different
(tests/fixtures/mex-arhlm-2025-2027: 5 chantiers, 12 345,67 €, committees CS/CT, other role
codes, a Présidente), each with its own text, outputs and locks."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from builder import convention
from helpers import INPUTS, ROOT, cli, docx_text
from pypdf import PdfReader
from test_errors import snapshot

OTHER = ROOT / "tests" / "fixtures" / "mex-arhlm-2025-2027"


@pytest.fixture()
def both(tmp_path):
    """An inputs/ folder holding two conventions that both cover 2025."""
    root = tmp_path / "inputs"
    shutil.copytree(INPUTS, root / INPUTS.name)
    shutil.copytree(OTHER, root / OTHER.name)
    return root


def command(root, outputs, *args):
    return [sys.executable, "-m", "pipeline", "--inputs", str(root), "--outputs", str(outputs), *args]


def test_a_year_two_conventions_cover_asks_which(both, tmp_path):
    result = cli("--inputs", str(both), "--outputs", str(tmp_path / "out"), "build", "2025")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert INPUTS.name in result.stderr and OTHER.name in result.stderr and "CONVENTION=" in result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.pdf"))


def test_two_conventions_build_side_by_side_at_the_same_time(office, both, tmp_path):
    outputs = tmp_path / "out"
    runs = [
        subprocess.Popen(
            command(both, outputs, "--convention", name, "build", "2025"),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in (INPUTS.name, OTHER.name)
    ]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    ours, theirs = outputs / INPUTS.name / "2025", outputs / OTHER.name / "2025"
    assert "bilan-final-2022-2024.pdf" in {p.name for p in ours.iterdir()}
    assert "appel-2025.pdf" in {p.name for p in theirs.iterdir()}
    # the same bytes as a build of one convention alone: the other one's build touched nothing
    alone = tmp_path / "alone"
    result = cli("--inputs", str(both), "--outputs", str(alone), "--convention", INPUTS.name, "build", "2025")
    assert result.returncode == 0, result.stderr
    assert snapshot(alone / INPUTS.name) == snapshot(outputs / INPUTS.name)
    before = snapshot(outputs / INPUTS.name)
    path = both / OTHER.name / "2025" / "year.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("ARH-EX-2025", "ARH-EX-2025-bis"), encoding="utf-8")
    result = cli("--inputs", str(both), "--outputs", str(outputs), "--convention", OTHER.name, "build", "2025")
    assert result.returncode == 0, result.stderr
    assert snapshot(outputs / INPUTS.name) == before


@pytest.fixture(scope="module")
def other_built(office, tmp_path_factory) -> Path:
    """outputs/<second convention>/ after « build --all » of it, for the tests that read it."""
    outputs = tmp_path_factory.mktemp("other")
    result = cli("--inputs", str(OTHER), "--outputs", str(outputs), "build", "--all")
    assert result.returncode == 0, result.stderr
    return outputs / OTHER.name


def test_the_second_convention_speaks_with_its_own_text_signatories_and_committees(other_built):
    folder = other_built / "2026"
    convention = docx_text(folder / "convention.docx")
    assert "Exemple-sur-Mer" in convention and "Aix-Marseille" not in convention and "FRIQUET" not in convention
    pv = docx_text(folder / "pv-copil-2026.docx").replace("\u00a0", " ")
    assert "Sophie EXEMPLE-BLANC" in pv and "Claire EXEMPLE-DURAND" in pv  # the members who sign, by their roles
    assert "Pour l’Association Régionale Hlm Exemple" in pv
    bilan = docx_text(folder / "bilan-2025.docx")
    assert "Le comité stratégique (CS) s’est réuni une fois en 2025" in bilan
    assert "COPIL" not in bilan and "COTECH" not in bilan
    assert "12\u202f345,67\u00a0€" in bilan
    letter = docx_text(folder / "appel-2026.docx")
    assert "douze mille trois cent quarante-cinq euros et soixante-sept centimes (12\u202f345,67\u00a0€)" in letter
    assert "La Présidente de l’ARH Exemple" in letter.replace("\u00a0", " ")
    text = " ".join(p.extract_text() for p in PdfReader(folder / "bordereau-2026.pdf").pages)
    assert "Une attestation de régularité sociale" in text  # the 7th piece


def test_the_engine_writes_the_convention_s_own_committee_names(other_built):
    """The sommaire, the bookmarks, the field labels, the letter's enclosures and the metadata call
    the second convention's committee « comité stratégique (CS) », never « comité de pilotage »."""
    from pipeline.pdf import signing

    for pdf in sorted(other_built.glob("*/*.pdf")):
        reader = PdfReader(pdf)
        titles = [item.title for item in reader.outline if not isinstance(item, list)]
        said = " ".join(
            [
                *(p.extract_text() for p in reader.pages),
                *titles,
                *(str(v) for v in (reader.metadata or {}).values()),
                *(f.label for f in signing.list_fields(pdf)),
            ]
        )
        assert "comité de pilotage" not in said.lower() and "COPIL" not in said, pdf.name
    dossier = PdfReader(other_built / "2026" / "dossier-2026.pdf")
    titles = [item.title.replace("\u00a0", " ") for item in dossier.outline if not isinstance(item, list)]
    assert any(t.startswith("Le procès-verbal du comité stratégique du 17 mars 2026") for t in titles), titles
    assert "comité stratégique" in dossier.metadata["/Keywords"]
    letter = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(other_built / "2026" / "appel-2026.pdf").pages)
    assert "le procès-verbal du comité stratégique du 17 mars 2026" in letter.replace("\u00a0", " ").replace("- ", "-")


def test_check_in_the_middle_of_a_period(both):
    shutil.rmtree(both / INPUTS.name / "2025")  # no closing data yet either
    result = cli("--inputs", str(both), "check")
    assert result.returncode == 0, result.stderr
    assert f"information : {OTHER.name} : pas encore de données pour 2027" in result.stderr


def test_check_refuses_a_convention_without_its_own_text(both):
    (both / OTHER.name / "templates" / "convention.docx").unlink()
    result = cli("--inputs", str(both), "--convention", OTHER.name, "check")
    assert result.returncode == 3 and "Traceback" not in result.stderr
    assert "la convention n'a pas son propre texte (convention.docx)" in result.stderr


def test_a_piece_naming_no_document_is_refused(both):
    conv = both / OTHER.name / "convention.yaml"
    conv.write_text(conv.read_text(encoding="utf-8").replace("document: bilan", "document: bilann"), encoding="utf-8")
    result = cli("--inputs", str(both), "--convention", OTHER.name, "check")
    assert result.returncode == 2 and "document « bilann » inconnu — vouliez-vous dire « bilan » ?" in result.stderr


def test_a_damaged_cache_is_rebuilt_never_trusted(office, tmp_path):
    outputs = tmp_path / "out"
    first = cli("--inputs", str(INPUTS), "--outputs", str(outputs), "build", "2023")
    assert first.returncode == 0, first.stderr
    before = snapshot(outputs / INPUTS.name)
    cached = [p for p in (outputs / ".cache" / "pdf").rglob("*") if p.is_file()]
    assert cached
    for path in cached:  # a full disk or a crash cut every entry short
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    shutil.rmtree(outputs / INPUTS.name / "2023")
    again = cli("--inputs", str(INPUTS), "--outputs", str(outputs), "build", "2023")
    assert again.returncode == 0, again.stderr
    assert "Traceback" not in again.stderr and "illisible" not in again.stderr
    assert snapshot(outputs / INPUTS.name) == before


def test_the_renewal_starts_from_the_previous_convention(tmp_path):
    root = tmp_path / "inputs"
    # the previous convention signed, its deliberation voted
    convention(convention={"date_signature": "2022-02-28", "deliberation": {"numero": "22-0456", "date": "2022-02-17"}}).write(
        root / INPUTS.name
    )
    result = cli("--inputs", str(root), "new-convention", "amp-arhlm-2025-2027", "--depuis", INPUTS.name)
    assert result.returncode == 0, result.stderr
    new = root / "amp-arhlm-2025-2027"
    from pipeline.convention import model

    conv, _ = model.load_convention(new)
    assert conv.convention.annees == [2025, 2026, 2027] and conv.convention.titre.endswith("2025-2027")
    # the new convention is not signed yet, nor its deliberation voted: its blanks are blank again
    assert conv.convention.date_signature is None and conv.convention.deliberation.numero is None
    assert conv.convention.deliberation.date is None
    assert (new / "templates" / "convention.docx").is_file() and "texte approuvé" in result.stdout
    check = cli("--inputs", str(root), "check")
    assert check.returncode == 0 and "pas encore de données pour 2025, 2026, 2027" in check.stderr
    again = cli("--inputs", str(root), "new-convention", "amp-arhlm-2025-2027", "--depuis", INPUTS.name)
    assert again.returncode == 2 and "existe déjà" in again.stderr  # never overwritten


def test_a_new_convention_from_the_questionnaire(tmp_path):
    root = tmp_path / "inputs"
    root.mkdir()
    answers = (
        "\n".join(
            [
                "Métropole Exemple",
                "Madame",
                "",
                "",
                "Présidente",
                "Association Régionale Exemple",
                "ARE",
                "Monsieur",
                "Jean",
                "EXEMPLE",
                "Président",
                "2026",
                "3",
                "15000.50",
                "Exempleville",
                "Comité de pilotage",
                "CP",
                "1",
                "Comité technique",
                "CT",
                "2",
            ]
        )
        + "\n"
    )
    result = cli("--inputs", str(root), "new-convention", "mex-are", input=answers)
    assert result.returncode == 0, result.stderr
    from pipeline.convention import model

    conv, _ = model.load_convention(root / "mex-are")
    assert conv.convention.annees == [2026, 2027, 2028] and str(conv.convention.montant_annuel) == "15000.50"
    check = cli("--inputs", str(root), "check")
    assert check.returncode == 3 and "la convention n'a pas son propre texte" in check.stderr


def test_all_conventions_are_built_side_by_side_one_libreoffice_per_core(office, both, tmp_path):
    import os

    env = dict(os.environ, PIPELINE_WORKERS="2")
    result = subprocess.run(
        command(both, tmp_path / "out", "build", "--all"), cwd=ROOT, capture_output=True, text=True, env=env, timeout=600
    )
    assert result.returncode == 0, result.stderr
    built = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").glob("*/*/dossier-*.pdf"))
    assert built == [f"{INPUTS.name}/{y}/dossier-{y}.pdf" for y in (2022, 2023, 2024, 2025)] + [
        f"{OTHER.name}/{y}/dossier-{y}.pdf" for y in (2025, 2026)
    ]
    assert result.stdout.count("dossier : ") == 6
    # one convention's bad data: its message, the command's failure, the other convention still built
    path = both / OTHER.name / "2026" / "year.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("annee: 2026", "annee: 2062"), encoding="utf-8")
    for name in (INPUTS.name, OTHER.name):  # built again, from the PDF cache kept: nothing converted again
        shutil.rmtree(tmp_path / "out" / name)
    failed = subprocess.run(
        command(both, tmp_path / "out", "build", "--all"), cwd=ROOT, capture_output=True, text=True, env=env, timeout=600
    )
    assert failed.returncode == 2 and "2062" in failed.stderr and "Traceback" not in failed.stderr
    assert (tmp_path / "out" / INPUTS.name / "2024" / "dossier-2024.pdf").is_file()
