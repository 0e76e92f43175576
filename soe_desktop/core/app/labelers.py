"""The labeler registry: one entry per labeler, feeding the CLI's choices, the settings dialog and
the factories. Adding a labeler is one module that builds it plus one `register_labeler` line here.

Factories import their labeler's module when called: the registry is read at start-up by the CLI
and the settings dialog, and Gemini's client and scikit-learn alone take over a second to import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from soe_desktop.core.errors import BadInputError
from soe_desktop.core.app.review import reviewer
from soe_desktop.core.labeling.base import Labeler
from soe_desktop.core.settings import Settings


@dataclass(frozen=True)
class LabelerContext:
    """What a factory may use. `store`: the open library (consent, cost ledger, active model);
    `allow_cloud`: the user's consent for the documents at hand; `strict`: a labeler that cannot do
    its own job refuses instead of letting the offline teacher stand in (a score under Gemini's name
    must be Gemini's)."""

    settings: Settings
    store: Optional[object] = None
    allow_cloud: bool = False
    strict: bool = False


@dataclass(frozen=True)
class LabelerEntry:
    name: str
    title: str  # what the settings dialog shows
    make: Callable[[LabelerContext], Labeler]
    needs_network: bool = False
    teacher: bool = False  # may be chosen as the teacher (Settings.teacher)


LABELERS: dict[str, LabelerEntry] = {}


def register_labeler(entry: LabelerEntry) -> LabelerEntry:
    LABELERS[entry.name] = entry
    return entry


def labeler_names() -> list[str]:
    return list(LABELERS)


def teacher_entries() -> list[LabelerEntry]:
    return [entry for entry in LABELERS.values() if entry.teacher]


def make_labeler(name: str, context: LabelerContext) -> Labeler:
    entry = LABELERS.get(name)
    if entry is None:
        raise BadInputError(f"unknown labeler {name!r}; expected one of {', '.join(LABELERS)}")
    return entry.make(context)


def make_teacher(context: LabelerContext) -> Labeler:
    """The teacher the settings name (an unknown name, e.g. from an old settings file, falls back to
    the offline heuristic rather than stopping the queue)."""
    name = context.settings.teacher if context.settings.teacher in LABELERS else "heuristic"
    return make_labeler(name, context)


def _heuristic(_context: LabelerContext) -> Labeler:
    from soe_desktop.core.labeling.heuristic import HeuristicTeacher

    return HeuristicTeacher()


def _gemini(context: LabelerContext) -> Labeler:
    from soe_desktop.core.labeling.cloud_gate import make_gemini_labeler, teacher_for_store
    from soe_desktop.core.labeling.gate import decide, require_allowed
    from soe_desktop.core.labeling.heuristic import HeuristicTeacher
    from soe_desktop.core.labeling.keys import find_api_key

    settings = context.settings
    if context.strict:
        key = find_api_key() if context.allow_cloud and not settings.offline else None
        require_allowed(decide(settings, context.allow_cloud, key))
        return make_gemini_labeler(settings, key, ledger=context.store)
    if context.store is None:
        raise BadInputError("the Gemini teacher needs the library (consent and cost ledger)")
    return _recording_consent(teacher_for_store(settings, context.store, HeuristicTeacher(),
                                                allow_cloud=context.allow_cloud), context)


def _recording_consent(teacher, context: LabelerContext):
    """Record the user's yes in the store (audited) the first time a document is sent."""
    asked, store = teacher.consent, context.store

    def consent(sha256: str) -> bool:
        allowed = asked(sha256)
        if allowed and context.allow_cloud and not store.cloud_consent(sha256):
            store.set_cloud_consent(sha256, True, actor=reviewer())
        return allowed

    teacher.consent = consent
    return teacher


def _student(context: LabelerContext) -> Labeler:
    from soe_desktop.core.training.labeler import StudentLabeler

    if context.store is None:
        raise BadInputError("no active student model: train one first (soe train)")
    return StudentLabeler.from_store(context.store)


register_labeler(LabelerEntry("heuristic", "Offline heuristic (no network)", _heuristic, teacher=True))
register_labeler(LabelerEntry("gemini", "Gemini (cloud, asks before sending)", _gemini, needs_network=True,
                              teacher=True))
register_labeler(LabelerEntry("student", "Active local student", _student))
