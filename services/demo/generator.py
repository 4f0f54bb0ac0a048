"""The demo district: a database full of plausible history, for training, demos and load tests.

A centre that tries GridDesk, a trainer who teaches it and a developer who
measures the dispatch queue on a million cases all need the same thing: a
district with two months of cases in every state, created at the hours real
cases are created, with deadlines that are met, missed, extended and
supervised. :func:`seed_demo` loads the demo county of :mod:`services.demo.district`
and writes that history.

Every case is generated as a list of :class:`~services.cases.projection.Event` and
run through the shared :func:`~services.cases.projection.apply`, and the rows are the
ones :mod:`services.cases.records` would write (``event_columns`` / ``case_columns``,
outbox payloads from ``Event.to_wire``). So a demo case is indistinguishable
from a recorded one: replaying its events gives its row, and every event was
legal in the state it was recorded in. Only the writing differs: SQLAlchemy
Core bulk inserts, one transaction per chunk of cases, because the service
path (one ORM flush per event) would take hours for a million cases.

The generation is deterministic: the same ``seed``, number of cases and
``today`` give the same rows, UUIDs included (they are drawn from the seeded
generator), so a county server seeded the same way holds the same case and
event ids as the desktop. The exceptions are the secret visitor hash key
(``device.visitor_hash_key``, random per installation, so ``phone_key`` and
``id_number_key`` differ between databases) and the password hashes (salted).
"""

from __future__ import annotations

import gc
import random
import time
from bisect import bisect
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from operator import attrgetter
from typing import Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from models.db import Database
from models.enums import (
    AssigneeType,
    CaseState,
    EventType,
    OrgLevel,
    OutboxKind,
    OutboxStatus,
    Purpose,
    Role,
    Source,
    Urgency,
)
from models.tables import Base, Case, CaseEvent, Category, OutboxItem, User, Visit
from models.types import UTCDateTime
from services import settings as settings_service
from services.accounts.auth import hash_password
from services.cases.projection import CaseProjection, Event, apply
from services.cases.records import case_columns, event_columns, iso, street_code
from services.demo.district import COUNTY_CODE, COUNTY_NAME, DEMO_PASSWORD, demo_reference
from services.errors import ValidationError
from services.i18n import QT_TRANSLATE_NOOP
from services.protocol.reference import load_reference
from services.protocol.wire import visit_wire
from services.reception.identity import id_check_digit, visitor_key
from services.worktime.workdays import SHANGHAI, WorkCalendar, load_calendar

CENTRE_NAME = f"{COUNTY_NAME}网格化服务管理中心"
WINDOW_DAYS = 60
"""Cases are created over this many days before ``today``."""
CHUNK_CASES = 20_000
"""Cases written per transaction: big enough for fast bulk inserts, small enough for memory."""
RECENT_DAYS = 5
"""Cases created this close to the end are where every open state is made sure to appear."""
FORCED_OPEN_STATES = (
    CaseState.REGISTERED,
    CaseState.RETURNED,
    CaseState.SUSPENDED,
    CaseState.ESCALATED,
    CaseState.VOIDED,
    CaseState.DISPATCHED,
    CaseState.ACKNOWLEDGED,
    CaseState.HANDLED,
)
FORCED_PER_STATE = 2
"""At least this many recent cases end in each of :data:`FORCED_OPEN_STATES`, even for a small N."""

_SECOND = timedelta(seconds=1)
_RUNNING = frozenset({CaseState.DISPATCHED, CaseState.ACKNOWLEDGED, CaseState.HANDLED})

# ---------------------------------------------------------------------------- mixes
_SOURCE_SHARES: tuple[tuple[str, float], ...] = (
    (Source.WALK_IN.value, 0.35),
    (Source.PATROL.value, 0.30),
    (Source.HOTLINE.value, 0.25),
    (Source.ONLINE.value, 0.10),
)
ON_THE_SPOT_SHARE = 0.08
URGENT_SHARE = 0.05
VOID_SHARE = 0.02
ESCALATE_SHARE = 0.01
GRID_WORKER_SHARE = 0.30
RETURN_SHARE = 0.05
ACK_ON_TIME_SHARE = 0.90
FEEDBACK_ON_TIME_SHARE = 0.80
FAILED_VERIFICATION_SHARE = 0.08
EVALUATED_SHARE = 0.70
EXTENDED_SHARE = 0.05
SUSPENDED_SHARE = 0.02
SUPERVISE_OVERDUE_SHARE = 0.50


@dataclass(frozen=True)
class _Weighted:
    """Values with relative weights, ready for a draw by bisection."""

    values: tuple[str, ...]
    cumulative: tuple[float, ...]
    total: float

    @classmethod
    def of(cls, *pairs: tuple[str, float]) -> _Weighted:
        cumulative = tuple(accumulate(w for _, w in pairs))
        return cls(tuple(v for v, _ in pairs), cumulative[:-1] + (float("inf"),), cumulative[-1])


_SATISFACTION = _Weighted.of(
    ("satisfied", 0.70), ("basically_satisfied", 0.22), ("dissatisfied", 0.08)
)
_METHODS = _Weighted.of(("phone", 0.6), ("sms", 0.2), ("visit", 0.12), ("on_site", 0.08))
_SOURCES = _Weighted.of(*_SOURCE_SHARES)

# Relative frequency of the 小类 (default 1). What a street centre sees most:
# garbage, street vending, manhole covers and property management.
_CATEGORY_WEIGHTS: dict[str, float] = {
    "0601": 14, "1002": 12, "1003": 4, "1001": 3, "1004": 5, "1005": 4, "0609": 6,
    "0701": 6, "0603": 3, "0614": 3, "0613": 3, "1008": 3, "0111": 4,
    "0101": 3, "0102": 5, "0103": 3, "0105": 1.5, "0106": 1.5, "0107": 1.5, "0108": 1, "0109": 2,
    "1501": 5, "1502": 4, "1503": 5, "1504": 4, "1505": 4, "1506": 4, "1507": 3, "1508": 2,
    "1201": 4, "1203": 2, "1302": 2, "1305": 2, "1601": 3, "1602": 3, "1306": 6, "0616": 2,
}  # fmt: skip
# Seasonal 小类: heating complaints in the heating season, ice in the winter (Liaoning).
_SEASONAL: dict[str, frozenset[int]] = {
    "1306": frozenset({11, 12, 1, 2, 3}),
    "0616": frozenset({12, 1, 2}),
}
_CHILD_SHARE = 0.35
"""How often a 小类 with 细项 is recorded at the finer 细项 level."""
# 大类 whose cases are about people and homes rather than the street.
_RESIDENTIAL = frozenset({"12", "13", "14", "15"})
# 大类 about people (disputes, services, questions): no street spot in the title.
_PERSONAL = frozenset({"12", "13", "14"})
# 大类 a walk-in closed on the spot is usually about (a question answered, a certificate).
_ON_THE_SPOT_PARENTS = ("14", "13")

