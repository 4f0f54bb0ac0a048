"""The visitors of the demo district: names, phones, ID numbers and addresses of walk-ins.

A walk-in case comes with a visit. Its visitor is drawn here: a name from the
characters in ``resources/demo/people.json``, a mobile number, for some an ID
number of a nearby district with a valid check digit, and an address in the
building the case is about. The phone and ID number are keyed with the
installation's secret, as :mod:`services.reception` keys them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from models.enums import Purpose
from services.demo.draws import Draws
from services.demo.subjects import Content
from services.demo.texts import people_texts
from services.demo.world import World
from services.reception.identity import id_check_digit, visitor_key

ID_SHARE = 0.4
"""How many visitors give their ID number."""
PURPOSES_BY_PARENT = {"12": Purpose.DISPUTE, "13": Purpose.REQUEST, "14": Purpose.CONSULTATION}


def visit_row(
    draws: Draws,
    world: World,
    visit_id: str,
    at: datetime,
    received_by: str | None,
    street: str,
    case_id: str,
    content: Content,
    on_the_spot: bool,
) -> dict[str, Any]:
    """The ``visits`` row of a walk-in case, its visitor drawn from ``draws``."""
    rng = draws.rng
    people = people_texts()
    name = rng.choice(people.visitor_surnames) + "".join(
        rng.choice(people.visitor_given) for _ in range(1 if rng.random() < 0.3 else 2)
    )
    phone = rng.choice(people.mobile_prefixes) + f"{rng.randrange(10**8):08d}"
    id_number = None
    gender = None
    if rng.random() < ID_SHARE:
        birth = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 65))
        first17 = f"{rng.choice(people.id_regions)}{birth:%Y%m%d}{rng.randrange(1000):03d}"
        id_number = first17 + id_check_digit(first17)
        gender = "male" if int(first17[16]) % 2 else "female"
    elif rng.random() < 0.7:
        gender = rng.choice(("male", "female"))
    address = None
    if rng.random() < 0.5:
        address = (
            f"{content.address.split('号楼')[0]}号楼{draws.randint(1, 6)}单元"
            f"{draws.randint(1, 18)}0{draws.randint(1, 4)}室"
            if "号楼" in content.address
            else content.address
        )
    parent = world.limits[content.category].parent
    purpose = PURPOSES_BY_PARENT.get(parent) or (
        Purpose.COMPLAINT if rng.random() < 0.8 else Purpose.REQUEST
    )
    if purpose == Purpose.CONSULTATION:
        summary = f"来访人{content.issue}。"
    else:
        summary = f"来访人反映{content.title}，希望尽快解决。"
    key = world.hash_key
    return {
        "id": visit_id,
        "org_unit_id": street,
        "at": at,
        "received_by": received_by,
        "visitor_name": name,
        "visitor_phone": phone,
        "visitor_id_number": id_number,
        "visitor_gender": gender,
        "visitor_address": address,
        "phone_key": visitor_key(phone, key),
        "id_number_key": visitor_key(id_number, key) if id_number else None,
        "purpose": purpose,
        "summary": summary,
        "case_id": case_id,
        "resolved_on_the_spot": on_the_spot,
        "personal_data_purged_at": None,
        "created_at": at,
    }
