"""The demo county's reference data: codes, geometry, categories and users."""

from __future__ import annotations

import itertools
import math
import uuid
from typing import Any

import pytest
from shapely.geometry import Polygon, shape
from shapely.ops import unary_union

from models.enums import OrgLevel, Role
from services.demo.district import (
    COUNTY_CODE,
    DEMO_PASSWORD,
    demo_reference,
    demo_user_id,
    load_default_categories,
)
from services.protocol.reference import boundary_center

CODE_LENGTH = {"county": 6, "street": 9, "community": 12, "grid": 15}
PARENT_LEVEL = {"street": "county", "community": "street", "grid": "community"}
# Shapes are compared in square degrees; 1e-12 is about 0.01 m².
AREA_TOLERANCE = 1e-12


@pytest.fixture(scope="module")
def ref() -> dict[str, list[dict[str, Any]]]:
    return demo_reference()


def units_of(ref: dict[str, list[dict[str, Any]]], level: str) -> list[dict[str, Any]]:
    return [unit for unit in ref["org_units"] if unit["level"] == level]


def test_reference_file_has_the_protocol_keys(ref: dict[str, list[dict[str, Any]]]) -> None:
    assert set(ref) == {"org_units", "departments", "categories", "holidays", "settings", "users"}
    assert ref["holidays"] == []
    for unit in ref["org_units"]:
        assert set(unit) == {"id", "parent_id", "level", "name", "boundary", "active"}
    for dept in ref["departments"]:
        assert set(dept) == {"id", "name", "org_unit_id", "active"}
        assert dept["org_unit_id"] == COUNTY_CODE


def test_settings_hold_the_spec_defaults(ref: dict[str, list[dict[str, Any]]]) -> None:
    settings = {item["key"]: item["value"] for item in ref["settings"]}
    assert all(set(item) == {"key", "value"} for item in ref["settings"])
    assert settings["office_hours"] == [["08:30", "12:00"], ["13:30", "17:30"]]
    weights = settings["score_weights"]
    assert weights["on_time"] + weights["closure"] + weights["satisfaction"] + weights[
        "ack"
    ] == pytest.approx(1.0)
    assert weights["rework_penalty"] == 0.5
    assert settings["retention_years"] == 3
    assert settings["urgent_ack_hours"] == 2


def test_codes_follow_the_unit_pattern_and_parents_are_prefixes(
    ref: dict[str, list[dict[str, Any]]],
) -> None:
    by_id = {unit["id"]: unit for unit in ref["org_units"]}
    assert len(by_id) == len(ref["org_units"])
    for unit in ref["org_units"]:
        code = unit["id"]
        assert code.isdigit()
        assert len(code) == CODE_LENGTH[unit["level"]]
        assert code.startswith(COUNTY_CODE)
        if unit["level"] == OrgLevel.COUNTY:
            assert unit["parent_id"] is None
            continue
        parent = by_id[unit["parent_id"]]
        assert parent["level"] == PARENT_LEVEL[unit["level"]]
        assert code[: len(parent["id"])] == parent["id"]
        assert code[len(parent["id"]) :] != "000"


def test_the_county_has_the_expected_size(ref: dict[str, list[dict[str, Any]]]) -> None:
    assert len(units_of(ref, "county")) == 1
    assert [s["id"] for s in units_of(ref, "street")] == ["990101001", "990101002"]
    assert len(units_of(ref, "community")) == 8
    grids = units_of(ref, "grid")
    assert 55 <= len(grids) <= 65
    per_community: dict[str, int] = {}
    for grid in grids:
        per_community[grid["parent_id"]] = per_community.get(grid["parent_id"], 0) + 1
    assert set(per_community.values()) <= {7, 8}
    names = [unit["name"] for unit in ref["org_units"]]
    assert len(set(names)) == len(names)


def test_boundaries_are_valid_closed_counter_clockwise_polygons(
    ref: dict[str, list[dict[str, Any]]],
) -> None:
    for unit in ref["org_units"]:
        boundary = unit["boundary"]
        assert boundary["type"] == "Polygon"
        (ring,) = boundary["coordinates"]
        assert len(ring) >= 4
        assert ring[0] == ring[-1]
        for position in ring:
            assert len(position) == 2
            assert all(isinstance(value, float) for value in position)
        polygon = shape(boundary)
        assert isinstance(polygon, Polygon)
        assert polygon.is_valid, unit["id"]
        assert polygon.exterior.is_ccw, unit["id"]


def test_the_area_lies_around_41_10_n_123_00_e(ref: dict[str, list[dict[str, Any]]]) -> None:
    county = units_of(ref, "county")[0]
    west, south, east, north = shape(county["boundary"]).bounds
    lat, lon = boundary_center(county["boundary"])
    assert lat == pytest.approx(41.10, abs=0.005)
    assert lon == pytest.approx(123.00, abs=0.005)
    # [lon, lat] order: the first value is the longitude near 123.
    assert 122.9 < west < east < 123.1
    assert 41.0 < south < north < 41.2
    width_km = (east - west) * 111.32 * math.cos(math.radians(41.1))
    height_km = (north - south) * 110.95
    assert 5.0 < width_km < 7.0
    assert 4.0 < height_km < 6.0