# ---------------------------------------------------------------------------- texts
_ISSUES: dict[str, tuple[str, ...]] = {
    "0601": ("生活垃圾堆放未及时清运", "垃圾桶满溢，垃圾散落地面", "装修垃圾随意堆放"),
    "0602": ("建筑渣土堆积未清理",),
    "0603": ("路面油污泥土较多", "道路清扫不及时"),
    "0609": ("杂物堆放占用公共通道", "沿街堆放建材"),
    "0613": ("楼顶私搭乱建", "院内违规搭建彩钢房"),
    "0614": ("饭店油烟直排扰民",),
    "0616": ("人行道积雪结冰未清理", "楼前积雪结冰易滑倒"),
    "0701": ("墙面被张贴小广告", "楼道内喷涂办证小广告"),
    "1001": ("流动商贩无照经营",),
    "1002": ("摊贩占道经营", "早市摊点占用人行道", "水果摊占道摆卖"),
    "1003": ("商户店外摆放商品", "饭店店外经营"),
    "1004": ("车辆占用消防通道停放", "机动车在人行道上违章停放"),
    "1005": ("共享单车乱停放堵塞通道",),
    "1008": ("商铺高音喇叭招揽顾客扰民",),
    "0111": ("路灯不亮", "路灯夜间频繁闪烁"),
    "1201": ("邻里因楼上噪音产生纠纷", "邻里因占用公共空间发生矛盾"),
    "1306": ("室内温度不达标，暖气不热", "暖气片不热，家中有老人"),
    "1501": ("物业服务不到位，保洁不及时",),
    "1502": ("电梯频繁故障停运", "电梯困人"),
    "1503": ("楼道内堆放杂物", "楼道堆放纸箱等易燃物"),
    "1504": ("小区内垃圾清运不及时", "小区绿地杂草丛生无人清理"),
    "1505": ("小区内车辆乱停乱放",),
    "1506": ("顶楼房屋漏水", "楼上卫生间渗水至楼下"),
    "1507": ("单元门禁损坏", "楼道声控灯损坏"),
    "1508": ("对物业费收费标准有异议",),
    "1509": ("小区无物业管理，环境脏乱",),
    "1510": ("二次供水水质浑浊",),
    "1601": ("消防通道被杂物堵塞",),
    "1602": ("电动车在楼道内充电", "私拉电线为电动车充电"),
}
_MANHOLE_FAULTS = ("缺失", "破损", "移位", "松动有异响")
_PART_FAULTS = ("损坏", "缺失", "需要维修")

_REPORTERS: dict[str, str] = {
    Source.WALK_IN: "来访群众反映",
    Source.PATROL: "网格员巡查发现",
    Source.HOTLINE: "市民来电反映",
    Source.ONLINE: "网民留言反映",
}
_IMPACTS = (
    "影响居民正常出行",
    "存在安全隐患",
    "已持续多日",
    "周边居民意见较大",
    "影响周边环境",
    "多次反映未彻底解决",
    "夜间尤为明显",
)
_PERSONAL_IMPACTS = ("希望尽快答复", "情况较为紧急", "已多次来电询问", "家中有老人需要照顾")
_SIDES = ("东侧", "西侧", "南侧", "北侧", "门前", "楼下", "单元门口")
_SPOTS = ("门前", "附近", "路口", "对面", "人行道上")
_ROADS = (
    "建设路", "中华路", "人民街", "胜利路", "文化路", "解放路", "新华街", "光明路",
    "青年大街", "和平路", "滨河路", "民主街", "长河大街", "西岭路", "枫林街", "松涛路",
    "永安街", "工农路", "振兴街", "育才路",
)  # fmt: skip
_RESULTS: dict[str, tuple[str, ...]] = {
    "01": ("已更换新井盖并设置警示标识", "已安排维修人员现场修复"),
    "02": ("已协调相关单位修复到位",),
    "03": ("已清理完毕，现场恢复整洁",),
    "04": ("已安排园林养护人员修剪处理",),
    "06": ("已安排环卫人员清运完毕，现场恢复整洁", "已责令当事人限期清理，复查已整改"),
    "07": ("已清除小广告并加强巡查",),
    "08": ("已约谈施工单位，现场已整改",),
    "09": ("已组织抢修，险情已排除",),
    "10": ("已劝离并教育当事人，现场秩序恢复", "已依法处置，现场已整改"),
    "12": ("经调解双方达成一致意见", "已组织双方调解，矛盾已化解"),
    "13": ("已上门了解情况并协助办理", "已协调相关单位解决"),
    "14": ("已向群众详细解释相关政策", "已告知办理流程和所需材料"),
    "15": ("已督促物业维修完毕", "已协调物业整改到位，居民认可"),
    "16": ("已消除隐患并加强日常巡查",),
}
_DEFAULT_RESULTS = ("已按要求处置完毕", "问题已解决，现场已复查")
_RETURN_REASONS = (
    "不属于本单位职责范围",
    "经核实地址不在本单位辖区",
    "需其他部门牵头处理",
)
_VOID_REASONS = ("经核实问题不存在", "反映人撤回诉求", "不属于受理范围")
_DUPLICATE_REASON = "与已受理案件重复"
_ESCALATE_REASONS = ("涉及多个部门，街道难以协调", "超出街道处置能力，请区中心协调")
_COUNTY_RETURN_REASON = "经研判属街道职责范围，请街道协调处置"
_SUSPEND_REASONS = ("需列入年度维修计划，等待资金落实", "涉及产权争议，待有关部门认定")
_EXTEND_REASONS = ("需协调多个部门联合处置", "等待配件到货", "受天气影响无法施工")
_RESUME_EXTEND_REASON = "挂账事项已落实，重新明确办理时限"
_FAIL_NOTES = ("现场核查问题未彻底解决，请返工", "整改不到位，群众仍有意见")
_PASS_NOTES = ("经核查，问题已处置到位", "现场核查属实，予以结案")
_SPOT_NOTES = ("现场解答，来访人表示认可", "现场协调解决，来访人满意")
_SUPERVISE_NOTES = ("该案件已超期，请抓紧办理", "群众反映强烈，请尽快处置并反馈")
_DISPATCH_NOTES = ("", "", "请按时限处置", "请尽快核实处理")
_COMMENTS_OPEN = ("已电话联系反映人核实情况", "已安排网格员现场核实")
_COMMENTS_CLOSED = ("反映人来电表示感谢", "已回访，群众认可处理结果")
_COMMENT_VOIDED = "已告知反映人作废原因"

_SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志宏海燕晓东立新春雪松宇鹏飞浩欣怡佳琪淑珍凤霖琳晨阳"
_MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "155", "156", "158", "159", "166", "177", "180", "182", "183", "185", "186",
    "187", "188", "189", "199",
)  # fmt: skip
# Residents' ID regions: districts of Liaoyang and Anshan, where the demo county lies.
_ID_REGIONS = ("211002", "211003", "211004", "211005", "211011", "211081", "210302", "210303")
_ID_SHARE = 0.4
_PURPOSES_BY_PARENT = {"12": Purpose.DISPUTE, "13": Purpose.REQUEST, "14": Purpose.CONSULTATION}


@dataclass
class DemoSummary:
    """What :func:`seed_demo` wrote, and how long it took."""

    org_units: int
    departments: int
    users: int
    cases: int
    events: int
    visits: int
    seconds: float


def seed_demo(
    db: Database,
    *,
    cases: int,
    seed: int = 2026,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
    outbox: bool = False,
) -> DemoSummary:
    """Load the demo county and generate ``cases`` cases over the 60 days before ``today``.

    ``today`` is a local (Asia/Shanghai) date; the history then ends at the
    start of that day, so that the same arguments always give the same rows.
    Without ``today`` the history ends now. It never ends in the future: a
    ``today`` after the real date is cut at the real clock.

    ``progress(done, total)`` is called after each committed chunk.
    ``outbox=True`` queues every visit and event for the push to the county,
    as the recording services do; leave it off when the county is seeded the
    same way. Refuses (:class:`ValidationError`) a database that already holds
    cases: the demo history would mix with real work.
    """
    started = time.perf_counter()
    if cases < 0:
        raise ValidationError(
            QT_TRANSLATE_NOOP("services", "The number of demo cases must be zero or more."),
            field="cases",
        )
    now, today = _horizon(today)
    reference = demo_reference(seed)
    with db.session() as session:
        if session.scalar(select(Case.id).limit(1)) is not None:
            raise ValidationError(
                QT_TRANSLATE_NOOP(
                    "services",
                    "This database already holds cases; the demo district can only be loaded into an empty database.",
                ),
                field="cases",
            )
        _load_reference(session, reference)
        settings_service.put(session, "centre_name", CENTRE_NAME)
        world = _World.load(session, reference)

    generator = _Generator(world, random.Random(seed), now, today)
    written_cases = written_events = written_visits = 0
    # Millions of short-lived dicts and events make the cyclic garbage collector
    # scan the whole chunk again and again; nothing generated here forms a
    # cycle, so it is paused and run once per chunk instead.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        with _indexes_deferred(db, cases):
            for batch in generator.batches(cases, CHUNK_CASES):
                with db.session() as session:
                    written_events += _write(session, batch, outbox)
                written_cases += len(batch.cases)
                written_visits += len(batch.visits)
                del batch
                gc.collect()
                if progress is not None:
                    progress(written_cases, cases)
    finally:
        if gc_was_enabled:
            gc.enable()
    if progress is not None and cases == 0:
        progress(0, 0)
    return DemoSummary(
        org_units=len(reference["org_units"]),
        departments=len(reference["departments"]),
        users=len(reference["users"]),
        cases=written_cases,
        events=written_events,
        visits=written_visits,
        seconds=time.perf_counter() - started,
    )


def _horizon(today: date | None) -> tuple[datetime, date]:
    """(end of the history as aware UTC, local date of ``today``)."""
    real_now = datetime.now(UTC).replace(microsecond=0)
    if today is None:
        return real_now, real_now.astimezone(SHANGHAI).date()
    start = datetime(today.year, today.month, today.day, tzinfo=SHANGHAI).astimezone(UTC)
    return min(start, real_now), today


def _load_reference(session: Session, reference: Mapping[str, Any]) -> None:
    """Load the reference file, hashing the shared demo password once instead of per user.

    An Argon2 hash costs a fifth of a second by design; hashing the same
    password for every demo user would make each seeding seconds slower for
    nothing. A user that already had a password here (an administrator made
    at first start, replaced by the demo account of the same name) keeps it.
    """
    users = [
        {key: value for key, value in user.items() if key != "password"}
        for user in reference["users"]
    ]
    load_reference(session, {**reference, "users": users})
    with_password = [user["id"] for user in reference["users"] if user.get("password")]
    if with_password:
        session.execute(
            update(User)
            .where(User.id.in_(with_password), User.password_hash.is_(None))
            .values(password_hash=hash_password(DEMO_PASSWORD))
        )


# ---------------------------------------------------------------------------- the district
@dataclass(frozen=True)
class _Grid:
    id: str
    community_name: str
    street_name: str
    ring: tuple[tuple[float, float], ...]  # (lon, lat), closed
    box: tuple[float, float, float, float]  # west, south, east, north
    roads: tuple[str, ...]
    workers: tuple[str, ...]


@dataclass(frozen=True)
class _Content:
    """What a case is about: the part a duplicate repeats."""

    category: str
    title: str
    detail: str  # the description after "who reported it:"
    address: str
    lat: float
    lon: float
    issue: str


@dataclass(frozen=True)
class _Limits:
    name: str
    parent: str  # the 大类 code
    ack_hours: int
    handle_days: int
    urgent_hours: int
    department_id: str


@dataclass
class _World:
    """What the generator needs from the loaded reference data, read once."""

    calendar: WorkCalendar
    urgent_ack_hours: int
    hash_key: str
    limits: dict[str, _Limits]
    grids: list[_Grid]
    coordinators: dict[str, str]  # street code → user id
    receptions: dict[str, str]
    department_users: dict[str, tuple[str, ...]]
    departments: tuple[str, ...]
    official: str | None
    county_coordinator: str | None

    @classmethod
    def load(cls, session: Session, reference: Mapping[str, Any]) -> _World:
        calendar = load_calendar(session)
        limits: dict[str, _Limits] = {}
        categories = list(session.scalars(select(Category).where(Category.active.is_(True))))
        departments = tuple(d["id"] for d in reference["departments"])
        for cat in categories:
            top = cat.code[:2]
            limits[cat.code] = _Limits(
                name=cat.name,
                parent=top,
                ack_hours=cat.ack_hours,
                handle_days=cat.handle_days,
                urgent_hours=cat.urgent_hours,
                department_id=cat.default_department_id or departments[0],
            )
        units = {u["id"]: u for u in reference["org_units"]}
        users = reference["users"]
        workers: dict[str, list[str]] = {}
        for user in users:
            if user["role"] == Role.GRID_WORKER:
                for grid_id in user["grid_ids"]:
                    workers.setdefault(grid_id, []).append(user["id"])
        road_rng = random.Random(f"demo-roads-{len(units)}")
        grids = []
        for unit in units.values():
            if unit["level"] != OrgLevel.GRID or not unit.get("boundary"):
                continue
            community = units[unit["parent_id"]]
            street = units[community["parent_id"]]
            ring = tuple((float(x), float(y)) for x, y in unit["boundary"]["coordinates"][0])
            xs = [p[0] for p in ring]
            ys = [p[1] for p in ring]
            grids.append(
                _Grid(
                    id=unit["id"],
                    community_name=community["name"],
                    street_name=street["name"],
                    ring=ring,
                    box=(min(xs), min(ys), max(xs), max(ys)),
                    roads=tuple(road_rng.sample(_ROADS, 3)),
                    workers=tuple(workers.get(unit["id"], ())),
                )
            )
        grids.sort(key=attrgetter("id"))

        def by_street(role: str) -> dict[str, str]:
            found: dict[str, str] = {}
            for user in sorted(users, key=lambda u: u["username"]):
                unit = user.get("org_unit_id") or ""
                if user["role"] == role and len(unit) >= 9:
                    found.setdefault(unit[:9], user["id"])
            return found

        department_users: dict[str, list[str]] = {}
        for user in users:
            if user["role"] == Role.DEPARTMENT and user.get("department_id"):
                department_users.setdefault(user["department_id"], []).append(user["id"])
        officials = [u["id"] for u in users if u["role"] == Role.OFFICIAL]
        return cls(
            calendar=calendar,
            urgent_ack_hours=int(settings_service.get(session, "urgent_ack_hours") or 2),
            hash_key=settings_service.visitor_hash_key(session),
            limits=limits,
            grids=grids,
            coordinators=by_street(Role.COORDINATOR),
            receptions=by_street(Role.RECEPTION),
            department_users={k: tuple(v) for k, v in department_users.items()},
            departments=departments,
            official=officials[0] if officials else None,
            county_coordinator=next(
                (
                    u["id"]
                    for u in users
                    if u["role"] == Role.COORDINATOR and u.get("org_unit_id") == COUNTY_CODE
                ),
                None,
            ),
        )


