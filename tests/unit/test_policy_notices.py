"""The policy notice against fakes: every host told once about a significant change, a page at a time,
and a walk that dies halfway and is started again tells nobody twice."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.config import get_settings
from shared.domain.policy import PolicyVersion
from shared.services import policy_notices
from shared.services.policy_notices import TellHosts
from shared.services.records import OutgoingMail
from tests.unit.fakes import AuditEntry, FakeMailer, FakePorts, a_host, given

NOW = datetime(2026, 12, 7, 3, tzinfo=UTC)
CHANGE = PolicyVersion("2026-12-06", significant=True, changes="Recipients named.")


class Crash(Exception):
    """The instance dies (deploy, out of memory) before the relay took the message."""


class DyingMailer(FakeMailer):
    def __init__(self, dies_at_send: int) -> None:
        super().__init__()
        self.dies_at_send = dies_at_send
        self.attempts = 0

    def send(self, mail: OutgoingMail) -> None:
        self.attempts += 1
        if self.attempts == self.dies_at_send:
            raise Crash
        super().send(mail)


@pytest.fixture
def ports() -> FakePorts:
    ports = FakePorts()
    hosts = [a_host(f"h{n}", slug=f"host-{n}").model_copy(update={"email": f"h{n}@example.com"}) for n in range(7)]
    hosts[4] = hosts[4].told_policy(CHANGE.version)  # signed up under it
    given(ports.db, hosts=hosts)
    return ports


def walk(ports: FakePorts, mailer: FakeMailer, policy: PolicyVersion = CHANGE) -> None:
    """The scheduler's run, then each page's task (which the run enqueued) in turn, as Cloud Tasks would
    deliver them."""
    ports.mailer, ports.time = mailer, NOW
    run = policy_notices.tell_hosts(TellHosts(policy, None, 3), ports)
    while run.next is not None:
        assert run.outcome == "continues"
        run = policy_notices.tell_hosts(TellHosts(policy, run.next, 3), ports)
    assert run.outcome == "done"


def told(ports: FakePorts) -> list[AuditEntry]:
    return sorted(ports.db.where("audit", AuditEntry).values(), key=lambda entry: entry.subject_id)


def test_every_host_not_yet_told_gets_one_notice_and_a_ledger_entry_in_the_same_commit(ports: FakePorts) -> None:
    walk(ports, ports.mailer)

    assert sorted(mail.to for mail in ports.mailer.sent) == [f"h{n}@example.com" for n in (0, 1, 2, 3, 5, 6)]
    assert [entry.subject_id for entry in told(ports)] == ["h0", "h1", "h2", "h3", "h5", "h6"]
    assert all(host.knows_policy(CHANGE.version) for host in ports.uow().hosts.page(None, 10))
    assert ports.tasks.names == ["policy-2026-12-06-h2", "policy-2026-12-06-h5"]
    assert ports.mailer.sent[0].subject == "Kaleno's privacy policy has changed"
    assert f"{get_settings().base_url.rstrip('/')}/privacy-policy" in ports.mailer.sent[0].text  # as deployed


def test_a_walk_that_dies_halfway_and_runs_again_tells_nobody_twice(ports: FakePorts) -> None:
    dying = DyingMailer(dies_at_send=4)  # h0, h1, h2 told; dies on h3 (page two)

    with pytest.raises(Crash):
        walk(ports, dying)
    walk(ports, dying)  # tomorrow's scheduled run starts from the beginning
    walk(ports, dying)  # and the day after: nothing left to tell

    assert sorted(mail.to for mail in dying.sent) == [f"h{n}@example.com" for n in (0, 1, 2, 3, 5, 6)]
    assert len({mail.message_id for mail in dying.sent}) == 6
    assert len(told(ports)) == 6


def test_a_relay_outage_halfway_is_retried_and_still_tells_each_host_once(ports: FakePorts) -> None:
    ports.mailer.deferrals = 1
    with pytest.raises(Exception, match="451"):
        walk(ports, ports.mailer)

    walk(ports, ports.mailer)

    assert len(ports.mailer.sent) == 6


def test_a_change_that_is_not_significant_is_not_mailed(ports: FakePorts) -> None:
    walk(ports, ports.mailer, PolicyVersion("2026-12-20", significant=False, changes="A typo."))

    assert ports.mailer.sent == []