def test_grids_do_not_overlap(ref: dict[str, list[dict[str, Any]]]) -> None:
    grids = [(grid["id"], shape(grid["boundary"])) for grid in units_of(ref, "grid")]
    for (id_a, a), (id_b, b) in itertools.combinations(grids, 2):
        assert a.intersection(b).area < AREA_TOLERANCE, (id_a, id_b)


@pytest.mark.parametrize("level", ["community", "street", "county"])
def test_each_unit_is_exactly_the_union_of_its_children(
    ref: dict[str, list[dict[str, Any]]], level: str
) -> None:
    child_level = {"county": "street", "street": "community", "community": "grid"}[level]
    children = units_of(ref, child_level)
    for unit in units_of(ref, level):
        mine = [shape(child["boundary"]) for child in children if child["parent_id"] == unit["id"]]
        assert mine, unit["id"]
        union = unary_union(mine)
        outline = shape(unit["boundary"])
        assert union.symmetric_difference(outline).area < AREA_TOLERANCE, unit["id"]
        assert union.geom_type == "Polygon"  # one piece, no holes
        assert not union.interiors


def test_grids_are_a_plausible_size(ref: dict[str, list[dict[str, Any]]]) -> None:
    square_metres_per_square_degree = 110_950.0 * 111_320.0 * math.cos(math.radians(41.1))
    for grid in units_of(ref, "grid"):
        area_km2 = shape(grid["boundary"]).area * square_metres_per_square_degree / 1e6
        assert 0.15 < area_km2 < 1.2, grid["id"]


def test_boundary_center_of_a_square() -> None:
    square = {
        "type": "Polygon",
        "coordinates": [
            [[123.0, 41.0], [123.2, 41.0], [123.2, 41.2], [123.0, 41.2], [123.0, 41.0]]
        ],
    }
    assert boundary_center(square) == pytest.approx((41.1, 123.1))
    assert boundary_center({"type": "Point", "coordinates": [123.0, 41.0]}) is None


def test_same_seed_same_data_other_seed_other_shapes_same_codes() -> None:
    first = demo_reference(7)
    assert first == demo_reference(7)
    other = demo_reference(8)
    assert [u["id"] for u in first["org_units"]] == [u["id"] for u in other["org_units"]]
    assert [u["name"] for u in first["org_units"]] == [u["name"] for u in other["org_units"]]
    assert [(u["id"], u["grid_ids"]) for u in first["users"]] == [
        (u["id"], u["grid_ids"]) for u in other["users"]
    ]
    assert first["org_units"][0]["boundary"] != other["org_units"][0]["boundary"]


def test_each_call_returns_fresh_objects() -> None:
    first = demo_reference()
    first["categories"][0]["name"] = "changed"
    first["settings"][0]["value"].append(["18:00", "20:00"])
    second = demo_reference()
    assert second["categories"][0]["name"] != "changed"
    assert len(second["settings"][0]["value"]) == 2


# --- categories -------------------------------------------------------------------


def test_category_codes_are_unique_and_every_parent_exists() -> None:
    categories = load_default_categories()
    assert 100 <= len(categories) <= 150
    codes = [c["code"] for c in categories]
    assert len(set(codes)) == len(codes)
    known = set(codes)
    for category in categories:
        assert set(category) == {
            "code",
            "parent_code",
            "name",
            "ack_hours",
            "handle_days",
            "urgent_hours",
            "default_department_id",
            "active",
        }
        assert category["code"].isdigit() and len(category["code"]) <= 20
        parent = category["parent_code"]
        if parent is None:
            assert len(category["code"]) == 2
        else:
            assert parent in known
            assert category["code"].startswith(parent)
            assert len(category["code"]) == len(parent) + 2
        assert category["active"] is True


def test_category_limits_are_realistic() -> None:
    categories = load_default_categories()
    for category in categories:
        assert 1 <= category["ack_hours"] <= 8
        assert 1 <= category["handle_days"] <= 5
        assert 1 <= category["urgent_hours"] <= 24
    by_name = {c["name"]: c for c in categories}
    for urgent in ("燃气泄漏", "污水井盖缺失", "路面塌陷"):
        assert by_name[urgent]["handle_days"] == 1
        assert by_name[urgent]["ack_hours"] <= 2
        assert by_name[urgent]["urgent_hours"] < 24
    consultations = [c for c in categories if c["code"].startswith(by_name["政策咨询"]["code"])]
    assert consultations and all(c["handle_days"] == 1 for c in consultations)
    assert by_name["施工管理"]["handle_days"] == 5


