"""Symptom Journal: measure how people do between and around ketamine treatments."""

from __future__ import annotations

from typing import Any

import orjson
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .accounts.auth import register_auth
from .config import build_config, default_instance_path, load_secret_key
from .db import configure_server, configure_sqlite
from .errors import register_error_handlers, register_request_limits
from .extensions import api, csrf, db, limiter, login_manager, migrate, register_compression
from .jsonprovider import OrjsonProvider
from .ops.logs import JournalFlask, register_logging

__all__ = ["create_app"]


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Return a configured app; ``config`` overrides settings read from the environment."""
    instance_path = default_instance_path()
    app = JournalFlask(
        __name__,
        instance_path=str(instance_path),
        instance_relative_config=True,
        static_folder=None,
    )
    app.config.update(build_config(instance_path, config))
    app.json = OrjsonProvider(app)
    app.json.sort_keys = False
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(instance_path)
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    register_logging(app)  # first registered: the access line is written last
    register_compression(app)  # then compression, on the finished answer
    register_request_limits(app)  # first: nothing else reads a request past the limits
    register_extensions(app)
    register_error_handlers(app)
    register_blueprints(app)
    from .reminders.push import load_vapid

    app.extensions["vapid"] = load_vapid(app.config, instance_path)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the extension singletons to ``app``."""
    # JSON columns (side effects, answers) through orjson as well, as text.
    options = {
        "json_serializer": lambda value: orjson.dumps(value).decode(),
        "json_deserializer": orjson.loads,
        # A failed query's message names no values: no health data in an error log.
        "hide_parameters": True,
        **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
    }
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
        else:
            # With pool_pre_ping configured, the pool checks every connection itself.
            idle = None if options.get("pool_pre_ping") else app.config["DATABASE_PING_AFTER_IDLE"]
            configure_server(db.engine, idle)
    migrate.init_app(app, db, directory=str(app.config["MIGRATIONS_DIR"]))
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    api.init_app(app)
    register_auth(app)


def register_blueprints(app: Flask) -> None:
    """Register the API's blueprints (documented in OpenAPI) and the plain ones."""
    from .accounts.views import blp as auth_blp
    from .assessments.views import assessments_blp, instruments_blp
    from .exports.views import account_blp
    from .exports.views import blp as export_blp
    from .journal.views import entries_blp, sessions_blp
    from .ops.views import blp as health_blp
    from .ops.views import docs
    from .pages.security import register_security_headers
    from .pages.shell import bp as shell_bp
    from .pages.shell import register_frontend
    from .pages.views import bp as pages_bp
    from .reminders.views import blp as reminders_blp
    from .sharing.views import care_blp, shares_blp
    from .summaries.views import blp as summary_blp

    for blueprint in (
        auth_blp,
        sessions_blp,
        entries_blp,
        instruments_blp,
        assessments_blp,
        summary_blp,
        shares_blp,
        care_blp,
        export_blp,
        account_blp,
        reminders_blp,
        health_blp,
    ):
        api.register_blueprint(blueprint)
    app.register_blueprint(docs)
    app.register_blueprint(pages_bp)
    app.register_blueprint(shell_bp)
    register_frontend(app)
    register_security_headers(app)


def register_commands(app: Flask) -> None:
    """Add the ``flask`` commands."""
    from .cli import commands

    for command in commands:
        app.cli.add_command(command)
