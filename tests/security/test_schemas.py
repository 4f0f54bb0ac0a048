"""The strict schemas accept everything GridDesk itself sends and name what is wrong otherwise."""

from __future__ import annotations

from typing import Any

import pytest

from services.demo.district import demo_reference
from services.protocol.fields import ItemRejected, loads_strict
from services.protocol.reference import FILE_KEYS
from services.protocol.schemas import check_reference


@pytest.mark.parametrize(("key", "kind"), FILE_KEYS)
def test_every_item_of_the_demo_reference_passes(key: str, kind: str) -> None:
    items = demo_reference()[key]
    assert items or key in ("holidays", "settings")
    for item in items:
        item = {k: v for k, v in item.items() if k != "password"}
        checked = check_reference(kind, item)
        assert "password" not in checked


@pytest.mark.parametrize(
    ("boundary", "ok"),
    [
        ({"type": "Polygon", "coordinates": [[[120.1, 30.2], [120.2, 30.2], [120.1, 30.2]]]}, True),
        (
            {
                "type": "MultiPolygon",
                "coordinates": [[[[120.1, 30.2], [120.2, 30.3], [120.1, 30.2]]]],
            },
            True,
        ),
        ({"type": "Polygon", "coordinates": [[[120.1, "x"]]]}, False),
        ({"type": "Point", "coordinates": [120.1, 30.2]}, False),
        ({"type": "Polygon", "coordinates": [[120.1, 30.2]]}, False),
        ({"type": "Polygon", "coordinates": [[[True, 30.2]]]}, False),
        ("POLYGON((0 0))", False),
    ],
)
def test_org_unit_boundaries(boundary: Any, ok: bool) -> None:
    item = {"id": "990101", "level": "county", "name": "河西示范区", "boundary": boundary}
    if ok:
        assert check_reference("org_unit", item)["boundary"] == boundary
    else:
        with pytest.raises(ItemRejected) as info:
            check_reference("org_unit", item)
        assert info.value.field == "boundary"


def test_nan_in_a_boundary_is_named() -> None:
    raw = loads_strict(
        '{"id": "990101", "level": "county", "name": "x", '
        '"boundary": {"type": "Polygon", "coordinates": [[[NaN, 1]]]}}'
    )
    with pytest.raises(ItemRejected) as info:
        check_reference("org_unit", raw)
    assert info.value.field == "boundary.coordinates.0.0.0"


def test_a_user_item_never_carries_a_password() -> None:
    item = {
        "id": "u1",
        "username": "zhang",
        "display_name": "张三",
        "role": "reception",
        "password": "s3cret!",
        "password_hash": "$argon2id$…",
    }
    checked = check_reference("user", item)
    assert "password" not in checked and "password_hash" not in checked
