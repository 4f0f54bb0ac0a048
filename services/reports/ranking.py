"""Scoring and ranking the rows of an assessment.

:func:`weights` reads the configurable score weights (settings, with the
defaults of :data:`services.settings.DEFAULT_WEIGHTS`); :func:`score` is the
综合得分 of one row; :func:`rank` orders a sheet's rows. The formula and the
tie-breaks are explained in docs/figures.md.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from services import settings as settings_service
from services.reports.results import Figures

log = logging.getLogger(__name__)


def weights(session: Session) -> dict[str, float]:
    stored = settings_service.get(session, "score_weights") or {}
    merged = dict(settings_service.DEFAULT_WEIGHTS)
    for key, value in dict(stored).items():
        if key in merged:
            try:
                merged[key] = float(value)
            except (TypeError, ValueError):
                log.warning("score weight %s=%r is not a number; using the default", key, value)
    return merged


def score(fig: Figures, w: dict[str, float]) -> float:
    """综合得分: 100 × weighted rates − penalty per rework; an empty rate counts as 1."""

    def eff(rate: float | None) -> float:
        return 1.0 if rate is None else rate

    return (
        100.0
        * (
            w["on_time"] * eff(fig.on_time_rate)
            + w["closure"] * eff(fig.closure_rate)
            + w["satisfaction"] * eff(fig.satisfaction_rate)
            + w["ack"] * eff(fig.ack_rate)
        )
        - w["rework_penalty"] * fig.rework
    )


def rank(rows: list[Figures], w: dict[str, float]) -> list[Figures]:
    """Score and rank ``rows`` (competition ranking: 1, 2, 2, 4); inactive rows go last, unranked.

    Ties on the score are broken by 按期结案率 (an empty one counting as 1, as
    in the score), then by 结案数; rows equal on all three share a rank.
    """
    active = [r for r in rows if r.active]
    idle = [r for r in rows if not r.active]
    for row in rows:
        row.score = score(row, w) if row.active else None
        row.rank = None
        row.last_place = False

    def key(r: Figures) -> tuple[float, float, int]:
        on_time = 1.0 if r.on_time_rate is None else r.on_time_rate
        return (-round(r.score or 0.0, 9), -round(on_time, 9), -r.closed)

    active.sort(key=lambda r: (key(r), r.name))
    previous: tuple[float, float, int] | None = None
    for position, row in enumerate(active, start=1):
        k = key(row)
        row.rank = position if k != previous else active[position - 2].rank
        previous = k
    if len(active) >= 2:
        worst = active[-1].rank
        for row in active:
            row.last_place = row.rank == worst
    idle.sort(key=lambda r: r.name)
    return active + idle
