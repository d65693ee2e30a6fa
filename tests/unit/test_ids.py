"""Every id Kaleno mints has the pattern the routes, task payloads and OpenAPI check it against."""

import re

from shared.domain import ids
from shared.web.endpoints import PATH_PARAMETERS


def test_each_generated_id_matches_its_pattern() -> None:
    minted = {
        ids.HOST_ID_PATTERN: ids.host_id("google-subject-1"),
        ids.BOOKING_ID_PATTERN: ids.booking_id(),
        ids.ERASURE_ID_PATTERN: ids.erasure_id(),
        ids.EVENT_TYPE_ID_PATTERN: ids.event_type_id(),
        ids.WEBHOOK_ID_PATTERN: ids.webhook_id(),
    }
    assert [pattern for pattern, value in minted.items() if not re.fullmatch(pattern, value)] == []
    assert ids.host_id("google-subject-1") == ids.host_id("google-subject-1")  # a second sign-in: same host


def test_no_id_pattern_admits_a_name_firestore_reserves() -> None:
    assert [pattern for pattern in ids.ID_PATTERNS if re.fullmatch(pattern, "__name__")] == []


def test_every_path_parameter_is_one_of_the_id_patterns() -> None:
    assert set(PATH_PARAMETERS.values()) <= set(ids.ID_PATTERNS)
