"""The journal's measures: the numeric fields of an entry that the summary reports."""

MEASURES = (
    "mood",
    "anxiety",
    "sleep_hours",
    "sleep_quality",
    "dissociation",
    "systolic",
    "diastolic",
    "heart_rate",
)
