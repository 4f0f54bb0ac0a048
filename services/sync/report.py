"""What a sync round moved, per type: the report the ``sync`` command prints and
the sync screen shows.

"Came down" counts rows this desk stores for the first time (``new``) or
changes (``updated``); an item pulled again that changes nothing counts
nowhere. A case is new when the desk did not hold it before the round, and
updated when it held it and new events of it arrived. "Went up" counts what
the county answered, per kind of item: ``accepted``, ``duplicate`` (the
county held it already) and ``rejected``; ``waiting`` counts pending items
whose author has no county login on this desk.

A first login on a fresh desk pulls the feed before the round
(:meth:`services.sync.engine.SyncEngine.pull_reference_then_remember`); what
that pull brought is kept in ``sync_state`` (:data:`STATE_LOGIN_PULL`) and
added to the next round's report, so the first round's report counts it. The
last round's report is kept too (:data:`STATE_LAST_REPORT`) for the sync screen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from services.sync.config import get_state, put_state

STATE_LAST_REPORT = "last_report"
STATE_LOGIN_PULL = "login_pull"

CASE = "case"
EVENT = "case_event"
VISIT = "visit"
USER = "user"
# The reference kinds besides users, in the order a report lists them.
REFERENCE_KINDS = ("org_unit", "department", "category", "holiday", "setting")
# Every kind a report counts coming down, in the order it lists them.
DOWN_KINDS = (CASE, EVENT, VISIT, USER, *REFERENCE_KINDS)
# The kinds of items a desk pushes.
UP_KINDS = (VISIT, EVENT)


def _counts(raw: Any) -> dict[str, int]:
    """A ``kind → count`` mapping read back from JSON; anything else is dropped."""
    if not isinstance(raw, Mapping):
        return {}
    return {
        str(k): int(v)
        for k, v in raw.items()
        if isinstance(v, int) and not isinstance(v, bool) and v > 0
    }


def _add(into: dict[str, int], kind: str, count: int = 1) -> None:
    if count:
        into[kind] = into.get(kind, 0) + count


@dataclass
class RoundReport:
    """One round's figures per type (see the module's docstring for what counts)."""

    new: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    accepted: dict[str, int] = field(default_factory=dict)
    duplicate: dict[str, int] = field(default_factory=dict)
    rejected: dict[str, int] = field(default_factory=dict)
    waiting: int = 0
    quarantined: int = 0
    pruned_cases: int = 0
    pruned_visits: int = 0
    from_start: bool = False  # the feed was read from its beginning
    finished_at: str = ""  # ISO time the round ended (UTC)
    # The cases of a round (by id, not stored): a feed page brings some of a
    # case's events and a later page the rest, which is still one new case.
    case_ids_new: set[str] = field(default_factory=set, repr=False)
    case_ids_updated: set[str] = field(default_factory=set, repr=False)

    # ---------------------------------------------------------------- counting
    def add_new(self, kind: str, count: int = 1) -> None:
        _add(self.new, kind, count)

    def add_updated(self, kind: str, count: int = 1) -> None:
        _add(self.updated, kind, count)

    def note_cases(self, new: set[str], updated: set[str]) -> None:
        """Cases first stored, and cases held before that received new events."""
        self.case_ids_new |= new
        self.case_ids_updated = (self.case_ids_updated | updated) - self.case_ids_new

    def add_answer(self, kind: str, status: str) -> None:
        """One push answer (``accepted``, ``duplicate`` or ``rejected``) for an item of ``kind``."""
        if status == "accepted":
            _add(self.accepted, kind)
        elif status == "duplicate":
            _add(self.duplicate, kind)
        elif status == "rejected":
            _add(self.rejected, kind)

    def merge(self, other: RoundReport) -> None:
        """Add ``other``'s figures to these (the round keeps its own time)."""
        for mine, theirs in (
            (self.new, other.new),
            (self.updated, other.updated),
            (self.accepted, other.accepted),
            (self.duplicate, other.duplicate),
            (self.rejected, other.rejected),
        ):
            for kind, count in theirs.items():
                _add(mine, kind, count)
        self.note_cases(other.case_ids_new, other.case_ids_updated)
        self.quarantined += other.quarantined
        self.pruned_cases += other.pruned_cases
        self.pruned_visits += other.pruned_visits
        self.from_start = self.from_start or other.from_start
        self.finished_at = self.finished_at or other.finished_at

    # ---------------------------------------------------------------- reading
    def count_new(self, kind: str) -> int:
        """Rows of ``kind`` this desk stored for the first time."""
        extra = len(self.case_ids_new) if kind == CASE else 0
        return self.new.get(kind, 0) + extra

    def count_updated(self, kind: str) -> int:
        """Rows of ``kind`` this desk held and changed."""
        extra = len(self.case_ids_updated - self.case_ids_new) if kind == CASE else 0
        return self.updated.get(kind, 0) + extra

    def came_down(self) -> int:
        return sum(self.count_new(k) + self.count_updated(k) for k in DOWN_KINDS)

    def went_up(self) -> int:
        return sum(self.accepted.values())

    # ---------------------------------------------------------------- storing
    def to_json(self) -> dict[str, Any]:
        return {
            "new": {k: n for k in DOWN_KINDS if (n := self.count_new(k))},
            "updated": {k: n for k in DOWN_KINDS if (n := self.count_updated(k))},
            "accepted": dict(self.accepted),
            "duplicate": dict(self.duplicate),
            "rejected": dict(self.rejected),
            "waiting": self.waiting,
            "quarantined": self.quarantined,
            "pruned_cases": self.pruned_cases,
            "pruned_visits": self.pruned_visits,
            "from_start": self.from_start,
            "finished_at": self.finished_at,
        }

    @classmethod
    def from_json(cls, raw: Any) -> RoundReport | None:
        """A stored report, or None when there is none (or it is not one)."""
        if not isinstance(raw, Mapping) or not raw:
            return None

        def number(key: str) -> int:
            value = raw.get(key)
            return value if isinstance(value, int) and not isinstance(value, bool) else 0

        finished = raw.get("finished_at")
        return cls(
            new=_counts(raw.get("new")),
            updated=_counts(raw.get("updated")),
            accepted=_counts(raw.get("accepted")),
            duplicate=_counts(raw.get("duplicate")),
            rejected=_counts(raw.get("rejected")),
            waiting=number("waiting"),
            quarantined=number("quarantined"),
            pruned_cases=number("pruned_cases"),
            pruned_visits=number("pruned_visits"),
            from_start=raw.get("from_start") is True,
            finished_at=finished if isinstance(finished, str) else "",
        )


def last_report(session: Session) -> RoundReport | None:
    """The report of the last round that finished on this desk."""
    return RoundReport.from_json(get_state(session, STATE_LAST_REPORT))


def keep_login_pull(session: Session, report: RoundReport) -> None:
    """What a login's pull brought, added to the next round's report."""
    kept = RoundReport.from_json(get_state(session, STATE_LOGIN_PULL)) or RoundReport()
    kept.merge(report)
    put_state(session, STATE_LOGIN_PULL, kept.to_json())


def finish_report(session: Session, report: RoundReport, finished_at: str) -> None:
    """Add a login's pull to the round's report and keep it as the last round's."""
    kept = RoundReport.from_json(get_state(session, STATE_LOGIN_PULL))
    if kept is not None:
        report.merge(kept)
        put_state(session, STATE_LOGIN_PULL, {})
    report.finished_at = finished_at
    put_state(session, STATE_LAST_REPORT, report.to_json())
