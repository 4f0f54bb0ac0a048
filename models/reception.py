"""Indexes the reception desk needs on the core tables.

The duplicate check ("open cases of the same category in the same grid or within
100 m in the last 30 days") must stay fast on a million cases. These indexes hold
the columns the check filters on, so SQLite narrows it inside the index: one
range for "same category, same grid", one for "same category, near this point".
"""

from __future__ import annotations

from sqlalchemy import Index

from .tables import Case

_c = Case.__table__.c

# Same category, same grid, recent: one short range.
ix_cases_duplicate_grid = Index(
    "ix_cases_duplicate_grid", _c.category_code, _c.grid_id, _c.created_at, _c.state
)
# Same category near a point: a latitude band, then longitude, time and state from the index.
ix_cases_duplicate_point = Index(
    "ix_cases_duplicate_point",
    _c.category_code,
    _c.lat,
    _c.lon,
    _c.created_at,
    _c.state,
    _c.grid_id,
)
