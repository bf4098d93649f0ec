"""Reminders over a simulated week: many patients, two workers, a push service on 127.0.0.1.

    .venv/bin/python bench/reminders.py [--patients 10000] [--days 7] [--tick 5] [--workers 2]

Seeds PostgreSQL (the database `symptom_journal_bench` on $BENCH_POSTGRES_URL's server,
default the local one) with patients in eight time zones, their reminder settings, planned
sessions, questionnaires done some days ago and one push subscription each. The week starts
on 2027-03-10, so the clocks change in America (14 March) inside it.

A clock moves through the week ``--tick`` minutes at a time. At each tick the patients first
log what they log by then (daily check-ins, before and after a session, at random times,
some before their reminder and some after it), then every worker runs one pass of the
product's worker (`reminders.worker.Worker.run`: plan every 10 minutes, claim with FOR
UPDATE SKIP LOCKED, deliver through Web Push) with the clock at that tick, all at once; the
next tick starts when every worker is done. The push service checks each request's VAPID
signature and decrypts its payload with that browser's keys.

Checked at the end, against the push service's record (exits 1 on any failure):
- every reminder due (by the schedule, with nothing logged yet for it at its time) arrived
  exactly once; none arrived twice; none before its time;
- none went to a patient who had logged that check-in before the reminder was sent.

Printed: reminders sent a second (over the time the passes took), and how late they came:
on the simulated clock (bounded by the tick, as the product's pass interval bounds it) and
in real time from the moment the clock reached them to their arrival at the push service.
The floor is the same number of pushes posted straight to the push service with pywebpush
from the same number of processes, no database; the ratio is reminders a second to it.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.orm import Session

from bench.common import database_url, fresh_schema
from symptom_journal import create_app
from symptom_journal.accounts.models import User
from symptom_journal.assessments.models import Assessment
from symptom_journal.journal.models import Entry, TreatmentSession
from symptom_journal.reminders import worker
from symptom_journal.reminders.models import (
    PushSubscription,
    ReminderDelivery,
    ReminderSettings,
)
from symptom_journal.reminders.push import PushChannel, load_vapid
from symptom_journal.reminders.schedule import Logged, due
from symptom_journal.reminders.schedule import Session as Planned
from symptom_journal.reminders.service import settings_of
from tests.reminders.pushservice import Browser, PushService

WEEK_START = datetime(2027, 3, 10, tzinfo=UTC)
ZONES = (
    "America/Los_Angeles",
    "America/New_York",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Australia/Sydney",
    "UTC",
)
CHUNK = 5000


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class CheckIn:
    """Something a patient logs at ``at``: a daily check-in, or a session's pre or post."""

    owner: uuid.UUID
    at: datetime
    zone: str
    session: uuid.UUID | None = None
    phase: str | None = None


def record(owner: uuid.UUID, local_day: date, offset: int, created: datetime) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "owner_id": owner,
        "utc_offset": offset,
        "local_date": local_day,
        "version": 1,
        "created_at": created,
        "updated_at": created,
        "deleted_at": None,
    }


