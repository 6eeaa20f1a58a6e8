"""The shapes of wake-word enrolment that cross a boundary."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

__all__ = ["EnrolmentState", "Measure", "Enrolment", "SampleAdded"]

EnrolmentState = Literal["empty", "collecting", "training", "trained", "failed"]


class Measure(msgspec.Struct, frozen=True, kw_only=True):
    """How the detector does on the member's own samples."""

    detected: int  # samples in which it heard "Atom"
    samples: int
    mean_score: float  # the mean over samples of each one's highest score (0-1)


class Enrolment(msgspec.Struct, frozen=True, kw_only=True):
    samples: int  # recorded now
    min_samples: int  # needed before training
    max_samples: int
    state: EnrolmentState  # "collecting": samples recorded since the last training (or none yet)
    threshold: float | None = None
    before: Measure | None = None  # the shipped detector, on the samples it was trained with
    after: Measure | None = None  # the adapted one, on the same samples
    detail: str | None = None  # why training failed
    trained_at: datetime | None = None


class SampleAdded(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    seconds: float
    samples: int
