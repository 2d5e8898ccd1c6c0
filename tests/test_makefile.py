"""What the make targets staff type pass to the command line (``make -n`` prints it, runs nothing)."""

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _dry(*args: str) -> str:
    out = subprocess.run(["make", "-n", "-s", "-C", str(ROOT), *args], capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if "-m pipeline" in line][-1]


@pytest.mark.parametrize("target", [["dossier", "YEAR=2023"], ["dossiers"], ["crf", "YEAR=2024"], ["check"]])
def test_final_1_asks_for_the_final_version(target):
    assert _dry(*target, "FINAL=1").endswith("--final")
    assert "--final" not in _dry(*target)
    assert "--final" not in _dry(*target, "FINAL=0")
