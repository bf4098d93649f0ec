"""Routes of reminders: settings, the upcoming reminders, and the calendar feed."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, current_app
from flask_login import current_user

from ..accounts.auth import role_required
from ..api import Blueprint
from ..db import utcnow
from ..errors import Invalid, NotFound
from ..extensions import db, unknown_token_limit
from ..mail import MailSettings
from . import push, service
from .calendar import feed
from .models import ReminderSettings
from .schedule import Settings
from .schemas import (
    CalendarLinkOut,
    PushEndpointIn,
    PushKeyOut,
    PushSubscriptionIn,
    ReminderSettingsChange,
    ReminderSettingsIn,
    ReminderSettingsOut,
    UpcomingArgs,
    UpcomingOut,
)

blp = Blueprint("reminders", __name__, url_prefix="/api/v1", description="Reminders.")


def _settings_out(settings: Settings) -> dict[str, Any]:
    row = db.session.get(ReminderSettings, current_user.id)
    return {
        **{name: getattr(settings, name) for name in service.SETTING_NAMES},
        "timezone": current_user.timezone,
        "calendar_active": bool(row and row.calendar_token_hash),
        "email_available": MailSettings.from_config(current_app.config).enabled,
    }


@blp.route("/reminders/settings", methods=["GET"])
@role_required("patient")
@blp.response(200, ReminderSettingsOut)
def get_settings() -> Any:
    """Your reminder settings (reminders are off until you turn them on)."""
    return _settings_out(service.load_settings(db.session, current_user.id))


@blp.route("/reminders/settings", methods=["PUT"])
@role_required("patient")
@blp.arguments(ReminderSettingsIn)
@blp.response(200, ReminderSettingsOut)
def put_settings(data: dict[str, Any]) -> Any:
    """Replace your reminder settings (every field)."""
    settings = service.save_settings(db.session, current_user.id, data)
    db.session.commit()
    return _settings_out(settings)


@blp.route("/reminders/settings", methods=["PATCH"])
@role_required("patient")
@blp.arguments(ReminderSettingsChange(partial=True))
@blp.response(200, ReminderSettingsOut)
def patch_settings(data: dict[str, Any]) -> Any:
    """Change some of your reminder settings."""
    current = service.load_settings(db.session, current_user.id)
    merged = {name: getattr(current, name) for name in service.SETTING_NAMES} | data
    # The whole, as PUT would take it: e.g. both ends of the quiet hours, or neither.
    errors = ReminderSettingsIn().validate(ReminderSettingsIn().dump(merged))
    if errors:
        raise Invalid(errors)
    settings = service.save_settings(db.session, current_user.id, merged)
    db.session.commit()
    return _settings_out(settings)


@blp.route("/reminders/upcoming", methods=["GET"])
@role_required("patient")
@blp.arguments(UpcomingArgs, location="query")
@blp.response(200, UpcomingOut)
def upcoming(args: dict[str, Any]) -> Any:
    """The reminders due in the coming days (none while reminders are off)."""
    zone = ZoneInfo(current_user.timezone)
    found = service.upcoming(db.session, current_user.id, utcnow(), args["days"])
    items = [
        {
            "kind": r.kind,
            "due_at": r.due_at,
            "local_time": r.due_at.astimezone(zone).isoformat(timespec="minutes"),
            "text": r.text,
            "session_id": r.session_id,
            "instruments": list(r.instruments),
        }
        for r in found
    ]
    return {"timezone": current_user.timezone, "items": items}


@blp.route("/reminders/calendar", methods=["POST"])
@role_required("patient")
@blp.response(201, CalendarLinkOut)
def create_calendar_link() -> Any:
    """Make a secret link to your sessions' calendar feed (any earlier link stops working)."""
    token = service.new_calendar_token(db.session, current_user.id)
    db.session.commit()
    return {"token": token, "url": f"/api/v1/reminders/{token}/calendar.ics"}


@blp.route("/reminders/calendar", methods=["DELETE"])
@role_required("patient")
@blp.response(204)
def revoke_calendar_link() -> None:
    """Stop the calendar feed's link."""
    service.revoke_calendar_token(db.session, current_user.id)
    db.session.commit()


@blp.route("/reminders/push/key", methods=["GET"])
@role_required("patient")
@blp.response(200, PushKeyOut)
def push_key() -> Any:
    """The key a browser subscribes to push notifications with."""
    return {"public_key": push.public_key(current_app.extensions["vapid"])}


@blp.route("/reminders/push/subscriptions", methods=["POST"])
@role_required("patient")
@blp.arguments(PushSubscriptionIn)
@blp.response(201)
def add_push_subscription(data: dict[str, Any]) -> Any:
    """Keep this browser's push subscription: reminders then appear as notifications."""
    if not push.host_allowed(data["endpoint"], current_app.config["PUSH_SERVICE_HOSTS"]):
        raise Invalid({"endpoint": ["Not a push service this journal sends to."]})
    keys = data["keys"]
    push.subscribe(db.session, current_user.id, data["endpoint"], keys["p256dh"], keys["auth"])
    db.session.commit()
    return {"endpoint": data["endpoint"]}


@blp.route("/reminders/push/subscriptions", methods=["DELETE"])
@role_required("patient")
@blp.arguments(PushEndpointIn)
@blp.response(204)
def remove_push_subscription(data: dict[str, Any]) -> None:
    """Forget this browser's push subscription."""
    push.unsubscribe(db.session, current_user.id, data["endpoint"])
    db.session.commit()


calendar_limit = unknown_token_limit("calendar-tokens")


@blp.route("/reminders/<token>/calendar.ics", methods=["GET"])
@calendar_limit
@blp.response(200, content_type="text/calendar")
@blp.alt_response(404, description="Unknown or revoked link.")
def calendar_feed(token: str) -> Response:
    """The calendar feed of your sessions, for a calendar app (no sign-in: the link is the key)."""
    found = service.calendar_owner(db.session, token)
    if found is None:
        raise NotFound("There is no calendar at this address; it may have been replaced.")
    user, settings = found
    now = utcnow()
    sessions = service.calendar_sessions(db.session, user.id, now)
    body = feed(sessions, settings, ZoneInfo(user.timezone), now)
    response = Response(body, mimetype="text/calendar")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Content-Disposition"] = 'inline; filename="symptom-journal.ics"'
    return response
