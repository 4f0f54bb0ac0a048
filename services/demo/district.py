"""Reference data of the fictional demo county 河西示范区 (code 990101).

A demo, a training installation and the tests all need a district that looks
real: streets, communities and grids with boundaries that tile the ground, the
departments cases go to, and a user for every role. This module builds that
data as plain dicts in the shapes of docs/protocol.md "Pull: the feed", keyed like
the county server's reference file, so that the same data can be loaded into a
desktop database or served by a county server. It never touches a database.

The geography is a lattice of 8 × 8 cells (about 750 m × 625 m each) around
41.10°N 123.00°E, in WGS-84 [lon, lat] order as 天地图 uses. Each lattice vertex
is nudged by a random offset, so the grids look hand-drawn, but neighbouring
grids share the very same vertex coordinates: they never overlap and leave no
gaps, and the boundary of a community or street is walked along the same
vertices, which makes it exactly the union of its grids.

The ``seed`` only moves the vertices and picks the people's names; codes,
unit names, usernames, user ids and grid assignments are the same for every
seed, so other code (and people) may rely on e.g. ``gw_1`` or grid
``990101001001003`` existing.
"""

from __future__ import annotations

import json
import math
import random
import uuid
from typing import Any

from services.accounts.setup import default_categories as load_default_categories
from services.accounts.setup import default_departments
from services.demo.texts import people_texts

COUNTY_CODE = "990101"
COUNTY_NAME = "河西示范区"
DEMO_PASSWORD = "griddesk-demo"

# The default category tree shipped with the desktop (docs/protocol.md ``category``).

# Where the county lies: the centre of the lattice and its size.
CENTER_LAT = 41.10
CENTER_LON = 123.00
_CELLS_X = 8  # 2 streets × 2 communities × 2 grid columns, west to east
_CELLS_Y = 8  # 2 communities × 4 grid rows, south to north
_CELL_WIDTH_M = 750.0
_CELL_HEIGHT_M = 625.0
_JITTER = 0.18  # largest vertex offset, as a fraction of a cell; < 0.25 keeps cells simple
_DEGREE_DIGITS = 6  # about 0.1 m; shared vertices are rounded once so they stay identical

# The streets (west to east) and their communities (NW, NE, SW, SE) are named in
# resources/demo/people.json (services.demo.texts).
# Communities (by position in their street) with 7 grids: their two south-eastern
# cells form one larger grid, as a park or a factory site would.
_SEVEN_GRID_COMMUNITIES = (1, 2)
# How the grids of a community are shared among its grid workers, in grid order.
_WORKER_SHARES = {8: (3, 3, 2), 7: (3, 2, 2)}

# (id, name); every department is a county-level unit.
SETTINGS: dict[str, Any] = {
    "office_hours": [["08:30", "12:00"], ["13:30", "17:30"]],
    "score_weights": {
        "on_time": 0.4,
        "closure": 0.2,
        "satisfaction": 0.2,
        "ack": 0.2,
        "rework_penalty": 0.5,
    },
    "retention_years": 3,
    "urgent_ack_hours": 2,
}

# Demo user ids are uuid5 of the username in this namespace, so they are the
# same on every machine and for every seed.
USER_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "users.demo.griddesk")


Point = tuple[float, float]  # (lon, lat)


def demo_user_id(username: str) -> str:
    """The stable id of a demo user, so tests and fixtures can name it directly."""
    return str(uuid.uuid5(USER_NAMESPACE, username))


def demo_reference(seed: int = 2026) -> dict[str, list[dict[str, Any]]]:
    """The whole reference file of the demo county (docs/protocol.md "Pull: the feed").

    Deterministic for a seed: the same seed gives an equal dict on every call
    and every machine.
    """
    rng = random.Random(seed)
    lattice = _jittered_lattice(rng)
    org_units, grids_by_community = _org_units(lattice)
    return {
        "org_units": org_units,
        "departments": default_departments(COUNTY_CODE),
        "categories": load_default_categories(),
        "holidays": [],
        "settings": [
            {"key": key, "value": json.loads(json.dumps(value))} for key, value in SETTINGS.items()
        ],
        "users": _users(grids_by_community, _NamePicker(rng)),
    }


def _jittered_lattice(rng: random.Random) -> list[list[Point]]:
    """Vertices ``lattice[row][col]`` (row 0 in the south), each nudged within its own box.

    A vertex moves less than a quarter cell in each direction, so vertices keep
    their order along every lattice line and each cell stays a simple quadrilateral.
    """
    metres_per_degree_lat = 110_950.0  # at 41°N (WGS-84 meridian arc, to a metre or so)
    metres_per_degree_lon = 111_320.0 * math.cos(math.radians(CENTER_LAT))
    cell_lon = _CELL_WIDTH_M / metres_per_degree_lon
    cell_lat = _CELL_HEIGHT_M / metres_per_degree_lat
    west = CENTER_LON - cell_lon * _CELLS_X / 2
    south = CENTER_LAT - cell_lat * _CELLS_Y / 2
    lattice: list[list[Point]] = []
    for row in range(_CELLS_Y + 1):
        line: list[Point] = []
        for col in range(_CELLS_X + 1):
            lon = west + (col + rng.uniform(-_JITTER, _JITTER)) * cell_lon
            lat = south + (row + rng.uniform(-_JITTER, _JITTER)) * cell_lat
            line.append((round(lon, _DEGREE_DIGITS), round(lat, _DEGREE_DIGITS)))
        lattice.append(line)
    return lattice


