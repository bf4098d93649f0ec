"""Declarative base, naming convention, the UTC timestamp type and SQLite connection settings."""

from __future__ import annotations

import atexit
import fcntl
import functools
import logging
import os
import signal
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from flask import current_app, g, has_app_context
from sqlalchemy import DateTime, Dialect, MetaData, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DisconnectionError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session
from sqlalchemy.sql.base import Executable
from sqlalchemy.types import TypeDecorator, TypeEngine

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def new_id() -> uuid.UUID:
    """Return a new random UUID for a server-made record."""
    return uuid.uuid4()


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always returns aware UTC datetimes.

    SQLite has no time zone support and hands back naive values; PostgreSQL keeps
    ``timestamptz``. Naive input is a programming error, so it raises.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            # Stored as fixed-width text so that ordering and comparison stay lexical.
            return value.replace(tzinfo=None)
        return value

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        # Replaces the generic path (the driver's processor, then process_result_value).
        if dialect.name != "sqlite":
            # The driver's own aware datetimes; in UTC already on connections whose time
            # zone is UTC (configure_server), which spares a conversion a value.
            def aware(value: datetime | None) -> datetime | None:
                if value is None or value.tzinfo is UTC:
                    return value
                return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

            return aware
        # SQLite hands back the stored text ("2026-03-10 13:15:00.000000"), in UTC: one C
        # call reads it as UTC, where the generic path parsed it and then made a second
        # datetime with the zone (3 µs a value, against 0.3 µs).
        parse = datetime.fromisoformat

        def process(value: str | None) -> datetime | None:
            if value is None:
                return None
            try:
                return parse(value + "+00:00")
            except ValueError:  # text with an offset of its own
                return parse(value).astimezone(UTC)

        return process


class _WriterWaitTimedOut(Exception):
    """Raised by the alarm that ends a writer's wait for the lock."""


