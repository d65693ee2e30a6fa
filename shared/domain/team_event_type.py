"""A team's event type: everything a host's event type has, plus how its bookings are assigned and to whom.

Stored on the team's own document (`Team.event_types`, by `et` + 10 hex ids as a host's are), so a team's
page and slots find the team, its event types and their members in the one record the slug leads to. Its
hours are each member's own default hours (a member's offer is their page with this type), so a team type
names no schedule; it has no seats (a group session of several hosts is not a thing Kaleno offers).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, ValidationError, field_validator

from shared.domain.errors import InvalidFields, field_problems, refused
from shared.domain.event_type import EventType, EventTypeUpdate
from shared.domain.team_offer import Assignment

MAX_TYPE_MEMBERS = 25  # a slots read fetches every member's page and months in one batch get
MAX_TEAM_EVENT_TYPES = 20

HostId = Annotated[str, Field(min_length=1, max_length=64)]  # one of the team's members, checked against it


class TeamEventType(EventType):
    """An event type of a team, as stored and as created (the request body is the whole record)."""

    assignment: Assignment = Field(
        description="round_robin: each booking goes to one free member, chosen for fairness; collective: every "
        "member attends, so a time is offered only when all are free."
    )
    members: list[HostId] = Field(
        max_length=MAX_TYPE_MEMBERS,
        description="Host ids of the team members who take these bookings (each with a connected calendar). "
        "A member who leaves the team leaves its types; a type left with none offers no times.",
    )

    @field_validator("members")
    @classmethod
    def _each_once(cls, members: list[str]) -> list[str]:
        if len(set(members)) != len(members):
            raise refused("members-repeated", "name each member once")
        return members

    @field_validator("seats")
    @classmethod
    def _one_seat(cls, seats: int) -> int:
        if seats != 1:
            raise refused("team-type-no-seats", "a team event type is one-to-one")
        return seats

    @field_validator("schedule_id")
    @classmethod
    def _members_own_hours(cls, schedule_id: str | None) -> str | None:
        if schedule_id is not None:
            raise refused("team-type-own-hours", "a team event type offers each member's own hours")
        return schedule_id

    @property
    def event_type(self) -> EventType:
        """The plain event type each member's offer is asked about (their page, this type)."""
        return EventType.model_validate(self.model_dump(exclude={"assignment", "members"}))

    def updated_with(self, patch: TeamEventTypeUpdate) -> TeamEventType:
        """The fields the patch sets changed, re-validated as a whole (as `EventType.updated`)."""
        team_fields = {"assignment", "members"}
        plain = EventTypeUpdate.model_validate(patch.model_dump(exclude_unset=True, exclude=team_fields))
        base = self.event_type.updated(plain)
        changed = {name: value for name, value in patch.model_dump(include=team_fields).items() if value is not None}
        merged = {**base.model_dump(), "assignment": self.assignment, "members": self.members, **changed}
        try:
            return TeamEventType.model_validate(merged)
        except ValidationError as error:
            raise InvalidFields(field_problems(error)) from None


class TeamEventTypeUpdate(EventTypeUpdate):
    """PATCH body of a team event type: an event type's fields, `assignment` and `members`, each optional."""

    assignment: Assignment | None = None
    members: list[HostId] | None = Field(None, min_length=1, max_length=MAX_TYPE_MEMBERS)
