"""``flask`` commands: demo data, accounts, housekeeping, backup and restore."""

from __future__ import annotations

import os
import random
import secrets
import socket
import time as time_module
import uuid
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from cryptography.fernet import Fernet
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from . import records
from .accounts import recovery
from .accounts import service as accounts
from .accounts.models import ROLES, LoginSession, TotpFactor, User
from .accounts.sealing import InvalidToken, Sealer
from .assessments.service import ASSESSMENTS
from .db import utcnow
from .extensions import db
from .journal.service import ENTRIES, SESSIONS
from .mail import MailError, MailSettings, message, send
from .mail import link as mail_link
from .ops import backup as backups
from .reminders import worker as reminders
from .reminders.channels import EmailChannel
from .reminders.push import PushChannel
from .reminders.push import subject as push_subject

DEMO_EMAIL = "demo.patient@example.org"
DEMO_TIMEZONE = "America/New_York"
# Induction twice a week, then maintenance spaced out: days after the start of the journal.
DEMO_SESSION_DAYS = (28, 31, 35, 38, 56, 84, 119, 154)


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(ROLES), default="patient", show_default=True)
@click.option("--display-name", default=None)
@click.option("--timezone", default="UTC", show_default=True)
@click.option(
    "--link",
    is_flag=True,
    help="No password now: mail the person a one-use link to set theirs (7 days), or print "
    "it when no mail server is set. What happens without --password.",
)
@click.option("--password", default=None, help="Set this password instead (then nobody is mailed).")
@with_appcontext
def create_user(
    email: str,
    role: str,
    display_name: str | None,
    timezone: str,
    link: bool,
    password: str | None,
) -> None:
    """Create an account. Its address counts as confirmed: the operator knows the person.
    Unless --password is given, the person chooses their own by a one-use link."""
    if password is not None and link:
        raise click.UsageError("Give --password or --link, not both.")
    link = password is None
    user = accounts.register(
        db.session,
        hasher=current_app.extensions["password_hasher"],
        email=email,
        password=password or secrets.token_urlsafe(32),  # unknown to anyone until set
        role=role,
        display_name=display_name,
        timezone=timezone,
    )
    recovery.mark_verified(db.session, user, utcnow())
    db.session.flush()
    click.echo(f"Created {role} {user.email} ({user.id}).")
    if link:
        found = recovery.ask_reset(
            db.session, user.email, utcnow(), lifetime=recovery.SET_PASSWORD_LIFETIME
        )
        assert found is not None
        _give_set_password_link(user, found[1])
    db.session.commit()


def _give_set_password_link(user: User, token: str) -> None:
    settings = MailSettings.from_config(current_app.config)
    url = mail_link(settings, "/#/reset/" + token)
    if not settings.enabled:
        click.echo("No mail server is set: give the person this link (one use, 7 days):")
        click.echo(url)
        return
    text = (
        "An account on the clinic's Symptom Journal was made for you. Open this link to "
        f"choose your password (it works once, for 7 days):\n\n{url}\n"
    )
    try:
        send(settings, message(settings, user.email, "Symptom Journal: your account", text))
    except MailError as exc:
        click.echo(f"The mail was not sent ({exc}); give the person this link instead:")
        click.echo(url)
        return
    click.echo(f"Mailed {user.email} a link to set a password (one use, 7 days).")


@click.command("reset-password")
@click.option("--email", required=True, help="The account's address.")
@with_appcontext
def reset_password(email: str) -> None:
    """Print a link that sets a new password for an account (one use, 60 minutes): what
    the reset mail would hold, for when no mail server is set or the person is with you."""
    found = recovery.ask_reset(db.session, email, utcnow())
    if found is None:
        raise click.ClickException(f"No account uses {email}.")
    user, token = found
    accounts.record_event(
        db.session,
        user_id=user.id,
        kind="password_reset_asked",
        now=utcnow(),
        user_agent="flask reset-password",
    )
    db.session.commit()
    url = mail_link(MailSettings.from_config(current_app.config), "/#/reset/" + token)
    click.echo(f"A link to set a new password for {user.email}; it works once, for 60 minutes:")
    click.echo(url)


