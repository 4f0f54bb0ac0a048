"""The 通报 as a Word document: the draft text an official edits, signs and posts.

:func:`export_notice` computes the assessment of the period and of the period
before it (the same way, :func:`~services.reports.assessment.assess`), builds
the figures the text needs (:func:`notice_context`) and renders them into a
Word template with docxtpl (:func:`render_notice`).

The template ships as ``resources/templates/bulletin-notice.docx`` (made by
``tools/make_notice_template.py``); an office replaces it by putting its own
``templates/bulletin-notice.docx`` in the data folder (:func:`template_path`).
A template may use these names (every value is already formatted text):

* ``title``, ``scope``, ``period_label`` (2026年11月上半月), ``period_range``,
  ``previous_label``, ``as_at_note`` (empty unless the period is still running);
* ``t``: the totals — ``created dispatched due closed on_time overdue rework
  returned`` (counts) and ``closure_rate on_time_rate ack_rate satisfaction_rate``
  (percentages), ``on_time_change`` (the on-time rate against the previous period);
* ``figures``: rows ``name now before change`` of the main figures against the
  previous period;
* ``groups``: the rankings (``seq name summary rows``), each row ``rank name due
  on_time_rate on_time_change closure_rate satisfaction_rate score rank_change``;
  ``summary`` names the top three and the last three;
* ``overdue`` (the worst overdue cases: ``position number title assignee deadline
  overdue supervised``) with ``overdue_summary``; ``supervised`` (cases urged in
  the period: ``position number title assignee supervised_at state``) with
  ``supervised_summary``;
* the 落款: ``issuer``, ``issue_date``, ``signatures`` (审核/签发, may be empty).

Text from people (case titles, unit names) is data, never template: Jinja
prints a value without reading it again, docxtpl is run with XML escaping, and
:func:`plain` removes what docxtpl would still turn into layout (tabs, line
and page breaks) or back into a tag (``{_{``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import tempfile
import zipfile
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.enums import OrgLevel
from models.tables import Case, CaseEvent
from models.types import utcnow
from services.cases.lookups import Names
from services.cases.permissions import Actor, Permission, require
from services.errors import ValidationError
from services.i18n import QT_TRANSLATE_NOOP
from services.reports.assessment import assess
from services.reports.coverage import as_of_text
from services.reports.exports import clean_file_name
from services.reports.periods import Period
from services.reports.results import Assessment, Figures, SignOff, overdue_text
from services.worktime.workdays import SHANGHAI, WorkCalendar

log = logging.getLogger(__name__)

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
DEFAULT_TEMPLATE = RESOURCES / "templates" / "bulletin-notice.docx"
TEMPLATE_NAME = "bulletin-notice.docx"
"""The office's own template: ``<data folder>/templates/bulletin-notice.docx``."""

WORST_OVERDUE = 10
"""How many of the longest-overdue cases the text lists (the workbook lists them all)."""
SUPERVISED_LISTED = 20

EMPTY = "—"
CN_NUMERALS = "一二三四五六七八九十"
STATE_ZH = {
    "closed": "已办结",
    "voided": "已作废",
    "suspended": "挂账",
}

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_LAYOUT = re.compile("[\t\n\r\x07\x0b\x0c\u2028\u2029]+")


def plain(value: object) -> str:
    """Text from people as it may stand in the document: one line, no markup, no tag."""
    text = _LAYOUT.sub(" ", str(value if value is not None else ""))
    text = _XML_INVALID.sub("", text)
    # docxtpl turns "{_{", "}_}", "{_%" and "%_}" of its output into tags' braces; a word
    # joiner (invisible) between the brace and the underscore keeps what the person typed.
    return text.replace("{_", "{\u2060_").replace("_}", "_\u2060}")


# --------------------------------------------------------------------------- formatting
def pct(rate: float | None) -> str:
    return EMPTY if rate is None else f"{rate * 100:.1f}%"


def points_change(now: float | None, before: float | None, *, words: bool = False) -> str:
    """A rate's change in percentage points: ``↑2.3`` / ``↓1.0`` / ``持平`` (or in words)."""
    if now is None or before is None:
        return "上期无可比数据" if words else EMPTY
    diff = round((now - before) * 100, 1)
    if diff == 0:
        return "与上期持平" if words else "持平"
    if words:
        return f"较上期{'上升' if diff > 0 else '下降'}{abs(diff):.1f}个百分点"
    return f"{'↑' if diff > 0 else '↓'}{abs(diff):.1f}"


def rank_change(now: int | None, before: int | None) -> str:
    if now is None:
        return EMPTY
    if before is None:
        return "新进排名"
    if now == before:
        return "持平"
    return f"↑{before - now}" if now < before else f"↓{now - before}"


