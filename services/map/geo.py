"""Which grid a point lies in: point in polygon against the grids' boundaries.

Boundaries are GeoJSON geometries (Polygon or MultiPolygon, holes allowed) in
WGS-84 ``[lon, lat]`` order, as the county distributes them. The locator uses
shapely's spatial index, so a county with thousands of grids answers at once.
A point on the edge shared by two grids belongs to one of them (the first by
code), never to none.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import Point, shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.enums import OrgLevel
from models.tables import OrgUnit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GridArea:
    id: str
    name: str
    parent_id: str | None
    boundary: dict[str, Any]


def valid_coordinates(lat: float, lon: float) -> bool:
    return -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0


class GridLocator:
    """Point-in-polygon look-ups over a set of grid boundaries."""

    def __init__(self, grids: Iterable[GridArea]) -> None:
        self.grids: list[GridArea] = []
        geometries = []
        for grid in sorted(grids, key=lambda g: g.id):
            try:
                geometry = shape(grid.boundary)
            except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.ShapelyError):
                log.warning("grid %s has an unreadable boundary; it is left out", grid.id)
                continue
            if geometry.is_empty or geometry.geom_type not in ("Polygon", "MultiPolygon"):
                log.warning("grid %s has no polygon boundary; it is left out", grid.id)
                continue
            if not geometry.is_valid:
                geometry = shapely.make_valid(geometry)
            shapely.prepare(geometry)
            self.grids.append(grid)
            geometries.append(geometry)
        self._geometries = geometries
        self._tree = shapely.STRtree(geometries)

    def __len__(self) -> int:
        return len(self.grids)

    def locate(self, lat: float, lon: float) -> GridArea | None:
        """The grid containing (lat, lon), or None when no grid does."""
        if not valid_coordinates(lat, lon):
            return None
        point = Point(lon, lat)
        for index in sorted(int(i) for i in self._tree.query(point)):
            if self._geometries[index].covers(point):
                return self.grids[index]
        return None

    @classmethod
    def load(cls, session: Session, prefix: str | None = None) -> GridLocator:
        """The active grids (under the org unit ``prefix`` when given) from the database."""
        query = select(OrgUnit.id, OrgUnit.name, OrgUnit.parent_id, OrgUnit.boundary).where(
            OrgUnit.level == OrgLevel.GRID, OrgUnit.active.is_(True), OrgUnit.boundary.is_not(None)
        )
        if prefix:
            query = query.where(OrgUnit.id >= prefix, OrgUnit.id < prefix + ":")
        return cls(
            GridArea(id=row.id, name=row.name, parent_id=row.parent_id, boundary=row.boundary)
            for row in session.execute(query)
        )
