"""The yearly cycle stated once (convention/cycle.py): the period, the closing year, the bilan a
dossier holds, the years it reads; and the years that decide staleness are the years the load
reads, so that a change in any of them rebuilds the dossier."""

import datetime as dt

import pytest
from helpers import INPUTS, ROOT

from pipeline import manifest
from pipeline.convention import cycle, model
from pipeline.errors import InputError
from pipeline.yamlsource import load_yaml

PERIOD = [2022, 2023, 2024]


def test_the_period_and_its_closing_year():
    assert cycle.period(2022, 3) == PERIOD and cycle.period(2031, 1) == [2031]
    assert cycle.closing_year(PERIOD) == 2025
    assert cycle.dossier_years(PERIOD) == [2022, 2023, 2024, 2025] and cycle.dossier_years([]) == []


@pytest.mark.parametrize(
    "year, first, closing, bilan, printed, read",
    [
        (2022, True, False, None, [2022], [2022, 2023]),  # first: no bilan yet
        (2023, False, False, 2022, [2023, 2022], [2023, 2022, 2024]),  # middle: the bilan of N-1
        (2024, False, False, 2023, [2024, 2023, 2022], [2024, 2023, 2022, 2025]),  # last: N-2 for its CRF; N+1 closes
        (2025, False, True, 2024, [2025, 2022, 2023, 2024], [2025, 2022, 2023, 2024]),  # closing: every year, no next
    ],
)
def test_each_dossier_of_the_period(year, first, closing, bilan, printed, read):
    assert cycle.is_first(year, PERIOD) is first and cycle.is_closing(year, PERIOD) is closing
    assert cycle.bilan_year(year, PERIOD) == bilan
    assert cycle.years_read(year, PERIOD) == printed
    assert cycle.years_read(year, PERIOD, with_next=True) == read


def test_a_year_outside_the_period_is_neither_first_nor_closing():
    for year in (2021, 2026):
        assert not cycle.is_first(year, PERIOD) and not cycle.is_closing(year, PERIOD)
        assert year not in cycle.dossier_years(PERIOD)
    assert cycle.next_year(2025, PERIOD) is None and cycle.next_year(2024, PERIOD) == 2025


def test_a_one_year_convention():
    assert cycle.bilan_year(2031, [2031]) is None and cycle.bilan_year(2032, [2031]) == 2031
    assert cycle.years_read(2031, [2031], with_next=True) == [2031, 2032]


def test_the_light_reader_agrees_with_the_model(tmp_path):
    conv, _ = model.load_convention(INPUTS)
    assert cycle.peek_period(INPUTS) == conv.convention.annees == PERIOD
    assert cycle.peek_period(tmp_path) == []  # no convention.yaml: the real load says so
    (tmp_path / "convention.yaml").write_text("convention: [pas, un, dictionnaire\n", encoding="utf-8")
    assert cycle.peek_period(tmp_path) == [] and cycle.peek(tmp_path / "convention.yaml") is None


def _same_values(plain, written, where="") -> None:
    """``peek``'s plain values against the model reader's: the same keys and items, a date where
    the model keeps its text, the same numbers."""
    if isinstance(written, dict):
        assert isinstance(plain, dict) and list(plain) == list(written), where
        for key in written:
            _same_values(plain[key], written[key], f"{where}.{key}")
    elif isinstance(written, list):
        assert isinstance(plain, list) and len(plain) == len(written), where
        for i, (p, w) in enumerate(zip(plain, written)):
            _same_values(p, w, f"{where}[{i}]")
    elif isinstance(plain, (dt.date, dt.datetime)):
        assert str(plain) == str(written).replace("T", " ") or plain.isoformat() == str(written), where
    else:
        assert plain == written and type(plain) in (type(written), *type(written).__mro__), where


def test_peek_reads_each_file_through_the_model_s_own_reader(tmp_path):
    """``peek`` is the model's reader with plain scalars, not a second reader: every data file of
    the shipped and test conventions reads the same, and a file the model's reader refuses
    (a key twice, a value starting with « & », not UTF-8, empty, a list) peeks as None."""
    files = sorted(INPUTS.glob("**/*.yaml")) + sorted((ROOT / "tests" / "fixtures").glob("**/*.yaml"))
    assert len(files) >= 8  # the shipped convention and its years, the test convention and its own
    for path in files:
        try:
            written = load_yaml(path, str(path))
        except InputError:
            assert cycle.peek(path) is None, path
            continue
        _same_values(cycle.peek(path), written, str(path))
    for text in (
        "a: 1\na: 2\n",  # a key twice: the old light reader kept the second silently
        "nom: &Co\n",
        "",
        "- une liste\n",
        "a: [pas fermé\n",
    ):
        (tmp_path / "f.yaml").write_text(text, encoding="utf-8")
        with pytest.raises(InputError):
            load_yaml(tmp_path / "f.yaml", "f.yaml")
        assert cycle.peek(tmp_path / "f.yaml") is None, text
    (tmp_path / "f.yaml").write_bytes("nom: Frédérique\n".encode("latin-1"))
    assert cycle.peek(tmp_path / "f.yaml") is None
    (tmp_path / "f.yaml").write_text("date: 2023-03-28\nheure: 14:30\nmontant: 20000\n", encoding="utf-8")
    assert cycle.peek(tmp_path / "f.yaml") == {"date": dt.date(2023, 3, 28), "heure": "14:30", "montant": 20000}
    # the model's reading of the same text, kept by the reader, is not what peek gets, nor the reverse
    assert load_yaml(tmp_path / "f.yaml", "f.yaml") == {"date": "2023-03-28", "heure": "14:30", "montant": 20000}
    assert type(load_yaml(tmp_path / "f.yaml", "f.yaml")["montant"]).__name__ == "WrittenInt"
    assert isinstance(cycle.peek(tmp_path / "f.yaml")["date"], dt.date)


@pytest.mark.parametrize("year", [2022, 2023, 2024, 2025])
def test_staleness_follows_every_year_the_load_reads(monkeypatch, year):
    """If the years hashed into the build key drifted from the years loaded, a changed file
    would stop triggering a rebuild, and nothing would say so."""
    read: list[int] = []
    real = model.read_year

    def recording(root, y):
        read.append(y)
        return real(root, y)

    monkeypatch.setattr(model, "read_year", recording)
    inputs = model.load(INPUTS, year)
    assert sorted(inputs.reported) == sorted(cycle.years_read(year, PERIOD)[1:])
    assert {INPUTS / str(y) for y in read} == set(manifest.year_folders(INPUTS, year))


def test_the_fast_paths_bind_nothing_and_load_no_document_library():
    """« make dossier » with nothing to do reads the period through the light reader only."""
    import subprocess
    import sys

    code = (
        "import sys; from pipeline import build, manifest, places; "
        "print(' '.join(m for m in ('pipeline.convention.model', 'docx', 'docxtpl', 'pypdf', 'num2words') "
        "if m in sys.modules))"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=INPUTS.parent.parent)
    assert shown.returncode == 0 and shown.stdout.strip() == "", shown.stdout + shown.stderr