def test_required_classes_are_present_as_top_level_categories() -> None:
    top = {c["name"] for c in load_default_categories() if c["parent_code"] is None}
    required = {
        # 部件
        "公用设施",
        "道路交通",
        "市容环境设施",
        "园林绿化",
        "其他设施",
        # 事件
        "市容环境",
        "宣传广告",
        "施工管理",
        "突发事件",
        "街面秩序",
        "其他事件",
        # 社区服务
        "矛盾纠纷",
        "民生服务",
        "政策咨询",
        "物业管理",
        "安全隐患",
    }
    assert required <= top


def test_typical_subcategories_sit_under_their_class() -> None:
    categories = load_default_categories()
    by_code = {c["code"]: c for c in categories}
    parent_name = {
        c["name"]: by_code[c["parent_code"]]["name"] for c in categories if c["parent_code"]
    }
    assert parent_name["上水井盖"] == "公用设施"
    assert parent_name["路灯"] == "公用设施"
    assert parent_name["暴露垃圾"] == "市容环境"
    assert parent_name["乱涂写"] == "市容环境"
    assert parent_name["占道经营"] == "街面秩序"
    assert parent_name["无照经营游商"] == "街面秩序"
    assert parent_name["违章停车"] == "街面秩序"
    assert by_code["0101"]["name"] == "上水井盖"
    # every top-level class has at least three 小类
    for top in (c for c in categories if c["parent_code"] is None):
        assert sum(1 for c in categories if c["parent_code"] == top["code"]) >= 3, top["name"]


def test_every_default_department_exists(ref: dict[str, list[dict[str, Any]]]) -> None:
    departments = {d["id"] for d in ref["departments"]}
    assert len(departments) == 12
    used = {c["default_department_id"] for c in ref["categories"]}
    assert None not in used
    assert used <= departments
    # the reference file's categories are the shipped tree
    assert ref["categories"] == load_default_categories()


# --- users ------------------------------------------------------------------------


def test_users_cover_every_role(ref: dict[str, list[dict[str, Any]]]) -> None:
    roles = {user["role"] for user in ref["users"]}
    assert roles == {role.value for role in Role}


def test_users_have_stable_ids_and_the_demo_password(ref: dict[str, list[dict[str, Any]]]) -> None:
    usernames = [user["username"] for user in ref["users"]]
    assert len(set(usernames)) == len(usernames)
    display_names = [user["display_name"] for user in ref["users"]]
    assert len(set(display_names)) == len(display_names)
    for user in ref["users"]:
        assert uuid.UUID(user["id"]).version == 5
        assert user["id"] == demo_user_id(user["username"])
        assert user["password"] == DEMO_PASSWORD
        assert set(user) == {
            "id",
            "username",
            "display_name",
            "role",
            "org_unit_id",
            "department_id",
            "grid_ids",
            "active",
            "password",
        }
        assert all("\u4e00" <= ch <= "\u9fff" for ch in user["display_name"])
        assert 2 <= len(user["display_name"]) <= 3
    assert demo_user_id("reception") == demo_user_id("reception")
    assert demo_user_id("reception") != demo_user_id("reception2")


def test_users_sit_in_the_right_units(ref: dict[str, list[dict[str, Any]]]) -> None:
    by_name = {user["username"]: user for user in ref["users"]}
    assert by_name["reception"]["org_unit_id"] == "990101001"
    assert by_name["coordinator"]["org_unit_id"] == "990101001"
    assert by_name["reception2"]["org_unit_id"] == "990101002"
    assert by_name["coordinator2"]["org_unit_id"] == "990101002"
    assert by_name["official"]["org_unit_id"] == COUNTY_CODE
    assert by_name["admin"]["org_unit_id"] == COUNTY_CODE
    for dept in ref["departments"]:
        user = by_name[dept["id"]]
        assert user["role"] == "department"
        assert user["department_id"] == dept["id"]
    for user in ref["users"]:
        if user["role"] != "department":
            assert user["department_id"] is None
        if user["role"] != "grid_worker":
            assert user["grid_ids"] == []


def test_every_grid_has_exactly_one_grid_worker_of_its_community(
    ref: dict[str, list[dict[str, Any]]],
) -> None:
    grids = {grid["id"]: grid for grid in units_of(ref, "grid")}
    workers = [user for user in ref["users"] if user["role"] == "grid_worker"]
    assert 18 <= len(workers) <= 26
    assert all(user["username"].startswith("gw_") for user in workers)
    covered: list[str] = []
    for worker in workers:
        assert 1 <= len(worker["grid_ids"]) <= 3
        for grid_id in worker["grid_ids"]:
            assert grids[grid_id]["parent_id"] == worker["org_unit_id"]
        covered += worker["grid_ids"]
    assert sorted(covered) == sorted(grids)