class WriterQueueConnection(sqlite3.Connection):
    """A SQLite connection whose write transactions queue on a lock file beside the database.

    SQLite lets one writer in at a time and makes the others wait in its busy handler, which
    sleeps in growing steps (up to 100 ms) and so leaves the database idle while writers
    sleep: creating entries from two workers ran at a fraction of one worker's pace, with a
    p99 of 130-300 ms. Here a writer first takes an exclusive ``flock`` on
    ``<database>-writer.lock`` and gives it back the moment its transaction commits or rolls
    back; the next writer starts at once. Readers never take it. After the busy timeout a
    writer goes on without it and SQLite decides as before.

    A writer that finds the lock taken waits in the kernel, which hands the lock over the
    moment it is given back, with an alarm (``SIGALRM``) to end the wait at the timeout. Only
    a process's main thread can take signals (a gunicorn sync worker serves requests there),
    and only when no other timer is set; anywhere else the writer polls, at most 1 ms apart.
    Polling had cost 10% of the throughput of creating entries from two workers.
    """

    writer_lock_path: str | None = None
    writer_timeout = 10.0  # seconds; configure_sqlite sets the busy timeout's
    _writer_fd: int | None = None
    _writer_held = False
    # Writes ended since this connection last asked for a checkpoint (``checkpoints``).
    _writes = 0

    def acquire_writer(self, timeout: float) -> None:
        if self.writer_lock_path is None or self._writer_held:
            return
        if self._writer_fd is None:
            try:
                self._writer_fd = os.open(self.writer_lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:  # e.g. a read-only folder: SQLite itself will refuse the write
                self.writer_lock_path = None
                return
        if _try_lock(self._writer_fd):
            self._writer_held = True
        elif timeout > 0:
            wait = _wait_for_lock if can_wait_in_kernel() else _poll_for_lock
            self._writer_held = wait(self._writer_fd, timeout)

    def release_writer(self) -> None:
        if self._writer_held and self._writer_fd is not None:
            fcntl.flock(self._writer_fd, fcntl.LOCK_UN)
            self._writer_held = False
            self._writes += 1
            if self._writes >= CHECKPOINT_EVERY_WRITES and self.writer_lock_path is not None:
                self._writes = 0
                checkpoints.ask(self.writer_lock_path.removesuffix(WRITER_LOCK_SUFFIX))

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.release_writer()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.release_writer()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.release_writer()
            if self._writer_fd is not None:
                os.close(self._writer_fd)
                self._writer_fd = None


WRITER_LOCK_SUFFIX = "-writer.lock"
# A connection asks for a checkpoint every this many writes of its own: a few hundred WAL
# pages (an entry writes about nine), copied in 1-2 ms.
CHECKPOINT_EVERY_WRITES = 48
# SQLite's own checkpoint, inside the commit that takes the WAL past this many pages, is
# left only to finish what the background one could not (see BackgroundCheckpoints).
AUTOCHECKPOINT_PAGES = 4000


class BackgroundCheckpoints:
    """Copies SQLite's write-ahead log into the database file on a thread of its own.

    SQLite does it itself inside the commit that takes the WAL past ``wal_autocheckpoint``
    pages, holding the writer lock (``WriterQueueConnection``) throughout: the two
    ``fsync`` calls and the copying took 4 ms for 1,000 pages here, and every writer queued
    behind them. Creating entries from two workers then answered at a p99 of 3-6x the p50;
    with no checkpoints at all, 1.6-1.9x.

    Here a thread copies the pages while the writers go on (a ``PASSIVE`` checkpoint, which
    never waits for readers or writers and never takes the writer lock), whenever a
    connection has ended ``CHECKPOINT_EVERY_WRITES`` writes. The log starts again from its
    beginning at the first write after a checkpoint that left nothing behind; under a steady
    stream of writes one may not, and SQLite's own checkpoint at ``AUTOCHECKPOINT_PAGES``
    then copies the last few pages and lets the log start again.

    One thread a process, started when first needed (so after a fork, in the worker), and
    ended at exit once a checkpoint under way is over.
    """

    def __init__(self) -> None:
        self._reset()
        os.register_at_fork(after_in_child=self._reset)
        atexit.register(self.stop)

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._asked = threading.Condition(self._lock)
        self._waiting: set[str] = set()
        self._thread: threading.Thread | None = None
        self._stopping = False
        self.done = 0  # checkpoints run in this process

    def ask(self, database: str) -> None:
        """Have the thread checkpoint ``database`` soon (once, however often asked)."""
        with self._lock:
            self._waiting.add(database)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="sqlite-checkpoints", daemon=True
                )
                self._thread.start()
            self._asked.notify()

    def stop(self, timeout: float = 5.0) -> None:
        """End the thread once the checkpoint under way, if any, is over."""
        with self._lock:
            self._stopping = True
            self._asked.notify()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        # The alarm that ends a writer's wait (_wait_for_lock) must reach the main thread.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        while True:
            with self._lock:
                while not self._waiting and not self._stopping:
                    self._asked.wait()
                if self._stopping:
                    return
                database = self._waiting.pop()
            checkpoint(database)
            self.done += 1


def checkpoint(database: str) -> None:
    """Copy what ``database``'s write-ahead log holds into the database file, as far as
    readers allow, without waiting for anyone (``PASSIVE``). A failure is logged and
    otherwise ignored: the log keeps every write, and SQLite's own checkpoint still runs."""
    try:
        # mode=rw: never makes a database where the file has gone.
        address = f"file:{quote(database)}?mode=rw"
        connection = sqlite3.connect(address, uri=True, isolation_level=None)
        try:
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            connection.close()
    except sqlite3.Error as error:
        logging.getLogger(__name__).warning("checkpoint of %s failed: %s", database, error)


checkpoints = BackgroundCheckpoints()


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def can_wait_in_kernel() -> bool:
    """Return whether a writer here may wait for the lock with an alarm to end the wait:
    in the main thread (the only one that takes signals), with no timer set by anyone else,
    and an alarm handler that can be put back afterwards (one set from outside Python
    cannot)."""
    return (
        threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        and signal.getsignal(signal.SIGALRM) is not None
    )


def _wait_for_lock(fd: int, timeout: float) -> bool:
    """Wait in the kernel for the lock on ``fd``, at most ``timeout`` seconds; return
    whether it was taken."""
    waiting = True

    def end_wait(_signum: int, _frame: Any) -> None:
        if waiting:  # an alarm that rings once the wait is over changes nothing
            raise _WriterWaitTimedOut

    previous = signal.signal(signal.SIGALRM, end_wait)
    try:
        signal.setitimer(signal.ITIMER_REAL, timeout)
        fcntl.flock(fd, fcntl.LOCK_EX)
        waiting = False
    except _WriterWaitTimedOut:
        # The alarm may have rung just as the lock was granted; taking it again without
        # waiting tells (a lock this file already holds is granted again).
        return _try_lock(fd)
    finally:
        waiting = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return True


