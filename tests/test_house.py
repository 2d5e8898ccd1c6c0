"""House rules a newcomer relies on: one home for the environment settings, listed in the
README; one list of system packages, read by the install script and the engine's hints."""
import re
import subprocess
from pathlib import Path

from pipeline.office import programs

ROOT = Path(__file__).resolve().parent.parent


def test_every_environment_variable_is_read_in_settings_and_listed_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    read = set()
    for path in (ROOT / "pipeline").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        names = set(re.findall(r"""os\.environ\.get\(\s*["']([A-Z0-9_]+)""", text))
        if path.name == "settings.py":  # read through small helpers: every name it quotes
            names |= set(re.findall(r"""\(\s*["']([A-Z][A-Z0-9_]{3,})["']""", text))
        if path.name not in ("settings.py", "lo_worker.py"):  # the worker runs in LibreOffice's Python
            assert not names, f"{path.relative_to(ROOT)} reads {names}: read it through pipeline/settings.py"
        read |= names
    assert {"PIPELINE_SOFFICE", "PIPELINE_PKCS12_PASSWORD", "SOURCE_DATE_EPOCH", "LO_START_TIMEOUT"} <= read
    for name in read:
        assert f"| `{name}` |" in readme, f"{name} is missing from the README's table of variables"


def test_one_list_of_system_packages():
    listed = [line.strip() for line in (ROOT / "pipeline" / "office" / "packages.txt").read_text().splitlines()
              if line.strip() and not line.startswith("#")]
    assert "libreoffice-writer-nogui" in listed and programs.APT_PACKAGES.split() == listed
    script = (ROOT / "tools" / "setup-system.sh").read_text(encoding="utf-8")
    assert "packages.txt" in script and "libreoffice-writer-nogui" not in script
    shown = subprocess.run(["sh", "-c", ". /dev/stdin; echo $PACKAGES"], input=script.split("missing=")[0]
                           .replace('"$(dirname "$0")', f'"{ROOT}/tools'), capture_output=True, text=True)
    assert shown.stdout.split() == listed, shown.stderr
