"""The privacy policy's versions: each is named by the date it took effect, and says whether it is a
significant change (hosts are mailed once about it, and visitors are asked for their cookie choice again).

Publishing a version: edit the policy template (shared/web/templates/privacy-policy.html), add its entry
here, deploy; the scheduled policy notice (functions/privacy.py) then mails every host once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.domain.language import N_


@dataclass(frozen=True)
class PolicyVersion:
    version: str  # the date it took effect, ISO (YYYY-MM-DD): what consent records and notices carry
    significant: bool
    changes: str  # what changed, in a sentence a host reads in the notice

    @property
    def published(self) -> date:
        return date.fromisoformat(self.version)


POLICY_HISTORY: tuple[PolicyVersion, ...] = (
    PolicyVersion("2026-11-25", significant=True, changes=N_("First published.")),
    PolicyVersion(
        "2026-12-06",
        significant=True,
        changes=N_(
            "The policy now names everyone who receives personal data (Google Cloud as Kaleno's host, Google "
            "Calendar, Kaleno's mail relay, and the webhook endpoints a host chooses), says how long each kind "
            "of data is kept, and links a cookie policy listing every cookie and browser-storage key."
        ),
    ),
    PolicyVersion(
        "2026-12-07",
        significant=False,
        changes=N_(
            "The policy now says that booking changes are counted against abuse limits under keyed hashes of the "
            "sender's IP address and of the invitee's email, kept only while their limit counts, and that a "
            "browser may be asked to solve a proof of work by Kaleno's own script."
        ),
    ),
)
CURRENT_POLICY = POLICY_HISTORY[-1]


def policy_version(version: str) -> PolicyVersion:
    """The version in force; one not in the history (a deployment's own) counts as a significant change."""
    known = {entry.version: entry for entry in POLICY_HISTORY}
    return known.get(version) or PolicyVersion(version, significant=True, changes="")
