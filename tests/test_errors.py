"""Bad input and faults: a clear message, a distinct exit code, and previous outputs intact."""

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from builder import DROP, convention
from helpers import CONV, INPUTS, ROOT, TEMPLATES, build_years, cli, pids_naming, processes_naming, run_cli


def snapshot(folder: Path) -> dict[str, str]:
    """Every published file and its hash; locks and the .cache folder are not outputs."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".lock-") and ".cache" not in p.relative_to(folder).parts
    }


@pytest.fixture()
def previous(tmp_path, built) -> Path:
    """An outputs/ folder holding a previous 2023 build."""
    outputs = tmp_path / "outputs"
    shutil.copytree(built / "2023", outputs / CONV / "2023")
    (outputs / CONV / "2023" / "manifest.json").unlink()  # so that a new build really runs
    return outputs


def build_cli(
    inputs: Path, outputs: Path, *extra: str, env=None, templates: Path = TEMPLATES, year="2023", process: bool = False
):
    """A build through the CLI, in this process; ``process``: as its own ``python -m pipeline``, for
    a test about LibreOffice's life or the process itself (``env`` is then its whole environment)."""
    return (run_cli if process else cli)(
        "--inputs", str(inputs), "--templates", str(templates), "--outputs", str(outputs), "build", year, *extra, env=env
    )


def assert_clean_failure(result, code: int, *words: str, outputs: Path, before: dict):
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr, (word, result.stderr)
    assert snapshot(outputs) == before
    leftovers = [
        p.name
        for folder in (outputs, outputs / CONV)
        if folder.is_dir()
        for p in folder.iterdir()
        if p.name.startswith(".") and not p.name.startswith((".lock", ".cache"))
    ]
    assert leftovers == []


def edit(root: Path, old: str, new: str, year: int = 2023):
    """A change of the YAML text itself (its syntax): not of the data."""
    path = root / str(year) / "year.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _index(items: list, **values) -> int:
    """The index of the first item of the example that has these values."""
    return next(i for i, item in enumerate(items) if all(item.get(k) == v for k, v in values.items()))


_ACTIONS, _PIECES = convention().years[2023]["actions"], convention().years[2023]["pieces"]
_PARTICIPANTS, _RIB = _index(_ACTIONS, participants=21), _index(_PIECES, fichier="pieces/rib.pdf")

# (what is wrong: the YAML text as typed, or the data, words of the message)
INPUT_CASES = [
    ("malformed yaml", ("  reference: AR-2023-012", "  reference: 'AR-2023-012"), ["year.yaml:", "syntaxe YAML"]),
    ("wrong type", dict(actions={_PARTICIPANTS: {"participants": "beaucoup"}}), ["actions[4].participants", "nombre entier"]),
    ("missing key", dict(appel={"reference": DROP}), ["appel.reference", "clé obligatoire absente"]),
    ("unknown key", dict(appel={"lieu": DROP, "lieux": "Marseille"}), ["appel.lieux", "« lieu »"]),
    ("impossible date", dict(appel={"date": "2023-13-45"}), ["appel.date", "2023-13-45"]),
    ("non-numeric amount", dict(finances={"montant_recu": "vingt mille"}), ["finances.montant_recu", "montant"]),
    ("negative amount", dict(finances={"montant_recu": -20000}), ["finances.montant_recu", "positif"]),
    ("missing piece file", dict(pieces={_RIB: {"fichier": "pieces/rib-absent.pdf"}}), ["pieces[1].fichier", "introuvable"]),
    ("piece escaping inputs", dict(pieces={_RIB: {"fichier": "../../../../etc/hostname"}}), ["sort du dossier"]),
]


@pytest.mark.parametrize("label, change, words", INPUT_CASES, ids=[c[0] for c in INPUT_CASES])
def test_bad_inputs(inputs_copy, previous, label, change, words):
    if isinstance(change, tuple):
        edit(inputs_copy, *change)
    else:
        convention().year(2023, **change).write(inputs_copy)
    before = snapshot(previous)
    result = build_cli(inputs_copy, previous)
    assert_clean_failure(result, 2, "2023/year.yaml", *words, outputs=previous, before=before)


def test_empty_file(inputs_copy, previous):
    (inputs_copy / "2023" / "year.yaml").write_text("", encoding="utf-8")
    before = snapshot(previous)
    assert_clean_failure(build_cli(inputs_copy, previous), 2, "year.yaml", "vide", outputs=previous, before=before)


