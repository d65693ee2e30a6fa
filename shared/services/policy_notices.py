"""Telling hosts about a significant change to the privacy policy: every host once, resumable.

A run walks the hosts in id order a page at a time; the next page is a named task carrying the cursor, so
the walk goes on after a crash, and a run started again (the daily schedule, or a retried task) skips
every host already told: each send is followed at once by one commit that marks the host told about this
version *and* records the send in the ledger. Only a process dying between the relay accepting a message
and that commit (milliseconds) could send one host a second copy, under the same Message-ID.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from shared.domain.host import Host
from shared.domain.policy import PolicyVersion
from shared.logging import log_event
from shared.services import messages
from shared.services.contention import retried
from shared.services.errors import MailRefused
from shared.services.ports import Mailer, Ports, TaskQueue, UnitOfWork

TASK_PATH = "/tasks/policy-notices"


@dataclass(frozen=True)
class TellHosts:
    """One run of the notice (the daily schedule's, or a page's task): the hosts after `after_id` (None: from
    the first), `page_size` of them, about this policy version."""

    policy: PolicyVersion
    after_id: str | None
    page_size: int


@dataclass(frozen=True)
class NoticeRun:
    """How the run went; `next`: the cursor the next page's task carries (None: the walk is done)."""

    outcome: Literal["mail_not_configured", "done", "continues"]
    next: str | None = None


@dataclass(frozen=True)
class _Notice:
    policy: PolicyVersion
    link: str  # to the policy page
    at: datetime


def tell_hosts(command: TellHosts, deps: Ports) -> NoticeRun:
    """One page of hosts after the cursor, then the next page as a task. A relay that cannot take mail now
    raises MailDeferred: the run is retried and skips who was told."""
    mailer, policy = deps.mailer, command.policy
    if mailer is None:
        return NoticeRun("mail_not_configured")
    if not policy.significant:
        return NoticeRun("done")
    uow, notice = deps.uow(), _Notice(policy, deps.links.privacy_policy(), deps.now())
    hosts = uow.hosts.page(command.after_id, command.page_size)
    for host in hosts:
        if not host.knows_policy(policy.version):
            _tell(host, notice, uow, mailer)
    if len(hosts) < command.page_size:
        return NoticeRun("done")
    _continue_later(policy, hosts[-1].id, deps.tasks)
    return NoticeRun("continues", hosts[-1].id)


def _tell(host: Host, notice: _Notice, uow: UnitOfWork, mailer: Mailer) -> None:
    policy, link, now = notice.policy, notice.link, notice.at
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


def _continue_later(policy: PolicyVersion, after_id: str, tasks: TaskQueue) -> bool:
    """The next page, as a task named by version and cursor (enqueued twice, it runs once)."""
    payload = {"after": after_id}
    return tasks.enqueue("privacy", payload, name=f"policy-{policy.version}-{after_id}", path=TASK_PATH)
