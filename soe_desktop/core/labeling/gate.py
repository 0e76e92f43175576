"""The privacy gate in front of the Gemini teacher: whether a document may be sent.

Apart from cloud_gate.py because routing and the CLI ask it at start-up, and the Gemini client and
scikit-learn that cloud_gate.py needs take over a second to import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from soe_desktop.core.errors import OfflineError
from soe_desktop.core.labeling.keys import ApiKey
from soe_desktop.core.settings import Settings

NO_KEY_MESSAGE = (
    "no Gemini API key: set GEMINI_API_KEY (or GOOGLE_API_KEY) or save one in the OS keyring "
    "(Settings > Gemini); using the offline teacher"
)


@dataclass(frozen=True)
class GateDecision:
    """Whether a document may be sent; `kind` is ok | offline | no-consent | no-key."""

    kind: str
    message: str = ""

    @property
    def allowed(self) -> bool:
        return self.kind == "ok"


def decide(settings: Settings, consented: bool, key: Optional[ApiKey]) -> GateDecision:
    """The gate, in the order a user can fix things: offline setting, consent, key."""
    if settings.offline:
        return GateDecision("offline", "offline mode is on: nothing is sent to Gemini; using the offline teacher")
    if not consented:
        return GateDecision(
            "no-consent",
            "this document may not be sent to Gemini (no consent; use --allow-cloud); using the offline teacher",
        )
    if key is None:
        return GateDecision("no-key", NO_KEY_MESSAGE)
    return GateDecision("ok")


def require_allowed(decision: GateDecision) -> None:
    """For callers that must not fall back (e.g. a "test connection" button)."""
    if not decision.allowed:
        raise OfflineError(decision.message)
