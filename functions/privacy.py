"""User rights — access (export), erasure, restriction, objection, cookie consent, and where to complain —
for hosts (session) and invitees: a booking's manage token opens that one booking; a proven address (a
one-time link mailed to it, `/privacy/address-proofs`) opens every booking made with it, with every host.
Rectification: `PATCH /hosts/me` and `PATCH /bookings/{id}`."""

from __future__ import annotations

from datetime import datetime, timedelta

import functions_framework
from flask import Request, Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from shared.bootstrap import adapters
from shared.config import get_settings
from shared.domain.address_proof import GRANT_TOKEN_PATTERN, PROOF_TOKEN_PATTERN, AddressGrant
from shared.domain.booking import Booking, Email
from shared.domain.host import Host
from shared.domain.ids import ERASURE_ID_PATTERN, HOST_ID_PATTERN
from shared.domain.policy import policy_version
from shared.services import address_proofs, policy_notices
from shared.services import consent as consent_service
from shared.services import privacy as rights
from shared.services.errors import MailDeferred
from shared.services.records import Erasure
from shared.web import pages
from shared.web.auth import CONSENT_COOKIE, require_same_origin, set_consent_cookie
from shared.web.endpoints import Endpoints, json_response
from shared.web.principals import BOTH, TASKS, TaskCaller
from shared.web.problems import Problem, request_language
from shared.web.views import ComplaintView, ConsentView, ErasureView, PrivacyExport, ProcessingView

api = Endpoints("privacy")


class EraseTask(BaseModel):
    erasure_id: str = Field(pattern=ERASURE_ID_PATTERN)
    host_id: str = Field(pattern=HOST_ID_PATTERN)


def _complaint() -> dict[str, str]:
    settings = get_settings()
    return ComplaintView(contact=settings.privacy_contact_email, authority=settings.supervisory_authority).model_dump()


@api.rights_holder("/export", response=PrivacyExport)
def export(request: Request, principal: Host | Booking | AddressGrant) -> Response:
    """Everything held about you, as one versioned JSON document (a manage token: that booking; a proven
    address: every booking made with it)."""
    command = rights.Export(principal, _complaint(), request.cookies.get(CONSENT_COOKIE))
    return json_response(rights.export(command, adapters()))


class InviteeErasure(BaseModel):
    """An invitee's erasure, done at once: when, and how many bookings lost their name, email and notes."""

    erased_at: datetime
    steps: dict[str, int]


@api.rights_holder(
    "/erase",
    methods=("POST",),
    response=ErasureView,
    status=202,
    other_responses={200: InviteeErasure},
)
def erase(request: Request, principal: Host | Booking | AddressGrant) -> Response:
    """Erase your data. A host's account goes entirely (202, follow `GET /privacy/erase/{erasure_id}`);
    an invitee's booking (a manage token), or every booking made with a proven address, keeps only its
    time (200, done). A host who is the only owner of a team others are in answers 409 `team-sole-owner`."""
    erased = rights.erase(rights.Erase(principal), adapters())
    if isinstance(erased, Erasure):
        return json_response(ErasureView.of(erased), status=202)
    return json_response(erased)


@api.public("/erase/<erasure_id>", response=ErasureView, personal=True)
def erasure_state(request: Request, erasure_id: str) -> Response:
    """Where a host's erasure stands: its receipt (the id is the only key to it)."""
    return json_response(ErasureView.of(rights.erasure_receipt(erasure_id, adapters())))


@api.public("/complaint", response=ComplaintView)
def complaint(request: Request) -> Response:
    """Where to take a privacy question or complaint."""
    return json_response(_complaint())


@api.public("/policy", produces="text/html")
def policy_page(request: Request) -> Response:
    """The privacy policy (served at /privacy-policy): retention periods, recipients and the version, as the
    code and this deployment's settings have them."""
    return pages.privacy_policy(get_settings(), request)


@api.public("/cookie-policy", produces="text/html")
def cookie_policy_page(request: Request) -> Response:
    """The cookie policy (served at /cookie-policy): every cookie and browser-storage key Kaleno uses."""
    return pages.cookie_policy(get_settings(), request)


@api.queue("/tasks/erase", callers=TASKS, body=EraseTask)
def run_erasure(request: Request, principal: TaskCaller, body: EraseTask) -> Response:
    """Cloud Tasks target: carry a host's erasure to its end (503 from Google: retried by the queue)."""
    kept = timedelta(days=get_settings().closed_booking_retention_days)
    erasure = rights.run_host_erasure(rights.RunHostErasure(body.erasure_id, body.host_id, kept), adapters())
    return json_response(ErasureView.of(erasure))


class PolicyNoticeTask(BaseModel):
    model_config = ConfigDict(extra="forbid")

    after: str | None = Field(
        None, pattern=HOST_ID_PATTERN, description="The last host of the previous page; none: start."
    )


