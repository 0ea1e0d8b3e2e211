from django.conf import settings

from sso import provider


def sign_in(request):
    """Which ways of signing in are offered, for the sign-in page and the account links in the header."""
    return {
        "council_sign_in": provider.configured(),
        "password_sign_in": settings.CCES_PASSWORD_SIGN_IN,
        "access_contact": settings.CCES_ACCESS_CONTACT,
    }
