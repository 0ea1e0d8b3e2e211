"""The client's address, as django-axes records it with each sign-in attempt."""

from django.conf import settings


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or behind CCES_TRUSTED_PROXY_COUNT reverse proxies the address the outermost one saw.

    Each proxy appends the address it received the request from to X-Forwarded-For, so with N trusted
    proxies the client is the N-th address from the right; anything further left was written by the
    client and cannot be trusted.
    """
    proxies = settings.CCES_TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")
