"""The build's one LibreOffice: documents converted in the order asked, a first one ahead of the queue."""

import datetime as dt
import os

from pipeline import schedule
from pipeline.office import libreoffice as convert
from pipeline.office import programs
from pipeline.pdf import reproducible


def test_a_document_asked_first_passes_the_queue(built, tmp_path):
    docs = [built / "2023" / f"{stem}.docx" for stem in ("convention", "appel-2023", "bilan-2022", "pv-copil-2023")]
    urgent = built / "2024" / "bordereau-2024.docx"
    arrived = []
    with convert.Session() as office:
        feed = schedule.Feed(office)
        feed.add(docs, tmp_path)
        feed.add([urgent], tmp_path, first=True)
        feed.run(on_done=lambda docx, pdf: arrived.append(docx.name))
    # the first two are already in LibreOffice's hands (schedule.WINDOW); the urgent one comes next
    assert arrived == [docs[0].name, docs[1].name, urgent.name, docs[2].name, docs[3].name]
    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == sorted(d.with_suffix(".pdf").name for d in docs + [urgent])


def test_libreoffice_does_not_outlive_a_pipeline_killed_mid_answer(built, tmp_path):
    """Killed while LibreOffice converts, the pipeline leaves a worker whose next answer
    breaks its pipe: the worker still stops LibreOffice (it used to leave soffice.bin running)."""
    import json
    import subprocess
    import time
    import uuid

    from pipeline.office import programs

    name = f"pipeline-{uuid.uuid4().hex}"
    env = dict(os.environ, SAL_USE_VCLPLUGIN="svp", HOME=str(tmp_path), PYTHONPATH="")
    worker = subprocess.Popen(
        [str(programs.uno_python_path()), str(convert.WORKER), str(programs.soffice_path()), str(tmp_path / "profile"), name],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        start_new_session=True,
    )
    try:
        assert json.loads(worker.stdout.readline()) == {"ready": True}
        docx = str(built / "2024" / "bilan-2023.docx")
        worker.stdin.write(json.dumps({"convert": [(docx, str(tmp_path / "a.pdf")), (docx, str(tmp_path / "b.pdf"))]}) + "\n")
        worker.stdin.flush()
        worker.stdout.close()  # the pipeline is gone
        worker.wait(timeout=30)
        deadline = time.monotonic() + 5
        while subprocess.run(["pgrep", "-f", name], capture_output=True).stdout and time.monotonic() < deadline:
            time.sleep(0.1)
        assert subprocess.run(["pgrep", "-f", name], capture_output=True).stdout == b""
    finally:
        subprocess.run(["pkill", "-9", "-f", name])


PARENT = """
import json, os, subprocess, sys
worker, soffice, profile, name, docx, out = sys.argv[1:]
proc = subprocess.Popen([sys.executable, worker, soffice, profile, name], stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONPATH=""))
assert json.loads(proc.stdout.readline()) == {"ready": True}
proc.stdin.write(json.dumps({"convert": [(docx, os.path.join(out, f"{i}.pdf")) for i in range(3)]}) + "\\n")
proc.stdin.flush()
os._exit(0)  # killed: its worker and LibreOffice stay behind, three documents asked
"""


def test_a_worker_whose_pipeline_died_converts_nothing_more(built, tmp_path):
    """A build killed with documents in its LibreOffice's hands: the worker, left behind, went on
    converting them into the build's working folder, after the next build's recovery had cleared
    it. It now stops at once, and a PDF it finished meanwhile goes with its emptied folder."""
    import subprocess
    import time
    import uuid

    from helpers import processes_naming

    profile, out = tmp_path / "profile", tmp_path / ".pdf-2023-tue"
    out.mkdir()
    name = f"pipeline-{uuid.uuid4().hex}"
    parent = tmp_path / "parent.py"
    parent.write_text(PARENT, encoding="utf-8")
    args = [str(convert.WORKER), str(programs.soffice_path()), str(profile), name, str(built / "2023" / "convention.docx")]
    subprocess.run([str(programs.uno_python_path()), str(parent), *args, str(out)], check=True, timeout=60)
    deadline = time.monotonic() + 30
    while processes_naming(profile) and time.monotonic() < deadline:
        time.sleep(0.1)
    try:
        assert processes_naming(profile) == []  # LibreOffice gone with its worker
        assert not out.exists() or list(out.iterdir()) == []
    finally:
        subprocess.run(["pkill", "-9", "-f", name])


