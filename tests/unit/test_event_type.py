import pytest
from pydantic import ValidationError

from shared.domain.event_type import EventType, EventTypeUpdate


def test_only_slug_title_and_duration_are_required_and_the_step_defaults_to_the_duration() -> None:
    meeting = EventType.model_validate({"slug": "intro-call", "title": "Intro call", "duration_minutes": 45})

    assert meeting.model_dump() == {
        "slug": "intro-call",
        "title": "Intro call",
        "duration_minutes": 45,
        "description": "",
        "buffer_before_minutes": 0,
        "buffer_after_minutes": 0,
        "min_notice_minutes": 0,
        "booking_window_days": 60,
        "slot_step_minutes": 45,
        "daily_limit": None,
        "weekly_limit": None,
        "monthly_limit": None,
        "schedule_id": None,
        "daily_minutes_limit": None,
        "weekly_minutes_limit": None,
        "invitee_open_limit": 5,
        "seats": 1,
        "seats_show_attendees": False,
        "location": None,
        "reminder_minutes_before": 1440,
        "questions": [],
        "bot_gate": "auto",
        "visibility": "public",
    }


def test_an_explicit_step_is_kept() -> None:
    meeting = EventType(slug="a", title="A", duration_minutes=60, slot_step_minutes=15)

    assert meeting.slot_step_minutes == 15


def test_a_duration_off_the_five_minute_grid_is_refused_once_on_its_field() -> None:
    with pytest.raises(ValidationError, match=r"^1 validation error.*\nduration_minutes\n.*multiple of 5"):
        EventType(slug="a", title="A", duration_minutes=7)


@pytest.mark.parametrize("slug", ["Hello", "-intro", "intro-", "intro_call", "", "a" * 61, "intro call"])
def test_a_bad_slug_is_refused_on_the_slug_field(slug: str) -> None:
    with pytest.raises(ValidationError, match=r"slug\n.*lowercase letters, digits and hyphens"):
        EventType(slug=slug, title="A", duration_minutes=30)


@pytest.mark.parametrize("slug", ["a", "30-min", "a" * 60, "intro--call"])
def test_good_slugs_are_accepted(slug: str) -> None:
    assert EventType(slug=slug, title="A", duration_minutes=30).slug == slug


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("duration_minutes", 0, "greater than or equal to 5"),
        ("duration_minutes", 725, "less than or equal to 720"),
        ("buffer_before_minutes", 245, "less than or equal to 240"),
        ("buffer_after_minutes", 3, "multiple of 5"),
        ("min_notice_minutes", -1, "greater than or equal to 0"),
        ("min_notice_minutes", 525_601, "less than or equal to 525600"),
        ("booking_window_days", 0, "greater than or equal to 1"),
        ("booking_window_days", 367, "less than or equal to 366"),
        ("slot_step_minutes", 0, "greater than or equal to 5"),
        ("slot_step_minutes", 12, "multiple of 5"),
        ("daily_limit", 0, "greater than or equal to 1"),
        ("duration_minutes", "30", "valid integer"),
        ("daily_limit", True, "valid integer"),
        ("weekly_limit", 0, "greater than or equal to 1"),
        ("weekly_limit", 2001, "less than or equal to 2000"),
        ("weekly_limit", "3", "valid integer"),
        ("monthly_limit", 2001, "less than or equal to 2000"),
        ("monthly_limit", True, "valid integer"),
        ("title", " ", "at least 1 character"),
        ("title", "x" * 201, "at most 200 characters"),
    ],
)
def test_out_of_range_values_are_refused_naming_the_field(field: str, value: object, message: str) -> None:
    body = {"slug": "a", "title": "A", "duration_minutes": 30, field: value}

    with pytest.raises(ValidationError, match=rf"\n{field}\n.*{message}"):
        EventType.model_validate(body)


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError, match=r"durationMinutes\n.*Extra inputs are not permitted"):
        EventType.model_validate({"slug": "a", "title": "A", "duration_minutes": 30, "durationMinutes": 30})


def test_a_patch_changes_only_the_fields_it_sets() -> None:
    meeting = EventType(slug="a", title="A", duration_minutes=30, buffer_after_minutes=10)

    updated = meeting.updated(EventTypeUpdate.model_validate({"title": "Longer", "duration_minutes": 60}))

    assert (updated.title, updated.duration_minutes, updated.buffer_after_minutes) == ("Longer", 60, 10)
    assert updated.slot_step_minutes == 30  # the stored step does not follow the duration silently


def test_a_null_in_a_patch_resets_the_field_to_its_default() -> None:
    meeting = EventType(slug="a", title="A", duration_minutes=30, daily_limit=3, slot_step_minutes=15)

    updated = meeting.updated(EventTypeUpdate.model_validate({"daily_limit": None, "slot_step_minutes": None}))

    assert (updated.daily_limit, updated.slot_step_minutes) == (None, 30)


def test_weekly_and_monthly_limits_are_set_and_reset_by_a_patch() -> None:
    meeting = EventType(slug="a", title="A", duration_minutes=30)

    limited = meeting.updated(EventTypeUpdate.model_validate({"weekly_limit": 3, "monthly_limit": 2000}))
    reset = limited.updated(EventTypeUpdate.model_validate({"weekly_limit": None}))

    assert (limited.weekly_limit, limited.monthly_limit) == (3, 2000)
    assert (reset.weekly_limit, reset.monthly_limit) == (None, 2000)


@pytest.mark.parametrize("field", ["slug", "title", "duration_minutes"])
def test_a_null_for_a_required_field_is_refused_by_the_patch_itself(field: str) -> None:
    with pytest.raises(ValidationError, match=rf"{field}\n.*cannot be null"):
        EventTypeUpdate.model_validate({field: None})


def test_a_patch_schema_shows_required_fields_as_not_nullable_and_optional_ones_as_nullable() -> None:
    properties = EventTypeUpdate.model_json_schema()["properties"]

    assert properties["slug"]["type"] == "string"
    assert "anyOf" not in properties["duration_minutes"]
    assert {"type": "null"} in properties["daily_limit"]["anyOf"]


def test_a_patch_validates_its_fields_on_their_own() -> None:
    with pytest.raises(ValidationError, match=r"duration_minutes\n.*multiple of 5"):
        EventTypeUpdate.model_validate({"duration_minutes": 31})


def test_the_json_schema_does_not_advertise_the_internal_step_sentinel() -> None:
    step = EventType.model_json_schema()["properties"]["slot_step_minutes"]

    assert "default" not in step
    assert step["description"] == "Defaults to duration_minutes."


def test_a_description_keeps_its_line_breaks_and_refuses_other_control_characters() -> None:
    meeting = EventType(slug="a", title="A", duration_minutes=30, description="First line\nhttps://example.com\n")

    assert meeting.description == "First line\nhttps://example.com"
    with pytest.raises(ValidationError, match="description"):
        EventType(slug="a", title="A", duration_minutes=30, description="bell\x07")
