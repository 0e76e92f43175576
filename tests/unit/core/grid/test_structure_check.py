"""Structure doubts: a row cut from the name above it, a cross-reference column read as a visit."""

from soe_desktop.core.grid import MARK, Column, Grid, Row, Section, Source
from soe_desktop.core.grid.structure_check import (continued_rows, duplicate_columns, fragmentary_pages,
                                                   reference_columns, structure_doubts)


def _row(name, top, height=15.0, marks=("c1",)):
    return Row(activity=name, marks={col: MARK for col in marks}, source=Source(1, (50, top, 200, top + height)))


def _grid(rows, sections=(), columns=("c1", "c2")):
    return Grid(pages=[1], columns=[Column(id=c, label=f"Day {i}") for i, c in enumerate(columns, start=1)],
                rows=list(rows), sections=list(sections))


def test_plain_rows_raise_no_doubt():
    rows = [_row("Vital signs", 100), _row("ECG", 115), _row("eGFR", 130), _row("Hematology", 145)]
    grid = _grid(rows, [Section("Safety", source=Source(1, (50, 85, 200, 100)))])
    assert continued_rows(grid) == [] and structure_doubts(grid) == {}


def test_a_name_that_continues_an_unmarked_line_above_is_doubted():
    rows = [_row("Vital signs", 100), _row("Randomisation criteria and", 115, marks=()),
            _row("randomisation (6.3.2)", 130), _row("ECG", 145)]
    grid = _grid(rows)
    assert continued_rows(grid) == [2]
    assert structure_doubts(grid) == {2: {"c1"}}


def test_a_row_under_a_thin_section_cell_is_doubted():
    """White rules between the lines of one name cut a thin 'section' out of the name's cell."""
    rows = [_row("Short Form-36", 100), _row("Measure (WRSSM)", 124), _row("ECG", 139)]
    grid = _grid(rows, [Section("Weight Related Sign and Symptom", source=Source(1, (50, 115, 200, 124)))])
    assert continued_rows(grid) == [1]


def test_a_lower_case_name_under_a_marked_row_is_an_activity():
    rows = [_row("Study treatment", 100), _row("obinutuzumab", 115), _row("chemotherapy", 130)]
    assert continued_rows(_grid(rows)) == []


def test_a_column_of_differing_texts_without_marks_is_a_reference_column():
    rows = [Row(activity=f"A{i}", marks={"c1": MARK, "c2": f"Section {i}.1"}) for i in range(5)]
    assert reference_columns(_grid(rows)) == ["c2"]
    same = [Row(activity=f"A{i}", marks={"c1": MARK, "c2": "Optional"}) for i in range(5)]
    assert reference_columns(_grid(same)) == []  # one text repeated is a mark of its own kind
    times = [Row(activity=f"A{i}", marks={"c1": MARK, "c2": f"P, {i}h"}) for i in range(5)]
    assert reference_columns(_grid(times)) == []  # time-point codes differ too, and are marks


def test_a_page_of_words_split_into_letters_has_every_cell_of_its_rows_doubted():
    rows = [_row("A d verse e ve nt / Seri o us AE", 100), _row("C o nc o mita nt me dicati o n", 115, marks=())]
    plain = [Row(activity="Vital signs and body weight", marks={"c1": MARK}, source=Source(2, (50, 100, 200, 115)))]
    grid = _grid(rows + plain)
    grid.pages = [1, 2]
    assert fragmentary_pages(grid) == [1]
    assert structure_doubts(grid) == {0: {"c1", "c2"}, 1: {"c1", "c2"}}


def test_a_visit_read_twice_without_its_period_is_doubted():
    columns = [Column(id="c1", label="Screening | V1 | -1"), Column(id="c2", label="V1 | -1"), Column(id="c3", label="V2")]
    rows = [Row(activity="A", marks={"c1": MARK, "c3": MARK}), Row(activity="B", marks={"c2": MARK})]
    grid = Grid(pages=[1], columns=columns, rows=rows)
    assert duplicate_columns(grid) == ["c2"]
    assert structure_doubts(grid) == {1: {"c2"}}
    rows[0].marks["c2"] = MARK  # marked in one row both, in another only one: two visits after all
    assert duplicate_columns(grid) == []
    rows[1].marks["c1"] = MARK  # the same rows: one visit read as two columns
    assert duplicate_columns(grid) == ["c2"]