def _start_on(profile) -> None:
    with convert.Session(profile=profile) as session:
        session.prestart()
        session.await_ready()


def test_a_new_profile_skips_the_render_tests_from_its_first_start(office, tmp_path):
    """Started headless, LibreOffice never notes its version in the profile and takes it, at each
    start, for one from an older version: it runs its graphics render tests, four fifths of a
    start's CPU. A new profile is given the installed version before its first start: no start
    runs them. (``office``: this test needs LibreOffice.)"""
    profile = tmp_path / "profile"
    log = profile / "user" / "GraphicsRenderTests.log"
    version = convert.installed_version(programs.soffice_path())
    assert version and version[0].isdigit()
    _start_on(profile)
    assert not log.exists()
    noted = (profile / "user" / "registrymodifications.xcu").read_text()
    assert f'<prop oor:name="ooSetupLastVersion" oor:op="fuse"><value>{version}</value>' in noted
    _start_on(profile)
    assert not log.exists()


def test_where_the_version_is_unread_the_worker_notes_it_from_the_second_start(office, tmp_path, monkeypatch):
    """An installation whose version cannot be read: the first start runs the render tests, as
    before, and the worker notes the version as LibreOffice quits; the second start runs them no
    more."""
    monkeypatch.setattr(convert, "installed_version", lambda soffice: None)
    profile = tmp_path / "profile"
    log = profile / "user" / "GraphicsRenderTests.log"
    _start_on(profile)
    assert log.is_file()  # a new profile: they ran once
    ran = log.stat().st_mtime_ns
    assert '<prop oor:name="ooSetupLastVersion"' in (profile / "user" / "registrymodifications.xcu").read_text()
    _start_on(profile)
    assert log.stat().st_mtime_ns == ran


def test_a_profile_given_the_version_converts_as_one_that_ran_the_render_tests(built, tmp_path, monkeypatch):
    """The same PDF, byte for byte once made reproducible as the build makes it, from a profile
    given the version and from one whose first start ran the render tests."""
    docx = built / "2023" / "bilan-2022.docx"
    made = {}
    for name, seeded in (("donnee", True), ("testee", False)):
        with monkeypatch.context() as patch:
            if not seeded:
                patch.setattr(convert, "installed_version", lambda soffice: None)
            (tmp_path / f"pdf-{name}").mkdir()
            with convert.Session(profile=tmp_path / name) as session:
                session.convert([docx], tmp_path / f"pdf-{name}")
        assert (tmp_path / name / "user" / "GraphicsRenderTests.log").exists() is not seeded
        made[name] = reproducible.patch((tmp_path / f"pdf-{name}" / "bilan-2022.pdf").read_bytes(), dt.datetime(2023, 1, 1), b"x")
    assert made["donnee"] == made["testee"]


def test_a_profile_is_given_the_version_only_when_new_and_known(tmp_path):
    """Settings already in a profile are never replaced; an installation whose version cannot be
    read leaves a new profile as LibreOffice would make it."""
    soffice = programs.soffice_path()
    kept = tmp_path / "kept" / "user" / "registrymodifications.xcu"
    kept.parent.mkdir(parents=True)
    kept.write_text("<oor:items/>", encoding="utf-8")
    convert.seed_profile(tmp_path / "kept", soffice)
    assert kept.read_text(encoding="utf-8") == "<oor:items/>"
    fake = tmp_path / "ailleurs" / "program" / "soffice"
    fake.parent.mkdir(parents=True)
    fake.write_text("", encoding="utf-8")
    convert.seed_profile(tmp_path / "neuf", fake)
    assert not (tmp_path / "neuf").exists()
    convert.seed_profile(tmp_path / "neuf", soffice)
    assert "ooSetupLastVersion" in (tmp_path / "neuf" / "user" / "registrymodifications.xcu").read_text(encoding="utf-8")
