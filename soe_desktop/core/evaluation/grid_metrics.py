"""Scores an extracted SoE grid against a transcribed one: activities, columns, cell marks, refs.

Both sides are plain dicts in the `soe grid --json` shape (`columns: [{id, label}]`, `rows:
[{activity, footnote_refs, marks: {col_id: value}, cell_refs: {col_id: [ref]}}]`), so the
benchmark, the CLI and tests can score any grid without importing the extractor.

- Activities: one-to-one fuzzy match of normalised names (best pairs first; ties go to the pair
  closest in row order, so a name printed twice pairs up in order).
- Columns: an order-preserving alignment of labels (a DP like Needleman-Wunsch that maximises
  summed similarity); columns print left to right, so a similar label out of order is no match.
- Cell marks: strict F1 over every activity x column cell. A mark in an unmatched row or column
  is a false positive (predicted) or a false negative (truth): missing a row costs its marks.
- Footnote refs: (row, column-or-row-level, ref) triples through the same matches.
Counts are kept so a benchmark can sum them over grids (micro) before taking ratios.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, fields
from typing import Callable, Iterable, Mapping, Sequence

from rapidfuzz import fuzz

NAME_THRESHOLD = 80.0  # rapidfuzz score (0-100): "Vital signs" vs "Vital sign" ~95, unrelated < 60
LABEL_THRESHOLD = 50.0  # column labels are short and aligned in order, so a lower bar is safe
NOT_A_MARK = {"", "-", "–", "—", "n/a", "na"}  # printed "nothing here" fillers


def normalise(text: str) -> str:
    """Case-, accent- and punctuation-free, single-spaced (coded names `INFORMED_CONSENT` too)."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def name_similarity(a: str, b: str) -> float:
    """0-100; word order is forgiven ("Signs, vital" ~ "Vital signs")."""
    a, b = normalise(a), normalise(b)
    if not a or not b:
        return 0.0
    return max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))


def label_similarity(a: str, b: str) -> float:
    """0-100 between flattened column labels. Words score as the mean of strict and subset-tolerant
    ratios (an extra header level "Treatment | Week 4" vs "Week 4" still scores, less than a full
    match); the numbers must agree as well, since "Week 2" and "Week 4" are different visits. Where
    only one side has words ("1 | -2" vs "Visit 1 | Week -2": row titles kept or not), the numbers
    decide; where only one side has numbers (a day line lost), the words count for less."""
    words_a, words_b = normalise(_NUMBER.sub(" ", a or "")), normalise(_NUMBER.sub(" ", b or ""))
    numbers_a, numbers_b = _numbers(a), _numbers(b)
    agreement = (2 * len(numbers_a & numbers_b) / (len(numbers_a) + len(numbers_b))
                 if numbers_a and numbers_b else None)
    if words_a and words_b:
        words = (fuzz.token_sort_ratio(words_a, words_b) + fuzz.token_set_ratio(words_a, words_b)) / 2
        if agreement is not None:
            return words * (0.3 + 0.7 * agreement)
        return words * 0.6 if (numbers_a or numbers_b) else words
    if agreement is not None:
        return 90.0 * agreement
    return 100.0 if normalise(a) == normalise(b) and normalise(a) else 0.0


# A minus sign counts only where no digit precedes it: "Day -28" is negative, "Days 2-5" a range.
_NUMBER = re.compile(r"(?:(?<![\d.])[-−–])?\d+(?:\.\d+)?")


def _numbers(text: str) -> set[str]:
    return {m.group().replace("−", "-").replace("–", "-") for m in _NUMBER.finditer(text or "")}


def is_mark(value) -> bool:
    """A cell counts as marked when it holds anything but blank or a printed dash."""
    if value is None or value is False:
        return False
    return str(value).strip().casefold() not in NOT_A_MARK


def match_names(predicted: Sequence[str], truth: Sequence[str],
                threshold: float = NAME_THRESHOLD) -> dict[int, int]:
    """One-to-one {predicted index: truth index}, best similarity first, row distance as tie-break."""
    span = max(len(predicted), len(truth), 1)
    pairs = []
    for i, p in enumerate(predicted):
        for j, t in enumerate(truth):
            score = name_similarity(p, t)
            if score >= threshold:
                pairs.append((-score, abs(i / span - j / span), i, j))
    pairs.sort()
    matched, used = {}, set()
    for _, _, i, j in pairs:
        if i not in matched and j not in used:
            matched[i] = j
            used.add(j)
    return matched