def test_year_outside_and_missing_folder(inputs_copy, previous):
    before = snapshot(previous)
    assert_clean_failure(
        build_cli(inputs_copy, previous, year="2019"), 2, "2019", "2022, 2023, 2024", outputs=previous, before=before
    )
    shutil.rmtree(inputs_copy / "2024")
    assert_clean_failure(
        build_cli(inputs_copy, previous, year="2024"), 2, "2024", "n'existe pas", outputs=previous, before=before
    )


@pytest.mark.parametrize("kind", ["corrupt", "encrypted"])
def test_bad_piece_pdf(inputs_copy, previous, kind):
    rib = inputs_copy / "2023" / "pieces" / "rib.pdf"
    if kind == "corrupt":
        rib.write_bytes(b"%PDF-1.7\n" + os.urandom(2000))
        words = ["rib.pdf", "abîmé"]
    else:
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(INPUTS / "2023" / "pieces" / "rib.pdf"))
        writer.encrypt("motdepasse")
        with open(rib, "wb") as handle:
            writer.write(handle)
        words = ["rib.pdf", "mot de passe"]
    before = snapshot(previous)
    assert_clean_failure(build_cli(inputs_copy, previous), 2, *words, outputs=previous, before=before)


@pytest.mark.parametrize("kind", ["missing", "not a zip", "not a docx"])
def test_bad_template(tmp_path, previous, kind):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    target = templates / "bilan.docx"
    if kind == "missing":
        target.unlink()
    elif kind == "not a zip":
        target.write_text("ceci n'est pas un document Word")
    else:
        import zipfile

        with zipfile.ZipFile(target, "w") as z:
            z.writestr("bonjour.txt", "rien")
    before = snapshot(previous)
    result = build_cli(INPUTS, previous, templates=templates)
    assert_clean_failure(result, 3, "bilan.docx", outputs=previous, before=before)


def test_signature_tag_outside_the_body_is_named(tmp_path, previous):
    """A signature tag moved into the page header cannot place its field: said, with the template."""
    import docx

    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    document = docx.Document(templates / "appel.docx")
    paragraphs = (docx.text.paragraph.Paragraph(p, None) for p in document.element.body.iter(docx.oxml.ns.qn("w:p")))
    tag = next(p for p in paragraphs if "signature(" in p.text)  # in the signature block's table
    text = tag.text
    for run in tag.runs:
        run.text = ""
    document.sections[0].header.add_paragraph(text)
    document.save(templates / "appel.docx")
    before = snapshot(previous)
    result = build_cli(INPUTS, previous, templates=templates)
    assert_clean_failure(result, 3, "appel-association", outputs=previous, before=before)
    assert "appel.docx" in result.stderr and "signature(" in result.stderr


