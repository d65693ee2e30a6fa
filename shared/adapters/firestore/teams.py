"""teams/{team id}, team_invitations/{keyed hash}, each team's claim on its slug in booking_pages/{slug}, and
each host's join counter in team_counts/{host id}.

Why the claim lives in the pages collection: a host's slug IS the id of their page document, claimed by
creating it (must not exist) when the slug is set or changed (shared/services/hosts.py). A team claims its
slug the same way, with a small document `{"team_id": ...}` at booking_pages/{slug}, created in the team's
own commit. Both writers then race for one document id, so exactly one of a host's slug change and a team's
creation wins (the other's commit fails whole as AlreadyStored): no second registry to keep in step, and
no read-then-write window. Readers of pages see no page there (`FirestoreBookingPages.get`), and the slots
read checks the page's `host_id`, which a claim has not.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from shared.adapters.firestore.codec import document, plain_id, stored
from shared.adapters.firestore.collections import PAGES, TEAM_COUNTS, TEAM_INVITATIONS, TEAMS
from shared.adapters.firestore.deadlines import reads
from shared.adapters.firestore.expiring import purge_expired
from shared.adapters.firestore.months import FirestoreBusyMonths, MembersSpan
from shared.adapters.firestore.unit import Unit
from shared.domain.claims import team_count_id
from shared.domain.intervals import Interval
from shared.domain.team import Invitation, Role, Team
from shared.services.ports import Exported, MembersAsked, TeamTypeRead

if TYPE_CHECKING:
    from google.cloud.firestore_v1.document import DocumentReference

    from shared.adapters.firestore.wire import StoredFields

TEAM_CLAIM = "team_id"  # the one field of a team's slug claim in booking_pages (pages.py skips it)
_MEMBER_IDS = "member_ids"  # beside the members map, so "teams of this host" is one array-contains query
_HASH_LENGTH = 64
_HINT_LIMIT = 10_000
_TEAM_FIELDS = [*Team.model_fields, TEAM_CLAIM]  # a team's record and its claim, read with its members' time


class FirestoreTeamInvitations:
    def __init__(self, unit: Unit) -> None:
        self._unit = unit

    def ref(self, token_hash: str) -> DocumentReference:
        return self._unit.db.collection(TEAM_INVITATIONS).document(token_hash)

    def add(self, token_hash: str, invitation: Invitation) -> None:
        self._unit.create(self.ref(token_hash), document(invitation))

    def get(self, token_hash: str) -> Invitation | None:
        if len(token_hash) != _HASH_LENGTH or not plain_id(token_hash):
            return None
        snapshot = self._unit.read(self.ref(token_hash))
        return Invitation.model_validate(snapshot.to_dict()) if snapshot.exists else None

    def save(self, token_hash: str, invitation: Invitation) -> None:
        self._unit.put(self.ref(token_hash), document(invitation))

    def of_team(self, team_id: str) -> dict[str, Invitation]:
        from google.cloud.firestore_v1.base_query import FieldFilter

        query = self._unit.db.collection(TEAM_INVITATIONS).where(filter=FieldFilter("team_id", "==", team_id))
        return {doc.id: Invitation.model_validate(doc.to_dict()) for doc in query.stream(**reads())}


class FirestoreTeams:
    def __init__(self, unit: Unit) -> None:
        self._unit = unit
        self.invitations = FirestoreTeamInvitations(unit)

    def _ref(self, team_id: str) -> DocumentReference:
        return self._unit.db.collection(TEAMS).document(team_id)

    def _claim(self, slug: str) -> DocumentReference:
        return self._unit.db.collection(PAGES).document(slug)

    def get(self, team_id: str) -> Team | None:
        if not plain_id(team_id):
            return None
        snapshot = self._unit.read(self._ref(team_id))
        return _team(snapshot.to_dict()) if snapshot.exists else None

    def by_slug(self, slug: str) -> Team | None:
        """The team whose slug this is. Its claim is usually known without a read of its own: a request that
        looked for a host's page first read it in this unit, and an instance remembers a team's id by slug (a
        hint: a team gone, or not the slug's, answers a fresh look at the claim)."""
        if not plain_id(slug):
            return None
        hints, ref = self._unit.caches.team_slugs, self._claim(slug)
        claim = self._unit.seen(ref)
        if claim is None and (hinted := hints.get(slug)) is not None:
            team = self.get(hinted)
            if team is not None and team.slug == slug:
                return team
            hints.pop(slug, None)
        if claim is None:
            claim = self._unit.read(ref)
        team_id = (claim.to_dict() or {}).get(TEAM_CLAIM) if claim.exists else None
        if not isinstance(team_id, str):
            return None
        if len(hints) > _HINT_LIMIT:
            hints.clear()
        hints[slug] = team_id
        return self.get(team_id)

    def known_slug(self, slug: str) -> bool:
        return slug in self._unit.caches.team_slugs

    def with_members(self, slug: str, type_slug: str, span: Interval, asked: MembersAsked) -> TeamTypeRead | None:
        """Once the instance knows the team's id, the type's id and members and their slugs: the claim, the
        team and every member's page, months (and tally) in ONE batch get. Each hint is checked against that
        read: a claim or team that moved answers the look-up by slug below; a changed member list, one more
        batch get of the members as the team has them."""
        months = FirestoreBusyMonths(self._unit)
        hinted = self._hinted(slug, type_slug)
        if hinted is not None:
            team_id, event_type_id, members = hinted
            claim, record = self._claim(slug), self._ref(team_id)
            at = _span(span, event_type_id, asked)
            snapshots, docs = months.snapshots_with(members, at, [claim, record], _TEAM_FIELDS)
            team = self._team_read(docs[claim.path], docs[record.path], team_id)
            if team is not None and team.slug == slug:
                found_id, event_type = team.by_slug(type_slug)
                if (found_id, tuple(event_type.members)) == (event_type_id, members):
                    return TeamTypeRead(team, event_type_id, snapshots)
                return self._members_of(team, type_slug, span, asked)
            self._unit.caches.team_slugs.pop(slug, None)
            self._unit.caches.team_types.pop((slug, type_slug), None)
        team = self.by_slug(slug)
        return None if team is None else self._members_of(team, type_slug, span, asked)

    def _team_read(self, claim: StoredFields, record: StoredFields, team_id: str) -> Team | None:
        """The team read with its claim, if the claim is still that team's: parsed once per stored version
        (as pages are), the team's record being read with every slots request."""
        claimed = claim.value(TEAM_CLAIM)
        if claimed is None or claimed.string_value != team_id or not record.exists:
            return None
        cache = self._unit.caches.teams
        cached = cache.get(team_id)
        if cached is not None and cached[0] == record.update_time:
            return cached[1]
        team = _team(record.to_dict())
        if len(cache) > _HINT_LIMIT:
            cache.clear()
        cache[team_id] = (record.update_time, team)
        return team

    def _hinted(self, slug: str, type_slug: str) -> tuple[str, str, tuple[str, ...]] | None:
        team_id, typed = self._unit.caches.team_slugs.get(slug), self._unit.caches.team_types.get((slug, type_slug))
        return None if team_id is None or typed is None else (team_id, *typed)

    def _members_of(self, team: Team, type_slug: str, span: Interval, asked: MembersAsked) -> TeamTypeRead:
        """The type's members' snapshots in one batch get, the type and its members remembered."""
        event_type_id, event_type = team.by_slug(type_slug)
        hints = self._unit.caches.team_types
        if len(hints) > _HINT_LIMIT:
            hints.clear()
        hints[(team.slug, type_slug)] = (event_type_id, tuple(event_type.members))
        months = FirestoreBusyMonths(self._unit)
        snapshots, _ = months.snapshots_with(event_type.members, _span(span, event_type_id, asked), [], [])
        return TeamTypeRead(team, event_type_id, snapshots)

    def add(self, team: Team) -> None:
        self._unit.create(self._ref(team.id), _document(team))
        self._unit.create(self._claim(team.slug), {TEAM_CLAIM: team.id})

    def save(self, team: Team, before: Team | None = None) -> None:
        self._unit.put(self._ref(team.id), _document(team))
        if before is not None and before.slug != team.slug:
            self._unit.create(self._claim(team.slug), {TEAM_CLAIM: team.id})
            self._unit.delete(self._claim(before.slug))

    def remove(self, team: Team) -> None:
        self._unit.delete(self._ref(team.id))
        self._unit.delete(self._claim(team.slug))
        for token_hash in self.invitations.of_team(team.id):
            self._unit.delete(self.invitations.ref(token_hash))

    def of_member(self, host_id: str) -> list[Team]:
        from google.cloud.firestore_v1.base_query import FieldFilter

        query = self._unit.db.collection(TEAMS).where(filter=FieldFilter(_MEMBER_IDS, "array_contains", host_id))
        return sorted((_team(doc.to_dict()) for doc in query.stream(**reads())), key=lambda team: team.slug)

    def _count(self, host_id: str) -> DocumentReference:
        return self._unit.db.collection(TEAM_COUNTS).document(team_count_id(host_id))

    def count_join(self, host_id: str, now: datetime) -> int:
        """Read first, so the rewrite is conditional on it. A host's first join creates it unconditionally:
        two first joins racing both commit, as they may (two teams are far below the bound)."""
        counter = self._count(host_id)
        known = self._unit.read(counter).exists
        teams = len(self.of_member(host_id))
        joined = {"teams": teams + 1, "joined_at": now}
        if known:
            self._unit.put(counter, joined)
        else:
            self._unit.merge(counter, joined)
        return teams

    def purge(self, now: datetime) -> dict[str, int]:
        return {f"{TEAM_INVITATIONS}_deleted": purge_expired(self._unit.db, TEAM_INVITATIONS, now)}

    def export_subject(self, host_id: str) -> Exported:
        """The host's teams with their role; the teams they own with their invitations too."""
        exported: Exported = []
        for team in self.of_member(host_id):
            shown = team.model_dump(mode="json")
            if team.role_of(host_id) is Role.OWNER:
                found = self.invitations.of_team(team.id).values()
                shown["invitations"] = [invitation.model_dump(mode="json") for invitation in found]
            exported.append(shown)
        return exported

    def erase_subject(self, host_id: str) -> int:
        """Out of every team (a team left empty goes), and the invitations they accepted (their address)."""
        from google.cloud.firestore_v1.base_query import FieldFilter

        teams = [found for team in self.of_member(host_id) if (found := self.get(team.id)) is not None]
        for team in teams:  # each read again by id: the save or removal is conditional on it
            after = team.without_erased(host_id)
            if after is None:
                self.remove(team)
            else:
                self.save(after)
        query = self._unit.db.collection(TEAM_INVITATIONS).where(filter=FieldFilter("accepted_by", "==", host_id))
        accepted = list(query.stream(**reads()))
        for doc in accepted:
            self._unit.delete(doc.reference)
        self._unit.delete(self._count(host_id))  # a count of their teams, nothing else: not counted as a record
        return len(teams) + len(accepted)


def _span(span: Interval, event_type_id: str, asked: MembersAsked) -> MembersSpan:
    tallies_of = event_type_id if asked.tallied else None
    return MembersSpan(span.start, span.end, tallies_of, asked.places, asked.velocity_windows)


def _document(team: Team) -> dict[str, object]:
    return {**document(team), _MEMBER_IDS: sorted(team.members)}


def _team(doc: dict[str, object] | None) -> Team:
    return stored(Team, doc)