def local(at: datetime, zone: str) -> tuple[date, int]:
    moment = at.astimezone(ZoneInfo(zone))
    offset = moment.utcoffset()
    return moment.date(), int(offset.total_seconds() // 60) if offset else 0


def at_local_time(day: date, hour: int, minute: int, zone: str) -> datetime:
    return datetime.combine(day, clock(hour, minute), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def seed(session: Session, patients: int, days: int, rng: random.Random, origin: str) -> Any:
    """Add the patients, their settings, sessions, questionnaires and subscriptions; return
    what they will log during the week, in time order, and their browsers' names."""
    users, settings, sessions, assessments, subscriptions = [], [], [], [], []
    later: list[CheckIn] = []
    created = WEEK_START - timedelta(days=60)
    browsers: dict[str, Browser] = {}
    for index in range(patients):
        owner, zone = uuid.uuid4(), ZONES[index % len(ZONES)]
        users.append(
            {
                "id": owner,
                "email": f"p{index}@example.org",
                "email_key": f"p{index}@example.org",
                "password_hash": "-",
                "role": "patient",
                "timezone": zone,
                "created_at": created,
                "updated_at": created,
                "failed_logins": 0,
            }
        )
        quiet = rng.random() < 0.5
        settings.append(
            {
                "owner_id": owner,
                "enabled": True,
                "daily_time": clock(rng.randint(7, 21), rng.choice((0, 15, 30, 45)))
                if rng.random() < 0.7
                else None,
                "before_session_minutes": 60,
                "after_session_minutes": 120,
                "next_morning": True,
                "questionnaire_every_days": 14,
                "include_pcl5": rng.random() < 0.2,
                "quiet_start": clock(22) if quiet else None,
                "quiet_end": clock(7) if quiet else None,
                "by_email": False,
                "updated_at": created,
            }
        )
        done = (WEEK_START - timedelta(days=rng.randint(1, 20))).date()
        for instrument in ("phq9", "gad7"):
            row = record(owner, done, 0, created)
            completed = datetime.combine(done, clock(10), tzinfo=UTC)
            row |= {"completed_at": completed, "instrument": instrument, "answers": [0] * 9}
            row |= {"session_id": None, "phase": None, "total": 0, "severity": "minimal"}
            row |= {"dsm5_criteria_met": None}
            assessments.append(row)
        for _ in range(rng.choice((0, 1, 1, 1, 2))):
            day = (WEEK_START + timedelta(days=rng.randrange(days))).astimezone(ZoneInfo(zone))
            started = at_local_time(day.date(), rng.randint(9, 16), rng.choice((0, 30)), zone)
            row = record(owner, *local(started, zone), created)
            row |= {"started_at": started, "duration_minutes": 45, "treatment": "ketamine_iv"}
            row |= {"dose_mg": 40.0, "clinic": None, "notes": None}
            sessions.append(row)
            if rng.random() < 0.7:  # before: often after the reminder an hour ahead, not always
                before = started - timedelta(minutes=rng.randint(5, 90))
                later.append(CheckIn(owner, before, zone, row["id"], "pre"))
            if rng.random() < 0.6:  # after: around the reminder two hours after the start
                after = started + timedelta(minutes=rng.randint(45, 240))
                later.append(CheckIn(owner, after, zone, row["id"], "post"))
        for offset in range(-1, days + 1):
            day = (WEEK_START + timedelta(days=offset)).astimezone(ZoneInfo(zone)).date()
            if rng.random() < 0.6:
                moment = at_local_time(day, rng.randint(7, 22), rng.randrange(60), zone)
                later.append(CheckIn(owner, moment, zone))
        browser = Browser(str(index), f"{origin}/push/{index}")
        browsers[browser.name] = browser
        keys = browser.subscription()["keys"]
        subscriptions.append(
            {
                "id": uuid.uuid4(),
                "owner_id": owner,
                "endpoint": browser.endpoint,
                "p256dh": keys["p256dh"],
                "auth": keys["auth"],
                "created_at": created,
            }
        )
    for table, rows in (
        (User, users),
        (ReminderSettings, settings),
        (TreatmentSession, sessions),
        (Assessment, assessments),
        (PushSubscription, subscriptions),
    ):
        for first in range(0, len(rows), CHUNK):
            session.execute(insert(table), rows[first : first + CHUNK])
    session.commit()
    later.sort(key=lambda c: c.at)
    return later, browsers


def log_check_ins(session: Session, check_ins: list[CheckIn]) -> None:
    rows = []
    for item in check_ins:
        row = record(item.owner, *local(item.at, item.zone), item.at)
        row |= {"recorded_at": item.at, "mood": 6, "anxiety": 3, "sleep_hours": 7.0}
        row |= {"sleep_quality": 6, "dissociation": None, "systolic": None, "diastolic": None}
        row |= {"heart_rate": None, "side_effects": [], "note": None}
        row |= {"session_id": item.session, "phase": item.phase}
        rows.append(row)
    if rows:
        session.execute(insert(Entry), rows)
        session.commit()


def work(name: str, url: str, instance: str, barrier: Any, clock_at: Any, out: Any) -> None:
    """One worker: a pass at every tick, until the clock is set to 0."""
    import os

    os.environ["INSTANCE_PATH"] = instance
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        engine = create_engine(url)
        channel = PushChannel(app.extensions["vapid"], "mailto:bench@example.org")
        passes = worker.Worker(name, [channel])
        totals = Counter[str]()
        late: list[float] = []
        busy = 0.0
        while True:
            barrier.wait()
            if clock_at.value == 0:
                break
            now = datetime.fromtimestamp(clock_at.value, UTC)
            began = time.perf_counter()
            with Session(engine) as session:
                tally = passes.run(session, now)
            busy += time.perf_counter() - began
            late.extend(tally.late_seconds)
            for part in ("planned", "claimed", "sent", "dropped", "rescheduled", "failed"):
                totals[part] += getattr(tally, part)
            totals["resends"] += tally.resends
            barrier.wait()
        engine.dispose()
    out.put((name, dict(totals), late, busy))


def floor_pushes(instance: str, subscription: dict[str, Any], count: int, out: Any) -> None:
    """The floor: ``count`` pushes posted with pywebpush to the push service, no database."""
    from pywebpush import webpush

    vapid = load_vapid({}, Path(instance))
    payload = '{"title":"Symptom Journal","body":"Time for your check-in.","url":"/#/today"}'
    began = time.perf_counter()
    for _ in range(count):
        webpush(
            subscription,
            payload,
            vapid_private_key=vapid,
            vapid_claims={"sub": "mailto:bench@example.org"},
            ttl=3600,
            timeout=10,
        )
    out.put(time.perf_counter() - began)


def covered(row_key: str, sent_at: datetime, logged: dict[str, datetime]) -> bool:
    """Whether the check-in a reminder asks for was logged at or before ``sent_at``."""
    at = logged.get(row_key)
    return at is not None and at <= sent_at


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--tick", type=int, default=5, help="minutes of the clock a pass")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    rng = random.Random(7)
    folder = tempfile.mkdtemp(prefix="bench-reminders-")
    url = database_url("postgresql", folder)
    fresh_schema(url, folder)
    engine = create_engine(url)
    context = multiprocessing.get_context("spawn")

    with PushService() as push:
        with Session(engine) as session:
            log(f"seeding {args.patients:,} patients")
            check_ins, browsers = seed(session, args.patients, args.days, rng, push.origin)
            push.browsers.update(browsers)
            session.execute(text("ANALYZE"))
            session.commit()

        barrier = context.Barrier(args.workers + 1)
        clock_at = context.Value("d", 0.0)
        out = context.Queue()
        procs = [
            context.Process(
                target=work, args=(f"w{n}", url, folder, barrier, clock_at, out), daemon=True
            )
            for n in range(1, args.workers + 1)
        ]
        for proc in procs:
            proc.start()
        ticks = args.days * 24 * 60 // args.tick
        tick_started: dict[float, float] = {}
        position, walls = 0, {}
        log(f"{len(check_ins):,} check-ins to come; {ticks:,} passes of {args.tick} minutes")
        with Session(engine) as session:
            for step in range(ticks + 1):
                now = WEEK_START + timedelta(minutes=step * args.tick)
                upto = position
                while upto < len(check_ins) and check_ins[upto].at <= now:
                    upto += 1
                log_check_ins(session, check_ins[position:upto])
                position = upto
                clock_at.value = now.timestamp()
                began = time.time()
                tick_started[now.timestamp()] = began
                barrier.wait()  # the workers pass
                barrier.wait()  # every one is done
                walls[now.timestamp()] = time.time() - began
                if step % (24 * 60 // args.tick) == 0:
                    log(f"  {now:%a %d %b %H:%M}: {len(push.received):,} pushes so far")
        clock_at.value = 0
        barrier.wait()
        results = [out.get(timeout=60) for _ in procs]
        for proc in procs:
            proc.join(timeout=30)
        end = WEEK_START + timedelta(minutes=ticks * args.tick)
        received = list(push.received)

        # The floor: as many processes posting the same number of pushes, no database.
        per = max(1, len(received) // args.workers)
        floors = context.Queue()
        floor_procs = []
        for n in range(args.workers):
            browser = push.browser(f"floor{n}")
            floor_procs.append(
                context.Process(
                    target=floor_pushes, args=(folder, browser.subscription(), per, floors)
                )
            )
        for proc in floor_procs:
            proc.start()
        floor_seconds = [floors.get(timeout=900) for _ in floor_procs]
        for proc in floor_procs:
            proc.join(timeout=30)

    return report(
        engine, args, received, check_ins, results, walls, tick_started, end, floor_seconds
    )


def report(
    engine: Any,
    args: Any,
    received: list[Any],
    check_ins: list[CheckIn],
    results: list[Any],
    walls: dict[float, float],
    tick_started: dict[float, float],
    end: datetime,
    floor_seconds: list[float],
) -> int:
    with Session(engine) as session:
        rows = session.scalars(select(ReminderDelivery)).all()
        people = {u.id: u for u in session.scalars(select(User))}
        settings = {s.owner_id: settings_of(s) for s in session.scalars(select(ReminderSettings))}
        planned: dict[uuid.UUID, list[Planned]] = {}
        for owner, sid, started in session.execute(
            select(TreatmentSession.owner_id, TreatmentSession.id, TreatmentSession.started_at)
        ):
            planned.setdefault(owner, []).append(Planned(sid, started))
        last: dict[uuid.UUID, dict[str, date]] = {}
        for owner, instrument, day in session.execute(
            select(Assessment.owner_id, Assessment.instrument, Assessment.local_date)
        ):
            last.setdefault(owner, {})[instrument] = day
    index = {u.email.split("@")[0][1:]: u.id for u in people.values()}

    # When each reminder's check-in was first logged, by (owner, key).
    logged: dict[tuple[uuid.UUID, str], datetime] = {}
    sessions_by_id = {s.id: s for found in planned.values() for s in found}
    for item in check_ins:
        keys = []
        if item.phase == "pre":
            keys.append(f"before_session:{item.session}")
        elif item.phase == "post":
            keys.append(f"after_session:{item.session}")
        day = item.at.astimezone(ZoneInfo(item.zone)).date()
        keys.append(f"daily:{day}")
        for found in planned.get(item.owner, []):
            zone = ZoneInfo(item.zone)
            if found.started_at.astimezone(zone).date() + timedelta(days=1) == day:
                keys.append(f"next_morning:{found.id}")
        for key in keys:
            logged.setdefault((item.owner, key), item.at)
    del sessions_by_id

    failures: list[str] = []
    received = [r for r in received if r.browser in index]  # not the floor's
    arrivals = Counter((index[r.browser], r.payload["tag"]) for r in received)
    twice = [key for key, count in arrivals.items() if count > 1]
    if twice:
        failures.append(f"{len(twice)} reminders arrived more than once, e.g. {twice[:3]}")
    sent = {(r.owner_id, r.key): r for r in rows if r.status == "sent"}
    if set(arrivals) != set(sent):
        failures.append(
            f"arrivals and sent rows differ: {len(set(arrivals) - set(sent))} arrived unsent, "
            f"{len(set(sent) - set(arrivals))} sent but not arrived"
        )
    early = [r.key for r in sent.values() if r.sent_at < r.due_at]
    if early:
        failures.append(f"{len(early)} sent before their time, e.g. {early[:3]}")
    after_check_in = [
        key for key, row in sent.items() if key in logged and logged[key] <= row.sent_at
    ]
    if after_check_in:
        failures.append(f"{len(after_check_in)} sent after the check-in, e.g. {after_check_in[:3]}")
    health = [
        r.payload
        for r in received
        if r.browser in index and set(r.payload) != {"title", "body", "url", "tag"}
    ]
    if health:
        failures.append(f"{len(health)} payloads carry more than a title, text, screen and tag")

    # Every reminder the schedule says was due by the last pass, with its check-in not yet
    # logged at its time, arrived. One whose check-in came between its time and the pass
    # that reached it may be dropped or sent: either is right.
    tick = timedelta(minutes=args.tick)
    missing = []
    expected = 0
    for owner, user in people.items():
        journal = Logged(
            sessions=tuple(sorted(planned.get(owner, []), key=lambda s: s.started_at)),
            last_completed=last.get(owner, {}),
            first_day=user.created_at.astimezone(ZoneInfo(user.timezone)).date(),
        )
        for reminder in due(settings[owner], ZoneInfo(user.timezone), journal, WEEK_START, end):
            at = logged.get((owner, reminder.key))
            if at is not None and at <= reminder.due_at + tick:
                continue
            expected += 1
            if (owner, reminder.key) not in sent:
                missing.append(reminder.key)
    if missing:
        failures.append(f"{len(missing)} due reminders never arrived, e.g. {missing[:3]}")

    totals = Counter[str]()
    late_sim: list[float] = []
    busy = []
    for _name, counted, late, seconds in results:
        totals.update(counted)
        late_sim.extend(late)
        busy.append(seconds)
    # Real lateness: from the tick whose clock first reached the reminder to its arrival.
    by_key = {(r.owner_id, r.key): r for r in rows}
    real = []
    for r in received:
        row = by_key.get((index.get(r.browser), r.payload["tag"]))
        if row is not None and row.sent_at is not None:
            real.append(r.at - tick_started[row.sent_at.timestamp()])
    # Reminders a second: over the passes that sent any, and in the busiest pass.
    per_pass = Counter(row.sent_at.timestamp() for row in sent.values())
    sending = sum(walls[at] for at in per_pass)
    rate = len(sent) / sending if sending else 0.0
    peak_at, peak = per_pass.most_common(1)[0] if per_pass else (0.0, 0)
    peak_rate = peak / walls[peak_at] if peak else 0.0
    seconds = sum(walls.values())
    floor_rate = sum(max(1, len(received) // args.workers) / s for s in floor_seconds)
    print(
        f"patients {args.patients:,}, {args.days} days, passes every {args.tick} minutes, "
        f"{args.workers} workers on PostgreSQL"
    )
    print(f"check-ins logged during the week: {len(check_ins):,}")
    print(
        f"reminders planned {totals['planned']:,}, sent {totals['sent']:,}, dropped "
        f"(check-in logged first) {totals['dropped']:,}, moved {totals['rescheduled']:,}, "
        f"failed {totals['failed']:,}, resent after a stopped worker {totals['resends']:,}"
    )
    print(
        f"due by the schedule and not yet logged at their time: {expected:,}; "
        f"arrived {len(received):,}; twice {len(twice)}; early {len(early)}; "
        f"after the check-in {len(after_check_in)}; missing {len(missing)}"
    )
    print(
        f"passes: {seconds:.1f} s for {len(walls):,} ticks (workers busy "
        f"{', '.join(f'{b:.1f}' for b in busy)} s)"
    )
    print(
        f"reminders a second: {rate:.0f} over the {len(per_pass):,} passes that sent any; "
        f"{peak_rate:.0f} in the busiest ({peak:,} in {walls.get(peak_at, 0):.2f} s, "
        f"{datetime.fromtimestamp(peak_at, UTC):%a %H:%M} UTC)"
    )
    print(
        f"floor: pywebpush straight to the push service, {args.workers} processes, no "
        f"database: {floor_rate:.0f}/s; ratio {rate / floor_rate:.2f} (busiest pass "
        f"{peak_rate / floor_rate:.2f})"
    )
    if late_sim:
        print(
            f"lateness on the clock: p50 {statistics.median(late_sim):.0f} s, "
            f"p99 {percentile(late_sim, 0.99):.0f} s (a pass every {args.tick * 60} s)"
        )
    if real:
        print(
            f"real time from the pass to the push service: p50 {statistics.median(real):.2f} s, "
            f"p99 {percentile(real, 0.99):.2f} s, max {max(real):.2f} s"
        )
    for failure in failures:
        print("FAILED: " + failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
