"""What a decision needs besides the document: when the fax arrived, the reference data, the threshold."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from validators.reference import ProviderDirectory, Roster


@dataclass(frozen=True)
class DecisionContext:
    received_at: datetime
    roster: Roster
    providers: ProviderDirectory
    confidence_threshold: float = 0.9
    pages_received: int = 0
    pages_expected: int | None = None  # the cover sheet's count, else the fax header's P.n/m
