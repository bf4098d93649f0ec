"""Backups that restore: a consistent copy while the app serves, and its restore.

A backup is a folder holding the database copy and ``backup.json``: the app's version,
the migration head, the database kind, the copy's file name, size and SHA-256. SQLite is
copied with ``VACUUM INTO`` (one read transaction: a consistent snapshot beside writers,
under WAL); PostgreSQL with ``pg_dump --format=custom`` (one snapshot as well).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import URL

MANIFEST = "backup.json"
FILES = {"sqlite": "journal.db", "postgresql": "journal.dump"}


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class Manifest:
    app_version: str
    migration_head: str
    database: str
    file: str
    bytes: int
    sha256: str
    created_at: str


def app_version() -> str:
    try:
        return version("symptom-journal")
    except PackageNotFoundError:  # pragma: no cover - run from a tree that was never installed
        return "unknown"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """Return the URL for pg_dump / pg_restore, and the environment carrying its password
    (never on the command line, where any user of the machine could read it)."""
    plain = url.set(drivername="postgresql", password=None)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"{command[0]} is not installed: install PostgreSQL's client "
            "(Debian: apt-get install -y postgresql-client)"
        )
    # The command is pg_dump or pg_restore with the configured URL: no shell, no user input.
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")


def current_head(engine: Engine) -> str:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            raise BackupError("the database has no schema yet: run `flask db upgrade` first")
        return str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one())


def _copy(engine: Engine, target: Path) -> None:
    if engine.dialect.name == "sqlite":
        # VACUUM cannot run inside a transaction: an autocommit connection, no BEGIN.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM INTO ?", (str(target),))
    else:
        url, env = _libpq(engine.url)
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", url], env)


def backup(engine: Engine, folder: Path) -> Manifest:
    """Copy the database into ``folder`` (new or empty) and describe the copy beside it."""
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: give a new folder for each backup")
    folder.mkdir(parents=True, exist_ok=True)
    kind = engine.dialect.name
    head = current_head(engine)
    target = folder / FILES[kind]
    try:
        _copy(engine, target)
    except BaseException:
        target.unlink(missing_ok=True)  # no half-written copy is left to be mistaken for one
        raise
    manifest = Manifest(
        app_version=app_version(),
        migration_head=head,
        database=kind,
        file=target.name,
        bytes=target.stat().st_size,
        sha256=_sha256(target),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    (folder / MANIFEST).write_text(json.dumps(asdict(manifest), indent=2) + "\n")
    return manifest


def read_manifest(folder: Path, scripts: ScriptDirectory) -> Manifest:
    """Return the backup's manifest after checking its file and that this code knows its
    schema (a backup from a newer release is refused)."""
    try:
        manifest = Manifest(**json.loads((folder / MANIFEST).read_text()))
    except FileNotFoundError:
        raise BackupError(f"{folder} holds no {MANIFEST}: not a backup of this app") from None
    except (ValueError, TypeError) as exc:
        raise BackupError(f"{folder / MANIFEST} cannot be read: {exc}") from None
    copy = folder / manifest.file
    if not copy.is_file() or _sha256(copy) != manifest.sha256:
        raise BackupError(f"{copy} is missing or damaged: its SHA-256 does not match")
    try:
        known = scripts.get_revision(manifest.migration_head)
    except CommandError:
        known = None
    if known is None:
        raise BackupError(
            f"the backup's schema ({manifest.migration_head}, app {manifest.app_version}) is "
            f"newer than this app's ({scripts.get_current_head()}, app {app_version()}): "
            "restore it with that release or a later one"
        )
    return manifest


def _refuse_unless_empty(engine: Engine) -> None:
    with engine.connect() as conn:
        tables = [t for t in inspect(conn).get_table_names() if t != "alembic_version"]
    if tables:
        raise BackupError(
            "the target database is not empty: restore into a new instance "
            "(a new DATABASE_URL, or an INSTANCE_PATH with no journal.db)"
        )


def restore(engine: Engine, folder: Path, scripts: ScriptDirectory) -> Manifest:
    """Restore the backup in ``folder`` into the empty database of ``engine``.

    The caller upgrades the schema afterwards when the backup is from an older release.
    """
    manifest = read_manifest(folder, scripts)
    kind = engine.dialect.name
    if manifest.database != kind:
        raise BackupError(f"the backup is of a {manifest.database} database; this app uses {kind}")
    _refuse_unless_empty(engine)
    copy = folder / manifest.file
    if kind == "sqlite":
        database = Path(str(engine.url.database))
        engine.dispose()  # no connection may hold the file being replaced
        for suffix in ("-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(copy, database)
    else:
        url, env = _libpq(engine.url)
        with engine.connect() as conn:  # an empty schema from `db upgrade` would clash
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
            conn.commit()
        engine.dispose()
        _run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={url}", str(copy)], env)
    return manifest
