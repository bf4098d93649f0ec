"""The clinical settings a clinic may change (CLINICAL.md), and the rules that use them.

One home for the blood-pressure thresholds, the reliable-change values and the crisis
text: the entry's flags, the summary, the clinician's list of open flags, the share page,
the PDF and the PWA all take them from here, so that a page never states a threshold other
than the one applied. Pure: built from a plain mapping of settings (the app's config).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DEFAULT_CRISIS_TEXT = (
    "If you are thinking about ending your life or hurting yourself, get help now: call your "
    "local emergency number. In the US, call or text 988 (Suicide & Crisis Lifeline). "
    "Tell your care team about this answer."
)
DEFAULT_RELIABLE_CHANGE = {"phq9": 6, "gad7": 4, "pcl5": 10}
# The settings' names (environment variables and config keys) and their defaults.
DEFAULTS: dict[str, int] = {
    "BP_ALERT_SYSTOLIC": 180,
    "BP_ALERT_DIASTOLIC": 120,
    "BP_RISE_SYSTOLIC": 40,
    "BP_RISE_DIASTOLIC": 25,
    "BP_PREDOSE_SYSTOLIC": 140,
    "BP_PREDOSE_DIASTOLIC": 90,
    "RELIABLE_CHANGE_PHQ9": DEFAULT_RELIABLE_CHANGE["phq9"],
    "RELIABLE_CHANGE_GAD7": DEFAULT_RELIABLE_CHANGE["gad7"],
    "RELIABLE_CHANGE_PCL5": DEFAULT_RELIABLE_CHANGE["pcl5"],
}


@dataclass(frozen=True)
class ClinicalSettings:
    """The thresholds a clinic may change, with CLINICAL.md's defaults."""

    bp_alert_systolic: int = 180
    bp_alert_diastolic: int = 120
    bp_rise_systolic: int = 40
    bp_rise_diastolic: int = 25
    bp_predose_systolic: int = 140
    bp_predose_diastolic: int = 90
    reliable_change: Mapping[str, int] = field(
        default_factory=lambda: dict(DEFAULT_RELIABLE_CHANGE)
    )
    crisis_text: str = DEFAULT_CRISIS_TEXT

    def bp_high(self, systolic: float | None, diastolic: float | None) -> bool:
        """Return whether a reading is at or above the alert threshold (``bp_high``)."""
        return (systolic is not None and systolic >= self.bp_alert_systolic) or (
            diastolic is not None and diastolic >= self.bp_alert_diastolic
        )

    def bp_rise(self, systolic_rise: float | None, diastolic_rise: float | None) -> bool:
        """Return whether a session's pre-to-post rise raises ``bp_rise``."""
        return (systolic_rise is not None and systolic_rise >= self.bp_rise_systolic) or (
            diastolic_rise is not None and diastolic_rise >= self.bp_rise_diastolic
        )

    def bp_before_session(self, systolic: float | None, diastolic: float | None) -> bool:
        """Return whether a session's pre means are above the pre-dose limit
        (``bp_before_session``: strictly above, "consider delaying" above 140/90)."""
        return (systolic is not None and systolic > self.bp_predose_systolic) or (
            diastolic is not None and diastolic > self.bp_predose_diastolic
        )

    def flag_sources(self) -> dict[str, str]:
        """Return, for each flag kind, the rule as configured and where it comes from."""
        rc = self.reliable_change
        return {
            "suicidal_ideation": "any answer above 0 (PHQ-9, Kroenke et al. 2001)",
            "bp_high": (
                f"systolic {self.bp_alert_systolic} or diastolic {self.bp_alert_diastolic} mmHg "
                "or above (American Heart Association: hypertensive crisis)"
            ),
            "bp_rise": (
                f"a rise of {self.bp_rise_systolic} systolic or {self.bp_rise_diastolic} "
                "diastolic mmHg or more from before to after a session (esketamine label)"
            ),
            "bp_before_session": (
                f"before a session, above {self.bp_predose_systolic}/"
                f"{self.bp_predose_diastolic} mmHg (esketamine label: consider delaying)"
            ),
            "worsening": (
                f"a rise of PHQ-9 {rc['phq9']}, GAD-7 {rc['gad7']} or PCL-5 {rc['pcl5']} points "
                "or more (reliable change: NHS Talking Therapies; Jacobson & Truax 1991)"
            ),
        }

    def public(self) -> dict[str, Any]:
        """Return the settings as the PWA reads them (GET /api/v1/instruments)."""
        return {
            "bp_alert": {"systolic": self.bp_alert_systolic, "diastolic": self.bp_alert_diastolic},
            "bp_rise": {"systolic": self.bp_rise_systolic, "diastolic": self.bp_rise_diastolic},
            "bp_before_session": {
                "systolic": self.bp_predose_systolic,
                "diastolic": self.bp_predose_diastolic,
            },
            "reliable_change": dict(self.reliable_change),
            "crisis_text": self.crisis_text,
            "flag_sources": self.flag_sources(),
        }


def from_config(config: Mapping[str, Any]) -> ClinicalSettings:
    """Return the clinical settings held in ``config`` (CLINICAL.md's defaults for any
    missing)."""
    value = {name: int(config.get(name, default)) for name, default in DEFAULTS.items()}
    return ClinicalSettings(
        bp_alert_systolic=value["BP_ALERT_SYSTOLIC"],
        bp_alert_diastolic=value["BP_ALERT_DIASTOLIC"],
        bp_rise_systolic=value["BP_RISE_SYSTOLIC"],
        bp_rise_diastolic=value["BP_RISE_DIASTOLIC"],
        bp_predose_systolic=value["BP_PREDOSE_SYSTOLIC"],
        bp_predose_diastolic=value["BP_PREDOSE_DIASTOLIC"],
        reliable_change={
            "phq9": value["RELIABLE_CHANGE_PHQ9"],
            "gad7": value["RELIABLE_CHANGE_GAD7"],
            "pcl5": value["RELIABLE_CHANGE_PCL5"],
        },
        crisis_text=str(config.get("CRISIS_TEXT") or DEFAULT_CRISIS_TEXT),
    )
