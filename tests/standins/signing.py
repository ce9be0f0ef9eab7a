"""An RSA signing key for the sign-in stand-ins: signs id_tokens, publishes its JWKS."""

from __future__ import annotations

import secrets
import time

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa


class SigningKey:
    def __init__(self) -> None:
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(8)

    def jwks(self) -> dict:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def id_token(self, claims: dict, *, lifetime: int = 600) -> str:
        now = int(time.time())
        body = {"iat": now, "nbf": now, "exp": now + lifetime, **claims}
        return jwt.encode(body, self.private, algorithm="RS256", headers={"kid": self.kid})
