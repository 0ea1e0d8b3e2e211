"""The council's OpenID Connect provider: whether one is configured, and its endpoints from discovery."""

import time

import requests
from django.conf import settings

DISCOVERY_PATH = "/.well-known/openid-configuration"
# Providers rotate keys and endpoints rarely; an hour keeps a sign-in to one request to the provider's
# token endpoint and one to its keys, without missing a change for long.
METADATA_MAX_AGE_SECONDS = 3600

_metadata_cache: dict[str, tuple[float, dict]] = {}


class ProviderUnavailable(Exception):
    """The provider's discovery document could not be read, or does not describe the configured issuer."""


def configured() -> bool:
    return bool(settings.CCES_OIDC_ISSUER)


def metadata(*, now: float | None = None) -> dict:
    """The provider's metadata (OpenID Connect Discovery), fetched from the issuer and kept for an hour."""
    issuer = settings.CCES_OIDC_ISSUER
    now = time.monotonic() if now is None else now
    cached = _metadata_cache.get(issuer)
    if cached and now - cached[0] < METADATA_MAX_AGE_SECONDS:
        return cached[1]
    try:
        response = requests.get(issuer + DISCOVERY_PATH, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailable(f"Could not read {issuer}{DISCOVERY_PATH}: {error}") from error
    # Discovery 1.0 section 4.3: the document must name exactly the issuer it was fetched from.
    if document.get("issuer", "").rstrip("/") != issuer:
        raise ProviderUnavailable(f"{issuer}{DISCOVERY_PATH} names issuer {document.get('issuer')!r}, not {issuer!r}")
    missing = [key for key in ("authorization_endpoint", "token_endpoint", "jwks_uri") if not document.get(key)]
    if missing:
        raise ProviderUnavailable(f"{issuer}{DISCOVERY_PATH} has no {', '.join(missing)}")
    _metadata_cache[issuer] = (now, document)
    return document