def count_change(now: int, before: int) -> str:
    if now == before:
        return "持平"
    diff = now - before
    word = "增加" if diff > 0 else "减少"
    if before:
        return f"{word}{abs(diff)}件（{diff / before * 100:+.1f}%）"
    return f"{word}{abs(diff)}件"


def days_change(now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return EMPTY
    diff = round(now - before, 1)
    if diff == 0:
        return "持平"
    return f"{'延长' if diff > 0 else '缩短'}{abs(diff):.1f}个工作日"


def zh_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _local(at: datetime | None) -> str:
    return at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if at else EMPTY


# --------------------------------------------------------------------------- the content
def sign_off_lines(a: Assessment) -> tuple[str, str, str]:
    """The 落款: the issuing unit (settings, else the scope), the date the figures were
    computed, and the 审核/签发 line (empty when neither is set)."""
    sign = a.sign_off or SignOff(issuer=a.scope_name)
    approvals = "　　".join(
        line
        for line in (
            f"审核：{sign.reviewer}" if sign.reviewer else "",
            f"签发：{sign.signer}" if sign.signer else "",
        )
        if line
    )
    return sign.issuer, zh_date(a.generated_at.astimezone(SHANGHAI).date()), approvals


def _figure_rows(t: Figures, p: Figures) -> list[dict[str, str]]:
    counts = (
        ("受理数（件）", t.created, p.created),
        ("派遣数（件）", t.dispatched, p.dispatched),
        ("应结案数（件）", t.due, p.due),
        ("结案数（件）", t.closed, p.closed),
        ("按期结案数（件）", t.on_time, p.on_time),
        ("超期数（件）", t.overdue, p.overdue),
        ("返工数（件）", t.rework, p.rework),
    )
    rates = (
        ("结案率", t.closure_rate, p.closure_rate),
        ("按期结案率", t.on_time_rate, p.on_time_rate),
        ("及时签收率", t.ack_rate, p.ack_rate),
        ("满意率", t.satisfaction_rate, p.satisfaction_rate),
    )
    rows = [
        {"name": n, "now": str(a), "before": str(b), "change": count_change(a, b)}
        for n, a, b in counts
    ]
    rows += [
        {
            "name": n,
            "now": pct(a),
            "before": pct(b),
            "change": points_change(a, b, words=True).removeprefix("较上期"),
        }
        for n, a, b in rates
    ]
    rows.append(
        {
            "name": "平均处置时长（工作日）",
            "now": EMPTY if t.mean_days is None else f"{t.mean_days:.1f}",
            "before": EMPTY if p.mean_days is None else f"{p.mean_days:.1f}",
            "change": days_change(t.mean_days, p.mean_days),
        }
    )
    return rows


def _named(rows: Sequence[Figures]) -> str:
    return "、".join(f"{plain(r.name)}（{r.score or 0:.2f}分）" for r in rows)


def _group(seq: int, name: str, rows: list[Figures], before: list[Figures]) -> dict[str, Any]:
    previous = {r.key: r for r in before}
    ranked = [r for r in rows if r.rank is not None]
    if len(ranked) >= 2:
        top = ranked[: min(3, len(ranked))]
        last = ranked[len(top) :][-3:]
        summary = f"综合得分排名前三位的是：{_named(top)}"
        summary += f"；排名后三位的是：{_named(last)}。" if last else "。"
    elif ranked:
        summary = f"本期仅{plain(ranked[0].name)}一个单位有考核业务量，不作排名比较。"
    else:
        summary = "本期无单位有考核业务量。"
    idle = len(rows) - len(ranked)
    if idle and ranked:
        summary += f"另有{idle}个单位本期无考核业务量，未列入下表。"
    out = []
    for r in ranked:
        p = previous.get(r.key)
        out.append(
            {
                "rank": EMPTY if r.rank is None else str(r.rank),
                "name": plain(r.name),
                "due": str(r.due),
                "on_time_rate": pct(r.on_time_rate),
                "on_time_change": points_change(r.on_time_rate, p.on_time_rate if p else None),
                "closure_rate": pct(r.closure_rate),
                "satisfaction_rate": pct(r.satisfaction_rate),
                "score": EMPTY if r.score is None else f"{r.score:.2f}",
                "rank_change": rank_change(r.rank, p.rank if p else None),
            }
        )
    return {"seq": CN_NUMERALS[seq - 1], "name": name, "summary": summary, "rows": out}


def _groups(a: Assessment, p: Assessment) -> list[dict[str, Any]]:
    """Departments, then the units one level below the scope (grid workers in a community)."""
    chosen: list[tuple[str, list[Figures], list[Figures]]] = [
        ("职能部门", a.departments, p.departments)
    ]
    if a.scope_level == OrgLevel.COUNTY:
        chosen.append(("街道", a.streets, p.streets))
    elif a.scope_level == OrgLevel.STREET:
        chosen.append(("社区", a.communities, p.communities))
    else:
        chosen.append(("网格员", a.grid_workers, p.grid_workers))
    chosen = [c for c in chosen if any(r.rank is not None for r in c[1])]
    return [_group(i, name, rows, before) for i, (name, rows, before) in enumerate(chosen, 1)]


def supervised_cases(session: Session, a: Assessment) -> list[dict[str, Any]]:
    """The cases of the scope urged (督办) in the period, the most recently urged first."""
    period = a.period
    scope = a.scope_id
    last_at = func.max(CaseEvent.at).label("last_at")
    stmt = (
        select(CaseEvent.case_id, last_at, func.count().label("times"))
        .join(Case, Case.id == CaseEvent.case_id)
        .where(
            CaseEvent.type == "supervised",
            CaseEvent.at >= period.start,
            CaseEvent.at < period.end,
            CaseEvent.rejected_code.is_(None),
            func.substr(Case.org_unit_id, 1, len(scope)) == scope,
        )
        .group_by(CaseEvent.case_id)
        .order_by(last_at.desc(), CaseEvent.case_id)
    )
    urged = session.execute(stmt).all()
    if not urged:
        return []
    ids = [r.case_id for r in urged]
    cases = {c.id: c for c in session.scalars(select(Case).where(Case.id.in_(ids)))}
    names = Names.load(session)
    out = []
    for r in urged:
        case = cases.get(r.case_id)
        if case is None:
            continue
        if case.closed_at is not None and _aware(case.closed_at) < period.end:
            state = STATE_ZH["closed"]
        elif case.voided_at is not None and _aware(case.voided_at) < period.end:
            state = STATE_ZH["voided"]
        else:
            state = "办理中"
        out.append(
            {
                "number": plain(case.number),
                "title": plain(case.title) or EMPTY,
                "assignee": plain(names.assignee(case.assignee_type, case.assignee_id)) or EMPTY,
                "supervised_at": _local(_aware(r.last_at))
                + (f"（{r.times}次）" if r.times > 1 else ""),
                "state": state,
            }
        )
    return out


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def notice_context(
    a: Assessment, previous: Assessment, supervised: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Everything the template prints, formatted (see the module docstring for the names).

    The 落款 is the assessment's ``sign_off`` (settings) dated the day it was computed."""
    t, p = a.totals, previous.totals
    issuer, issue_date, approvals = sign_off_lines(a)
    worst = sorted(a.overdue, key=lambda c: (-c.overdue_days, c.number))[:WORST_OVERDUE]
    overdue_rows = []
    for position, c in enumerate(worst, 1):
        overdue_rows.append(
            {
                "position": str(position),
                "number": plain(c.number),
                "title": plain(c.title) or plain(c.category) or EMPTY,
                "assignee": plain(c.assignee) or EMPTY,
                "deadline": _local(c.deadline),
                "overdue": overdue_text(c.overdue_days * a.minutes_per_day, a.minutes_per_day),
                "supervised": "是" if c.supervised else "否",
            }
        )
    n_supervised_overdue = sum(1 for c in a.overdue if c.supervised)
    if overdue_rows:
        overdue_summary = (
            f"截至期末，{plain(a.scope_name)}超期案件{t.overdue}件，其中已督办{n_supervised_overdue}件。"
            f"超期时间最长的{len(overdue_rows)}件如下："
        )
    else:
        overdue_summary = f"截至期末，{plain(a.scope_name)}无超期案件。"
    urged = supervised or []
    for position, row in enumerate(urged, 1):
        row["position"] = str(position)
    shown = urged[:SUPERVISED_LISTED]
    if urged:
        supervised_summary = f"本期督办案件{len(urged)}件" + (
            f"，列出最近督办的{len(shown)}件：" if len(shown) < len(urged) else "，具体如下："
        )
    else:
        supervised_summary = "本期无督办案件。"
    return {
        "title": plain(a.title),
        "scope": plain(a.scope_name),
        "period_label": a.period.label_zh(),
        "period_range": a.period.range_zh(),
        "previous_label": previous.period.label_zh(),
        "as_at_note": as_of_text(a.as_of) if a.as_of is not None else "",
        "t": {
            "created": str(t.created),
            "dispatched": str(t.dispatched),
            "due": str(t.due),
            "closed": str(t.closed),
            "on_time": str(t.on_time),
            "overdue": str(t.overdue),
            "rework": str(t.rework),
            "returned": str(t.returned),
            "closure_rate": pct(t.closure_rate),
            "on_time_rate": pct(t.on_time_rate),
            "ack_rate": pct(t.ack_rate),
            "satisfaction_rate": pct(t.satisfaction_rate),
            "on_time_change": points_change(t.on_time_rate, p.on_time_rate, words=True),
        },
        "figures": _figure_rows(t, p),
        "groups": _groups(a, previous),
        "overdue": overdue_rows,
        "overdue_summary": overdue_summary,
        "supervised": shown,
        "supervised_summary": supervised_summary,
        "issuer": plain(issuer),
        "issue_date": issue_date,
        "signatures": plain(approvals),
    }


# --------------------------------------------------------------------------- the document
def template_path(data_dir: Path | None) -> Path:
    """The office's template in ``data_dir/templates/`` if there is one, else the shipped one."""
    if data_dir is not None:
        own = Path(data_dir) / "templates" / TEMPLATE_NAME
        if own.is_file():
            return own
    return DEFAULT_TEMPLATE


def _bad_template(path: Path, detail: str) -> ValidationError:
    return ValidationError(
        QT_TRANSLATE_NOOP(
            "services",
            "The 通报 template {path} cannot be used ({detail}); correct it in Word, or remove it to use the template that comes with GridDesk.",
        ),
        field="template",
        path=str(path),
        detail=detail,
    )


def render_notice(context: dict[str, Any], template: Path, out: Path) -> Path:
    """Render ``context`` into ``template`` and write ``out`` (all or nothing)."""
    from docxtpl import DocxTemplate
    from jinja2 import StrictUndefined, TemplateError
    from jinja2.sandbox import SandboxedEnvironment

    template = Path(template)
    if not zipfile.is_zipfile(template):
        raise _bad_template(template, "not a .docx file")
    try:
        doc = DocxTemplate(str(template))
        # An office's own template is a file anyone with the data folder can swap: it
        # may fill in the figures, never reach Python's objects (the sandbox refuses
        # attributes such as __class__ with a SecurityError, a TemplateError).
        doc.render(context, SandboxedEnvironment(autoescape=True, undefined=StrictUndefined))
    except TemplateError as exc:
        raise _bad_template(template, str(exc)) from exc
    except (KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise _bad_template(template, str(exc) or type(exc).__name__) from exc
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".notice-", suffix=".docx", dir=out.parent)
    os.close(fd)
    try:
        doc.save(tmp_name)
        os.replace(tmp_name, out)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    return out


def notice_for(
    session: Session,
    actor: Actor,
    assessment: Assessment,
    calendar: WorkCalendar,
) -> dict[str, Any]:
    """The template's context for an assessment already computed for ``actor``: the
    previous period is assessed the same way, as things stood when this one was."""
    require(actor, Permission.EXPORT_BULLETIN)
    previous = assess(
        session,
        actor,
        assessment.period.previous(),
        calendar,
        assessment.scope_id,
        now=assessment.generated_at,
    )
    return notice_context(assessment, previous, supervised_cases(session, assessment))


def export_notice(
    session: Session,
    actor: Actor,
    period: Period,
    calendar: WorkCalendar,
    path: Path,
    scope_id: str | None = None,
    *,
    data_dir: Path | None = None,
    template: Path | None = None,
    now: datetime | None = None,
) -> Assessment:
    """Compute the assessment of ``period`` and write its 通报 to ``path``."""
    require(actor, Permission.EXPORT_BULLETIN)
    assessment = assess(session, actor, period, calendar, scope_id, now=now or utcnow())
    write_notice(session, actor, assessment, calendar, path, data_dir=data_dir, template=template)
    return assessment


def write_notice(
    session: Session,
    actor: Actor,
    assessment: Assessment,
    calendar: WorkCalendar,
    path: Path,
    *,
    data_dir: Path | None = None,
    template: Path | None = None,
) -> Path:
    """Write the 通报 of an assessment already computed (and shown) for ``actor``."""
    context = notice_for(session, actor, assessment, calendar)
    chosen = template or template_path(data_dir)
    out = render_notice(context, chosen, path)
    log.info("通报 %s written to %s from %s", assessment.period.key, out, chosen)
    return out


def default_notice_filename(assessment: Assessment) -> str:
    return clean_file_name(
        f"{assessment.scope_name}网格化服务管理工作通报_{assessment.period.key}.docx",
        limit=150,
        fallback="通报",
    )
