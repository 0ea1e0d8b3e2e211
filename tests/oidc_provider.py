"""A real OpenID Connect provider on 127.0.0.1 for the tests: oidc-provider-mock (Flask and Authlib),
served by werkzeug in a thread on a free loopback port, behind a small WSGI layer that enforces PKCE
(S256) as Entra ID does, which the mock itself does not, and notes every token it issues so tests can
look for them in the logs."""

import base64
import hashlib
import io
import json
import os
import threading
import warnings
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import requests
import werkzeug.serving

CLIENT_ID = "climate-plan-tracker"
CLIENT_SECRET = "test-client-secret"


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()


@dataclass
class PkceEnforcer:
    """WSGI middleware: remembers each authorization request's code_challenge against the code the provider
    issues for it, and refuses a token request whose code_verifier does not match (invalid_grant)."""

    app: object
    challenges: dict = field(default_factory=dict)
    issued_tokens: list = field(default_factory=list)
    refused_verifiers: list = field(default_factory=list)

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/oauth2/authorize":
            return self.authorize(environ, start_response)
        if path == "/oauth2/token" and environ["REQUEST_METHOD"] == "POST":
            return self.token(environ, start_response)
        return self.app(environ, start_response)

    def authorize(self, environ, start_response):
        query = parse_qs(environ.get("QUERY_STRING", ""))
        challenge = (query.get("code_challenge") or [None])[0]
        method = (query.get("code_challenge_method") or [None])[0]

        def remember_code(status, headers, exc_info=None):
            location = dict(headers).get("Location", "")
            code = parse_qs(urlsplit(location).query).get("code")
            if code:
                self.challenges[code[0]] = (challenge, method)
            return start_response(status, headers, exc_info)

        return self.app(environ, remember_code)

    def token(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        form = parse_qs(body.decode())
        code = (form.get("code") or [""])[0]
        verifier = (form.get("code_verifier") or [""])[0]
        challenge, method = self.challenges.pop(code, (None, None))
        if challenge is None or method != "S256" or s256(verifier) != challenge:
            self.refused_verifiers.append(verifier)
            payload = json.dumps({"error": "invalid_grant", "error_description": "PKCE verification failed"})
            start_response("400 BAD REQUEST", [("Content-Type", "application/json")])
            return [payload.encode()]
        chunks = []

        def passthrough(status, headers, exc_info=None):
            return start_response(status, headers, exc_info)

        for chunk in self.app(environ, passthrough):
            chunks.append(chunk)
        try:
            issued = json.loads(b"".join(chunks))
            self.issued_tokens += [
                issued[key] for key in ("access_token", "id_token", "refresh_token") if key in issued
            ]
        except ValueError:
            pass
        return chunks


class Provider:
    """The running provider: its issuer URL, and steps a person's browser would take there."""

    def __init__(self, server, enforcer):
        self.server = server
        self.enforcer = enforcer
        self.issuer = f"http://127.0.0.1:{server.server_port}"

    def set_user(self, sub: str, **claims) -> None:
        """What the provider says about `sub` from now on (its next ID token carries these claims)."""
        response = requests.put(f"{self.issuer}/users/{sub}", json=claims, timeout=5)
        assert response.status_code == 204, response.text

    def authorize(self, authorization_url: str, sub: str) -> str:
        """Sign in at the provider as `sub` (its form: type the subject, press Authorize); returns the
        address the provider sends the browser back to (our callback with code and state)."""
        assert authorization_url.startswith(f"{self.issuer}/oauth2/authorize?"), authorization_url
        assert requests.get(authorization_url, timeout=5).status_code == 200
        response = requests.post(authorization_url, data={"sub": sub}, allow_redirects=False, timeout=5)
        assert response.status_code == 302, response.text
        return response.headers["Location"]


def start_provider():
    """Start the provider; returns (Provider, stop)."""
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # plain HTTP on loopback only
    with warnings.catch_warnings():
        # Its import uses Authlib modules that Authlib has deprecated; Authlib's own filter shows that
        # warning always, so it goes in first and this one in front of it.
        import authlib.deprecate  # noqa: F401

        warnings.simplefilter("ignore", DeprecationWarning)
        import oidc_provider_mock

    enforcer = PkceEnforcer(oidc_provider_mock.app(require_nonce=True))
    server = werkzeug.serving.make_server("127.0.0.1", 0, enforcer, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()

    def stop():
        server.shutdown()
        thread.join(5)
        server.server_close()

    return Provider(server, enforcer), stop
