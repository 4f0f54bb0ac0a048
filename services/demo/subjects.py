"""What a demo case is about: its category, place, title and description.

The mix of 小类 is what a street centre sees most (garbage, street vending,
manhole covers, property management), with seasonal ones (heating, ice) only
in their season. The words come from ``resources/demo/texts.json``.
"""

from __future__ import annotations

import random
from bisect import bisect
from dataclasses import dataclass
from datetime import datetime
from itertools import accumulate

from services.demo.draws import Draws
from services.demo.texts import case_texts
from services.demo.world import Grid, World, inside

# Relative frequency of the 小类 (default 1). What a street centre sees most:
# garbage, street vending, manhole covers and property management.
CATEGORY_WEIGHTS: dict[str, float] = {
    "0601": 14, "1002": 12, "1003": 4, "1001": 3, "1004": 5, "1005": 4, "0609": 6,
    "0701": 6, "0603": 3, "0614": 3, "0613": 3, "1008": 3, "0111": 4,
    "0101": 3, "0102": 5, "0103": 3, "0105": 1.5, "0106": 1.5, "0107": 1.5, "0108": 1, "0109": 2,
    "1501": 5, "1502": 4, "1503": 5, "1504": 4, "1505": 4, "1506": 4, "1507": 3, "1508": 2,
    "1201": 4, "1203": 2, "1302": 2, "1305": 2, "1601": 3, "1602": 3, "1306": 6, "0616": 2,
}  # fmt: skip
# Seasonal 小类: heating complaints in the heating season, ice in the winter (Liaoning).
SEASONAL: dict[str, frozenset[int]] = {
    "1306": frozenset({11, 12, 1, 2, 3}),
    "0616": frozenset({12, 1, 2}),
}
CHILD_SHARE = 0.35
"""How often a 小类 with 细项 is recorded at the finer 细项 level."""
# 大类 whose cases are about people and homes rather than the street.
RESIDENTIAL = frozenset({"12", "13", "14", "15"})
# 大类 about people (disputes, services, questions): no street spot in the title.
PERSONAL = frozenset({"12", "13", "14"})
# 大类 a walk-in closed on the spot is usually about (a question answered, a certificate).
ON_THE_SPOT_PARENTS = ("14", "13")


@dataclass(frozen=True)
class Content:
    """What a case is about: the part a duplicate repeats."""

    category: str
    title: str
    detail: str  # the description after "who reported it:"
    address: str
    lat: float
    lon: float
    issue: str


class Subjects(Draws):
    """Draws what each case is about."""

    def __init__(self, world: World, rng: random.Random, now: datetime) -> None:
        super().__init__(rng, world.calendar, now)
        self.world = world
        self.texts = case_texts()
        self._category_tables: dict[int, tuple[list[str], list[float]]] = {}
        self._on_the_spot_codes = [
            code
            for code, lim in sorted(world.limits.items())
            if lim.parent in ON_THE_SPOT_PARENTS and len(code) == 4
        ]

    def _category_table(self, month: int) -> tuple[list[str], list[float]]:
        table = self._category_tables.get(month)
        if table is None:
            codes: list[str] = []
            weights: list[float] = []
            limits = self.world.limits
            for code in sorted(limits):
                if len(code) != 4:
                    continue
                weight = CATEGORY_WEIGHTS.get(code, 1.0)
                season = SEASONAL.get(code)
                if season is not None and month not in season:
                    weight *= 0.05
                children = [c for c in sorted(limits) if len(c) == 6 and c.startswith(code)]
                if children:
                    codes.append(code)
                    weights.append(weight * (1 - CHILD_SHARE))
                    for child in children:
                        codes.append(child)
                        weights.append(weight * CHILD_SHARE / len(children))
                else:
                    codes.append(code)
                    weights.append(weight)
            table = (codes, list(accumulate(weights)))
            self._category_tables[month] = table
        return table

    def pick_category(self, month: int, on_the_spot: bool) -> str:
        if on_the_spot and self._on_the_spot_codes and self.rng.random() < 0.7:
            return self.rng.choice(self._on_the_spot_codes)
        codes, cumulative = self._category_table(month)
        return codes[min(bisect(cumulative, self.rng.random() * cumulative[-1]), len(codes) - 1)]

    def issue(self, code: str) -> str:
        rng = self.rng
        phrases = self.texts.issues.get(code)
        if phrases:
            return rng.choice(phrases)
        lim = self.world.limits[code]
        name = lim.name
        if len(code) == 6:
            return name
        if "井盖" in name:
            return name + rng.choice(self.texts.manhole_faults)
        parent = lim.parent
        if parent in ("01", "02", "03", "04", "05"):
            return name + rng.choice(self.texts.part_faults)
        if parent == "12":
            return f"{name}需调解"
        if parent == "13":
            return f"申请{name}帮助"
        if parent == "14":
            return f"咨询{name}相关政策"
        if parent == "16":
            return f"存在{name}"
        return name

    def point(self, grid: Grid) -> tuple[float, float]:
        """A uniformly random (lat, lon) inside the grid's boundary."""
        west, south, east, north = grid.box
        rng = self.rng
        while True:
            x = west + rng.random() * (east - west)
            y = south + rng.random() * (north - south)
            if inside(x, y, grid.ring):
                return round(y, 6), round(x, 6)

    def content(self, grid: Grid, on_the_spot: bool, month: int) -> Content:
        rng = self.rng
        texts = self.texts
        code = self.pick_category(month, on_the_spot)
        issue = self.issue(code)
        parent = self.world.limits[code].parent
        community = grid.community_name
        if parent in RESIDENTIAL or rng.random() < 0.5:
            building = self.randint(1, 36)
            address = f"{grid.street_name}{community}{building}号楼"
            if parent in PERSONAL:  # about people, not about a spot in the street
                place = f"{community}{building}号楼" + ("居民" if parent != "12" else "")
            else:
                place = f"{community}{building}号楼{rng.choice(texts.sides)}"
        else:
            road = rng.choice(grid.roads)
            number = self.randint(1, 280)
            place = f"{road}{number}号{rng.choice(texts.spots)}"
            address = f"{grid.street_name}{road}{number}号"
        lat, lon = self.point(grid)
        title = f"{place}{issue}"
        impacts = texts.personal_impacts if parent in PERSONAL else texts.impacts
        detail = f"{title}，{rng.choice(impacts)}，请尽快处理。"
        return Content(code, title, detail, address, lat, lon, issue)
