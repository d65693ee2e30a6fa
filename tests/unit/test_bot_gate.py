"""The bot gate's pure rules: when a booking write needs a proof of work, and how its records are named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.domain.bot_gate import BotGate, proof_needed, spent_proof_id, velocity_window_end, velocity_windows

THRESHOLDS = {"host_threshold": 30, "client_threshold": 3}


def test_an_always_gated_event_type_needs_a_proof_on_a_quiet_page() -> None:
    assert proof_needed(BotGate.ALWAYS, 0, 0, **THRESHOLDS)


def test_auto_needs_no_proof_while_page_and_client_are_below_their_thresholds() -> None:
    assert not proof_needed(BotGate.AUTO, 30, 3, **THRESHOLDS)


@pytest.mark.parametrize(("host_recent", "client_recent"), [(31, 0), (0, 4), (31, 4)])
def test_auto_needs_a_proof_once_the_page_or_the_client_crosses_its_threshold(
    host_recent: int, client_recent: int
) -> None:
    assert proof_needed(BotGate.AUTO, host_recent, client_recent, **THRESHOLDS)


def test_a_threshold_of_zero_asks_from_the_first_counted_write() -> None:
    assert not proof_needed(BotGate.AUTO, 0, 0, host_threshold=0, client_threshold=0)
    assert proof_needed(BotGate.AUTO, 1, 0, host_threshold=0, client_threshold=0)


def test_the_velocity_windows_are_the_current_fixed_window_and_the_one_before() -> None:
    window = timedelta(minutes=10)
    now = datetime(2026, 12, 7, 10, 25, tzinfo=UTC)

    current, previous = velocity_windows(now, window)

    assert previous == current - 1
    assert velocity_window_end(current, window) == datetime(2026, 12, 7, 10, 30, tzinfo=UTC).timestamp()
    assert velocity_windows(now + timedelta(minutes=4, seconds=59), window)[0] == current
    assert velocity_windows(now + timedelta(minutes=5), window)[0] == current + 1


def test_a_spent_proof_is_named_by_its_challenge_alone() -> None:
    assert spent_proof_id("abc") == spent_proof_id("abc")
    assert spent_proof_id("abc") != spent_proof_id("abd")
    assert len(spent_proof_id("abc")) == 64
