"""One page's table read as a grid: row-title columns, a repeated header, rows printed without
marks, and visits whose cells hold long notes."""

from soe_desktop.core.grid.page import read_page, row_texts
from soe_desktop.core.grid.table import PageTable, TableCell


def _table(rows: list[list[str]], bold: set[int] = frozenset()) -> PageTable:
    """One 1x1 cell per text (10 x 10 pt slots); rows in `bold` have their name printed bold."""
    cells = []
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            runs = [(text, False)] if text else []
            cells.append(TableCell(r, r + 1, c, c + 1, (c * 10.0, r * 10.0, c * 10.0 + 10, r * 10.0 + 10), runs,
                                   bold=1.0 if (r in bold and c == 0) else 0.0))
    return PageTable(1, (0.0, 0.0, 10.0 * len(rows[0]), 10.0 * len(rows)), len(rows), len(rows[0]), cells)


def test_a_row_title_column_names_the_header_rows_and_is_no_visit():
    part = read_page(_table([
        ["", "VISIT", "1", "2", "3"],
        ["ACTIVITY", "WEEK", "-2", "0", "8"],
        ["Informed consent", "", "X", "", ""],
        ["ECG", "", "X", "X", "X"],
    ]))
    labels = [[part_.text for part_ in column.parts] for column in part.columns]
    assert labels == [["1", "-2"], ["2", "0"], ["3", "8"]]
    assert [part_.row_label for part_ in part.columns[0].parts] == ["VISIT", "WEEK"]


def test_a_page_repeating_the_header_keeps_text_only_rows_under_it_as_activities():
    header = [["Procedure", "Day -1", "Day 1", "Day 2"], ["", "Period 1", "Period 1", "Period 2"]]
    table = _table(header + [
        ["Nasal inspection", "", "Pre-dose, 90 min", ""],
        ["Vital signs", "X", "X", "X"],
    ])
    known = row_texts(_table(header + [["ECG", "X", "", ""]]).lattice())[:2]
    part = read_page(table, known_header=known)
    assert part.header_rows == 2
    assert [row.name for row in part.rows] == ["Nasal inspection", "Vital signs"]
    assert read_page(table).header_rows == 3  # without the earlier page, the first-mark rule


def test_plain_unmarked_rows_are_activities_where_sections_are_bold():
    rows = [
        ["Procedure", "Day 1", "Day 2"],
        ["Safety assessments", "", ""],
        ["Vital signs", "X", "X"],
        ["PD sample (no mark printed)", "", ""],
        ["Laboratory", "", ""],
        ["Hematology", "X", ""],
    ]
    part = read_page(_table(rows, bold={1, 4}))
    assert [(row.name, row.is_section) for row in part.rows] == [
        ("Safety assessments", True), ("Vital signs", False), ("PD sample (no mark printed)", False),
        ("Laboratory", True), ("Hematology", False)]
    plain = read_page(_table(rows))  # nothing bold: no print tells sections apart, unmarked is a section
    assert [row.name for row in plain.rows if row.is_section] == [
        "Safety assessments", "PD sample (no mark printed)", "Laboratory"]


def test_a_last_visit_of_long_noted_marks_is_a_visit_and_a_notes_column_is_not():
    part = read_page(_table([
        ["Procedure", "Day 1", "Follow-up every 90 days", "Notes"],
        ["CT scan", "X", "X (until progression is confirmed by the investigator)", "See section 8.1 for details"],
        ["ECG", "X", "", "Triplicate, 5 minutes apart, supine"],
    ]))
    assert [column.parts[0].text for column in part.columns] == ["Day 1", "Follow-up every 90 days"]
    assert part.rows[0].details == {"Notes": "See section 8.1 for details"}


def test_a_first_visit_without_marks_on_the_page_is_not_a_row_title():
    part = read_page(_table([
        ["Procedure", "Screening", "Day 1", "Day 8"],
        ["ECG", "", "X", "X"],
        ["Vital signs", "", "X", ""],
    ]))
    assert [column.parts[0].text for column in part.columns] == ["Screening", "Day 1", "Day 8"]


def _spanning(table: PageTable, row: int) -> PageTable:
    """`table` with the cells of `row` merged into one across every column (its first text)."""
    first = next(cell for cell in table.cells if cell.r0 == row and cell.c0 == 0)
    first.c1 = table.n_cols
    table.cells = [cell for cell in table.cells if cell.r0 != row or cell is first]
    return table


def test_a_title_row_across_the_table_is_its_caption_not_a_header_level():
    part = read_page(_spanning(_table([
        ["Table 5.1-1: Flow chart for the main study", "", ""],
        ["Procedure", "Week -8", "Week 0"],
        ["ECG", "X", ""],
        ["Vital signs", "X", "X"],
    ]), 0))
    assert part.caption == "Table 5.1-1: Flow chart for the main study"
    assert [[p.text for p in column.parts] for column in part.columns] == [["Week -8"], ["Week 0"]]
    assert [row.name for row in part.rows] == ["ECG", "Vital signs"]


def test_a_section_row_across_the_top_of_a_continuation_page_is_no_caption():
    part = read_page(_spanning(_table([
        ["Laboratory assessments", "", ""],
        ["Haematology", "X", ""],
        ["Urinalysis", "X", "X"],
    ]), 0))
    assert part.caption == ""
    assert [row.name for row in part.rows] == ["Laboratory assessments", "Haematology", "Urinalysis"]