def align_labels(predicted: Sequence[str], truth: Sequence[str],
                 threshold: float = LABEL_THRESHOLD) -> dict[int, int]:
    """Order-preserving {predicted index: truth index} maximising summed label similarity."""
    n, m = len(predicted), len(truth)
    sim = [[label_similarity(p, t) for t in truth] for p in predicted]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            take = sim[i][j] + best[i + 1][j + 1] if sim[i][j] >= threshold else -1.0
            best[i][j] = max(take, best[i + 1][j], best[i][j + 1])
    pairs, i, j = {}, 0, 0
    while i < n and j < m:
        if sim[i][j] >= threshold and best[i][j] == sim[i][j] + best[i + 1][j + 1]:
            pairs[i] = j
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs


@dataclass
class GridScores:
    """Counts for one grid (or a sum of grids); ratios are derived, so sums stay exact."""

    activity_tp: int = 0
    activity_predicted: int = 0
    activity_truth: int = 0
    column_tp: int = 0
    column_predicted: int = 0
    column_truth: int = 0
    cell_tp: int = 0
    cell_fp: int = 0
    cell_fn: int = 0
    ref_tp: int = 0
    ref_fp: int = 0
    ref_fn: int = 0

    def __add__(self, other: "GridScores") -> "GridScores":
        return GridScores(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    @property
    def activity_precision(self) -> float:
        return _ratio(self.activity_tp, self.activity_predicted)

    @property
    def activity_recall(self) -> float:
        return _ratio(self.activity_tp, self.activity_truth)

    @property
    def activity_f1(self) -> float:
        return _f1(self.activity_precision, self.activity_recall)

    @property
    def column_precision(self) -> float:
        return _ratio(self.column_tp, self.column_predicted)

    @property
    def column_recall(self) -> float:
        return _ratio(self.column_tp, self.column_truth)

    @property
    def cell_precision(self) -> float:
        return _ratio(self.cell_tp, self.cell_tp + self.cell_fp)

    @property
    def cell_recall(self) -> float:
        return _ratio(self.cell_tp, self.cell_tp + self.cell_fn)

    @property
    def cell_f1(self) -> float:
        return _f1(self.cell_precision, self.cell_recall)

    @property
    def ref_precision(self) -> float:
        return _ratio(self.ref_tp, self.ref_tp + self.ref_fp)

    @property
    def ref_recall(self) -> float:
        return _ratio(self.ref_tp, self.ref_tp + self.ref_fn)

    def to_dict(self) -> dict:
        data = asdict(self)
        for name in ("activity_precision", "activity_recall", "activity_f1", "column_precision",
                     "column_recall", "cell_precision", "cell_recall", "cell_f1", "ref_precision",
                     "ref_recall"):
            data[name] = round(getattr(self, name), 4)
        return data


def total(scores: Iterable[GridScores]) -> GridScores:
    """Micro sum over grids."""
    summed = GridScores()
    for score in scores:
        summed = summed + score
    return summed


@dataclass
class GridMatch:
    """Which predicted rows/columns were paired with which truth rows/columns (for loss reports)."""

    rows: dict[int, int]
    columns: dict[int, int]
    scores: GridScores


def score_grid(predicted: Mapping, truth: Mapping, mark: Callable[[object], bool] = is_mark) -> GridMatch:
    """Score one predicted grid dict against one truth grid dict (both in the grid JSON shape)."""
    p_rows, t_rows = list(predicted.get("rows", [])), list(truth.get("rows", []))
    p_cols, t_cols = list(predicted.get("columns", [])), list(truth.get("columns", []))
    rows = match_names([r.get("activity", "") for r in p_rows], [r.get("activity", "") for r in t_rows])
    cols = align_labels([c.get("label", "") for c in p_cols], [c.get("label", "") for c in t_cols])
    scores = GridScores(activity_tp=len(rows), activity_predicted=len(p_rows), activity_truth=len(t_rows),
                        column_tp=len(cols), column_predicted=len(p_cols), column_truth=len(t_cols))
    p_cells = _marked_cells(p_rows, p_cols, mark)
    t_cells = _marked_cells(t_rows, t_cols, mark)
    mapped = {(rows.get(i), cols.get(j)) for i, j in p_cells}
    mapped_ok = {cell for cell in mapped if None not in cell}
    scores.cell_tp = len(mapped_ok & t_cells)
    scores.cell_fp = len(p_cells) - scores.cell_tp
    scores.cell_fn = len(t_cells) - scores.cell_tp
    p_refs = _refs(p_rows, p_cols)
    mapped_refs = {(rows.get(i), None if j is None else cols.get(j, -1), ref) for i, j, ref in p_refs}
    t_refs = set(_refs(t_rows, t_cols))
    scores.ref_tp = len(mapped_refs & t_refs)
    scores.ref_fp = len(p_refs) - scores.ref_tp
    scores.ref_fn = len(t_refs) - scores.ref_tp
    return GridMatch(rows=rows, columns=cols, scores=scores)


@dataclass
class FlagScores:
    """How well the second reading's `uncertain` flags point at the wrong cells of one grid (or a
    sum). Every cell of the predicted grid is judged: a mark is wrong unless the truth marks the
    cell it maps to (rows and columns paired by `score_grid`), an empty cell is wrong where the
    truth marks it. Truth marks in rows or columns the reading lost have no cell to flag."""

    cells: int = 0  # predicted activities x visits
    flagged: int = 0  # of those, flagged uncertain
    wrong: int = 0  # matched cells whose mark disagrees with the truth
    wrong_flagged: int = 0  # of the wrong cells, flagged
    right_flagged: int = 0  # flagged although right

    def __add__(self, other: "FlagScores") -> "FlagScores":
        return FlagScores(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    @property
    def flagged_share(self) -> float:
        return _ratio(self.flagged, self.cells)

    @property
    def wrong_flagged_share(self) -> float:
        """Of the wrong cells, the share flagged (1.0 when there is no wrong cell to flag)."""
        return _ratio(self.wrong_flagged, self.wrong) if self.wrong else 1.0


def flag_scores(predicted: Mapping, match: GridMatch, truth: Mapping, mark: Callable[[object], bool] = is_mark) -> FlagScores:
    """Flags of `predicted` (rows' "uncertain" column ids, the grid JSON) against the truth, through
    the row and column pairing of `score_grid` (`match`)."""
    p_rows, t_rows = list(predicted.get("rows", [])), list(truth.get("rows", []))
    p_cols, t_cols = list(predicted.get("columns", [])), list(truth.get("columns", []))
    p_index = _column_index(p_cols)
    p_cells = _marked_cells(p_rows, p_cols, mark)
    t_cells = _marked_cells(t_rows, t_cols, mark)
    flagged = {(i, p_index[str(cid)]) for i, row in enumerate(p_rows) for cid in row.get("uncertain") or []
               if str(cid) in p_index}
    scores = FlagScores(cells=len(p_rows) * len(p_cols), flagged=len(flagged))
    for i in range(len(p_rows)):
        for j in range(len(p_cols)):
            ti, tj = match.rows.get(i), match.columns.get(j)
            truth_marked = ti is not None and tj is not None and (ti, tj) in t_cells
            # A predicted mark is wrong unless the truth marks the cell it maps to; an empty cell is
            # wrong where it maps to a truth mark (a mark the reading lost at a known place).
            is_wrong = ((i, j) in p_cells) != truth_marked
            scores.wrong += is_wrong
            scores.wrong_flagged += is_wrong and (i, j) in flagged
            scores.right_flagged += (not is_wrong) and (i, j) in flagged
    return scores


def _column_index(columns: Sequence[Mapping]) -> dict[str, int]:
    return {str(c.get("id")): j for j, c in enumerate(columns)}


def _marked_cells(rows: Sequence[Mapping], columns: Sequence[Mapping], mark) -> set[tuple[int, int]]:
    index = _column_index(columns)
    return {(i, index[str(cid)]) for i, row in enumerate(rows)
            for cid, value in (row.get("marks") or {}).items() if str(cid) in index and mark(value)}


def _refs(rows: Sequence[Mapping], columns: Sequence[Mapping]) -> list[tuple[int, int | None, str]]:
    """(row, column or None for a ref on the activity name, normalised ref label), no duplicates."""
    index = _column_index(columns)
    found = set()
    for i, row in enumerate(rows):
        for ref in row.get("footnote_refs") or []:
            found.add((i, None, normalise(str(ref))))
        for cid, refs in (row.get("cell_refs") or {}).items():
            if str(cid) in index:
                found.update((i, index[str(cid)], normalise(str(ref))) for ref in refs)
    return sorted(found, key=lambda x: (x[0], -1 if x[1] is None else x[1], x[2]))


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0