@click.command("make-factor-key")
def make_factor_key() -> None:
    """Print a new key for FACTOR_ENCRYPTION_KEYS (put it first; keep the old ones after it
    until `flask rotate-factor-keys` has run)."""
    click.echo(Fernet.generate_key().decode())


@click.command("rotate-factor-keys")
@with_appcontext
def rotate_factor_keys() -> None:
    """Seal every authenticator app's secret again with the first of FACTOR_ENCRYPTION_KEYS;
    after it, the keys after the first may be dropped."""
    sealer = Sealer.from_config(current_app.config)
    rows = db.session.scalars(select(TotpFactor).with_for_update()).all()
    try:
        for row in rows:
            row.secret = sealer.reseal(row.secret)
    except InvalidToken:
        db.session.rollback()
        raise click.ClickException(
            "A secret opens with none of the keys set (FACTOR_ENCRYPTION_KEYS, then the one "
            "from SECRET_KEY); nothing was changed. Put back the key that sealed it."
        ) from None
    db.session.commit()
    click.echo(f"Sealed {len(rows)} authenticator secret(s) with the first key.")


@click.command("purge-expired")
@with_appcontext
def purge_expired() -> None:
    """Delete login sessions past their absolute lifetime."""
    result = db.session.execute(delete(LoginSession).where(LoginSession.expires_at <= utcnow()))
    db.session.commit()
    click.echo(f"Deleted {result.rowcount} expired login sessions.")  # type: ignore[attr-defined]


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def _answers(total: int, items: int, top: int, rng: random.Random) -> list[int]:
    # Spread a total over the items, at most `top` each, in a random order.
    answers = [0] * items
    for _ in range(min(total, items * top)):
        index = rng.choice([i for i in range(items) if answers[i] < top])
        answers[index] += 1
    return answers


def demo_assessments(start: date, days: int, seed: int = 11) -> list[dict[str, Any]]:
    """Return PHQ-9 and GAD-7 every two weeks, improving once treatment starts."""
    rng = random.Random(seed)  # noqa: S311 - deterministic demo data, not secrets
    zone = ZoneInfo(DEMO_TIMEZONE)
    rows = []
    for offset in range(0, days, 14):
        day = start + timedelta(days=offset)
        local = datetime.combine(day, time(20, 30), tzinfo=zone)
        stamp = local.astimezone(timezone(local.utcoffset() or timedelta(0)))
        treated = max(0, offset - DEMO_SESSION_DAYS[0])
        relief = 1 - 0.975**treated
        phq9 = _answers(round(18 - 11 * relief + rng.gauss(0, 1)), 8, 3, rng)
        # Item 9 (thoughts of self-harm) answered "several days" before treatment began.
        phq9.append(1 if offset == 0 else 0)
        gad7 = _answers(round(14 - 8 * relief + rng.gauss(0, 1)), 7, 3, rng)
        for instrument, answers in (("phq9", phq9), ("gad7", gad7)):
            rows.append(
                {
                    "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                    "instrument": instrument,
                    "completed_at": stamp,
                    "answers": answers,
                }
            )
    return rows


