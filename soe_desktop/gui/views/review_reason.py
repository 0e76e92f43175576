"""The review panel's Reason line: the label's own reason, and, when the auto-accept rule left the
table to a person because its page was read uncertainly, the rule's refusal in its own words.

Why a line of its own: a tempered label's reason says its confidence was lowered, but not that the
rule will never close the table, so a reviewer waiting for a sure table to be accepted by itself
could not tell why it stays open (core/app/review.py, `auto_accept_refusal`).
"""

from __future__ import annotations

from typing import Optional

from soe_desktop.core.app.review import auto_accept_refusal, is_reviewed
from soe_desktop.core.model import Candidate, Label

REFUSAL_PREFIX = "Auto-accept refused: "


def refusal_line(label: Optional[Label], candidate: Optional[Candidate]) -> str:
    """'Auto-accept refused: read by OCR: left for review' for a machine label the rule will not
    close; '' when a person or the rule has settled it, or the page was read plainly."""
    if label is None or is_reviewed(label):
        return ""
    refusal = auto_accept_refusal(candidate)
    return f"{REFUSAL_PREFIX}{refusal}" if refusal else ""


def reason_text(label: Optional[Label], candidate: Optional[Candidate]) -> str:
    """The Reason line's text (plain text: a labeler's reason may quote the PDF)."""
    if label is None:
        return "–"
    parts = [part for part in (label.reason, refusal_line(label, candidate)) if part]
    return "\n".join(parts) or "–"
