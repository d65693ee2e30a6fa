"""Read, decide, write: again with fresh data when someone else changed what was read meanwhile."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from shared.deadlines import check as check_deadline
from shared.services.errors import Contention

T = TypeVar("T")
ATTEMPTS = 5


def retried(work: Callable[[], T], attempts: int = ATTEMPTS) -> T:
    """`work` opens its own `with uow:` and commits; a `Contention` runs it again, up to `attempts` times and
    while the request's deadline lasts (`DeadlineSpent` then: nothing of the lost rounds was written)."""
    for _ in range(attempts - 1):
        try:
            return work()
        except Contention:
            check_deadline()
            continue
    return work()
