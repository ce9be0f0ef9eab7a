"""Sign in with Microsoft: MSAL's authorisation-code flow, and the id_token checked.

The authority is ``MICROSOFT_LOGIN_URL``'s host (Microsoft's public cloud when unset)
with ``HUDDLE_DASHBOARD_MICROSOFT_TENANT`` (``organizations``: any work account). MSAL
only talks https. For a host other than Microsoft's own (a private cloud, the tests'
stand-in) it is told not to ask Microsoft about the host (``validate_authority=False``,
``instance_discovery=False``) and reads the host's own OpenID configuration. MSAL no
longer checks the id_token itself (1.38), so ``finish`` does: signature against the
authority's published keys, audience, expiry, and an issuer naming the token's tenant.
"""

from __future__ import annotations

import threading
import warnings

import jwt
import msal
import requests

from adapters.dashboard.settings import DashboardSettings


class BundleSession(requests.Session):
    """A requests session that trusts one CA bundle. requests lets REQUESTS_CA_BUNDLE
    override a session's own ``verify``; passing it on every request keeps it."""

    def __init__(self, bundle: str):
        super().__init__()
        self.verify = bundle

    def request(self, *args, **kwargs):
        kwargs.setdefault("verify", self.verify)
        return super().request(*args, **kwargs)


class MicrosoftSignIn:
    def __init__(self, settings: DashboardSettings, *, http_client=None):
        self.settings = settings
        bundle = settings.microsoft_ca_bundle
        self.http = http_client or (BundleSession(bundle) if bundle else requests.Session())
        self._app: msal.ConfidentialClientApplication | None = None
        self._config: dict | None = None
        self._lock = threading.Lock()

    def _client(self) -> msal.ConfidentialClientApplication:
        with self._lock:
            if self._app is None:
                public = self.settings.microsoft_is_public_cloud
                assert self.settings.microsoft_client_secret is not None
                self._app = msal.ConfidentialClientApplication(
                    self.settings.microsoft_client_id,
                    client_credential=self.settings.microsoft_client_secret.get_secret_value(),
                    authority=self.settings.microsoft_authority,
                    validate_authority=public,
                    instance_discovery=None if public else False,
                    http_client=self.http,
                )
            return self._app

    def start(self, redirect_uri: str) -> dict:
        """A new flow (state, nonce and PKCE verifier inside) to keep in the session.

        ``query``, not MSAL's preferred ``form_post``: a cross-site POST back would come
        without the ``SameSite=Lax`` session cookie that holds the flow, so the answer
        comes back as a top-level GET, whose code is useless without the flow's PKCE
        verifier and client secret.
        """
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="response_mode='form_post'")
            return self._client().initiate_auth_code_flow(
                scopes=[], redirect_uri=redirect_uri, response_mode="query"
            )

    def finish(self, flow: dict, answer: dict) -> dict:
        """The checked id_token claims of the person who came back with ``answer``."""
        result = self._client().acquire_token_by_auth_code_flow(flow, answer)
        if "error" in result or "id_token" not in result:
            raise ValueError(str(result.get("error", "no id_token")))
        return self._checked(result["id_token"])

    def _openid_config(self) -> dict:
        if self._config is None:
            url = f"{self.settings.microsoft_authority}/v2.0/.well-known/openid-configuration"
            response = self.http.get(url, timeout=10)
            response.raise_for_status()
            self._config = response.json()
        return self._config

    def _checked(self, id_token: str) -> dict:
        config = self._openid_config()
        keys = self.http.get(config["jwks_uri"], timeout=10)
        keys.raise_for_status()
        key_id = jwt.get_unverified_header(id_token).get("kid")
        signing = next(
            (k for k in jwt.PyJWKSet.from_dict(keys.json()).keys if k.key_id == key_id), None
        )
        if signing is None:
            raise jwt.InvalidTokenError("unknown signing key")
        claims = jwt.decode(
            id_token,
            signing.key,
            algorithms=["RS256"],
            audience=self.settings.microsoft_client_id,
            options={"require": ["exp", "iat", "aud", "iss", "tid", "oid"]},
        )
        issuer = str(config.get("issuer", "")).replace("{tenantid}", str(claims["tid"]))
        if claims["iss"] != issuer:
            raise jwt.InvalidIssuerError("issuer")
        tenant = self.settings.microsoft_tenant.strip()
        if tenant not in {"organizations", "common"} and claims["tid"] != tenant:
            raise jwt.InvalidTokenError("another tenant")
        return claims