# ---------------------------------------------------------------------------- one case
class _Stop(Exception):
    """The case's next step would lie after the end of the history (or its chosen end)."""


class _Case:
    """A case being generated: its events so far and its projection after them."""

    __slots__ = (
        "category",
        "coordinator",
        "duplicate_of",
        "events",
        "forced",
        "id",
        "last",
        "new_id",
        "now",
        "proj",
        "reception",
        "stop_at",
        "urgent",
    )

    def __init__(
        self,
        case_id: str,
        now: datetime,
        new_id: Callable[[], str],
        *,
        category: str,
        urgent: bool,
        coordinator: str | None,
        reception: str | None,
        forced: str | None,
        duplicate_of: str | None,
    ) -> None:
        self.id = case_id
        self.now = now
        self.new_id = new_id
        self.category = category
        self.urgent = urgent
        self.coordinator = coordinator
        self.reception = reception
        self.forced = forced
        self.stop_at = forced
        self.duplicate_of = duplicate_of
        self.events: list[Event] = []
        self.proj: CaseProjection | None = None
        self.last = datetime.min.replace(tzinfo=UTC)

    @property
    def state(self) -> str:
        assert self.proj is not None
        return self.proj.state

    def when(self, at: datetime) -> datetime:
        """``at``, nudged after the previous event; :class:`_Stop` if it lies after the end."""
        if at <= self.last:
            at = self.last + _SECOND
        if at > self.now:
            raise _Stop
        return at

    def add(
        self, event_type: str, at: datetime, actor: str | None, data: dict[str, Any]
    ) -> datetime:
        """Record one event through the shared projection; returns its time."""
        at = self.when(at)
        event = Event(
            id=self.new_id(), case_id=self.id, type=event_type, at=at, actor_id=actor, data=data
        )
        self.proj = apply(self.proj, event)
        self.events.append(event)
        self.last = at
        if self.proj.state == self.stop_at:
            raise _Stop
        return at


