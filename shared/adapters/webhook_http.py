"""Webhook deliveries over the internet: the receiver's name is resolved once, the service checks the
addresses, and the POST goes to the checked address itself (pinned), with the name kept for the Host
header, TLS SNI and certificate checks. A second lookup at connection time could answer differently (DNS
rebinding); pinning leaves it no chance.

No redirects are followed (a 3xx is not a delivery), no retries happen here (Cloud Tasks retries), and
nothing of the receiver's answer is read beyond its status line and headers.
"""

from __future__ import annotations

import socket
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as LookupTimeout
from functools import cache

from shared.domain.webhooks import UrlParts
from shared.services.errors import WebhookUnreachable
from shared.services.records import WebhookResponse

_MAX_RETRY_AFTER = 3600.0


class InternetWebhookHttp:
    def __init__(self, timeout_seconds: float) -> None:
        self._timeout = timeout_seconds

    def resolve(self, host: str, port: int) -> list[str]:
        """Every address the name stands for (an IP literal stands for itself), within the deadline."""
        try:
            found = _lookups().submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
            infos = found.result(timeout=self._timeout)
        except LookupTimeout as error:
            raise WebhookUnreachable("dns_timeout") from error
        except (OSError, UnicodeError) as error:
            raise WebhookUnreachable("dns_failed") from error
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if not addresses:
            raise WebhookUnreachable("dns_failed")
        return addresses

    def post(self, url: UrlParts, address: str, headers: dict[str, str], body: bytes) -> WebhookResponse:
        import urllib3
        from urllib3.exceptions import ConnectTimeoutError, HTTPError, NewConnectionError, ReadTimeoutError, SSLError

        timeout = urllib3.Timeout(connect=min(5.0, self._timeout), read=self._timeout)
        pool: urllib3.HTTPConnectionPool
        if url.scheme == "https":
            import certifi

            pool = urllib3.HTTPSConnectionPool(
                address,
                url.port,
                timeout=timeout,
                retries=False,
                maxsize=1,
                server_hostname=url.host,  # SNI, and the name the certificate must carry
                assert_hostname=url.host,
                cert_reqs="CERT_REQUIRED",
                ca_certs=certifi.where(),
            )
        else:  # only where private addresses are allowed (the local stack): plain http to a local receiver
            pool = urllib3.HTTPConnectionPool(address, url.port, timeout=timeout, retries=False, maxsize=1)
        try:
            response = pool.urlopen(
                "POST",
                url.target,
                body=body,
                headers={**headers, "Host": url.host_header},
                redirect=False,
                retries=False,
                preload_content=False,
                assert_same_host=False,
            )
            status = int(response.status)
            retry_after = _retry_after(response.headers.get("Retry-After"))
            response.close()  # the body is not ours to read
        except NewConnectionError as error:  # refused or unroutable (a subclass of ConnectTimeoutError)
            raise WebhookUnreachable("connection_failed") from error
        except (ConnectTimeoutError, ReadTimeoutError) as error:
            raise WebhookUnreachable("timeout") from error
        except SSLError as error:
            raise WebhookUnreachable("tls_failed") from error
        except (HTTPError, OSError) as error:
            raise WebhookUnreachable("connection_failed") from error
        finally:
            pool.close()
        return WebhookResponse(status=status, retry_after=retry_after)


@cache
def _lookups() -> ThreadPoolExecutor:
    """getaddrinfo has no timeout of its own: it runs here, and a lookup that hangs is abandoned."""
    return ThreadPoolExecutor(max_workers=4, thread_name_prefix="webhook-dns")


def _retry_after(value: str | None) -> float | None:
    if value is None or not value.strip().isdigit():
        return None
    return min(float(value.strip()), _MAX_RETRY_AFTER)
