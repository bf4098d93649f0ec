"""PHQ-9, GAD-7 and PCL-5: item texts, answer options, bands, and scoring (pure).

PHQ-9 and GAD-7 are free to reproduce (Pfizer, no permission required); the PCL-5 is in
the public domain (US National Center for PTSD).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Band:
    code: str
    label: str
    low: int
    high: int


@dataclass(frozen=True)
class Instrument:
    code: str
    name: str
    stem: str
    items: tuple[str, ...]
    options: tuple[str, ...]  # label of each answer value, from 0
    bands: tuple[Band, ...]
    source: str
    # Change of at least this many points is reliable (CLINICAL.md, Jacobson & Truax).
    reliable_change: int

    @property
    def max_answer(self) -> int:
        return len(self.options) - 1

    @property
    def max_total(self) -> int:
        return self.max_answer * len(self.items)

    def band(self, total: int) -> Band:
        """Return the band of a total score."""
        for band in self.bands:
            if band.low <= total <= band.high:
                return band
        raise ValueError(f"total {total} is outside 0-{self.max_total}")


FREQUENCY = ("Not at all", "Several days", "More than half the days", "Nearly every day")
INTENSITY = ("Not at all", "A little bit", "Moderately", "Quite a bit", "Extremely")

PHQ9 = Instrument(
    code="phq9",
    name="PHQ-9",
    stem="Over the last 2 weeks, how often have you been bothered by any of the following "
    "problems?",
    items=(
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
        "Trouble falling or staying asleep, or sleeping too much",
        "Feeling tired or having little energy",
        "Poor appetite or overeating",
        "Feeling bad about yourself - or that you are a failure or have let yourself or your "
        "family down",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite - "
        "being so fidgety or restless that you have been moving around a lot more than usual",
        "Thoughts that you would be better off dead or of hurting yourself in some way",
    ),
    options=FREQUENCY,
    bands=(
        Band("minimal", "minimal", 0, 4),
        Band("mild", "mild", 5, 9),
        Band("moderate", "moderate", 10, 14),
        Band("moderately_severe", "moderately severe", 15, 19),
        Band("severe", "severe", 20, 27),
    ),
    source="Kroenke, Spitzer & Williams, J Gen Intern Med 2001;16:606-613",
    reliable_change=6,
)

GAD7 = Instrument(
    code="gad7",
    name="GAD-7",
    stem="Over the last 2 weeks, how often have you been bothered by the following problems?",
    items=(
        "Feeling nervous, anxious, or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid, as if something awful might happen",
    ),
    options=FREQUENCY,
    bands=(
        Band("minimal", "minimal", 0, 4),
        Band("mild", "mild", 5, 9),
        Band("moderate", "moderate", 10, 14),
        Band("severe", "severe", 15, 21),
    ),
    source="Spitzer et al., Arch Intern Med 2006;166:1092-1097",
    reliable_change=4,
)

PCL5 = Instrument(
    code="pcl5",
    name="PCL-5",
    stem="In the past month, how much were you bothered by:",
    items=(
        "Repeated, disturbing, and unwanted memories of the stressful experience?",
        "Repeated, disturbing dreams of the stressful experience?",
        "Suddenly feeling or acting as if the stressful experience were actually happening "
        "again (as if you were actually back there reliving it)?",
        "Feeling very upset when something reminded you of the stressful experience?",
        "Having strong physical reactions when something reminded you of the stressful "
        "experience (for example, heart pounding, trouble breathing, sweating)?",
        "Avoiding memories, thoughts, or feelings related to the stressful experience?",
        "Avoiding external reminders of the stressful experience (for example, people, places, "
        "conversations, activities, objects, or situations)?",
        "Trouble remembering important parts of the stressful experience?",
        "Having strong negative beliefs about yourself, other people, or the world (for example, "
        "having thoughts such as: I am bad, there is something seriously wrong with me, no one "
        "can be trusted, the world is completely dangerous)?",
        "Blaming yourself or someone else for the stressful experience or what happened after it?",
        "Having strong negative feelings such as fear, horror, anger, guilt, or shame?",
        "Loss of interest in activities that you used to enjoy?",
        "Feeling distant or cut off from other people?",
        "Trouble experiencing positive feelings (for example, being unable to feel happiness or "
        "have loving feelings for people close to you)?",
        "Irritable behavior, angry outbursts, or acting aggressively?",
        "Taking too many risks or doing things that could cause you harm?",
        'Being "superalert" or watchful or on guard?',
        "Feeling jumpy or easily startled?",
        "Having difficulty concentrating?",
        "Trouble falling or staying asleep?",
    ),
    options=INTENSITY,
    bands=(
        Band("below_threshold", "below threshold", 0, 32),
        Band("probable_ptsd", "probable PTSD", 33, 80),
    ),
    source="Weathers et al. 2013, National Center for PTSD; Bovin et al., Psychol Assess 2016 "
    "(cut-off 33; published range 31-33)",
    reliable_change=10,
)

INSTRUMENTS: dict[str, Instrument] = {i.code: i for i in (PHQ9, GAD7, PCL5)}
CODES = tuple(INSTRUMENTS)

# PCL-5 DSM-5 clusters: (first item, last item, items endorsed needed); endorsed = answer >= 2.
DSM5_CLUSTERS = ((1, 5, 1), (6, 7, 1), (8, 14, 2), (15, 20, 2))
PCL5_ENDORSED = 2


@dataclass(frozen=True)
class Score:
    total: int
    severity: str
    flags: tuple[str, ...]
    dsm5_criteria_met: bool | None
    suicidal_item: int | None  # PHQ-9 item 9, else None


def answer_problems(code: str, answers: object) -> list[str]:
    """Return what is wrong with a list of answers for an instrument; empty when they are fine."""
    instrument = INSTRUMENTS.get(code)
    if instrument is None:
        return []  # the instrument field reports its own error
    if not isinstance(answers, list):
        return ["Must be a list of whole numbers."]
    problems = []
    expected = len(instrument.items)
    if len(answers) != expected:
        problems.append(f"{instrument.name} has {expected} items: give {expected} answers.")
    for number, answer in enumerate(answers, start=1):
        if isinstance(answer, bool) or not isinstance(answer, int):
            problems.append(f"Answer {number} must be a whole number.")
        elif not 0 <= answer <= instrument.max_answer:
            problems.append(f"Answer {number} must be between 0 and {instrument.max_answer}.")
    return problems


def dsm5_criteria_met(answers: Sequence[int]) -> bool:
    """Return whether PCL-5 answers meet the DSM-5 symptom criteria B, C, D and E."""
    return all(
        sum(1 for a in answers[first - 1 : last] if a >= PCL5_ENDORSED) >= needed
        for first, last, needed in DSM5_CLUSTERS
    )


def score(code: str, answers: Sequence[int]) -> Score:
    """Score valid answers: total, band code, the flags the record raises, PCL-5 criteria."""
    instrument = INSTRUMENTS[code]
    total = sum(answers)
    suicidal_item = answers[8] if code == "phq9" else None
    flags = ("suicidal_ideation",) if suicidal_item else ()
    return Score(
        total=total,
        severity=instrument.band(total).code,
        flags=flags,
        dsm5_criteria_met=dsm5_criteria_met(answers) if code == "pcl5" else None,
        suicidal_item=suicidal_item,
    )
