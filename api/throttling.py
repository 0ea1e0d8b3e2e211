from django.conf import settings
from rest_framework.throttling import AnonRateThrottle

from ccesplan.client_ip import client_ip


class AnonymousPerMinute(AnonRateThrottle):
    """Anonymous clients, per address (as sign-in throttling reads it, behind the trusted proxies), get
    CCES_API_ANON_PER_MINUTE requests a minute; then 429 with Retry-After. Token and session users are not
    throttled here: they are the council's own people."""

    def get_rate(self):
        return f"{settings.CCES_API_ANON_PER_MINUTE}/min"

    def get_ident(self, request):
        return client_ip(request) or "unknown"
