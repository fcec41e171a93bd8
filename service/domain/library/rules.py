"""The library's configuration at decision time: clock, policy matrix and calendars (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from service.domain.circulation.refusals import reader_blocked
from service.domain.library.calendar import BranchCalendar, due_date, next_open_day
from service.domain.library.policy import PolicyMatrix, PolicyRule, default_matrix
from service.domain.readers.blocks import BlockReason, block_message, block_reasons
from service.domain.readers.reader_state import ReaderState


@dataclass(frozen=True)
class Rules:
    """Everything a decision needs besides the streams: passed in, so tests move time."""

    now: datetime
    today: date  # in the library's time zone
    matrix: PolicyMatrix = field(default_factory=default_matrix)
    calendars: Mapping[str, BranchCalendar] = field(default_factory=dict)

    def calendar(self, branch: str) -> BranchCalendar:
        return self.calendars.get(branch, BranchCalendar())

    def rule(self, category: str, item_type: str, branch: str) -> PolicyRule:
        return self.matrix.resolve(category, item_type, branch)

    def due(self, days: int, branch: str) -> date:
        return due_date(self.today, days, self.calendar(branch))

    def pickup_deadline(self, days: int, branch: str) -> date:
        return next_open_day(self.today + timedelta(days=days), self.calendar(branch))


def current_blocks(rules: Rules, reader: ReaderState) -> list[BlockReason]:
    return block_reasons(
        manual_block=reader.manual_block, fines_owed_fen=reader.fines_owed_fen,
        oldest_due=reader.oldest_due, card_expires=reader.expires_on, today=rules.today,
        matrix=rules.matrix,
    )


def refuse_if_blocked(rules: Rules, reader: ReaderState) -> None:
    """Raise reader_blocked naming every reason, in both languages."""
    reasons = current_blocks(rules, reader)
    if not reasons:
        return
    messages = [
        block_message(
            r, note=reader.manual_block, fines_owed_fen=reader.fines_owed_fen,
            threshold_fen=rules.matrix.block_fine_threshold_fen,
            overdue_days=(rules.today - reader.oldest_due).days if reader.oldest_due else None,
            limit_days=rules.matrix.block_overdue_days, card_expires=reader.expires_on,
        )
        for r in reasons
    ]
    raise reader_blocked([r.value for r in reasons], [m.en for m in messages],
                         [m.zh for m in messages])
