"""Schemas of the summary: its query and, for the OpenAPI document, its body."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from ..fields import Day


class SummaryArgs(ma.Schema):
    from_ = Day(
        data_key="from", metadata={"description": "First day, inclusive; default to - 89 days."}
    )
    to = Day(metadata={"description": "Last day, inclusive; default today in your time zone."})


class PeriodOut(ma.Schema):
    from_ = fields.String(data_key="from", required=True)
    to = fields.String(required=True)
    days = fields.Integer(required=True)


class AdherenceOut(ma.Schema):
    days_logged = fields.Integer(required=True)
    days_in_period = fields.Integer(required=True)
    entries = fields.Integer(required=True)


class DailyOut(ma.Schema):
    date = fields.String(required=True)
    mean = fields.Float(required=True)
    rolling_7d = fields.Float(required=True)


class WeeklyOut(ma.Schema):
    week_start = fields.String(required=True)
    mean = fields.Float(required=True)
    n = fields.Integer(required=True)


class MetricOut(ma.Schema):
    n = fields.Integer(required=True)
    mean = fields.Float(required=True)
    min = fields.Float(required=True)
    max = fields.Float(required=True)
    slope_per_week = fields.Float(allow_none=True, required=True)
    daily = fields.List(fields.Nested(DailyOut), required=True)
    weekly = fields.List(fields.Nested(WeeklyOut), required=True)


class SessionSummaryOut(ma.Schema):
    id = fields.String(required=True)
    started_at = fields.String(required=True)
    treatment = fields.String(required=True)
    pre = fields.Dict(keys=fields.String(), values=fields.Float(), required=True)
    post = fields.Dict(keys=fields.String(), values=fields.Float(), required=True)
    delta = fields.Dict(keys=fields.String(), values=fields.Float(), required=True)
    side_effects = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": "Linked entries (either phase) reporting each side effect."},
    )
    baseline_mood = fields.Float(allow_none=True, required=True)
    durability_days = fields.Integer(allow_none=True, required=True)
    returned_to_baseline = fields.Boolean(required=True)


class EffectOut(ma.Schema):
    n = fields.Integer(required=True)
    mean_delta = fields.Float(required=True)
    ci95 = fields.List(fields.Float(), allow_none=True, required=True)


class ScoreOut(ma.Schema):
    total = fields.Integer(required=True)
    date = fields.String(required=True)


class InstrumentChangeOut(ma.Schema):
    baseline = fields.Nested(ScoreOut, required=True)
    latest = fields.Nested(ScoreOut, required=True)
    change = fields.Integer(required=True)
    percent_change = fields.Float(allow_none=True, required=True)
    response = fields.Boolean(required=True)
    remission = fields.Boolean(required=True)
    reliable_change = fields.String(required=True)
    severity = fields.String(required=True)


class FlagOut(ma.Schema):
    kind = fields.String(
        required=True,
        metadata={
            "description": "suicidal_ideation, bp_high, bp_rise, bp_before_session or worsening."
        },
    )
    at = fields.String(required=True)
    detail = fields.Dict(required=True)


class SummaryOut(ma.Schema):
    period = fields.Nested(PeriodOut, required=True)
    adherence = fields.Nested(AdherenceOut, required=True)
    metrics = fields.Dict(keys=fields.String(), values=fields.Nested(MetricOut), required=True)
    sessions = fields.List(fields.Nested(SessionSummaryOut), required=True)
    session_effect = fields.Dict(
        keys=fields.String(), values=fields.Nested(EffectOut), required=True
    )
    instruments = fields.Dict(
        keys=fields.String(), values=fields.Nested(InstrumentChangeOut), required=True
    )
    flags = fields.List(fields.Nested(FlagOut), required=True)


class Pressure(ma.Schema):
    systolic = fields.Integer(required=True)
    diastolic = fields.Integer(required=True)


class ClinicalSettingsOut(ma.Schema):
    """The thresholds this clinic applies (CLINICAL.md), as pages and the app state them."""

    bp_alert = fields.Nested(Pressure, required=True)
    bp_rise = fields.Nested(Pressure, required=True)
    bp_before_session = fields.Nested(Pressure, required=True)
    reliable_change = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    crisis_text = fields.String(required=True)
    flag_sources = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": "Each flag kind's rule as configured, and its source."},
    )
