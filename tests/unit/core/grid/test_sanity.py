"""Never an empty or broken grid without a word: suspect grids, failed tables, unreadable pages."""

from reportlab.pdfgen.canvas import Canvas

from grid_helpers import candidates_of  # same folder
from soe_desktop.core.grid import MARK, Column, Grid, Row
from soe_desktop.core.grid import page_reading
from soe_desktop.core.grid.extract import read_table, read_tables
from soe_desktop.core.grid.sanity import failure_reason, suspect_reason
from soe_desktop.core.model import Label
from soe_desktop.core.synthetic import pages as P
from soe_desktop.core.synthetic.grids import GridOptions, write_grid_pdf
from soe_desktop.core.synthetic.tables import TableSpec, draw_table, register_fonts


def _grid(names, labels, marks):
    columns = [Column(id=f"c{i}", label=label) for i, label in enumerate(labels, start=1)]
    rows = [Row(activity=name, marks={f"c{j}": MARK for j in marks(i)}) for i, name in enumerate(names)]
    return Grid(pages=[1], columns=columns, rows=rows)


def test_a_schedule_is_not_suspect():
    grid = _grid(["Vital signs", "ECG", "Labs"], ["Screening", "Day 1", "Week 2"], lambda i: [1, 2, 3])
    assert suspect_reason(grid) == ""


def test_single_letter_rows_are_suspect():
    grid = _grid(list("ABCDEF"), ["Day 1", "Day 2", "Day 3"], lambda i: [1, 2, 3])
    assert suspect_reason(grid).startswith("most activity names are one or two characters")


def test_rows_of_one_or_two_characters_are_suspect():
    grid = _grid(["A", "b", "12", "c)", "PK", "Vital signs"], ["Day 1", "Day 2", "Day 3"], lambda i: [1, 2, 3])
    assert suspect_reason(grid) == "most activity names are one or two characters, not words (5 of 6)"


def test_a_few_short_abbreviations_among_named_procedures_are_fine():
    names = ["PK", "BP", "ECG", "Vital signs", "Hematology", "Chemistry"]
    assert suspect_reason(_grid(names, ["Day 1", "Day 2", "Day 3"], lambda i: [1, 2, 3])) == ""


def test_no_visit_header_is_suspect():
    grid = _grid(["Vital signs", "ECG", "Labs"], ["", "", ""], lambda i: [1, 2, 3])
    assert suspect_reason(grid) == "no visit header found"


def test_mostly_empty_columns_are_suspect():
    grid = _grid(["Vital signs", "ECG", "Labs"], ["Day 1", "Day 2", "Day 3", "Day 4", "Day 5"], lambda i: [1])
    assert suspect_reason(grid) == "most visit columns are empty (4 of 5)"


def test_failure_reasons():
    assert failure_reason(Grid(pages=[]), {4: "boom"}, [4]).startswith("no page of the table could be read")
    assert failure_reason(Grid(pages=[4]), {}, [4]) == "no visit columns were read from the table"
    few = _grid(["Vital signs"], ["Day 1", "Day 2"], lambda i: [1])
    assert failure_reason(few, {}, [1]).startswith("only 1 marked cell")


def _letters_pdf(path):
    """A ruled table whose rows are single letters under a header of stray letters: garbage that
    reads as a grid (as an extension-phase table read once did in the window)."""
    register_fonts()
    rows = [[""] + list("PQRSTU")] + [[letter] + ["X" if (i + j) % 2 else "" for j in range(6)]
                                      for i, letter in enumerate("ABCDEFGHIJKL")]
    spec = TableSpec(rows, [0.3] + [0.7 / 6] * 6, 1, font_size=8.0, padding=3.5)
    canvas = Canvas(str(path), pagesize=P.LANDSCAPE)
    draw_table(canvas, spec, 36, 540, 720)
    canvas.showPage()
    canvas.save()


def test_a_garbage_table_gives_a_suspect_grid(tmp_path):
    path = tmp_path / "letters.pdf"
    _letters_pdf(path)
    reading = read_table(path, candidates_of(path))
    assert reading.failure is None
    assert reading.grid.suspect.startswith("most activity names are one or two characters")
    assert reading.grid.to_json()["suspect"] == reading.grid.suspect


def _raising(page_numbers):
    original = page_reading._read_text_page

    def finder(reader, candidate, chars, size, *rest):
        if candidate.page in page_numbers:
            raise RuntimeError("table finder crashed")
        return original(reader, candidate, chars, size, *rest)
    return finder


def test_a_finder_that_raises_on_one_page_leaves_that_page_out_and_says_so(tmp_path, monkeypatch):
    path = tmp_path / "grid.pdf"
    write_grid_pdf(path, 21, GridOptions(pages=3))
    monkeypatch.setattr(page_reading, "_read_text_page", _raising({2}))
    reading = read_table(path, candidates_of(path))
    assert reading.grid is not None and reading.grid.pages == [1, 3]
    assert reading.grid.unreadable_pages == [2] and reading.grid.to_json()["unreadable_pages"] == [2]
    assert reading.unreadable == {2: "RuntimeError: table finder crashed"}


def test_a_finder_that_raises_everywhere_gives_a_failed_entry(tmp_path, monkeypatch):
    path = tmp_path / "grid.pdf"
    write_grid_pdf(path, 22, GridOptions(pages=2))
    monkeypatch.setattr(page_reading, "_read_text_page", _raising({1, 2}))
    candidates = candidates_of(path)
    labels = {c.id: Label(candidate_id=c.id, is_soe=True, confidence=0.9, source="heuristic") for c in candidates}
    found = read_tables(path, candidates, labels)
    assert found.grids == []
    (failure,) = found.failed
    assert failure.pages == [1, 2] and failure.reason.startswith("no page of the table could be read")
    assert failure.to_json() == {"pages": [1, 2], "group": "g", "reason": failure.reason}
    assert found.unreadable_json() == [{"page": 1, "reason": "RuntimeError: table finder crashed"},
                                       {"page": 2, "reason": "RuntimeError: table finder crashed"}]
