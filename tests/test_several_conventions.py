"""Several conventions, each with its own templates, data and signatories (README « Où sont les
choses », « plusieurs conventions »): what one convention says never comes from another's files,
and a failure in one of them is never lost among the others."""

import os
import shutil
import subprocess
import sys

import docx
import pytest
from helpers import CONV, ROOT, TEMPLATES, cli, docx_text

from pipeline import dossier
from pipeline.convention import context, documents, model

OTHER = ROOT / "tests" / "fixtures" / "mex-arhlm-2025-2027"
OWN = "Lettre rédigée selon le modèle propre à cette convention."


def filled(inputs_root, year, tmp_path, templates=TEMPLATES):
    """The documents of a year filled from their templates, as a build fills them before
    LibreOffice converts them: (document key → its .docx)."""
    b = dossier.YearBuild(model.load(inputs_root, year), tmp_path / "work", templates, final=False)
    b.work.mkdir(parents=True)
    dossier.fill_first_round(b)
    return {key: converted.source for key, converted in b.files.items()}


def test_a_convention_s_own_template_replaces_the_shared_one(inputs_copy, tmp_path):
    own = docx.Document(TEMPLATES / "appel.docx")
    own.add_paragraph(OWN)
    own.save(inputs_copy / "templates" / "appel.docx")
    files = filled(inputs_copy, 2023, tmp_path)
    assert OWN in docx_text(files["appel"])
    assert OWN not in docx_text(files["bilan"])  # the others still from the shared templates


def test_without_its_own_template_a_convention_uses_the_shared_one(inputs_copy, tmp_path):
    files = filled(inputs_copy, 2023, tmp_path)
    assert OWN not in docx_text(files["appel"]) and "appel de la participation annuelle" in docx_text(files["appel"])


def _second_signatory(root, role, party):
    """A second member of the committee marked as signing for ``party``, listed after the first."""
    path = root / "convention.yaml"
    text = path.read_text(encoding="utf-8")
    old = f"    - role: {role}\n"
    at = text.index(old)
    line_end = text.index("\n", text.index("libelle:", at)) + 1
    path.write_text(text[:line_end] + f"      signe_pour: {party}\n" + text[line_end:], encoding="utf-8")


def test_when_two_members_may_sign_the_minutes_for_a_party_the_first_listed_signs(inputs_copy):
    """convention.yaml lists the president before the director: the president signs, not whoever
    comes last."""
    _second_signatory(inputs_copy, "directeur_arhlm", "association")
    _second_signatory(inputs_copy, "equipes_metropole", "metropole")
    inputs = model.load(inputs_copy, 2023)
    signing = context.build_context(inputs, projet=True).signataires
    assert signing["association"]["nom"] == "Pascal FRIQUET"
    assert signing["metropole"]["nom"] == "Sophie EXEMPLE"
    pv = next(d for d in documents.plan(inputs) if d.key == "pv-copil")
    assert [s.name for s in documents.signatories(pv, inputs)] == ["Sophie EXEMPLE", "Pascal FRIQUET"]


# --------------------------------------------------------------------------- build --all


@pytest.fixture()
def three(tmp_path):
    """Three conventions, in this order: two with no year of data yet (nothing to build) and a
    last one whose 2026 file is wrong."""
    root = tmp_path / "inputs"
    for name in ("a-sans-donnees", "b-sans-donnees", "c-erronee"):
        shutil.copytree(OTHER, root / name)
    for name in ("a-sans-donnees", "b-sans-donnees"):
        for year in (2025, 2026):
            shutil.rmtree(root / name / str(year))
    path = root / "c-erronee" / "2026" / "year.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("annee: 2026", "annee: 2062"), encoding="utf-8")
    return root