class _Demo:
    """Makes the demo's records: one random source and one time zone for all of them."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - deterministic demo data, not secrets
        self.zone = ZoneInfo(DEMO_TIMEZONE)

    def new_id(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def stamp(self, day: date, hour: int, minute: int) -> datetime:
        local = datetime.combine(day, time(hour, minute), tzinfo=self.zone)
        return local.astimezone(timezone(local.utcoffset() or timedelta(0)))

    def session(self, day: date, index: int, level: float) -> list[dict[str, Any]]:
        """Return the session of ``day`` and its check-ins before and after."""
        rng = self.rng
        session_id = self.new_id()
        session = {
            "id": session_id,
            "started_at": self.stamp(day, 10, 0),
            "duration_minutes": 40 if index < 4 else 50,
            "treatment": "ketamine_iv",
            "dose_mg": 35.0 if index < 2 else 45.0,
            "clinic": "Riverside Wellness Clinic",
            "notes": "Induction series." if index < 4 else "Maintenance.",
        }
        pre_systolic = rng.randint(118, 132)
        pre = {
            "id": self.new_id(),
            "recorded_at": self.stamp(day, 9, 40),
            "mood": _clamp(level - 0.5 + rng.gauss(0, 0.8), 0, 10),
            "anxiety": _clamp(7 - level * 0.6 + rng.gauss(0, 0.8), 0, 10),
            "systolic": pre_systolic,
            "diastolic": rng.randint(76, 86),
            "heart_rate": rng.randint(68, 84),
            "session_id": session_id,
            "phase": "pre",
            "note": "Nervous before the first one." if index == 0 else None,
        }
        post = {
            "id": self.new_id(),
            "recorded_at": self.stamp(day, 11, 15),
            "mood": _clamp(level + 1.5 + rng.gauss(0, 0.8), 0, 10),
            "anxiety": _clamp(5 - level * 0.5 + rng.gauss(0, 0.8), 0, 10),
            "dissociation": _clamp(6 - index * 0.4 + rng.gauss(0, 1), 0, 10),
            "systolic": pre_systolic + rng.randint(8, 24),
            "diastolic": rng.randint(84, 96),
            "heart_rate": rng.randint(74, 96),
            "side_effects": rng.sample(["nausea", "dizziness", "dissociation", "headache"], k=2),
            "session_id": session_id,
            "phase": "post",
            "note": "Felt floaty for about an hour, then calm." if index == 1 else None,
        }
        return [session, pre, post]

    def daily(self, day: date, offset: int, level: float) -> dict[str, Any]:
        """Return the evening check-in of ``day``."""
        rng = self.rng
        return {
            "id": self.new_id(),
            "recorded_at": self.stamp(day, 21, rng.randint(0, 59)),
            "mood": _clamp(level + rng.gauss(0, 1.0), 0, 10),
            "anxiety": _clamp(8 - level * 0.8 + rng.gauss(0, 1.0), 0, 10),
            "sleep_hours": round(rng.gauss(6.3 + level * 0.15, 0.7) * 4) / 4,
            "sleep_quality": _clamp(level + rng.gauss(0, 1.2), 0, 10),
            "note": "Walked by the river with my sister." if offset % 47 == 13 else None,
        }


def demo_journal(
    start: date, days: int, seed: int = 7
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return (sessions, entries) of a believable six months around eight treatments."""
    demo = _Demo(seed)
    sessions: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    session_days = {
        start + timedelta(days=offset): index for index, offset in enumerate(DEMO_SESSION_DAYS)
    }
    for offset in range(days):
        day = start + timedelta(days=offset)
        # Mood climbs from about 3 to about 6.5 once treatment starts, with a dip before each
        # maintenance session as the effect wears off.
        treated = max(0, offset - DEMO_SESSION_DAYS[0])
        level = 3.2 + 3.3 * (1 - 0.97**treated)
        if day in session_days:
            session, pre, post = demo.session(day, session_days[day], level)
            sessions.append(session)
            entries += [pre, post]
        if demo.rng.random() < 0.12:
            continue  # a missed day
        entries.append(demo.daily(day, offset, level))
    return sessions, entries


