"""Randomised fault run: desktops working offline and syncing through a bad network.

    python -m tests.fault_run --rounds 200            # SQLite county server
    python -m tests.fault_run --rounds 200 --pg       # PostgreSQL (GRIDDESK_TEST_PG_URL)

Three desktops (two coordinators of one street, one of the other) record
visits and case events while a TCP proxy refuses, delays and cuts connections
in the middle of requests and responses, the server answers 500 before or
after doing the work, rounds are interrupted half-way (the client "dies") and
desktops change the same cases concurrently. At the end the faults stop,
everybody syncs, and the run checks that both sides hold every record exactly
once: every local record reached the county or was rejected and is shown,
every county record in a desktop's scope is on that desktop, and each case
reads the same on the desktop as at the county. Some comments carry photos (a small pool, so desks attach the
same file): their blob uploads and downloads go through the same faults, and
the run checks that the county holds every blob an accepted event names, each
once and with its hash, and that every desk holds, with its hash, every blob
of its cases. Exit status 0 when all holds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import random
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from county_server.models import Blob
from models.enums import OutboxKind
from models.queue import Attachment
from models.tables import Case, CaseEvent, Department, OutboxItem, User, Visit
from models.types import utcnow
from services import sync
from services.attachments.records import entries_of
from services.attachments.store import local_blob
from services.cases import actions
from services.cases.permissions import Actor
from services.cases.projection import ALLOWED
from services.cases.records import add_outbox, create_case, dispatch, projection_from_row, record
from services.errors import DomainError
from services.protocol.wire import visit_wire
from services.sync.blobs import attachments_folder
from services.worktime.workdays import load_calendar
from tests.sync_harness import (
    Desktop,
    FaultProxy,
    ServerThread,
    demo_server_db,
    fresh_server_url,
    random_plan,
)

GRIDS = {"990101001": "990101001001001", "990101002": "990101002001001"}
DESKTOPS = (
    ("a", "coordinator", "990101001"),
    ("b", "coordinator", "990101001"),
    ("c", "coordinator2", "990101002"),
)


class Run:
    def __init__(
        self, rng: random.Random, server: ServerThread, proxy: FaultProxy, folder: Path
    ) -> None:
        self.rng = rng
        self.server = server
        self.proxy = proxy
        self.desks: dict[str, Desktop] = {}
        self.users: dict[str, str] = {}
        self.street: dict[str, str] = {}
        for name, username, street in DESKTOPS:
            desk = Desktop.create(folder / name, proxy.url, timeout=5.0)
            self.desks[name] = desk
            self.users[name] = username
            self.street[name] = street
        self.stats: Counter[str] = Counter()
        self.photos = [_photo(folder / "photos", n) for n in range(5)]

    # ------------------------------------------------------------ local work
    def actor(self, desk: Desktop, username: str) -> Actor:
        with desk.db.sessions() as session:
            user = session.scalar(select(User).where(User.username == username))
            assert user is not None
            return Actor.from_user(user)

    def work(self, name: str) -> None:
        desk = self.desks[name]
        who = self.actor(desk, self.users[name])
        rng = self.rng
        for _ in range(rng.randint(0, 3)):
            try:
                with desk.db.session() as session:
                    self._one_action(session, who, name)
            except DomainError:
                self.stats["local_refused"] += 1

    def _one_action(self, session: Any, who: Actor, name: str) -> None:
        rng = self.rng
        cases = list(session.scalars(select(Case).order_by(Case.id)))
        if not cases or rng.random() < 0.25:
            visit_id = None
            if rng.random() < 0.5:
                visit_id = str(uuid.uuid4())
                visit = Visit(
                    id=visit_id,
                    org_unit_id=GRIDS[self.street[name]],
                    at=utcnow(),
                    received_by=who.id,
                    visitor_name="王先生",
                    visitor_phone="13812345678",
                    purpose="complaint",
                    summary="反映噪音",
                    resolved_on_the_spot=False,
                )
                session.add(visit)
                session.flush()
                add_outbox(session, OutboxKind.VISIT, visit_id, visit_wire(visit))
            category = session.scalar(select(Department.id).limit(1))
            assert category is not None
            from models.tables import Category

            code = session.scalar(
                select(Category.code).where(Category.parent_code.is_not(None)).limit(1)
            )
            create_case(
                session,
                who,
                title="噪音扰民",
                description="夜间施工",
                category_code=str(code),
                org_unit_id=GRIDS[self.street[name]],
                visit_id=visit_id,
            )
            self.stats["created"] += 1
            return
        case = rng.choice(cases)
        allowed = ALLOWED[case.state]
        choices = [
            t
            for t in (
                "dispatched",
                "commented",
                "supervised",
                "suspended",
                "resumed",
                "voided",
                "closed",
            )
            if t in allowed
        ]
        if not choices:
            return
        kind = rng.choice(choices)
        if kind == "dispatched":
            calendar = load_calendar(session)
            if rng.random() < 0.15:
                other = "990101002" if self.street[name] == "990101001" else "990101001"
                dispatch(session, who, calendar, case.id, "org_unit", other)
            else:
                dept = rng.choice(list(session.scalars(select(Department.id))))
                dispatch(session, who, calendar, case.id, "department", dept)
        else:
            data: dict[str, Any] = {
                "commented": {"text": "跟进"},
                "supervised": {"note": "请加快"},
                "suspended": {"reason": "等待预算"},
                "resumed": {},
                "voided": {"reason": "重复", "duplicate_of": None},
                "closed": {"resolution": "on_the_spot", "note": ""},
            }[kind]
            if kind == "commented" and rng.random() < 0.5:
                files = rng.sample(self.photos, rng.randint(1, 2))
                folder = attachments_folder(self.desks[name].db)
                actions.comment(session, who, case.id, "现场照片", files=files, folder=folder)
                self.stats["commented_with_photos"] += 1
            else:
                record(session, who, case.id, kind, data)
        self.stats[kind] += 1

    # ------------------------------------------------------------ syncing
    async def sync_round(self, name: str, kill_after: float | None) -> None:
        engine = self.desks[name].engine(
            push_batch=self.rng.choice([1, 3, 50]), pull_limit=self.rng.choice([2, 10, 500])
        )

        async def round_and_blobs() -> None:
            await engine.run_round()
            await engine.download_blobs()

        task = asyncio.ensure_future(round_and_blobs())
        try:
            if kill_after is None:
                await task
            else:
                done, _ = await asyncio.wait({task}, timeout=kill_after)
                if not done:
                    task.cancel()
                    self.stats["killed"] += 1
                    with contextlib.suppress(BaseException):
                        await task
                    # Work already handed to a database thread finishes (or not) atomically.
                    await asyncio.sleep(0.05)
                else:
                    task.result()
            self.stats["rounds_ok"] += 1
        except sync.SyncError as exc:
            self.stats[f"failed_{exc.code}"] += 1
        finally:
            await engine.close()
            moved = engine.blob_sync().stats
            self.stats["blob_uploaded"] += moved.uploaded
            self.stats["blob_sent_again"] += moved.already_held
            self.stats["blob_missing_answers"] += moved.missing_blob
            self.stats["blob_downloaded"] += moved.downloaded
            self.stats["blob_download_failed"] += moved.download_failed

    def faults(self, on: bool) -> None:
        rng = self.rng
        rate = rng.uniform(0.0, 0.5) if on else 0.0
        self.proxy.plan = random_plan(rng, rate)
        p500 = rng.uniform(0, 0.3) if on else 0.0
        self.server.faults.slow_seconds = 0.2

        def decide(path: str) -> str | None:
            if "/blobs/" in path:
                self.stats["blob_requests"] += 1
            if rng.random() < p500:
                if "/blobs/" in path:
                    self.stats["blob_server_faults"] += 1
                return rng.choice(["500_before", "500_after", "slow"])
            return None

        self.server.faults.decide = decide

    def login_all(self) -> None:
        for name, desk in self.desks.items():
            for attempt in range(5):
                try:
                    desk.login(self.users[name])
                    break
                except sync.SyncError:
                    if attempt == 4:
                        raise
                    time.sleep(1)

    async def round(self) -> None:
        for name in self.desks:
            if self.rng.random() < 0.7:
                self.work(name)
        self.faults(True)
        for name in self.desks:
            if self.rng.random() < 0.6:
                kill = self.rng.uniform(0.0, 0.4) if self.rng.random() < 0.15 else None
                await self.sync_round(name, kill)
        self.faults(False)

    async def settle(self) -> None:
        self.faults(False)
        for _ in range(3):
            for name in self.desks:
                await self.sync_round(name, None)

    # ------------------------------------------------------------ checks
    def check(self) -> list[str]:
        problems: list[str] = []
        sdb = self.server.db
        with sdb.sessions() as session:
            server_events = {e.id: e for e in session.scalars(select(CaseEvent))}
            server_cases = {c.id: projection_from_row(c) for c in session.scalars(select(Case))}
            server_visits = set(session.scalars(select(Visit.id)))
            ids = list(session.scalars(select(CaseEvent.id)))
            if len(ids) != len(set(ids)):
                problems.append("the server holds an event twice")
        for name, desk in self.desks.items():
            street = self.street[name]
            with desk.db.sessions() as session:
                statuses = Counter(session.scalars(select(OutboxItem.status)))
                if statuses.get("pending"):
                    problems.append(f"{name}: {statuses['pending']} items still pending")
                for item in session.scalars(select(OutboxItem)):
                    on_server = item.item_id in (
                        server_events if item.kind == "case_event" else server_visits
                    )
                    if item.status == "sent" and not on_server:
                        problems.append(
                            f"{name}: sent {item.kind} {item.item_id} is not at the county"
                        )
                    if item.status == "rejected" and on_server:
                        problems.append(f"{name}: rejected {item.item_id} is at the county")
                    if item.status == "rejected" and not item.reject_code:
                        problems.append(f"{name}: rejected {item.item_id} has no code")
                local_events = list(session.scalars(select(CaseEvent)))
                local_ids = [e.id for e in local_events]
                if len(local_ids) != len(set(local_ids)):
                    problems.append(f"{name}: an event is stored twice")
                for event in local_events:
                    if event.rejected_code is not None:
                        # Refused and kept, marked (shown on the sync screen and struck
                        # through in the timeline); the county must not hold it.
                        if event.id in server_events:
                            problems.append(f"{name}: rejected event {event.id} is at the county")
                        continue
                    if event.id not in server_events:
                        problems.append(f"{name}: local event {event.id} never reached the county")
                    elif event.server_seq is None:
                        problems.append(f"{name}: event {event.id} has no county order")
                local_set = set(local_ids)
                for event in server_events.values():
                    case = server_cases[event.case_id]
                    visible = any(
                        k and k.startswith(street)
                        for k in (
                            case.org_unit_id,
                            case.escalated_to,
                            case.assignee_id if case.assignee_type == "org_unit" else None,
                        )
                    )
                    if visible and event.id not in local_set:
                        problems.append(
                            f"{name}: county event {event.id} of a case in scope is missing"
                        )
                for case in session.scalars(select(Case)):
                    mine = projection_from_row(case)
                    theirs = server_cases.get(case.id)
                    if theirs != mine:
                        problems.append(f"{name}: case {case.id} differs from the county's")
                visits = list(session.scalars(select(Visit.id)))
                for visit_id in visits:
                    if visit_id not in server_visits:
                        problems.append(f"{name}: visit {visit_id} never reached the county")
                self.stats["rejected_shown"] += statuses.get("rejected", 0)
        problems += self.check_blobs(server_events)
        with sdb.sessions() as session:
            self.stats["server_events"] = (
                session.scalar(select(func.count()).select_from(CaseEvent)) or 0
            )
            self.stats["server_visits"] = len(server_visits)
        return problems

    def check_blobs(self, server_events: dict[str, CaseEvent]) -> list[str]:
        """Every blob an accepted event names is held once with its hash; every desk
        holds, with its hash, every blob of its cases."""
        problems: list[str] = []
        named = {e.sha256 for event in server_events.values() for e in entries_of(event.data)}
        store = self.server.faults.app.state.blobs.store
        with self.server.db.sessions() as session:
            held = list(session.scalars(select(Blob.sha256)))
        if len(held) != len(set(held)):
            problems.append("the county records a blob twice")
        for sha in sorted(named):
            if sha not in held:
                problems.append(f"blob {sha[:12]} named by an accepted event is not at the county")
                continue
            path = store.path(sha)
            if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != sha:
                problems.append(f"the county's file of blob {sha[:12]} does not match its hash")
        files = [p for p in store.root.rglob("*") if p.is_file() and not p.name.startswith(".")]
        if len(files) != len(set(held)):
            problems.append(f"the county holds {len(files)} blob files for {len(held)} records")
        self.stats["county_blobs"] = len(held)
        for name, desk in self.desks.items():
            folder = attachments_folder(desk.db)
            assert folder is not None
            with desk.db.sessions() as session:
                wanted = set(session.scalars(select(Attachment.sha256)))
            for sha in sorted(wanted):
                path = local_blob(folder, sha)
                if path is None:
                    problems.append(f"{name}: blob {sha[:12]} of its cases was never downloaded")
                elif hashlib.sha256(path.read_bytes()).hexdigest() != sha:
                    problems.append(f"{name}: blob {sha[:12]} does not match its hash")
            self.stats["desk_blobs"] += len(wanted)
        return problems


def _photo(folder: Path, seed: int) -> Path:
    """A small PNG of noise: a few kilobytes, so cuts fall inside its upload."""
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    pixels = bytes(rng.randrange(256) for _ in range(40 * 40 * 3))
    path = folder / f"photo{seed}.png"
    Image.frombytes("RGB", (40, 40), pixels).save(path, format="PNG")
    return path


async def run_async(
    args: argparse.Namespace, server: ServerThread, proxy: FaultProxy, folder: Path
) -> int:
    rng = random.Random(args.seed)
    run = Run(rng, server, proxy, folder)
    await asyncio.to_thread(run.login_all)
    started = time.perf_counter()
    for number in range(1, args.rounds + 1):
        await run.round()
        if not args.quiet and number % 20 == 0:
            print(
                f"  round {number}/{args.rounds} ({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
    await run.settle()
    problems = run.check()
    for desk in run.desks.values():
        desk.close()
    summary = ", ".join(f"{k} {v}" for k, v in sorted(run.stats.items()))
    print(f"fault run: {args.rounds} rounds, seed {args.seed}: {summary}")
    print(f"proxy faults: {dict(proxy.faults)}; server faults: {dict(server.faults.counts)}")
    if problems:
        print(f"FAILED: {len(problems)} problems")
        for problem in problems[:50]:
            print("  " + problem)
        return 1
    print("OK: every record is held exactly once on both sides")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fault_run", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument(
        "--pg", action="store_true", help="PostgreSQL county server (GRIDDESK_TEST_PG_URL)"
    )
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    if args.seed is None:
        args.seed = random.randrange(1_000_000)
    import logging

    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="griddesk-fault-") as tmp:
        folder = Path(tmp)
        with fresh_server_url("pg" if args.pg else "sqlite", folder) as url:
            db = demo_server_db(url)
            try:
                with ServerThread(db) as server, FaultProxy(server.port) as proxy:
                    return asyncio.run(run_async(args, server, proxy, folder))
            finally:
                db.dispose()


if __name__ == "__main__":
    sys.exit(main())
