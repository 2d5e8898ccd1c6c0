"""A year's actions from the chargée de mission's spreadsheet: xlsx, ods or csv as French office
software writes them, every problem at once with its row and column."""

import datetime as dt

import openpyxl
import pytest
import yaml

from pipeline.convention import model
from pipeline.errors import InputError

HEADER = ["Date", "Chantier", "Modalité", "Action", "Partenaires", "Participants", "Résultat"]


def without_yaml_actions(root, year=2023):
    """The year's YAML without its actions list; returns that list."""
    path = root / str(year) / "year.yaml"
    text = path.read_text(encoding="utf-8")
    actions = yaml.safe_load(text)["actions"]
    start, end = text.index("\nactions:\n"), text.index("\nreunions:")
    path.write_text(text[:start] + "\n" + text[end:], encoding="utf-8")
    return actions


def rows_of(actions):
    return [
        [
            a["date"],
            a["chantier"],
            a["modalite"],
            a["titre"],
            "; ".join(a.get("partenaires", [])),
            a.get("participants"),
            a.get("resultat"),
        ]
        for a in actions
    ]


def xlsx(path, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)


def test_the_sheet_gives_the_same_actions_as_the_yaml_list(inputs_copy):
    expected = model.load(inputs_copy, 2024).reported[2023].actions
    actions = without_yaml_actions(inputs_copy)
    rows = rows_of(actions)
    rows[0][0] = rows[0][0].strftime("%d/%m/%Y")  # a date typed as text
    lls = next(row for row in rows if row[1] == "LLS")
    lls[1] = "La programmation de logements locatifs sociaux (DAP et ROLLS)"  # a chantier by its title
    xlsx(inputs_copy / "2023" / "actions.xlsx", rows + [[None] * 7, [None] * 7])  # blank trailing rows
    assert model.load(inputs_copy, 2024).reported[2023].actions == expected


def test_a_windows_csv_with_semicolons(inputs_copy):
    expected = model.load(inputs_copy, 2024).reported[2023].actions
    actions = without_yaml_actions(inputs_copy)
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")  # as a French spreadsheet saves « CSV (séparateur : point-virgule) »
    writer.writerow(HEADER)
    for row in rows_of(actions):
        row[0] = row[0].strftime("%d/%m/%Y")
        writer.writerow(["" if v is None else v for v in row])
    (inputs_copy / "2023" / "actions.csv").write_bytes(buffer.getvalue().encode("cp1252"))
    assert model.load(inputs_copy, 2024).reported[2023].actions == expected


def test_every_problem_of_the_sheet_at_once_with_row_and_column(inputs_copy):
    actions = without_yaml_actions(inputs_copy)
    rows = rows_of(actions)
    rows[0][1] = "NPRU"
    rows[2][0] = "31/02/2023"
    rows[3][5] = "beaucoup"
    xlsx(inputs_copy / "2023" / "actions.xlsx", rows)
    with pytest.raises(InputError) as info:
        model.load(inputs_copy, 2024)
    message = str(info.value)
    assert "2023/actions.xlsx, ligne 2, colonne « Chantier » : « NPRU » inconnu — vouliez-vous dire « NPNRU » ?" in message
    assert "ligne 4, colonne « Date »" in message and "ligne 5, colonne « Participants »" in message


def test_a_sheet_and_a_yaml_list_together_say_which_to_keep(inputs_copy):
    xlsx(inputs_copy / "2023" / "actions.xlsx", [[dt.date(2023, 3, 2), "PLH", "GROUPES", "Atelier", "", 3, ""]])
    with pytest.raises(InputError) as info:
        model.load(inputs_copy, 2024)
    assert "gardez le tableur et retirez « actions: »" in str(info.value)


def ods(path, rows):
    """A minimal OpenDocument spreadsheet, as LibreOffice Calc writes it: dates as date cells,
    numbers as float cells, text as strings (this machine's LibreOffice has Writer only)."""
    import zipfile
    from xml.sax.saxutils import escape

    def cell(value):
        if value is None:
            return "<table:table-cell/>"
        if isinstance(value, dt.date):
            return (
                f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}">'
                f"<text:p>{value:%d/%m/%Y}</text:p></table:table-cell>"
            )
        if isinstance(value, (int, float)):
            return (
                f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'
            )
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'

    body = "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in [HEADER] + rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">'
        f'<office:body><office:spreadsheet><table:table table:name="Actions">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", manifest)


def test_an_ods_sheet(inputs_copy):
    expected = model.load(inputs_copy, 2024).reported[2023].actions
    actions = without_yaml_actions(inputs_copy)
    ods(inputs_copy / "2023" / "actions.ods", rows_of(actions))
    assert model.load(inputs_copy, 2024).reported[2023].actions == expected


@pytest.mark.parametrize("value", ["1e400", "nan", "inf", 10**38, 250000])
def test_a_participants_cell_out_of_all_measure_is_its_cell_s_problem(inputs_copy, value):
    """« 1e400 » in a cell (an overflow) was « erreur inattendue OverflowError » with no file nor line."""
    actions = without_yaml_actions(inputs_copy)
    rows = rows_of(actions)
    rows[1][5] = value
    xlsx(inputs_copy / "2023" / "actions.xlsx", rows)
    with pytest.raises(InputError) as info:
        model.load(inputs_copy, 2024)
    assert "2023/actions.xlsx, ligne 3, colonne « Participants »" in str(info.value), info.value