@pytest.mark.parametrize("workers", ["1", "2"])
def test_build_all_reads_each_convention_s_own_data_and_keeps_its_failure(office, three, tmp_path, workers):
    """One process, or one per core (the last convention shares a lane with the first): the
    wrong file is named, from its own convention, and the command fails with the data's code
    even though another lane, finished later, succeeded. (``office``: the erroneous convention's
    build may start its LibreOffice before it reads the data.)"""
    from test_errors import no_worker_left, profile

    outputs = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "--inputs", str(three), "--outputs", str(outputs), "build", "--all"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, PIPELINE_WORKERS=workers),
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"{three / 'c-erronee' / '2026' / 'year.yaml'}:" in result.stderr and "2062" in result.stderr
    assert "Traceback" not in result.stderr
    assert no_worker_left(profile(outputs))


def test_a_convention_folder_that_is_a_link_is_refused_never_published_as_another(inputs_copy, tmp_path):
    """A link to an archived copy of a convention published into the real convention's outputs
    (named after the link's target) and overwrote its dossier: it is refused, by name and as --inputs."""
    archive = tmp_path / "archive" / CONV
    shutil.copytree(inputs_copy, archive)
    link = inputs_copy.parent / "zz-archive"
    link.symlink_to(archive, target_is_directory=True)
    out = tmp_path / "out"
    for args in (("--inputs", str(inputs_copy.parent), "--convention", "zz-archive"), ("--inputs", str(link))):
        done = cli(*args, "--outputs", str(out), "build", "2023")
        assert done.returncode == 2 and "est un lien vers" in done.stderr, done.stderr
    assert not out.exists()
    check = cli("--inputs", str(inputs_copy.parent), "check")
    assert "zz-archive est un lien" in check.stderr and "tout est correct" not in check.stdout


@pytest.mark.parametrize("name", ["../evil", "/tmp/abs-evil", "a/../../evil2", ".."])
def test_a_new_convention_is_made_inside_the_conventions_folder_only(inputs_copy, tmp_path, name):
    done = cli("--inputs", str(inputs_copy.parent), "new-convention", name, "--depuis", CONV, cwd=tmp_path)
    assert done.returncode == 2 and "n'est pas un nom de convention" in done.stderr, done.stderr
    assert sorted(p.name for p in inputs_copy.parent.iterdir()) == [CONV]
    assert not (tmp_path / "evil").exists() and not (tmp_path.parent / "evil").exists()
    assert not (tmp_path / "evil2").exists() and not os.path.exists("/tmp/abs-evil")


def test_an_own_template_or_a_signed_original_linking_outside_the_convention_is_refused(inputs_copy, tmp_path):
    """What a convention is made of stays in its folder: a link to a file elsewhere is said, not followed."""
    from pipeline import originals_status
    from pipeline.convention import documents

    elsewhere = tmp_path / "ailleurs"
    elsewhere.mkdir()
    shutil.copyfile(TEMPLATES / "appel.docx", elsewhere / "appel.docx")
    (inputs_copy / "templates" / "appel.docx").symlink_to(elsewhere / "appel.docx")
    check = cli("--inputs", str(inputs_copy.parent), "check")
    assert check.returncode == 2 and "appel.docx : ce modèle est un lien vers" in check.stderr, check.stderr
    (inputs_copy / "templates" / "appel.docx").unlink()
    (elsewhere / "bilan-2022.pdf").write_bytes(b"%PDF-1.7\n%%EOF\n")
    (inputs_copy / "signes").mkdir()
    (inputs_copy / "signes" / "bilan-2022.pdf").symlink_to(elsewhere / "bilan-2022.pdf")
    data = model.load(inputs_copy, 2023)
    state = originals_status.of_year(data, documents.plan(data))["bilan"]
    assert state.unreadable and "ce document signé est un lien vers" in state.unreadable


def test_a_lock_damaged_into_a_folder_is_made_again(tmp_path):
    from pipeline import files

    (tmp_path / ".lock-2023").mkdir()
    handle = files.try_lock(tmp_path / ".lock-2023")
    assert handle is not None and (tmp_path / ".lock-2023").is_file()
    handle.close()
