"""A real OpenID provider on loopback for the single sign-on tests: pyop behind werkzeug, on HTTPS.

pyop does the provider's side of OpenID Connect (authorization requests, codes, PKCE, client
authentication, signed ID tokens, userinfo); werkzeug serves it over real HTTPS on a free
loopback port, with a certificate from a throwaway CA the app is told to trust through
OIDC_CA_BUNDLE, as an in-house provider would be. Nothing of the app is replaced: it discovers
the provider, fetches its keys and exchanges the code over the network like in production.

The provider consents for whoever ``signed_in`` names, and can be told to misbehave the ways
the tests need: an ID token for another audience, from another issuer, with another nonce,
already expired, or signed with a key it does not publish; and addresses it has not verified.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import json
import ssl
import threading
from functools import cache
from pathlib import Path

from Cryptodome.PublicKey import RSA
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from jwkest.jwk import RSAKey
from pyop.authz_state import AuthorizationState
from pyop.provider import Provider
from pyop.subject_identifier import HashBasedSubjectIdentifierFactory
from pyop.userinfo import Userinfo
from werkzeug.serving import make_server
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

CLIENT_ID, CLIENT_SECRET, OTHER_CLIENT = "tracker", "tracker-secret", "someone-else"


@cache
def _rsa(name: str) -> rsa.RSAPrivateKey:
    """One key per name for the whole run: generating them is the slow part."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _certificate(subject: str, key, issuer: str, signer, *, ca: bool) -> x509.Certificate:
    now = dt.datetime.now(dt.timezone.utc)
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
               .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(minutes=5))
               .not_valid_after(now + dt.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if not ca:
        builder = builder.add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
    return builder.sign(signer, hashes.SHA256())


def tls_files(folder: Path) -> tuple[Path, ssl.SSLContext]:
    """A throwaway CA (its certificate written to ``folder``) and a server context for
    127.0.0.1 signed by it."""
    ca_key, server_key = _rsa("ca"), _rsa("tls")
    ca = _certificate("Test provider CA", ca_key, "Test provider CA", ca_key, ca=True)
    leaf = _certificate("127.0.0.1", server_key, "Test provider CA", ca_key, ca=False)
    ca_file, chain, key_file = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    chain.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(_pem(server_key))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(chain, key_file)
    return ca_file, context


def _signing_key(name: str) -> RSAKey:
    return RSAKey(key=RSA.import_key(_pem(_rsa(name))), alg="RS256", kid="signing-1")


class _Pyop(Provider):
    """pyop's provider, with the faults a test asks for applied as the ID token is made."""

    def __init__(self, *args, faults: "LoopbackProvider", **kwargs):
        super().__init__(*args, **kwargs)
        self.faults = faults

    def _create_signed_id_token(self, client_id, sub, user_claims=None, nonce=None,
                                *args, **kwargs):
        faults, published = self.faults, (self.signing_key, self.configuration_information)
        if faults.forge:  # same key id as the published key, different key
            self.signing_key = _signing_key("forger")
        if faults.token_issuer:
            self.configuration_information = self.provider_configuration
            self.configuration_information["issuer"] = faults.token_issuer
        try:
            return super()._create_signed_id_token(faults.audience or client_id, sub,
                                                   user_claims, faults.nonce or nonce,
                                                   *args, **kwargs)
        finally:
            self.signing_key, self.configuration_information = published


class LoopbackProvider:
    """The provider and its server; tests change the public attributes to steer it."""

    def __init__(self, folder: Path, redirect_uri: str):
        ca_file, context = tls_files(folder)
        self.ca_file = str(ca_file)
        self.server = make_server("127.0.0.1", 0, self.wsgi, threaded=True, ssl_context=context)
        self.issuer = f"https://127.0.0.1:{self.server.server_port}"
        self.redirect_uri = redirect_uri
        self.people: dict[str, dict] = {}
        self.reset()
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def reset(self) -> None:
        """A well-behaved provider with nobody signed in and fresh state."""
        self.people.clear()
        self.signed_in: str | None = None
        self.audience: str | None = None  # another client id: the ID token is for them
        self.azp: str | None = None
        self.forge = False
        self.nonce: str | None = None  # a nonce other than the one the app sent
        self.token_issuer: str | None = None  # an ID token naming another issuer
        self.email_in_id_token = True
        clients = {name: {"client_secret": CLIENT_SECRET, "redirect_uris": [self.redirect_uri],
                          "response_types": ["code"],
                          "token_endpoint_auth_method": "client_secret_basic"}
                   for name in (CLIENT_ID, OTHER_CLIENT)}
        state = AuthorizationState(HashBasedSubjectIdentifierFactory("salt"), {}, {}, {}, {})
        base = self.issuer
        self.pyop = _Pyop(_signing_key("provider"), {
            "issuer": base, "authorization_endpoint": base + "/authorize",
            "token_endpoint": base + "/token", "userinfo_endpoint": base + "/userinfo",
            "jwks_uri": base + "/jwks", "response_types_supported": ["code"],
            "subject_types_supported": ["public"], "scopes_supported": ["openid", "email",
                                                                        "profile"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
        }, state, clients, Userinfo(self.people), faults=self)

    def add_person(self, user_id: str, email: str, *, verified: bool = True, sub: str = "") -> None:
        self.people[user_id] = {"sub": sub or f"sub-{user_id}", "email": email,
                                "email_verified": verified, "name": user_id.title()}

    @property
    def id_token_lifetime(self) -> int:
        return self.pyop.id_token_lifetime

    @id_token_lifetime.setter
    def id_token_lifetime(self, seconds: int) -> None:
        self.pyop.id_token_lifetime = seconds

    def _extra_claims(self, user_id: str, client_id: str) -> dict:
        person = self.people[user_id]
        claims = {key: person[key] for key in ("email", "email_verified")
                  if self.email_in_id_token}
        return claims | ({"azp": self.azp} if self.azp else {})

    @Request.application
    def wsgi(self, request: Request) -> Response:
        provider = self.pyop
        try:
            if request.path == "/.well-known/openid-configuration":
                return _json(provider.provider_configuration.to_dict())
            if request.path == "/jwks":
                return _json(provider.jwks)
            if request.path == "/authorize":
                asked = provider.parse_authentication_request(
                    request.query_string.decode(), request.headers)
                if self.signed_in is None:
                    return Response("nobody is signed in at the provider", 401)
                answer = provider.authorize(asked, self.signed_in)
                return redirect(answer.request(asked["redirect_uri"], False))
            if request.path == "/token":
                answer = provider.handle_token_request(
                    request.get_data(as_text=True), request.headers, self._extra_claims)
                return _json(answer.to_dict())
            if request.path == "/userinfo":
                answer = provider.handle_userinfo_request(
                    request.query_string.decode(), request.headers)
                return _json(answer.to_dict())
        except Exception as error:  # any refusal: what a provider says, as an OAuth error
            return _json({"error": "invalid_request", "error_description": str(error)}, 400)
        return Response("not found", 404)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _json(data: dict, status: int = 200) -> Response:
    return Response(json.dumps(data), status, mimetype="application/json")