@api.queue("/tasks/policy-notices", callers=BOTH, body=PolicyNoticeTask)
def tell_hosts_about_the_policy(request: Request, principal: TaskCaller, body: PolicyNoticeTask) -> Response:
    """Cloud Scheduler (daily) and then Cloud Tasks, a page at a time: mail every host once about a
    significant policy change (503 while the relay cannot take mail: retried, skipping who was told)."""
    settings = get_settings()
    policy = policy_version(settings.privacy_policy_version)
    command = policy_notices.TellHosts(policy, body.after, settings.policy_notice_page_size)
    try:
        run = policy_notices.tell_hosts(command, adapters())
    except MailDeferred as error:
        detail = "The relay could not take the notice now; retry later (hosts already told are skipped)."
        raise Problem(503, "mail-deferred", "Mail not sent yet", detail, headers={"Retry-After": "2"}) from error
    return json_response({"outcome": run.outcome, "next": run.next})


class ProcessingChoice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    active: StrictBool = Field(description="true sets the flag; false lifts it.")


class ConsentChoice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    analytics: StrictBool = Field(description="Non-essential analytics cookies; essential cookies need no consent.")


@api.rights_holder("/restrict", methods=("POST",), body=ProcessingChoice, response=ProcessingView)
def restrict(request: Request, principal: Host | Booking | AddressGrant, body: ProcessingChoice) -> Response:
    """Restrict processing: your data is kept, but Kaleno stops reading and writing Google Calendar for it
    (a host's page offers nothing meanwhile) until you lift it."""
    processing = rights.set_processing(rights.SetProcessing(principal, "restricted", body.active), adapters())
    return json_response(ProcessingView(restricted=processing.restricted, objected=processing.objected))


@api.rights_holder("/object", methods=("POST",), body=ProcessingChoice, response=ProcessingView)
def object_to_processing(
    request: Request, principal: Host | Booking | AddressGrant, body: ProcessingChoice
) -> Response:
    """Object to processing: the same pause as a restriction, recorded as an objection."""
    processing = rights.set_processing(rights.SetProcessing(principal, "objected", body.active), adapters())
    return json_response(ProcessingView(restricted=processing.restricted, objected=processing.objected))


class AddressProofRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email = Field(description="The address whose data you want to see or manage; the link goes there.")


class AddressProofRedemption(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(
        max_length=60,
        json_schema_extra={"pattern": PROOF_TOKEN_PATTERN},
        description="The `#proof=` part of the mailed link.",
    )


class AddressProofSent(BaseModel):
    """Always the same answer: whether anything is held about the address is told only to its inbox."""

    status: str = Field(description="`sent`: a link is on its way if the address receives mail.")


class AddressGrantView(BaseModel):
    """Rights over the address until `expires_at`: send `Authorization: Bearer <grant>` to
    `/privacy/export`, `/privacy/erase`, `/privacy/restrict` and `/privacy/object`."""

    grant: str = Field(json_schema_extra={"pattern": GRANT_TOKEN_PATTERN})
    email: str
    expires_at: datetime


@api.public(
    "/address-proofs",
    methods=("POST",),
    body=AddressProofRequest,
    response=AddressProofSent,
    status=202,
    limit="booking-writes",
    personal=True,  # the request carries an address
)
def request_address_proof(request: Request, body: AddressProofRequest) -> Response:
    """Mail a one-time link (30 minutes) to the address: rights over every booking made with it, with
    every host, need it. Always 202, whether or not Kaleno holds anything about the address."""
    language = request_language(request.headers.get("Accept-Language"))
    address_proofs.request_proof(address_proofs.RequestProof(body.email, language), adapters())
    return json_response(AddressProofSent(status="sent"), status=202)


@api.public(
    "/address-proofs/redeem",
    methods=("POST",),
    body=AddressProofRedemption,
    response=AddressGrantView,
    limit="booking-writes",
    personal=True,  # the answer names the address and holds the grant
)
def redeem_address_proof(request: Request, body: AddressProofRedemption) -> Response:
    """Open the mailed link, once: a grant over the address for 30 minutes. A link used before answers 410
    `address-proof-used`, an expired one 410 `address-proof-expired`, a forged one 401 `invalid-address-proof`."""
    token, grant = address_proofs.redeem(address_proofs.RedeemProof(body.token), adapters())
    return json_response(AddressGrantView(grant=token, email=grant.email, expires_at=grant.expires_at))


@api.public("/consent", methods=("POST",), body=ConsentChoice, response=ConsentView, personal=True)
def consent(request: Request, body: ConsentChoice) -> Response:
    """Record the visitor's cookie choices (with time and policy version) under an anonymous consent id
    kept in an essential cookie; no non-essential cookie is ever set before this."""
    require_same_origin(request)
    settings = get_settings()
    command = consent_service.RecordConsent(
        request.cookies.get(CONSENT_COOKIE),
        body.analytics,
        settings.privacy_policy_version,
        timedelta(days=settings.consent_days),
    )
    record = consent_service.record_consent(command, adapters())
    response = json_response(ConsentView.of(record))
    set_consent_cookie(response, record.id)
    return response


@api.public("/consent", response=ConsentView, personal=True)
def get_consent(request: Request) -> Response:
    """The visitor's standing choice; `decided: false` means ask (none yet, expired, or a new policy)."""
    settings = get_settings()
    command = consent_service.CurrentConsent(request.cookies.get(CONSENT_COOKIE), settings.privacy_policy_version)
    record = consent_service.current_consent(command, adapters())
    return json_response(ConsentView.of(record) if record else ConsentView.undecided(settings.privacy_policy_version))


@functions_framework.http
def privacy(request: Request) -> Response:
    return api(request)