@dataclass
class _Batch:
    cases: list[dict[str, Any]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    visits: list[dict[str, Any]] = field(default_factory=list)


# ---------------------------------------------------------------------------- the generator
class _Generator:
    """Draws the cases, day by day in creation order, and lives their lives."""

    def __init__(self, world: _World, rng: random.Random, now: datetime, today: date) -> None:
        self.world = world
        self.rng = rng
        self.now = now
        self.today = today
        self.calendar = world.calendar
        self.recent_from = now - timedelta(days=RECENT_DAYS)
        self.forced_left: dict[str, int] = dict.fromkeys(FORCED_OPEN_STATES, FORCED_PER_STATE)
        self.forced_turn = 0
        self.last_in_grid: dict[str, tuple[str, _Content]] = {}
        self.grid_weights = list(accumulate(rng.uniform(0.5, 2.0) for _ in world.grids))
        self._category_tables: dict[int, tuple[list[str], list[float]]] = {}
        self._on_the_spot_codes = [
            code
            for code, lim in sorted(world.limits.items())
            if lim.parent in _ON_THE_SPOT_PARENTS and len(code) == 4
        ]

    # -- randomness helpers ----------------------------------------------------------
    def new_id(self) -> str:
        return seeded_uuid4(self.rng)

    def randint(self, low: int, high: int) -> int:
        """Like ``random.randint`` (both ends included), several times faster on the hot path."""
        return low + int(self.rng.random() * (high - low + 1))

    def pick(self, options: _Weighted) -> str:
        return options.values[bisect(options.cumulative, self.rng.random() * options.total)]

    def office_after(self, t: datetime, low: int, high: int) -> datetime:
        """``t`` plus a random number of office minutes (and seconds, so times do not tie)."""
        minutes = self.randint(low, high)
        return self.calendar.add_office_minutes(t, minutes) + timedelta(
            seconds=int(self.rng.random() * 60)
        )

    def natural_after(self, t: datetime, low: int, high: int) -> datetime:
        return t + timedelta(minutes=self.randint(low, high), seconds=int(self.rng.random() * 60))

    def after(self, c: _Case, t: datetime, low: int, high: int) -> datetime:
        """Office minutes for a normal case; urgent cases run on the natural clock."""
        if c.urgent:
            return self.natural_after(t, max(1, low // 4), max(1, high // 4))
        return self.office_after(t, low, high)

    # -- when cases are created --------------------------------------------------------
    def _day_segments(self, day: date) -> list[tuple[datetime, float, float]]:
        """(start, length in seconds, weight) of the times of ``day`` cases are created in.

        Working days: office hours busy, early morning, lunch and evening quiet
        (hotline and online cases); rest days: a trickle from 08:00 to 20:00.
        Cut at the end of the history.
        """
        midnight = datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)
        spans: list[tuple[int, int, float]] = []
        if self.calendar.is_workday(day):
            previous = 7 * 60
            for start_t, end_t in self.calendar.office_hours.periods:
                start = start_t.hour * 60 + start_t.minute
                end = end_t.hour * 60 + end_t.minute
                if start > previous:
                    spans.append((previous, start, 1.2))
                spans.append((start, end, 10.0))
                previous = end
            if previous < 21 * 60:
                spans.append((previous, 21 * 60, 1.2))
        else:
            spans.append((8 * 60, 20 * 60, 1.5))
        segments = []
        for start_min, end_min, density in spans:
            begin = (midnight + timedelta(minutes=start_min)).astimezone(UTC)
            finish = min((midnight + timedelta(minutes=end_min)).astimezone(UTC), self.now)
            if finish > begin:
                seconds = (finish - begin).total_seconds()
                segments.append((begin, seconds, density * seconds / 3600))
        return segments

    def _allocate(self, total: int) -> list[tuple[date, list[tuple[datetime, float, float]], int]]:
        """How many cases each day of the window gets (largest remainders, so they add up)."""
        days = []
        for offset in range(WINDOW_DAYS, -1, -1):
            day = self.today - timedelta(days=offset)
            segments = self._day_segments(day)
            weight = sum(s[2] for s in segments) * self.rng.uniform(0.85, 1.15)
            days.append((day, segments, weight))
        total_weight = sum(w for _, _, w in days)
        if total_weight <= 0 or total == 0:
            return []
        shares = [total * w / total_weight for _, _, w in days]
        counts = [int(s) for s in shares]
        order = sorted(range(len(days)), key=lambda i: (counts[i] - shares[i], i))
        for i in order[: total - sum(counts)]:
            counts[i] += 1
        return [(d, segs, n) for (d, segs, _), n in zip(days, counts, strict=True) if n]

    def _creation_times(
        self, segments: list[tuple[datetime, float, float]], count: int
    ) -> list[datetime]:
        cumulative = list(accumulate(s[2] for s in segments))
        rng = self.rng
        times = []
        for _ in range(count):
            start, seconds, _ = segments[
                min(bisect(cumulative, rng.random() * cumulative[-1]), len(segments) - 1)
            ]
            times.append(start + timedelta(seconds=int(rng.random() * seconds)))
        times.sort()
        return times

    def batches(self, total: int, size: int) -> Iterator[_Batch]:
        """The cases in creation order, ``size`` at a time."""
        batch = _Batch()
        for day, segments, count in self._allocate(total):
            serials: dict[str, int] = {}
            for created in self._creation_times(segments, count):
                self._case(created, day, serials, batch)
                if len(batch.cases) >= size:
                    yield batch
                    batch = _Batch()
        if batch.cases:
            yield batch

    # -- what a case is about ------------------------------------------------------------
    def _category_table(self, month: int) -> tuple[list[str], list[float]]:
        table = self._category_tables.get(month)
        if table is None:
            codes: list[str] = []
            weights: list[float] = []
            limits = self.world.limits
            for code in sorted(limits):
                if len(code) != 4:
                    continue
                weight = _CATEGORY_WEIGHTS.get(code, 1.0)
                season = _SEASONAL.get(code)
                if season is not None and month not in season:
                    weight *= 0.05
                children = [c for c in sorted(limits) if len(c) == 6 and c.startswith(code)]
                if children:
                    codes.append(code)
                    weights.append(weight * (1 - _CHILD_SHARE))
                    for child in children:
                        codes.append(child)
                        weights.append(weight * _CHILD_SHARE / len(children))
                else:
                    codes.append(code)
                    weights.append(weight)
            table = (codes, list(accumulate(weights)))
            self._category_tables[month] = table
        return table

    def _pick_category(self, month: int, on_the_spot: bool) -> str:
        if on_the_spot and self._on_the_spot_codes and self.rng.random() < 0.7:
            return self.rng.choice(self._on_the_spot_codes)
        codes, cumulative = self._category_table(month)
        return codes[min(bisect(cumulative, self.rng.random() * cumulative[-1]), len(codes) - 1)]

    def _issue(self, code: str) -> str:
        rng = self.rng
        phrases = _ISSUES.get(code)
        if phrases:
            return rng.choice(phrases)
        lim = self.world.limits[code]
        name = lim.name
        if len(code) == 6:
            return name
        if "井盖" in name:
            return name + rng.choice(_MANHOLE_FAULTS)
        parent = lim.parent
        if parent in ("01", "02", "03", "04", "05"):
            return name + rng.choice(_PART_FAULTS)
        if parent == "12":
            return f"{name}需调解"
        if parent == "13":
            return f"申请{name}帮助"
        if parent == "14":
            return f"咨询{name}相关政策"
        if parent == "16":
            return f"存在{name}"
        return name

    def _point(self, grid: _Grid) -> tuple[float, float]:
        """A uniformly random (lat, lon) inside the grid's boundary."""
        west, south, east, north = grid.box
        rng = self.rng
        while True:
            x = west + rng.random() * (east - west)
            y = south + rng.random() * (north - south)
            if _inside(x, y, grid.ring):
                return round(y, 6), round(x, 6)

    def _content(self, grid: _Grid, on_the_spot: bool, month: int) -> _Content:
        rng = self.rng
        code = self._pick_category(month, on_the_spot)
        issue = self._issue(code)
        parent = self.world.limits[code].parent
        community = grid.community_name
        if parent in _RESIDENTIAL or rng.random() < 0.5:
            building = self.randint(1, 36)
            address = f"{grid.street_name}{community}{building}号楼"
            if parent in _PERSONAL:  # about people, not about a spot in the street
                place = f"{community}{building}号楼" + ("居民" if parent != "12" else "")
            else:
                place = f"{community}{building}号楼{rng.choice(_SIDES)}"
        else:
            road = rng.choice(grid.roads)
            number = self.randint(1, 280)
            place = f"{road}{number}号{rng.choice(_SPOTS)}"
            address = f"{grid.street_name}{road}{number}号"
        lat, lon = self._point(grid)
        title = f"{place}{issue}"
        impacts = _PERSONAL_IMPACTS if parent in _PERSONAL else _IMPACTS
        detail = f"{title}，{rng.choice(impacts)}，请尽快处理。"
        return _Content(code, title, detail, address, lat, lon, issue)

    # -- one case -------------------------------------------------------------------
    def _next_forced(self) -> str | None:
        states = FORCED_OPEN_STATES
        for step in range(len(states)):
            state = states[(self.forced_turn + step) % len(states)]
            if self.forced_left[state] > 0:
                self.forced_turn = (self.forced_turn + step + 1) % len(states)
                return state
        return None

    def _case(self, created: datetime, day: date, serials: dict[str, int], batch: _Batch) -> None:
        rng = self.rng
        world = self.world
        grid = world.grids[
            min(
                bisect(self.grid_weights, rng.random() * self.grid_weights[-1]),
                len(world.grids) - 1,
            )
        ]
        street = street_code(grid.id)
        source = self.pick(_SOURCES)
        on_the_spot = source == Source.WALK_IN and rng.random() < ON_THE_SPOT_SHARE
        forced = None if on_the_spot or created < self.recent_from else self._next_forced()
        if forced in (CaseState.VOIDED, CaseState.ESCALATED):
            fate = forced
        elif on_the_spot:
            fate = "on_the_spot"
        else:
            u = rng.random()
            fate = (
                CaseState.VOIDED
                if u < VOID_SHARE
                else CaseState.ESCALATED
                if u < VOID_SHARE + ESCALATE_SHARE
                else "normal"
            )
        case_id = self.new_id()
        duplicate_of = None
        content = None
        if fate == CaseState.VOIDED and rng.random() < 0.6:
            earlier = self.last_in_grid.get(grid.id)
            if earlier is not None:
                duplicate_of, content = earlier
        if content is None:
            content = self._content(grid, on_the_spot, day.month)
            self.last_in_grid[grid.id] = (case_id, content)
        urgent = fate != "on_the_spot" and rng.random() < URGENT_SHARE
        serial = serials.get(street, 0) + 1
        serials[street] = serial
        coordinator = world.coordinators.get(street) or next(
            iter(world.coordinators.values()), None
        )
        reception = world.receptions.get(street) or coordinator
        c = _Case(
            case_id,
            self.now,
            self.new_id,
            category=content.category,
            urgent=urgent,
            coordinator=coordinator,
            reception=reception,
            forced=forced,
            duplicate_of=duplicate_of,
        )
        visit_id = None
        if source == Source.WALK_IN:
            visit_id = self.new_id()
            visit_at = created - timedelta(minutes=self.randint(3, 20), seconds=self.randint(0, 59))
            batch.visits.append(
                self._visit(visit_id, visit_at, reception, street, case_id, content, on_the_spot)
            )
        created_by = reception if source == Source.WALK_IN else coordinator
        try:
            c.add(
                EventType.CREATED,
                created,
                created_by,
                {
                    "number": f"{street}-{day:%Y%m%d}-{serial:04d}",
                    "title": content.title,
                    "description": f"{_REPORTERS[source]}：{content.detail}",
                    "category_code": content.category,
                    "source": source,
                    "urgency": Urgency.URGENT.value if urgent else Urgency.NORMAL.value,
                    "org_unit_id": grid.id,
                    "address": content.address,
                    "lat": content.lat,
                    "lon": content.lon,
                    "visit_id": visit_id,
                },
            )
            if fate == "on_the_spot":
                self._on_the_spot(c)
            elif fate == CaseState.VOIDED:
                self._void(c)
            elif fate == CaseState.ESCALATED:
                self._escalate(c, grid)
            else:
                self._normal(c, grid)
        except _Stop:
            pass
        if forced is not None and c.state == forced:
            self.forced_left[forced] -= 1
        self._supervise_overdue(c)
        assert c.proj is not None
        columns = case_columns(c.proj)
        columns["updated_at"] = c.proj.last_event_at
        batch.cases.append(columns)
        batch.events.extend(c.events)

    def _visit(
        self,
        visit_id: str,
        at: datetime,
        received_by: str | None,
        street: str,
        case_id: str,
        content: _Content,
        on_the_spot: bool,
    ) -> dict[str, Any]:
        rng = self.rng
        name = rng.choice(_SURNAMES) + "".join(
            rng.choice(_GIVEN) for _ in range(1 if rng.random() < 0.3 else 2)
        )
        phone = rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        id_number = None
        gender = None
        if rng.random() < _ID_SHARE:
            birth = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 65))
            first17 = f"{rng.choice(_ID_REGIONS)}{birth:%Y%m%d}{rng.randrange(1000):03d}"
            id_number = first17 + id_check_digit(first17)
            gender = "male" if int(first17[16]) % 2 else "female"
        elif rng.random() < 0.7:
            gender = rng.choice(("male", "female"))
        address = None
        if rng.random() < 0.5:
            address = (
                f"{content.address.split('号楼')[0]}号楼{self.randint(1, 6)}单元"
                f"{self.randint(1, 18)}0{self.randint(1, 4)}室"
                if "号楼" in content.address
                else content.address
            )
        parent = self.world.limits[content.category].parent
        purpose = _PURPOSES_BY_PARENT.get(parent) or (
            Purpose.COMPLAINT if rng.random() < 0.8 else Purpose.REQUEST
        )
        if purpose == Purpose.CONSULTATION:
            summary = f"来访人{content.issue}。"
        else:
            summary = f"来访人反映{content.title}，希望尽快解决。"
        key = self.world.hash_key
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

    # -- life cycles -------------------------------------------------------------------
    def _on_the_spot(self, c: _Case) -> None:
        c.add(
            EventType.CLOSED,
            self.natural_after(c.last, 2, 12),
            c.reception,
            {"resolution": "on_the_spot", "note": self.rng.choice(_SPOT_NOTES)},
        )
        self._after_close(c, on_site=True)

    def _void(self, c: _Case) -> None:
        rng = self.rng
        data: dict[str, Any]
        if c.duplicate_of is not None:
            data = {"reason": _DUPLICATE_REASON, "duplicate_of": c.duplicate_of}
        else:
            data = {"reason": rng.choice(_VOID_REASONS), "duplicate_of": None}
        at = c.add(EventType.VOIDED, self.office_after(c.last, 10, 240), c.coordinator, data)
        if rng.random() < 0.2:
            c.add(
                EventType.COMMENTED,
                self.office_after(at, 5, 120),
                c.coordinator,
                {"text": _COMMENT_VOIDED},
            )

    def _escalate(self, c: _Case, grid: _Grid) -> None:
        rng = self.rng
        at = c.add(
            EventType.ESCALATED,
            self.office_after(c.last, 30, 480),
            c.coordinator,
            {"to_org_unit_id": COUNTY_CODE, "reason": rng.choice(_ESCALATE_REASONS)},
        )
        u = rng.random()
        # The county centre's coordinator answers what was escalated to it.
        county = self.world.county_coordinator
        if u < 0.5:
            department = self.world.limits[c.category].department_id
            self._dispatch(
                c,
                self.office_after(at, 60, 900),
                county,
                AssigneeType.DEPARTMENT,
                department,
                False,
            )
        elif u < 0.75:
            at = c.add(
                EventType.RETURNED,
                self.office_after(at, 60, 900),
                county,
                {"reason": _COUNTY_RETURN_REASON},
            )
            kind, target = self._assignee(c, grid, None)
            self._dispatch(c, self.office_after(at, 10, 240), c.coordinator, kind, target, False)

    def _normal(self, c: _Case, grid: _Grid) -> None:
        rng = self.rng
        t = c.last
        if rng.random() < 0.04:
            t = c.add(
                EventType.COMMENTED,
                self.office_after(t, 5, 90),
                c.coordinator,
                {"text": rng.choice(_COMMENTS_OPEN)},
            )
        kind, target = self._assignee(c, grid, None)
        self._dispatch(c, self.after(c, t, 5, 120), c.coordinator, kind, target, True, grid)

    def _assignee(self, c: _Case, grid: _Grid, previous: tuple[str, str] | None) -> tuple[str, str]:
        """Where the coordinator sends the case: the category's department, or the grid's worker."""
        rng = self.rng
        department = self.world.limits[c.category].department_id
        if previous is None:
            if grid.workers and rng.random() < GRID_WORKER_SHARE:
                return AssigneeType.GRID_WORKER, rng.choice(grid.workers)
            return AssigneeType.DEPARTMENT, department
        # After a return: somebody else.
        if previous[0] == AssigneeType.DEPARTMENT and grid.workers and rng.random() < 0.5:
            return AssigneeType.GRID_WORKER, rng.choice(grid.workers)
        others = [d for d in self.world.departments if d != previous[1]]
        if previous[1] != department:
            return AssigneeType.DEPARTMENT, department
        return AssigneeType.DEPARTMENT, rng.choice(others)

    def _handler(self, kind: str, target: str) -> str | None:
        if kind == AssigneeType.GRID_WORKER:
            return target
        users = self.world.department_users.get(target)
        return self.rng.choice(users) if users else None

    def _deadlines(self, c: _Case, at: datetime) -> tuple[datetime, datetime]:
        """As :func:`services.cases.records.compute_deadlines` computes them."""
        lim = self.world.limits[c.category]
        return self.calendar.deadlines_for(
            at,
            ack_hours=lim.ack_hours,
            handle_days=lim.handle_days,
            urgent=c.urgent,
            urgent_ack_hours=self.world.urgent_ack_hours,
            urgent_hours=lim.urgent_hours,
        )

    def _dispatch(
        self,
        c: _Case,
        at: datetime,
        actor: str | None,
        kind: str,
        target: str,
        may_return: bool,
        grid: _Grid | None = None,
    ) -> None:
        at = c.when(at)
        ack_deadline, deadline = self._deadlines(c, at)
        c.add(
            EventType.DISPATCHED,
            at,
            actor,
            {
                "assignee_type": kind,
                "assignee_id": target,
                "ack_deadline": iso(ack_deadline),
                "deadline": iso(deadline),
                "note": self.rng.choice(_DISPATCH_NOTES),
            },
        )
        self._handle(c, kind, target, at, ack_deadline, deadline, may_return, grid)

    def _handle(
        self,
        c: _Case,
        kind: str,
        target: str,
        dispatched: datetime,
        ack_deadline: datetime,
        deadline: datetime,
        may_return: bool,
        grid: _Grid | None,
    ) -> None:
        rng = self.rng
        calendar = self.calendar
        handler = self._handler(kind, target)
        lim = self.world.limits[c.category]
        if c.forced == CaseState.RETURNED or (may_return and rng.random() < RETURN_SHARE):
            at = c.add(
                EventType.RETURNED,
                self.after(c, dispatched, 10, 300),
                handler,
                {"reason": rng.choice(_RETURN_REASONS)},
            )
            if grid is not None:
                kind, target = self._assignee(c, grid, (kind, target))
                self._dispatch(
                    c, self.office_after(at, 10, 240), c.coordinator, kind, target, False
                )
            return

        # 签收: mostly within the sign-for limit.
        if rng.random() < ACK_ON_TIME_SHARE:
            if c.urgent:
                window = max(1, int((ack_deadline - dispatched).total_seconds() // 60) * 9 // 10)
                at = self.natural_after(dispatched, 1, window)
                at = min(at, ack_deadline)
            else:
                at = self.office_after(dispatched, 1, max(1, lim.ack_hours * 60 * 9 // 10))
                at = min(at, ack_deadline)
        else:
            at = self.after(c, ack_deadline, 10, 600)
        at = c.add(EventType.ACKNOWLEDGED, at, handler, {})

        # 挂账: parked, half of them taken up again later with a new deadline.
        if c.forced == CaseState.SUSPENDED or rng.random() < SUSPENDED_SHARE:
            at = c.add(
                EventType.SUSPENDED,
                self.office_after(at, 60, 900),
                c.coordinator,
                {"reason": rng.choice(_SUSPEND_REASONS)},
            )
            if rng.random() < 0.5:
                return
            at = c.add(
                EventType.RESUMED, self.office_after(at, 450 * 3, 450 * 15), c.coordinator, {}
            )
            new_deadline = calendar.handling_deadline(at, lim.handle_days)
            if new_deadline > deadline:
                at = c.add(
                    EventType.EXTENDED,
                    self.office_after(at, 1, 30),
                    c.coordinator,
                    {"new_deadline": iso(new_deadline), "reason": _RESUME_EXTEND_REASON},
                )
                deadline = new_deadline

        # 延期
        if rng.random() < EXTENDED_SHARE:
            new_deadline = self._later_deadline(c, deadline)
            at = c.add(
                EventType.EXTENDED,
                self._before(c, at, deadline),
                c.coordinator,
                {"new_deadline": iso(new_deadline), "reason": rng.choice(_EXTEND_REASONS)},
            )
            deadline = new_deadline

        # 反馈, verification and rework.
        at = self._feedback(c, handler, at, deadline)
        if rng.random() < FAILED_VERIFICATION_SHARE:
            at = c.add(
                EventType.VERIFIED,
                self.after(c, at, 30, 900),
                c.coordinator,
                {"passed": False, "note": rng.choice(_FAIL_NOTES)},
            )
            at = c.add(
                EventType.FEEDBACK,
                self.after(c, at, 60, 1350),
                handler,
                {"result": self._result(c), "attachments": []},
            )
        c.add(
            EventType.VERIFIED,
            self.after(c, at, 30, 900),
            c.coordinator,
            {"passed": True, "note": rng.choice(_PASS_NOTES)},
        )
        self._after_close(c, on_site=False)

    def _before(self, c: _Case, start: datetime, deadline: datetime) -> datetime:
        """A random moment between ``start`` and ``deadline`` (in office time for normal cases)."""
        if deadline <= start:
            return self.after(c, start, 1, 60)
        if c.urgent:
            return start + (deadline - start) * (0.05 + 0.9 * self.rng.random())
        window = self.calendar.office_minutes_between(start, deadline)
        if window < 2:
            return start + (deadline - start) * self.rng.random()
        return self.calendar.add_office_minutes(start, self.randint(1, max(1, window * 95 // 100)))

    def _later_deadline(self, c: _Case, deadline: datetime) -> datetime:
        if c.urgent:
            return deadline + timedelta(hours=self.randint(24, 72))
        return self.calendar.handling_deadline(deadline, self.randint(2, 5))

    def _feedback(
        self, c: _Case, handler: str | None, start: datetime, deadline: datetime
    ) -> datetime:
        rng = self.rng
        if rng.random() < FEEDBACK_ON_TIME_SHARE and deadline > start:
            at = min(self._before(c, start, deadline), deadline)
        else:
            late_from = max(start, deadline)
            at = self.after(c, late_from, 30, 450 * 8)
            if rng.random() < 0.4:
                urge = self.after(c, late_from, 10, 240)
                if urge < at:
                    c.add(
                        EventType.SUPERVISED,
                        urge,
                        self.world.official,
                        {"note": rng.choice(_SUPERVISE_NOTES)},
                    )
        return c.add(
            EventType.FEEDBACK, at, handler, {"result": self._result(c), "attachments": []}
        )

    def _result(self, c: _Case) -> str:
        parent = self.world.limits[c.category].parent
        return self.rng.choice(_RESULTS.get(parent, _DEFAULT_RESULTS))

    def _after_close(self, c: _Case, *, on_site: bool) -> None:
        rng = self.rng
        at = c.last
        if rng.random() < EVALUATED_SHARE:
            at = c.add(
                EventType.EVALUATED,
                self.office_after(at, 60, 1350),
                c.coordinator,
                {
                    "satisfaction": self.pick(_SATISFACTION),
                    "method": "on_site" if on_site else self.pick(_METHODS),
                    "note": "",
                },
            )
        if rng.random() < 0.03:
            c.add(
                EventType.COMMENTED,
                self.office_after(at, 30, 900),
                c.coordinator,
                {"text": rng.choice(_COMMENTS_CLOSED)},
            )

    def _supervise_overdue(self, c: _Case) -> None:
        """Half of the cases still open past their deadline get an official's 督办."""
        p = c.proj
        if p is None or p.state not in _RUNNING or p.deadline is None or p.deadline >= self.now:
            return
        if self.rng.random() >= SUPERVISE_OVERDUE_SHARE:
            return
        start = max(c.last, p.deadline)
        at = self.office_after(start, 10, 900)
        if at > self.now:
            at = start + (self.now - start) * self.rng.random()
        c.stop_at = None
        with suppress(_Stop):
            c.add(
                EventType.SUPERVISED,
                at,
                self.world.official,
                {"note": self.rng.choice(_SUPERVISE_NOTES)},
            )


_UUID4_CLEAR = ~((0xC000 << 48) | (0xF000 << 64))
_UUID4_SET = (0x8000 << 48) | (4 << 76)


def seeded_uuid4(rng: random.Random) -> str:
    """``str(uuid.UUID(int=rng.getrandbits(128), version=4))``, without building a UUID object.

    The demo draws millions of ids; the same bits are set (RFC 4122 variant,
    version 4) and the text is the same, as the tests check.
    """
    value = f"{(rng.getrandbits(128) & _UUID4_CLEAR) | _UUID4_SET:032x}"
    return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"


def _inside(x: float, y: float, ring: Sequence[tuple[float, float]]) -> bool:
    """Even-odd rule point-in-polygon test on a closed ring."""
    inside = False
    x0, y0 = ring[-1]
    for x1, y1 in ring:
        if (y1 > y) != (y0 > y) and x < (x0 - x1) * (y - y1) / (y0 - y1) + x1:
            inside = not inside
        x0, y0 = x1, y1
    return inside


# ---------------------------------------------------------------------------- writing
_BY_AT = attrgetter("at")


def _outbox_row(kind: str, item_id: str, payload: dict[str, Any], at: datetime) -> dict[str, Any]:
    return {
        "kind": kind,
        "item_id": item_id,
        "payload": payload,
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": None,
        "last_error": None,
        "reject_code": None,
        "reject_message": None,
        "created_at": at,
        "updated_at": at,
    }


BULK_TABLES = ("cases", "case_events", "visits", "sync_outbox")


@contextmanager
def _indexes_deferred(db: Database, cases: int) -> Iterator[None]:
    """Drop the secondary indexes of the bulk tables and build them again afterwards (SQLite).

    Keeping a dozen indexes up to date row by row costs more than half of the
    load on a million cases; building each once from the finished table is a
    sort. The indexes are recreated from their own stored ``CREATE INDEX``
    text, so the schema ends exactly as the migrations made it, and they are
    recreated even when the load fails. The unique constraints (the ids) stay
    in force throughout.
    """
    if db.engine.dialect.name != "sqlite" or cases == 0:
        yield
        return
    marks = ", ".join("?" for _ in BULK_TABLES)
    with db.engine.begin() as conn:
        saved = conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            f" AND tbl_name IN ({marks}) ORDER BY name",
            BULK_TABLES,
        ).all()
        for name, _sql in saved:
            conn.exec_driver_sql(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        with db.engine.begin() as conn:
            for _name, sql in saved:
                conn.exec_driver_sql(sql)


def _bulk_insert(
    session: Session,
    model: type[Base],
    rows: Sequence[Mapping[str, Any]],
    times: dict[datetime, Any],
) -> None:
    """``session.execute(insert(table), rows)``, without SQLAlchemy's per-row work.

    The values go through the columns' own bind processors (``UTCDateTime``,
    ``JSON``), so the database holds exactly what the ORM would have written;
    only the per-row parameter bookkeeping is skipped, which is most of the
    time of a bulk insert of millions of small rows. All rows have the keys of
    the first. ``times`` remembers converted ``UTCDateTime`` values: a case
    row repeats the times of its events, so most are converted only once.
    """
    if not rows:
        return
    table = cast(Table, model.__table__)
    connection = session.connection()
    dialect = connection.dialect
    keys = list(rows[0])
    compiled = insert(table).compile(dialect=dialect, column_keys=keys)
    names = list(compiled.positiontup) if compiled.positional and compiled.positiontup else keys
    columns: list[list[Any]] = []
    for name in names:
        values = [row[name] for row in rows]
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is None:
            columns.append(values)
        elif isinstance(table.c[name].type, UTCDateTime):
            converted: list[Any] = []
            for v in values:
                if v is None:
                    converted.append(None)
                else:
                    done = times.get(v)
                    if done is None:
                        done = times[v] = process(v)
                    converted.append(done)
            columns.append(converted)
        elif process(None) is None:  # NULL stays NULL: skip the call chain for the many Nones
            columns.append([None if v is None else process(v) for v in values])
        else:
            columns.append([process(v) for v in values])
    params: list[Any]
    if compiled.positional:
        params = list(zip(*columns, strict=True))
    else:
        params = [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]
    connection.exec_driver_sql(compiled.string, params)


def _write(session: Session, batch: _Batch, outbox: bool) -> int:
    """Bulk-insert one chunk; events in time order, so ``seq`` follows ``at`` within it."""
    events = sorted(batch.events, key=_BY_AT)
    times: dict[datetime, Any] = {}
    _bulk_insert(session, Visit, batch.visits, times)
    _bulk_insert(session, Case, batch.cases, times)
    _bulk_insert(session, CaseEvent, [event_columns(e) for e in events], times)
    if outbox:
        rows = [
            _outbox_row(OutboxKind.VISIT, v["id"], visit_wire(v), v["at"]) for v in batch.visits
        ]
        rows += [_outbox_row(OutboxKind.CASE_EVENT, e.id, e.to_wire(), e.at) for e in events]
        _bulk_insert(session, OutboxItem, rows, times)
    return len(events)
