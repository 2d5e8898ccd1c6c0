"""The build's one LibreOffice: documents converted in the order asked, a first one ahead of the queue."""

import os

from pipeline import schedule
from pipeline.office import libreoffice as convert


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


def test_a_kept_profile_skips_the_render_tests_from_its_second_start(office, tmp_path):
    """Started headless, LibreOffice never noted its version in the profile and took it, at each
    start, for one from an older version: it ran its graphics render tests, four fifths of a start's
    CPU. The worker notes it; the second start on the same profile runs them no more. (``office``:
    this test needs LibreOffice.)"""
    profile = tmp_path / "profile"
    log = profile / "user" / "GraphicsRenderTests.log"
    with convert.Session(profile=profile) as first:
        first.prestart()
        first.await_ready()
    assert log.is_file()  # a new profile: they ran once
    ran = log.stat().st_mtime_ns
    assert '<prop oor:name="ooSetupLastVersion"' in (profile / "user" / "registrymodifications.xcu").read_text()
    with convert.Session(profile=profile) as second:
        second.prestart()
        second.await_ready()
    assert log.stat().st_mtime_ns == ran
