"""Authentication backends: the council's accounts through OpenID Connect, and local passwords.

mozilla-django-oidc runs the authorization code flow (state, nonce and PKCE); this module decides who the
person is (issuer + subject, never email), checks the ID token's issuer and audience, which the library
leaves unchecked, and keeps their role in step with the provider's claims at every sign-in."""

import logging

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from sso import provider
from sso.models import ProviderIdentity
from sso.roles import apply_roles, roles_from_claims

logger = logging.getLogger(__name__)

SIGNING_ALGORITHM = "RS256"  # every OpenID provider must offer it (Core 1.0 section 15.1); Entra ID uses it
NO_ROLE = "no_role"  # request.sso_refusal when the claims map to no role


class PasswordBackend(ModelBackend):
    """Django's username and password sign-in, refused to all but superusers when CCES_PASSWORD_SIGN_IN is
    off (the break-glass account). A refusal counts as a failed attempt for django-axes' lock-out."""

    def user_can_authenticate(self, user):
        if not settings.CCES_PASSWORD_SIGN_IN and not user.is_superuser:
            return False
        return super().user_can_authenticate(user)


class CouncilAccountBackend(OIDCAuthenticationBackend):
    def __init__(self, *args, **kwargs):
        # Django builds every backend for every sign-in, password ones too: read the provider lazily.
        self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        if request is None or "nonce" not in kwargs or not provider.configured():
            return None  # not the OpenID Connect callback (a password sign-in, say)
        document = provider.metadata()
        self.OIDC_OP_TOKEN_ENDPOINT = document["token_endpoint"]
        self.OIDC_OP_USER_ENDPOINT = document.get("userinfo_endpoint")
        self.OIDC_OP_JWKS_ENDPOINT = document["jwks_uri"]
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = SIGNING_ALGORITHM
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.issuer = document["issuer"]
        return super().authenticate(request, **kwargs)

    def retrieve_matching_jwk(self, token):
        """The provider's signing key for this token: the one with the token's `kid`, or its only key when
        the token names none (Core 1.0 section 10.1 lets a provider with one key leave `kid` out)."""
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        kid = jwt.get_unverified_header(token).get("kid")
        keys = [
            key
            for key in response.json().get("keys", [])
            if key.get("use", "sig") == "sig" and key.get("alg", SIGNING_ALGORITHM) == SIGNING_ALGORITHM
        ]
        matching = [key for key in keys if key.get("kid") == kid] if kid else keys
        if len(matching) != 1:
            raise SuspiciousOperation(f"No single signing key at the provider matches the ID token (kid {kid!r})")
        return jwt.PyJWK(matching[0], algorithm=SIGNING_ALGORITHM)

    def get_payload_data(self, token, key):
        """The ID token's claims, once its signature, issuer, audience and lifetime check out."""
        try:
            if jwt.get_unverified_header(token).get("alg") != SIGNING_ALGORITHM:
                raise SuspiciousOperation(f"ID token is not signed with {SIGNING_ALGORITHM}")
            claims = jwt.decode(
                token,
                key,
                algorithms=[SIGNING_ALGORITHM],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=self.issuer,
                leeway=60,
                options={"require": ["iss", "sub", "aud", "exp", "iat"]},
            )
        except jwt.InvalidTokenError as error:
            # The exception names the failed check, never the token.
            raise SuspiciousOperation(f"ID token refused: {error}") from error
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("ID token has several audiences and is not authorised for this client")
        return claims

    def get_userinfo(self, access_token, id_token, payload):
        # The ID token, verified above, carries every claim used here (Entra ID puts group and app role
        # claims only there), so there is no second request to the userinfo endpoint.
        return payload

    def verify_claims(self, claims):
        return bool(claims.get("sub"))

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        if not self.verify_claims(claims):
            raise SuspiciousOperation("ID token has no subject")
        wanted = roles_from_claims(claims)
        with transaction.atomic():
            identity = (
                ProviderIdentity.objects.select_for_update()
                .select_related("user")
                .filter(issuer=claims["iss"], subject=claims["sub"])
                .first()
            )
            if identity is None and not wanted:
                user = None  # no account for someone with no role
            else:
                if identity is None:
                    identity = ProviderIdentity(
                        user=self.create_user(claims), issuer=claims["iss"], subject=claims["sub"]
                    )
                user = self.update_user(identity.user, claims, wanted)
                identity.last_signed_in_at = timezone.now()
                identity.save()
        if not wanted:
            if claims.get("hasgroups") or "groups" in (claims.get("_claim_names") or {}):
                # Entra ID leaves the groups out of the token for someone in more than 200 (the "overage").
                logger.warning("Council sign-in: subject %s has too many groups for the token", claims["sub"])
            logger.warning("Council sign-in refused: subject %s holds no mapped role claim", claims["sub"])
            self.request.sso_refusal = NO_ROLE
            return None
        return user

    def create_user(self, claims):
        base = (claims.get("preferred_username") or claims.get("email") or claims["sub"])[:140]
        username, suffix = base, 1
        while self.UserModel.objects.filter(username=username).exists():
            suffix += 1
            username = f"{base}-{suffix}"
        user = self.UserModel(username=username)
        user.set_unusable_password()  # signs in through the provider only
        user.save()
        return user

    def update_user(self, user, claims, wanted=frozenset()):
        user.first_name = (claims.get("given_name") or user.first_name)[:150]
        user.last_name = (claims.get("family_name") or user.last_name)[:150]
        user.email = claims.get("email") or user.email
        apply_roles(user, wanted)
        user.save()
        return user

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None