@click.command("demo-data")
@with_appcontext
def demo_data() -> None:
    """Create a demo patient with six months of entries, eight sessions and questionnaires;
    print the login."""
    existing = db.session.scalar(select(User).where(User.email_key == DEMO_EMAIL))
    if existing is not None:
        db.session.delete(existing)
        db.session.flush()
    password = "demo-" + secrets.token_urlsafe(12)
    user = accounts.register(
        db.session,
        hasher=current_app.extensions["password_hasher"],
        email=DEMO_EMAIL,
        password=password,
        role="patient",
        display_name="Demo Patient",
        timezone=DEMO_TIMEZONE,
    )
    today = datetime.now(ZoneInfo(DEMO_TIMEZONE)).date()
    sessions, entries = demo_journal(today - timedelta(days=181), 182)
    assessments = demo_assessments(today - timedelta(days=181), 182)
    now = utcnow()
    for kind, rows in ((SESSIONS, sessions), (ENTRIES, entries), (ASSESSMENTS, assessments)):
        for row in rows:
            record_id = row.pop("id")
            records.put_record(
                db.session,
                kind,
                owner_id=user.id,
                record_id=record_id,
                values=row,
                if_match=None,
                now=now,
            )
    db.session.commit()
    click.echo(
        f"Demo patient with {len(sessions)} sessions, {len(entries)} entries and "
        f"{len(assessments)} questionnaires."
    )
    click.echo(f"  email:    {DEMO_EMAIL}")
    click.echo(f"  password: {password}")


def _scripts() -> ScriptDirectory:
    config = AlembicConfig()
    config.set_main_option("script_location", str(current_app.config["MIGRATIONS_DIR"]))
    return ScriptDirectory.from_config(config)


@click.command("backup")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_command(folder: Path) -> None:
    """Copy the database into FOLDER (new or empty), consistently, while the app serves."""
    try:
        manifest = backups.backup(db.engine, folder)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"Backed up the {manifest.database} database (schema {manifest.migration_head}, "
        f"app {manifest.app_version}) to {folder / manifest.file}: {manifest.bytes:,} bytes, "
        f"SHA-256 {manifest.sha256}."
    )


@click.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
def restore_command(folder: Path) -> None:
    """Restore the backup in FOLDER into this instance's empty database, then upgrade it."""
    try:
        manifest = backups.restore(db.engine, folder, _scripts())
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    upgrade(directory=str(current_app.config["MIGRATIONS_DIR"]))
    click.echo(
        f"Restored the backup of {manifest.created_at} (schema {manifest.migration_head}, "
        f"app {manifest.app_version}); the schema is now at "
        f"{backups.current_head(db.engine)}. Sign-ins, share links and settings are as they "
        "were at the backup."
    )


@click.command("reminders-worker")
@click.option("--once", is_flag=True, help="One pass, then exit.")
@click.option("--interval", default=30.0, show_default=True, help="Seconds between passes.")
@with_appcontext
def reminders_worker(once: bool, interval: float) -> None:
    """Send due reminders (any number of these may run: each reminder goes out once)."""
    name = f"{socket.gethostname()}:{os.getpid()}"
    mail = MailSettings.from_config(current_app.config)
    channels: list[Any] = [
        PushChannel(current_app.extensions["vapid"], push_subject(current_app.config)),
        EmailChannel(mail),
    ]
    if not mail.enabled:
        click.echo("Mail is off (MAIL_SERVER is not set): email reminders are not sent.")

    passes = reminders.Worker(name, channels)

    def one_pass(session: Session) -> None:
        tally = passes.run(session, utcnow())
        if once or tally.claimed or tally.planned:
            click.echo(
                f"Reminders: {tally.planned} planned, {tally.sent} sent, {tally.dropped} "
                f"dropped, {tally.rescheduled} moved, {tally.failed} failed, "
                f"{tally.resends} resent after a stopped worker."
            )

    while True:
        try:
            with Session(db.engine) as session:
                one_pass(session)
        except SQLAlchemyError as exc:
            if once:
                raise click.ClickException(f"the database failed: {type(exc).__name__}") from None
            # The database is away (a restart, a network cut): try again next pass.
            current_app.logger.error("reminders: the database failed: %s", type(exc).__name__)
        if once:
            return
        time_module.sleep(interval)


commands = [
    create_user,
    reset_password,
    make_factor_key,
    rotate_factor_keys,
    purge_expired,
    demo_data,
    backup_command,
    restore_command,
    reminders_worker,
]
