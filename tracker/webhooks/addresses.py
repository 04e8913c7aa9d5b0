"""Which addresses a webhook may be sent to: http(s) only, and public hosts only.

A webhook makes this server send requests where an admin says, so without a check it could be
pointed at what only the server can reach (a database port, a cloud metadata service at
169.254.169.254, an admin page on localhost): server-side request forgery. The host is resolved
and every address it resolves to must be public, when the endpoint is saved and again before
each delivery (DNS can change in between). ``WEBHOOK_ALLOW_PRIVATE_ADDRESSES`` turns the
address check off, for tests (whose receiver is on loopback) and for a deployment whose
receivers are on its own network.

What is left: DNS could answer differently between our check and the connection (rebinding);
redirects are never followed, so an answer cannot send us elsewhere.
"""
from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from tracker.services.errors import InputError
from tracker.services.text_rules import WEBHOOK_URL


def check_url(url: str | None, *, allow_private: bool) -> str:
    """The address, trimmed, or InputError beside ``url`` saying what is wrong with it."""
    text = WEBHOOK_URL.check(url)
    if not text:
        raise InputError("url", "give the address the events should be sent to")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise InputError("url", "that is not a web address; write it as "
                                "https://example.com/hooks/onboarding") from None
    if parts.scheme not in ("http", "https"):
        raise InputError("url", "use an address that starts with https:// (or http://)")
    if not parts.hostname:
        raise InputError("url", "the address has no host name; write it as "
                                "https://example.com/hooks/onboarding")
    if parts.username or parts.password:
        raise InputError("url", "leave the user name and password out of the address; the "
                                "signature tells the receiver the request is ours")
    if not allow_private:
        refusal = private_address(parts.hostname, port or (443 if parts.scheme == "https"
                                                           else 80))
        if refusal:
            raise InputError("url", refusal)
    return text


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def private_address(host: str, port: int) -> str | None:
    """Why ``host`` may not receive webhooks, or None when every address it has is public."""
    try:
        found = {info[4][0] for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)}
    except (OSError, UnicodeError):
        return f"cannot find the host {host!r}; check the address"
    if not found or not all(_public(address) for address in found):
        return (f"{host} is a private, loopback or reserved address; webhooks go only to "
                "public addresses")
    return None
