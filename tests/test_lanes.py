"""Several lanes, several failures: the command's exit code is the first failing lane's (in
lane order), whatever the later ones say, and every lane's lines are passed on. The lanes are a
stand-in for ``python -m pipeline`` that exits with the code the test gives each lane."""

from __future__ import annotations

import stat
import sys

import pytest

from pipeline import lanes

FAKE = """#!/bin/sh
for arg; do last=$arg; done
lane=${last%%/*}
set -- $CODES
shift $lane
echo "voie $lane"
echo "erreur de la voie $lane" >&2
exit $1
"""


@pytest.fixture()
def fake_python(tmp_path, monkeypatch):
    script = tmp_path / "python"
    script.write_text(FAKE)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(sys, "executable", str(script))
    return lambda codes: monkeypatch.setenv("CODES", " ".join(map(str, codes)))


@pytest.mark.parametrize("codes,expected", [([0, 3, 4], 3), ([5, 0, 3], 5), ([0, 0, 0], 0), ([0, 0, 4], 4)])
def test_the_first_failing_lane_s_code_is_the_command_s(fake_python, codes, expected):
    fake_python(codes)
    out, err = [], []
    assert lanes.run(["--inputs", "x"], len(codes), ["build", "--all"], out.append, err.append) == expected
    assert out == [f"voie {i}" for i in range(len(codes))]
    assert err == [f"erreur de la voie {i}" for i in range(len(codes))]
