"""One host's page document stays within Firestore's 1 MiB (issue 26, finding 4), over real HTTP.

Before: the 23rd event type with 20 questions of 20 long options answered 500 (`InvalidArgument` on
commit) and the public host page served 1,032,406 bytes.
"""

from __future__ import annotations

import pytest
import requests

from tests.e2e.test_bookings import EVERY_DAY
from tests.e2e.test_http_surface import assert_problem
from tests.support import Browser, Google, host_with_hours


@pytest.fixture
def host(browser: Browser, google: Google) -> str:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY)
    return slug


def _heavy_event_type(number: int) -> dict[str, object]:
    """As large as the per-field limits allow the questions to be: 20 questions of 20 options of 100 characters."""
    questions = [
        {
            "id": f"q{question}",
            "label": f"Question {question} " + "l" * 180,
            "kind": "multiple_choice",
            "options": [f"{question}-{option}-" + "o" * 94 for option in range(20)],
        }
        for question in range(20)
    ]
    return {"slug": f"heavy-{number}", "title": f"Heavy {number}", "duration_minutes": 30, "questions": questions}


def test_a_page_that_would_outgrow_its_document_is_refused_naming_the_field(
    api: str, browser: Browser, host: str
) -> None:
    answers = [browser.post("/hosts/me/event-types", json=_heavy_event_type(number)) for number in range(40)]

    statuses = [answer.status_code for answer in answers]
    assert 500 not in statuses
    refused_at = statuses.index(422)
    assert statuses[:refused_at] == [201] * refused_at, statuses
    assert refused_at >= 10  # a host can still hold many heavy event types
    problem = assert_problem(answers[refused_at], 422, "validation-error")
    assert [(error["field"], error["code"]) for error in problem["errors"]] == [("questions", "page-full")]
    assert set(statuses[refused_at:]) == {422}  # the page is full, and stays as it was
    listed = browser.get("/hosts/me/event-types").json()["event_types"]
    assert len(listed) == 1 + refused_at  # the host's first event type ("call") and the heavy ones that fit
    renamed = browser.patch(f"/hosts/me/event-types/{listed[0]['id']}", json={"title": "Still editable"})
    assert renamed.status_code == 200, renamed.text  # a full page still takes edits that do not grow it

    public = requests.get(f"{api}/bookings/pages/{host}", timeout=10)
    one = requests.get(f"{api}/bookings/pages/{host}/heavy-0", timeout=10)

    assert public.status_code == 200
    assert len(public.content) < 16 * 1024, len(public.content)
    assert "questions" not in public.json()["event_types"][0]  # the list of types does not need them
    assert len(one.json()["event_type"]["questions"]) == 20  # the booking page of one type does
