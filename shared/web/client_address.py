"""Who the client is: its address, read where the deployment's front end puts it.

Only entries that a proxy we run behind appended to X-Forwarded-For can be trusted; anything before them
is whatever the client sent. Each deployment shape has its own rule (Settings.client_address_from):

* `google-load-balancer` — behind Google's external Application Load Balancer (infra/edge.tf; the public
  functions' ingress admits nothing else). Google documents the header it passes on as
  `X-Forwarded-For: <supplied-value>,<client-ip>,<load-balancer-ip>` ("<unverified IP(s)>, <immediate client
  IP>, <global forwarding rule external IP>"): only the last two entries are the load balancer's, the
  client is the second to last, and the last is the balancer's own address — shared by every visitor
  (cloud.google.com/load-balancing/docs/https, "X-Forwarded-For header").
* `last-forwarded` — Cloud Run's (Cloud Functions') own front end, reached at the run.app URL, appends the
  address it received the request from as the last entry (cloud.google.com/functions/docs/reference/headers,
  "X-Forwarded-For: clientIp, proxy1Ip, proxy2Ip"). The local stack reads the same entry, as its contract
  says: a client on this machine names itself there, so load tests can play many clients.
* `peer` — nothing in front: the TCP peer.

A header shorter than its shape promises was not written by that front end: the peer names the client
then (one shared bucket for such requests, never a fresh one per request). IPv6 clients are named by their
/64: one subscriber holds a whole /64, and must not get a fresh allowance per address in it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from typing import Literal

ClientAddressFrom = Literal["peer", "last-forwarded", "google-load-balancer"]
_LONGEST_NAME = 64  # an entry that is no address (the local stack accepts any name) is cut to this


def forwarded_entries(headers: Sequence[str]) -> list[str]:
    """Every X-Forwarded-For entry in order, from however many header lines the request carried (a proxy
    appends to the last line's list, so lines are read as one list)."""
    return [entry.strip() for line in headers for entry in line.split(",") if entry.strip()]


def from_peer(peer: str, entries: Sequence[str]) -> str:
    return peer


def from_last_forwarded(peer: str, entries: Sequence[str]) -> str:
    return entries[-1] if entries else peer


def from_google_load_balancer(peer: str, entries: Sequence[str]) -> str:
    return entries[-2] if len(entries) >= 2 else peer


RULES: dict[ClientAddressFrom, Callable[[str, Sequence[str]], str]] = {
    "peer": from_peer,
    "last-forwarded": from_last_forwarded,
    "google-load-balancer": from_google_load_balancer,
}


def client_name(address: str) -> str:
    """The name limits count a client under: an IPv4 address as it is, an IPv6 address's /64 network."""
    try:
        parsed = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return address[:_LONGEST_NAME]
    if parsed.version == 6:
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def client_of(shape: ClientAddressFrom, peer: str | None, forwarded: Sequence[str]) -> str:
    """The client's name, by the rule of the deployment shape, from the peer and the X-Forwarded-For lines."""
    return client_name(RULES[shape](peer or "unknown", forwarded_entries(forwarded)))
