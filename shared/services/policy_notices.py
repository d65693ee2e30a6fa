"""Telling hosts about a significant change to the privacy policy: every host once, resumable.

A run walks the hosts in id order a page at a time; the next page is a named task carrying the cursor, so
the walk goes on after a crash, and a run started again (the daily schedule, or a retried task) skips
every host already told: each send is followed at once by one commit that marks the host told about this
version *and* records the send in the ledger. Only a process dying between the relay accepting a message
and that commit (milliseconds) could send one host a second copy, under the same Message-ID.
"""

from __future__ import annotations

from datetime import datetime

from shared.domain.host import Host
from shared.domain.policy import PolicyVersion
from shared.logging import log_event
from shared.services import messages
from shared.services.contention import retried
from shared.services.errors import MailRefused
from shared.services.ports import Mailer, TaskQueue, UnitOfWork

TASK_PATH = "/tasks/policy-notices"


def tell_hosts(
    policy: PolicyVersion,
    after_id: str | None,
    page_size: int,
    now: datetime,
    uow: UnitOfWork,
    mailer: Mailer,
    policy_link: str,
) -> str | None:
    """One page of hosts after the cursor; returns the cursor of the next page (None: the walk is done).
    A relay that cannot take mail now raises MailDeferred: the run is retried and skips who was told."""
    if not policy.significant:
        return None
    hosts = uow.hosts.page(after_id, page_size)
    for host in hosts:
        if not host.knows_policy(policy.version):
            _tell(host, policy, now, uow, mailer, policy_link)
    return hosts[-1].id if len(hosts) == page_size else None


def _tell(host: Host, policy: PolicyVersion, now: datetime, uow: UnitOfWork, mailer: Mailer, link: str) -> None:
    try:
        mailer.send(messages.policy_notice(host, policy, link))
        outcome = "sent"
    except MailRefused as error:  # refused for good: retrying would not help; recorded as such
        outcome = f"refused_{error.code}"

    def record() -> None:
        with uow:
            current = uow.hosts.get(host.id)
            if current is not None:
                uow.hosts.save(current.told_policy(policy.version))
                uow.audit.record("policy_notice", host.id, outcome, now)
                uow.commit()

    retried(record)
    log_event("policy_notice", host_id=host.id, outcome=outcome)


def continue_later(policy: PolicyVersion, after_id: str, tasks: TaskQueue) -> bool:
    """The next page, as a task named by version and cursor (enqueued twice, it runs once)."""
    payload = {"after": after_id}
    return tasks.enqueue("privacy", payload, name=f"policy-{policy.version}-{after_id}", path=TASK_PATH)
