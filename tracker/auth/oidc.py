"""The OpenID Connect client: Authlib's Flask integration, set up from OIDC_* settings.

Authorization code flow with PKCE (S256), state and nonce, all kept by Authlib in the signed
session cookie between the redirect and the callback. The ID token is checked here, not only
by Authlib's defaults: its signature against the provider's published keys (JWKS), its issuer
against the issuer we were configured with (and the discovery document must name the same
one), its audience against our client id, its expiry, and its nonce. Authlib on its own checks
the audience only through ``azp``, so a token made for another client that names us as
``azp`` would pass; the explicit ``aud`` option closes that.

Each app has its own ``OAuth`` registry (in ``app.extensions``), never one at module level:
Authlib caches the discovery document and keys on the client, and one process may hold apps
configured for different providers (the tests do).
"""
from __future__ import annotations

from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import FlaskOAuth2App, OAuth
from authlib.integrations.requests_client import OAuth2Session
from flask import Flask, current_app, session
from joserfc.errors import JoseError

from config.settings import OIDC_SETTINGS

NAME = "sso"
EXTENSION = "authlib.integrations.flask_client"
LEEWAY_SECONDS = 60  # clock difference allowed between the provider and us


class SignInFailed(Exception):
    """The provider could not be reached, or what came back cannot be trusted."""


class _Session(OAuth2Session):
    """requests prefers REQUESTS_CA_BUNDLE from the environment to a session's own ``verify``;
    OIDC_CA_BUNDLE has to win, so it is passed with every request instead."""

    def request(self, method, url, *args, **kwargs):
        kwargs.setdefault("verify", self.verify)
        return super().request(method, url, *args, **kwargs)


class _App(FlaskOAuth2App):
    """One sign-in in flight per browser, and only what the callback needs: Authlib would keep
    every attempt for an hour, each with its whole provider URL, in the session cookie, which
    a few clicks on the button would push past the 4 KB browsers keep."""

    client_cls = _Session

    def save_authorize_data(self, **kwargs):
        for key in [key for key in session if key.startswith(f"_state_{self.name}_")]:
            session.pop(key)
        kwargs.pop("url", None)
        super().save_authorize_data(**kwargs)


class _OAuth(OAuth):
    oauth2_client_cls = _App


def configured(config: Any) -> bool:
    return all(config.get(name) for name in OIDC_SETTINGS)


def init_app(app: Flask) -> None:
    if not configured(app.config):
        return
    issuer = app.config["OIDC_ISSUER"].rstrip("/")
    tls = {"verify": app.config["OIDC_CA_BUNDLE"]} if app.config["OIDC_CA_BUNDLE"] else {}
    _OAuth(app).register(
        NAME,
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=issuer + "/.well-known/openid-configuration",
        client_kwargs={"scope": app.config["OIDC_SCOPES"], "code_challenge_method": "S256",
                       "default_timeout": app.config["OIDC_TIMEOUT_SECONDS"], **tls},
    )


def _client():
    return current_app.extensions[EXTENSION].create_client(NAME)


def _metadata(client) -> dict:
    """The discovery document, refused unless it names the issuer we were configured with."""
    metadata = client.load_server_metadata()
    if str(metadata.get("issuer", "")).rstrip("/") != current_app.config["OIDC_ISSUER"].rstrip("/"):
        raise SignInFailed(f"the provider calls itself {metadata.get('issuer')!r}, "
                           f"not {current_app.config['OIDC_ISSUER']!r}")
    return metadata


def redirect_to_provider(redirect_uri: str):
    """The redirect to the provider's sign-in page; the state, nonce and PKCE verifier it
    needs later go into this browser's session."""
    client = _client()
    try:
        _metadata(client)
        return client.authorize_redirect(redirect_uri)
    except (AuthlibBaseError, requests.RequestException, ValueError, KeyError) as error:
        raise SignInFailed(str(error)) from error


def claims_from_callback() -> dict[str, Any]:
    """The checked claims about the person the provider sent back, with ``email`` and
    ``email_verified`` taken from the userinfo endpoint when the ID token leaves them out."""
    client = _client()
    try:
        metadata = _metadata(client)
        options = {"iss": {"essential": True, "value": metadata["issuer"]},
                   "aud": {"essential": True, "value": client.client_id},
                   "sub": {"essential": True}}
        token = client.authorize_access_token(claims_options=options, leeway=LEEWAY_SECONDS)
        claims = token.get("userinfo")
        if not claims:
            raise SignInFailed("the provider sent no ID token")
        claims = dict(claims)
        if "email" not in claims and metadata.get("userinfo_endpoint"):
            extra = client.userinfo(token=token)
            if extra.get("sub") != claims["sub"]:  # OpenID Connect Core 5.3.2
                raise SignInFailed("the userinfo answer is about someone else")
            claims.update({key: extra[key] for key in ("email", "email_verified")
                           if key in extra})
        return claims
    except (AuthlibBaseError, JoseError, requests.RequestException, ValueError, KeyError,
            TypeError) as error:
        raise SignInFailed(f"{type(error).__name__}: {error}") from error