def fake_soffice(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "soffice"
    script.write_text(f'#!/bin/sh\nif [ "$1" = "--version" ]; then echo \'LibreOffice 7.4.7.2\'; exit 0; fi\n{body}\n')
    script.chmod(0o755)
    return script


def no_worker_left(profile: Path) -> bool:
    """No LibreOffice of this build still alive: none naming its ``profile`` folder. Other
    LibreOffices on the machine (another build, another checkout) are not this build's. A process
    group killed an instant ago may take the kernel a moment to reap, on a loaded machine: a few
    seconds are allowed, not more."""
    deadline = time.monotonic() + 5
    while True:
        left = processes_naming(profile)
        if not left or time.monotonic() > deadline:
            return left == []
        time.sleep(0.1)


def profile(outputs: Path) -> Path:
    """Where a build into ``outputs`` keeps its LibreOffice profile."""
    from pipeline.office import libreoffice

    return libreoffice.profile_for(outputs)


def test_libreoffice_missing(previous):
    before = snapshot(previous)
    env = dict(os.environ, PIPELINE_SOFFICE="/nonexistent/soffice")
    result = build_cli(INPUTS, previous, env=env, process=True)
    assert_clean_failure(result, 4, "LibreOffice", "apt-get install", outputs=previous, before=before)


def test_libreoffice_bridge_missing(previous):
    before = snapshot(previous)
    env = dict(os.environ, PIPELINE_UNO_PYTHON=sys.executable)  # the venv's Python has no uno module
    result = build_cli(INPUTS, previous, env=env, process=True)
    assert_clean_failure(result, 4, "uno", "apt-get install", outputs=previous, before=before)
    assert no_worker_left(profile(previous))


def test_libreoffice_crashing(tmp_path, previous):
    before = snapshot(previous)
    env = dict(os.environ, PIPELINE_SOFFICE=str(fake_soffice(tmp_path, "exit 3")))
    result = build_cli(INPUTS, previous, env=env, process=True)
    assert_clean_failure(result, 5, "LibreOffice", outputs=previous, before=before)
    assert no_worker_left(profile(previous))


def test_libreoffice_hanging_is_killed(tmp_path, previous):
    before = snapshot(previous)
    env = dict(
        os.environ,
        PIPELINE_SOFFICE=str(fake_soffice(tmp_path, "exec sleep 300")),
        PIPELINE_START_TIMEOUT="3",
        LO_START_TIMEOUT="300",
    )
    started = time.monotonic()
    result = build_cli(INPUTS, previous, env=env, process=True)
    assert time.monotonic() - started < 60
    assert_clean_failure(result, 5, "ne répond plus", outputs=previous, before=before)
    assert subprocess.run(["pgrep", "-f", f"{tmp_path}/soffice"], capture_output=True).stdout.strip() == b""


def test_one_document_failing_is_named(office, tmp_path, monkeypatch):
    import tempfile

    from pipeline.errors import ConversionError
    from pipeline.office import libreoffice as convert

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the one-off LibreOffice's profile: here, known

    good = tmp_path / "bon.docx"
    shutil.copy(TEMPLATES / "appel.docx", good)
    bad = tmp_path / "abime.docx"
    bad.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(ConversionError) as info, convert.Session() as session:
        session.convert([good, bad], tmp_path / "pdf")
    assert "abime.docx" in str(info.value)
    assert no_worker_left(tmp_path)


def test_own_libreoffice_running_does_not_interfere(tmp_path, previous):
    profile = tmp_path / "user-profile"
    own = subprocess.Popen(
        [
            "soffice",
            "--headless",
            "--norestore",
            f"-env:UserInstallation={profile.as_uri()}",
            "--accept=socket,host=127.0.0.1,port=2099;urp;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        time.sleep(2)
        result = build_cli(INPUTS, previous, process=True)
        assert result.returncode == 0, result.stderr
        assert own.poll() is None  # the user's LibreOffice is still running
    finally:
        os.killpg(own.pid, signal.SIGKILL)
        own.wait()


def start_build_and_wait_for_documents(outputs: Path, **popen) -> subprocess.Popen:
    """A build of 2023 in the background, returned once its first documents are filled."""
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "--outputs", str(outputs), "build", "2023"], cwd=ROOT, **popen)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(outputs.glob("*/.build-*/*.docx")):
        time.sleep(0.05)
    return proc


@pytest.mark.parametrize("parent", ["interactive", "ignoring Ctrl-C"])
def test_interrupted_build_leaves_outputs_and_no_process(previous, parent):
    """Also when started by a parent that ignores SIGINT (a background job, some CI runners)."""
    before = snapshot(previous)
    ignore = (lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if parent == "ignoring Ctrl-C" else None
    proc = start_build_and_wait_for_documents(
        previous, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=ignore
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(previous.glob("*/.pdf-*/*.pdf")):
        time.sleep(0.01)  # signalled on an event, the first PDF from LibreOffice, not after a fixed delay
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrompu" in err and "Traceback" not in err
    assert snapshot(previous) == before
    assert [p.name for p in (previous / CONV).iterdir() if p.name.startswith(".") and not p.name.startswith(".lock")] == []
    assert no_worker_left(profile(previous))


def test_killed_build_is_recovered_by_the_next(previous):
    before = snapshot(previous)
    proc = start_build_and_wait_for_documents(
        previous, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert {k: v for k, v in snapshot(previous).items() if not any(part.startswith(".") for part in Path(k).parts)} == before
    result = cli("--outputs", str(previous), "build", "2023")
    assert result.returncode == 0, result.stderr
    assert [p.name for p in (previous / CONV).iterdir() if p.name.startswith(".") and not p.name.startswith(".lock")] == []


def test_two_builds_of_the_same_year(previous):
    import fcntl

    with open(previous / CONV / ".lock-2023", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running build holds it
        before = snapshot(previous)
        result = cli("--outputs", str(previous), "build", "2023")
        assert result.returncode == 6
        assert "une autre construction de l'année 2023 est en cours" in result.stderr
        assert snapshot(previous) == before


def test_outputs_not_writable(office, tmp_path):  # its LibreOffice starts before the outputs are written
    blocker = tmp_path / "outputs"
    blocker.write_text("un fichier à la place du dossier")
    result = cli("--outputs", str(blocker), "build", "2023")
    assert result.returncode == 6, result.stderr
    assert "Traceback" not in result.stderr and str(blocker) in result.stderr  # the folder named, as given


@pytest.mark.parametrize("value", ["abc", "-5", "1e9", "99999999999999999"])
def test_a_source_date_epoch_that_is_no_date_is_one_line_before_any_work(tmp_path, value):
    done = cli("--outputs", str(tmp_path / "out"), "build", "2023", env={"SOURCE_DATE_EPOCH": value})
    assert done.returncode == 2 and "SOURCE_DATE_EPOCH" in done.stderr and "Traceback" not in done.stderr
    assert "erreur inattendue" not in done.stderr and not (tmp_path / "out").exists()


def test_build_all_beside_a_build_of_one_year_builds_the_others_and_names_the_one_it_left(office, inputs_copy, warm_outputs):
    """« build --all » beside a build of 2023 failed for every year of the convention (battery B4)."""
    import fcntl

    out = warm_outputs / CONV
    out.mkdir(parents=True)
    with open(out / ".lock-2023", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running build of 2023 holds it
        said: list[str] = []
        build_years([2022, 2023, 2024], inputs_copy, warm_outputs, office=office, warn=said.append)
    assert (out / "2022" / "dossier-2022.pdf").is_file() and (out / "2024" / "dossier-2024.pdf").is_file()
    assert not (out / "2023").exists()
    assert [line for line in said if "2023 non construit" in line and "en cours" in line], said


def test_libreoffice_killed_mid_conversion_is_said_as_such_not_blamed_on_the_document(office, tmp_path, monkeypatch):
    """LibreOffice killed while converting (kill -9, the machine out of memory) was blamed on the
    document: « ouvrez ce document… abîmé » (battery A7)."""
    import tempfile

    from pipeline.errors import ConversionError
    from pipeline.office import libreoffice as convert

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the one-off LibreOffice's profile: here, known
    good = tmp_path / "bon.docx"
    shutil.copy(TEMPLATES / "appel.docx", good)
    with pytest.raises(ConversionError) as info, convert.Session() as session:
        session.convert([good], tmp_path / "pdf")  # up and converting
        for pid, command in pids_naming(tmp_path):
            if "soffice.bin" in command:
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.5)
        session.convert([good], tmp_path / "pdf2")
    said = str(info.value)
    assert "s'est arrêté" in said and "abîmé" not in info.value.message, said
    assert no_worker_left(tmp_path)


def test_a_full_disk_is_said_with_where_not_as_a_bare_system_error(monkeypatch, capsys):
    """« No space left on device () » with no path nor hint (battery A8)."""
    import errno

    from pipeline import cli, files

    monkeypatch.setattr(files, "short_of_space", lambda folders, need=0: "/tmp/plein (3 Mo libres)")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(cli, "main_group", type("G", (), {"main": staticmethod(full)}))
    monkeypatch.setattr(sys, "argv", ["pipeline", "build", "2023"])
    with pytest.raises(SystemExit) as stopped:
        cli.main()
    said = capsys.readouterr().err
    assert stopped.value.code == 6 and "plus de place sur le disque : /tmp/plein (3 Mo libres)" in said, said
    assert "No space left" not in said


def test_one_of_two_workers_killed_mid_conversion_is_said_as_a_lone_one_is(tmp_path):
    """Two LibreOffice side by side, the second killed while converting (kill -9, out of memory):
    the same words as for a lone one, never blamed on the document; the first is stopped too."""
    from pipeline.errors import ConversionError
    from pipeline.office import libreoffice

    goods = [tmp_path / f"bon-{i}.docx" for i in range(4)]  # each its own PDF: two workers never write one file
    for good in goods:
        shutil.copy(TEMPLATES / "appel.docx", good)
    profile = tmp_path / "profil"
    with pytest.raises(ConversionError) as info, libreoffice.Pool(profile=profile, size=2) as pool:
        pool.prestart()
        pool.convert(goods[:2], tmp_path / "pdf")  # both up and converting
        assert all(s.ready for s in pool.sessions)
        second = profile.with_name("profil-2").resolve().as_uri()
        for pid, command in pids_naming(profile.with_name("profil-2")):
            if "soffice.bin" in command and second in command:
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.5)
        pool.convert(goods, tmp_path / "pdf2")
    said = str(info.value)
    assert "s'est arrêté" in said and "abîmé" not in info.value.message, said
    assert no_worker_left(profile)  # the first too (its profile's name begins the second's)