def _block_polygon(
    lattice: list[list[Point]], col0: int, row0: int, col1: int, row1: int
) -> dict[str, Any]:
    """The GeoJSON Polygon around lattice cells [col0, col1) × [row0, row1).

    The ring walks every lattice vertex on the block's edge, counter-clockwise
    (RFC 7946) from the south-west corner, so adjoining blocks share their
    edge vertex for vertex.
    """
    ring: list[Point] = []
    ring += [lattice[row0][col] for col in range(col0, col1 + 1)]
    ring += [lattice[row][col1] for row in range(row0 + 1, row1 + 1)]
    ring += [lattice[row1][col] for col in range(col1 - 1, col0 - 1, -1)]
    ring += [lattice[row][col0] for row in range(row1 - 1, row0 - 1, -1)]
    return {"type": "Polygon", "coordinates": [[[lon, lat] for lon, lat in ring]]}


def _community_grid_blocks(col0: int, row0: int, seven: bool) -> list[tuple[int, int, int, int]]:
    """The cell blocks of a community's grids (2 × 4 cells), numbered in reading order."""
    blocks: list[tuple[int, int, int, int]] = []
    for row in range(row0 + 3, row0 - 1, -1):  # north to south
        for col in (col0, col0 + 1):
            if seven and col == col0 + 1 and row == row0:
                continue  # the lower half of the merged grid, added with its upper half
            if seven and col == col0 + 1 and row == row0 + 1:
                blocks.append((col, row0, col + 1, row0 + 2))
            else:
                blocks.append((col, row, col + 1, row + 1))
    return blocks


def _org_units(lattice: list[list[Point]]) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """County, streets, communities and grids, parents before children."""

    def unit(
        code: str, parent: str | None, level: str, name: str, block: tuple[int, int, int, int]
    ) -> dict[str, Any]:
        return {
            "id": code,
            "parent_id": parent,
            "level": level,
            "name": name,
            "boundary": _block_polygon(lattice, *block),
            "active": True,
        }

    units = [unit(COUNTY_CODE, None, "county", COUNTY_NAME, (0, 0, _CELLS_X, _CELLS_Y))]
    grids_by_community: dict[str, list[str]] = {}
    for street_index, (street_name, community_names) in enumerate(people_texts().streets):
        street_code = f"{COUNTY_CODE}{street_index + 1:03d}"
        street_col = street_index * 4
        units.append(
            unit(
                street_code,
                COUNTY_CODE,
                "street",
                street_name,
                (street_col, 0, street_col + 4, _CELLS_Y),
            )
        )
        for community_index, community_name in enumerate(community_names):
            community_code = f"{street_code}{community_index + 1:03d}"
            col0 = street_col + 2 * (community_index % 2)
            row0 = 4 if community_index < 2 else 0
            units.append(
                unit(
                    community_code,
                    street_code,
                    "community",
                    community_name,
                    (col0, row0, col0 + 2, row0 + 4),
                )
            )
            seven = community_index in _SEVEN_GRID_COMMUNITIES
            grid_codes: list[str] = []
            for serial, block in enumerate(_community_grid_blocks(col0, row0, seven), start=1):
                grid_code = f"{community_code}{serial:03d}"
                units.append(
                    unit(
                        grid_code, community_code, "grid", f"{community_name}第{serial}网格", block
                    )
                )
                grid_codes.append(grid_code)
            grids_by_community[community_code] = grid_codes
    return units, grids_by_community


class _NamePicker:
    """Distinct, ordinary-looking Chinese personal names drawn from a seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()
        self._surnames = people_texts().user_surnames
        self._given = people_texts().user_given

    def pick(self) -> str:
        while True:
            given_length = 1 if self._rng.random() < 0.3 else 2
            name = self._rng.choice(self._surnames) + "".join(
                self._rng.choice(self._given) for _ in range(given_length)
            )
            if name not in self._used:
                self._used.add(name)
                return name


def _users(grids_by_community: dict[str, list[str]], names: _NamePicker) -> list[dict[str, Any]]:
    """One or two users of every role; department users are named after their department."""

    def user(
        username: str,
        role: str,
        org_unit_id: str,
        department_id: str | None = None,
        grid_ids: list[str] | None = None,
    ) -> dict[str, Any]:
        return {
            "id": demo_user_id(username),
            "username": username,
            "display_name": names.pick(),
            "role": role,
            "org_unit_id": org_unit_id,
            "department_id": department_id,
            "grid_ids": list(grid_ids or []),
            "active": True,
            "password": DEMO_PASSWORD,
        }

    street1 = f"{COUNTY_CODE}001"
    street2 = f"{COUNTY_CODE}002"
    users = [
        user("admin", "admin", COUNTY_CODE),
        user("official", "official", COUNTY_CODE),
        user("county_coordinator", "coordinator", COUNTY_CODE),
        user("reception", "reception", street1),
        user("coordinator", "coordinator", street1),
        user("reception2", "reception", street2),
        user("coordinator2", "coordinator", street2),
    ]
    users += [
        user(dept_id, "department", COUNTY_CODE, department_id=dept_id)
        for dept_id in (d["id"] for d in default_departments(COUNTY_CODE))
    ]
    number = 0
    for community_code, grid_codes in grids_by_community.items():
        start = 0
        for share in _WORKER_SHARES[len(grid_codes)]:
            number += 1
            assigned = grid_codes[start : start + share]
            start += share
            users.append(user(f"gw_{number}", "grid_worker", community_code, grid_ids=assigned))
    return users
