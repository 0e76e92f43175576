"""SoE grid extraction: a confirmed SoE candidate group -> activities x visits, marks, footnotes.

See `extract.extract_grid` (one table) and `extract.grids_for_document` (every SoE table of a
document, main schedule first), `model.Grid` for the result and `export` for JSON, CSV, XLSX and
CDISC USDM.
"""

from soe_desktop.core.grid.extract import extract_grid, grids_for_document, soe_groups
from soe_desktop.core.grid.model import MARK, Column, Grid, Row, Section, Source

__all__ = ["extract_grid", "grids_for_document", "soe_groups", "Grid", "Column", "Row", "Section", "Source", "MARK"]
