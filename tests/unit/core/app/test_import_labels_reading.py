"""A label import that adds a whole-page candidate on a page read uncertainly (here a grid drawn
sideways, found by no finder in this library) marks it as the pipeline marks a found one."""

from __future__ import annotations

from soe_desktop.core.app.import_labels import import_labels
from soe_desktop.core.model import Detector, Document
from soe_desktop.core.pdf.candidates import READING_UNCERTAIN
from soe_desktop.core.pdf.pages import read_pages
from soe_desktop.core.settings import Settings
from soe_desktop.core.store import Store
from soe_desktop.core.synthetic.hard_layouts import SIDEWAYS, write_hard_layout_protocol

SHA = "ab" * 32


def test_an_imported_soe_page_read_sideways_gets_a_manual_candidate_marked_uncertain(tmp_path):
    pdf = tmp_path / "library" / "protocol.pdf"
    pdf.parent.mkdir()
    truth = write_hard_layout_protocol(pdf, seed=5, main=4, appendix=3, prose_pages=6)
    sideways = truth.pages_of(SIDEWAYS)[0]
    pages = read_pages(pdf)
    settings = Settings(data_dir=str(tmp_path / "data"), auto_accept_threshold=0.0, read_scanned_pages=False,
                        second_look_pages=0)
    labels = tmp_path / "labels.csv"
    labels.write_text(f"file,page,is_soe\nprotocol.pdf,{sideways},true\n", encoding="utf-8")
    with Store(tmp_path / "soe.db") as store:
        store.add_document(Document("/in/protocol.pdf", SHA, len(pages)), str(pdf), "protocol.pdf")
        store.set_status(SHA, "needs review")
        store.add_pages(SHA, pages)
        result = import_labels(labels, settings, store, actor="human:ann")
        (manual,) = store.candidates(SHA)
    assert result.manual_candidates == 1 and manual.detector == Detector.MANUAL and manual.page == sideways
    assert manual.features[READING_UNCERTAIN] == 1.0
    assert manual.context.startswith("Reading: sideways: text runs ")