def _poll_for_lock(fd: int, timeout: float) -> bool:
    """Try for the lock on ``fd`` at growing intervals (up to 1 ms) for at most ``timeout``
    seconds; return whether it was taken."""
    deadline = time.monotonic() + timeout
    pause = 0.00005
    while time.monotonic() < deadline:
        time.sleep(pause)
        pause = min(pause * 2, 0.001)
        if _try_lock(fd):
            return True
    return False


def sqlite_engine_options(options: dict[str, Any]) -> dict[str, Any]:
    """Return engine options whose connections are WriterQueueConnections, not pinged before
    use (a file has no server to lose)."""
    connect_args = {**options.get("connect_args", {}), "factory": WriterQueueConnection}
    return {**options, "pool_pre_ping": False, "connect_args": connect_args}


def configure_server(engine: Engine, ping_after_idle_seconds: float | None) -> None:
    """Give every PostgreSQL connection the time zone UTC (timestamps then come back in UTC,
    with nothing to convert), and check pooled connections that sat idle for
    ``ping_after_idle_seconds`` (None: the pool checks them itself, ``pool_pre_ping``)."""

    if engine.dialect.name == "postgresql":

        @event.listens_for(engine, "connect")
        def _utc(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("SET TIME ZONE 'UTC'")
            cursor.close()
            dbapi_conn.commit()  # outside any request's transaction, kept for the connection

    if ping_after_idle_seconds is not None:
        ping_after_idle(engine, ping_after_idle_seconds)


def ping_after_idle(engine: Engine, idle_seconds: float) -> None:
    """Check a pooled server connection before use only when it sat unused for
    ``idle_seconds``, and replace it when the check fails.

    ``pool_pre_ping`` checks on every checkout: a round trip each, two a request. A
    connection in steady use is not checked; if the server went away meanwhile, the failing
    statement makes SQLAlchemy discard the pool's connections and the request answers 503,
    which clients retry."""

    @event.listens_for(engine.pool, "checkin")
    def _checkin(_dbapi_conn: Any, record: Any) -> None:
        if record is not None:
            record.info["last_used"] = time.monotonic()

    @event.listens_for(engine.pool, "checkout")
    def _checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        last_used = record.info.get("last_used")
        if last_used is None or time.monotonic() - last_used < idle_seconds:
            return  # just connected, or in use moments ago
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:  # any failure: let the pool connect afresh
            raise DisconnectionError("the connection was lost while idle") from exc


def standalone(connection: Connection, *, writes: bool = False) -> Connection:
    """Make ``connection`` run each statement outside a transaction, for a single statement:
    no BEGIN on SQLite (a writer still queues for the write lock, see
    WriterQueueConnection), autocommit on PostgreSQL (no BEGIN and COMMIT round trips). One
    statement, its triggers included, is all or nothing by itself."""
    if connection.dialect.name == "sqlite":
        return connection.execution_options(sqlite_begin="NONE_WRITE" if writes else "NONE")
    if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
        connection.execution_options(isolation_level="AUTOCOMMIT")
    return connection


def stands_alone(connection: Connection) -> bool:
    """Return whether ``connection`` runs each statement outside a transaction (``standalone``)."""
    options = connection.get_execution_options()
    if connection.dialect.name == "sqlite":
        return options.get("sqlite_begin") in ("NONE", "NONE_WRITE")
    return options.get("isolation_level") == "AUTOCOMMIT"


REQUEST_CONNECTION = "_standalone_connection"


def request_connection(engine: Engine) -> Connection:
    """Return the connection for this request's statements that stand alone (``standalone``):
    the sign-in lookup and a request's single statement share it, and it goes back to the
    pool when the app context ends (``release_request_connection``). Taking a connection
    from the pool and giving it back cost about as much as running one of them."""
    held: Connection | None = g.get(REQUEST_CONNECTION)
    if held is not None:
        if held.engine is engine and not held.closed:
            return held
        held.close()
    connection = standalone(engine.connect())
    setattr(g, REQUEST_CONNECTION, connection)
    return connection


def release_request_connection(_error: BaseException | None = None) -> None:
    """Give the app context's connection for standalone statements back to the pool."""
    held: Connection | None = g.pop(REQUEST_CONNECTION, None)
    if held is not None:
        held.close()


def release_before_sessions_begin(session: scoped_session[Any]) -> None:
    """Give the request's connection for standalone statements back as ``session`` begins a
    transaction, before it takes a connection of its own (a statement after it ends takes
    one again). Holding both, a request needed two connections of the pool at once: threads
    that each held one and waited for a second had drained a pool of 15 and waited for one
    another until the pool's timeout."""
    if not event.contains(session, "after_transaction_create", _release_as_session_begins):
        event.listen(session, "after_transaction_create", _release_as_session_begins)


def _release_as_session_begins(_session: Session, transaction: Any) -> None:
    if transaction.parent is None and has_app_context():
        release_request_connection()


def live_session(session: DbSession) -> Session | None:
    """Return ``session`` itself, or the session a scoped one holds now (None if it has
    made none yet in this context: asking it anything else would make one)."""
    if isinstance(session, scoped_session):
        return session.registry() if session.registry.has() else None
    return session


def engine_of(session: DbSession) -> Engine:
    """Return the engine ``session`` runs on, without making a session of a scoped one: a
    request whose only statement stands alone needs none (making one and closing it again
    cost 3% of such a request)."""
    plain = live_session(session)
    if plain is None:
        engine: Engine = current_app.extensions["sqlalchemy"].engine
        return engine
    bind = plain.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def in_transaction(session: DbSession) -> bool:
    """Return whether ``session`` (plain or scoped) has begun a transaction."""
    plain = live_session(session)
    return plain is not None and plain.in_transaction()


def commit(session: DbSession) -> None:
    """Commit ``session``'s transaction if it began one: a request whose only statement ran
    on its own (``one_statement``) has nothing to commit, and an empty commit costs 25 µs."""
    if in_transaction(session):
        session.commit()


@contextmanager
def one_statement(session: DbSession, *, writes: bool) -> Iterator[Connection]:
    """Yield the connection for a request's single statement: the session's own when the
    request has begun a transaction (the statement joins it), else the request's connection
    for statements outside any transaction (``request_connection``)."""
    if in_transaction(session):
        yield session.connection()
        return
    connection = standalone(request_connection(engine_of(session)), writes=writes)
    try:
        yield connection
    except BaseException:
        connection.rollback()
        raise
    connection.commit()  # ends the queue turn of an SQLite writer


Processor = Callable[[Any], Any] | None
Converters = tuple[tuple[int, Callable[[Any], Any]], ...]


@dataclass(frozen=True)
class DriverStatement:
    """A Core statement as the DB-API driver takes it, compiled by SQLAlchemy for one
    dialect: the SQL text, its parameters in the driver's order with SQLAlchemy's bind
    processor for each, and the types of the columns it selects, whose result processors
    (None: a value is used as the driver gives it) are made once, from the type codes of the
    first result (as SQLAlchemy keeps a compiled statement's result metadata)."""

    sql: str
    positional: bool
    binds: tuple[tuple[str, str, Processor], ...]  # (value's key, parameter's name, processor)
    selected: tuple[TypeEngine[Any], ...]  # each selected column's type, for this dialect
    dialect: Dialect
    fixed: Mapping[str, Any]  # values the statement holds itself (e.g. SQLite's OFFSET 0)
    # The converters, once made: a list holding one tuple (see ``converters``).
    _converters: list[Converters] = field(default_factory=list, compare=False, repr=False)

    def parameters(self, values: Mapping[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        if self.fixed:
            values = {**self.fixed, **values}
        converted = [
            (name, values[key] if process is None else process(values[key]))
            for key, name, process in self.binds
        ]
        if self.positional:
            return tuple(value for _name, value in converted)
        return dict(converted)

    def converters(self, description: Any) -> Converters:
        """Return (position, processor) for each column whose values need converting."""
        if not self._converters:  # the first result; threads racing here make the same list
            made = (
                (position, kind.result_processor(self.dialect, column[1]))
                for position, (kind, column) in enumerate(
                    zip(self.selected, description, strict=True)
                )
            )
            self._converters[:] = [tuple((p, f) for p, f in made if f is not None)]
        return self._converters[0]

    def rows(self, description: Any, rows: list[Any]) -> list[tuple[Any, ...]]:
        """Convert ``rows``, as read from a cursor with ``description``: column by column,
        each converting column in one ``map`` (a page of 100 rows converted row by row in
        Python took as long as SQLAlchemy's whole compiled result path)."""
        converting = self.converters(description)
        if not converting or not rows:
            return [tuple(row) for row in rows]
        columns: list[Iterable[Any]] = list(zip(*rows, strict=True))
        for position, process in converting:
            columns[position] = map(process, columns[position])
        return list(zip(*columns, strict=True))


@functools.cache
def driver_statement(
    statement: Executable, dialect: Dialect, columns: tuple[str, ...] | None = None
) -> DriverStatement | None:
    """Compile ``statement`` for ``dialect`` once (an INSERT for just ``columns``); None
    when the driver cannot run it with the values given alone (an INSERT whose other
    columns have defaults that SQLAlchemy computes as it executes, or a parameter whose
    value SQLAlchemy computes at each execution)."""
    compiled = statement.compile(  # type: ignore[attr-defined]
        dialect=dialect, column_keys=None if columns is None else list(columns)
    )
    keys = compiled.positiontup if dialect.positional else list(compiled.binds)
    if columns is not None and not set(keys) <= set(columns):
        return None
    if any(compiled.binds[key].callable is not None for key in keys):
        return None
    escaped = compiled.escaped_bind_names or {}
    return DriverStatement(
        compiled.string,
        dialect.positional,
        tuple(
            (
                key,
                escaped.get(key, key),
                compiled.binds[key].type.dialect_impl(dialect).bind_processor(dialect),
            )
            for key in keys
        ),
        tuple(
            column.type.dialect_impl(dialect)
            for column in getattr(statement, "selected_columns", ())
        ),
        dialect,
        {key: compiled.binds[key].value for key in keys if not compiled.binds[key].required},
    )


@dataclass(frozen=True)
class DriverResult:
    rowcount: int
    rows: list[tuple[Any, ...]]  # processed: every row with all_rows, else the first at most

    @property
    def row(self) -> tuple[Any, ...] | None:
        """The first row; None when there is none."""
        return self.rows[0] if self.rows else None


def execute_on_driver(
    connection: Connection,
    statement: Executable,
    values: Mapping[str, Any],
    *,
    writes: bool = False,
    all_rows: bool = False,
) -> DriverResult:
    """Run one statement and return its row count and its first row, or every row
    (``all_rows``). On a connection that stands alone (``standalone``) it goes to the DB-API
    cursor, with the SQL and the conversion of values from SQLAlchemy (``driver_statement``;
    an INSERT is compiled for the keys of ``values``), and a write on SQLite queues for the
    writer lock as through SQLAlchemy; inside a transaction it goes through SQLAlchemy.

    Through ``Connection.execute`` such a statement cost several times the database's own
    work for it: 43 µs against 8 µs for the sign-in lookup; a list request made 6-8% more
    instructions with a page of 100 rows, 17-21% more with a page of one (callgrind,
    ``bench/perrequest.py --instructions``).

    Should the driver fail, the statement (which changed nothing, standing alone) runs
    again through SQLAlchemy, which reports the error as everywhere else (503 for a
    database that is down or read-only) and replaces a connection that went bad. Inside a
    transaction there is no running again (a failed statement spoils a PostgreSQL
    transaction), so it goes through SQLAlchemy from the start."""
    compiled = (
        driver_statement(
            statement,
            connection.dialect,
            tuple(values) if getattr(statement, "is_insert", False) else None,
        )
        if stands_alone(connection)
        else None
    )
    if compiled is not None:
        try:
            return _run_on_driver(connection, compiled, values, writes=writes, all_rows=all_rows)
        except (SQLAlchemyError, connection.dialect.loaded_dbapi.Error):
            pass  # run again through SQLAlchemy, below
    result = connection.execute(statement, values, execution_options={"preserve_rowcount": True})
    if not result.returns_rows:
        return DriverResult(result.rowcount, [])
    rows = result.all() if all_rows else result.fetchmany(1)
    result.close()
    return DriverResult(result.rowcount, [tuple(row) for row in rows])


def _run_on_driver(
    connection: Connection,
    compiled: DriverStatement,
    values: Mapping[str, Any],
    *,
    writes: bool,
    all_rows: bool = False,
) -> DriverResult:
    dbapi_connection: Any = connection.connection.dbapi_connection
    queued = writes and isinstance(dbapi_connection, WriterQueueConnection)
    cursor = dbapi_connection.cursor()
    try:
        if queued:
            dbapi_connection.acquire_writer(dbapi_connection.writer_timeout)
        try:
            cursor.execute(compiled.sql, compiled.parameters(values))
        finally:
            if queued:
                dbapi_connection.release_writer()
        description = cursor.description
        if description is None:
            return DriverResult(cursor.rowcount, [])
        rows = cursor.fetchall() if all_rows else cursor.fetchmany(1)
        return DriverResult(cursor.rowcount, compiled.rows(description, rows))
    finally:
        cursor.close()


def configure_sqlite(engine: Engine, busy_timeout_ms: int = 10_000) -> None:
    """Give every SQLite connection WAL, foreign keys, a busy timeout and explicit BEGINs.

    pysqlite's own transaction handling issues a deferred BEGIN lazily; a deferred
    transaction that reads and then writes fails with SQLITE_BUSY whatever the timeout.
    So the driver is put in autocommit mode and each transaction is begun here:
    IMMEDIATE (taking the write lock up front), or DEFERRED for a safe HTTP method's
    request or a connection whose ``sqlite_begin`` execution option says so; with
    ``sqlite_begin="NONE"`` (a single read) or ``"NONE_WRITE"`` (a single write, which still
    queues for the write lock) no BEGIN is sent and each statement stands alone.
    """

    database = engine.url.database
    on_file = bool(database) and database != ":memory:"
    lock_path = f"{database}{WRITER_LOCK_SUFFIX}" if on_file else None

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        if isinstance(dbapi_conn, WriterQueueConnection):
            dbapi_conn.writer_lock_path = lock_path
            dbapi_conn.writer_timeout = busy_timeout_ms / 1000
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        if on_file:  # the rest is copied in the background (BackgroundCheckpoints)
            cursor.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin")
        if mode is None:
            mode = "DEFERRED" if _request_is_read_only() else "IMMEDIATE"
        dbapi_conn = conn.connection.dbapi_connection
        if mode == "IMMEDIATE" and isinstance(dbapi_conn, WriterQueueConnection):
            dbapi_conn.acquire_writer(dbapi_conn.writer_timeout)
        if mode not in ("NONE", "NONE_WRITE"):  # else each statement is a transaction of its own
            dbapi_conn.execute(f"BEGIN {mode}")

    # A single write outside a transaction queues for the lock only around the statement
    # itself, which commits as it ends: its parameters are made ready before, its result
    # read after, while the other writers go on.
    @event.listens_for(engine, "before_cursor_execute")
    def _before_single_write(conn: Any, *_: Any) -> None:
        if conn.get_execution_options().get("sqlite_begin") == "NONE_WRITE":
            dbapi_conn = conn.connection.dbapi_connection
            if isinstance(dbapi_conn, WriterQueueConnection):
                dbapi_conn.acquire_writer(dbapi_conn.writer_timeout)

    @event.listens_for(engine, "after_cursor_execute")
    def _after_single_write(conn: Any, *_: Any) -> None:
        if conn.get_execution_options().get("sqlite_begin") == "NONE_WRITE":
            dbapi_conn = conn.connection.dbapi_connection
            if isinstance(dbapi_conn, WriterQueueConnection):
                dbapi_conn.release_writer()


def _request_is_read_only() -> bool:
    # Safe HTTP methods never write, so their transactions can stay deferred and run
    # beside a writer under WAL. Outside a request (CLI, scripts) writes are assumed.
    from flask import has_request_context, request

    return has_request_context() and request.method in ("GET", "HEAD", "OPTIONS")


# Services take either a plain Session or Flask-SQLAlchemy's scoped ``db.session``.
DbSession = Session | scoped_session[Any]
