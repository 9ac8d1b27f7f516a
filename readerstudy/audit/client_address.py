"""The client's address, also behind a reverse proxy, for the audit log and login throttling.

``X-Forwarded-For`` is believed only when the request comes from an address in
``TRUSTED_PROXIES`` (comma-separated addresses or CIDRs). Then the header is read from the right,
skipping the trusted proxies, and the first other address is the client: the one the trusted proxy
itself added. Anything a client writes into the header further left is ignored, so nobody can
pose as another address and lock a reader out, or put a false address in the audit log.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(items: list[str]) -> tuple[Network, ...]:
    """Addresses and CIDRs as networks; a malformed item is a configuration error."""
    networks = []
    for item in items:
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES has {item!r}, which is neither an IP address nor a CIDR."
            ) from None
    return tuple(networks)


@lru_cache(maxsize=8)
def _trusted(items: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(list(items))


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_address(request: HttpRequest | None) -> str | None:
    """The address of the client that sent ``request`` (None without a request)."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    trusted = _trusted(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    peer = _address(remote) if remote else None
    if peer is None or not any(peer in network for network in trusted):
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return remote  # a malformed entry where the proxy's should be: trust no further
        if not any(address in network for network in trusted):
            return str(address)
    return remote
