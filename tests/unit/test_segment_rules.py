"""RFV quintile scores and named segments are pure functions of each reader's window."""

from __future__ import annotations

from projections.segment_rules import (
    ReaderActivity,
    movements,
    name_segment,
    quintile,
    score_readers,
)


def test_quintiles_split_the_readers_into_fifths_and_ties_share_a_score() -> None:
    values = sorted(float(v) for v in range(10))
    assert [quintile(float(v), values) for v in range(10)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert quintile(3.0, [3.0, 3.0, 3.0]) == 1


def test_the_first_matching_rule_names_the_segment() -> None:
    assert name_segment(5, 5, 5, tenure_days=30, borrowed=True) == "new"
    assert name_segment(0, 0, 0, tenure_days=400, borrowed=False) == "lost"
    assert name_segment(5, 4, 4, tenure_days=400, borrowed=True) == "champions"
    assert name_segment(3, 5, 1, tenure_days=400, borrowed=True) == "loyal"
    assert name_segment(1, 4, 4, tenure_days=400, borrowed=True) == "at_risk"
    assert name_segment(5, 1, 1, tenure_days=400, borrowed=True) == "promising"
    assert name_segment(2, 1, 1, tenure_days=400, borrowed=True) == "hibernating"


def test_keen_recent_broad_readers_are_champions_and_silent_ones_are_lost() -> None:
    readers = [ReaderActivity(f"r{i}", 400, recency_days=100 - 10 * i, frequency=i,
                              breadth=i) for i in range(1, 10)]
    readers.append(ReaderActivity("silent", 400, recency_days=None, frequency=0, breadth=0))
    scored = {s.reader_id: s for s in score_readers(readers)}
    assert scored["r9"].segment == "champions" and scored["r9"].recency == 5
    assert scored["r1"].segment == "hibernating"
    assert scored["silent"].segment == "lost" and scored["silent"].frequency == 0


def test_a_reader_without_history_is_scored_on_frequency_not_on_their_titles() -> None:
    readers = [ReaderActivity("kept", 400, 5, 9, 1),
               ReaderActivity("private", 400, 5, 9, None),
               ReaderActivity("other", 400, 60, 1, 6)]
    scored = {s.reader_id: s for s in score_readers(readers)}
    assert scored["private"].volume == scored["private"].frequency
    assert scored["kept"].volume < scored["other"].volume


def test_movement_counts_each_reader_once_from_before_to_after() -> None:
    moved = movements({"a": "loyal", "b": "loyal", "c": "new"},
                      {"a": "loyal", "b": "at_risk", "d": "new"})
    assert moved == {("loyal", "loyal"): 1, ("loyal", "at_risk"): 1, ("new", "none"): 1,
                     ("none", "new"): 1}
