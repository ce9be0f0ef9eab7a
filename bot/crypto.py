"""Encryption at rest for patient data (tidbit notes and patient references).

Keys come from ``HUDDLE_ENCRYPTION_KEY``: one or more Fernet keys separated by
commas, newest first. The first key encrypts; every key decrypts, so a key can
be rotated by putting a new one in front and running ``huddle keys rotate``.

Patient references are also stored as a keyed hash (HMAC-SHA256 with a key
derived from each Fernet key, salted with the workspace), so the team can look
a patient up without the reference ever being stored in plain text, and the
same chart number in two workspaces never hashes alike.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import unicodedata
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class EncryptionKeyError(Exception):
    """The encryption key is missing, malformed or wrong. The message names the variable."""


_KEY_VAR = "HUDDLE_ENCRYPTION_KEY"


def normalise_patient_ref(ref: str) -> str:
    """Chart numbers are matched loosely: case, spaces and punctuation don't matter.

    >>> normalise_patient_ref(" js-1042 ") == normalise_patient_ref("JS1042")
    True
    """
    folded = unicodedata.normalize("NFKC", ref).casefold()
    return re.sub(r"[\W_]+", "", folded)


class Vault:
    """Encrypts and decrypts patient data and hashes patient references."""

    def __init__(self, keys: list[str]):
        if not keys:
            raise EncryptionKeyError(f"{_KEY_VAR} holds no key.")
        fernets = []
        raw_keys = []
        for position, key in enumerate(keys, start=1):
            try:
                fernets.append(Fernet(key.encode()))
                raw_keys.append(base64.urlsafe_b64decode(key.encode()))
            except (ValueError, TypeError) as exc:
                raise EncryptionKeyError(
                    f"Key {position} in {_KEY_VAR} is not a Fernet key "
                    "(32 url-safe base64-encoded bytes). Make one with `huddle keys generate`."
                ) from exc
        self._fernet = MultiFernet(fernets)
        self._primary = fernets[0]
        self._hash_keys = [_derive_hash_key(raw) for raw in raw_keys]
        self._seal_keys = [_derive_hash_key(raw, b"huddle seal v1") for raw in raw_keys]

    @classmethod
    def from_setting(cls, value: str) -> Vault:
        return cls([part.strip() for part in value.split(",") if part.strip()])

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken as exc:
            # Never include the token or any plaintext in the message.
            raise EncryptionKeyError(
                f"Stored patient data could not be decrypted with the keys in {_KEY_VAR}; "
                "was a key removed before `huddle keys rotate` ran?"
            ) from exc

    def fingerprint(self, position: int = 0) -> str:
        """A short, public name for key ``position`` (0: the primary): 12 hex characters.

        Safe to print and log: derived one way from the key, so it names the key
        without revealing it.
        """
        return hmac.new(self._hash_keys[position], b"huddle key fingerprint", "sha256").hexdigest()[
            :12
        ]

    @property
    def key_count(self) -> int:
        return len(self._hash_keys)

    def under_primary(self, token: str) -> bool:
        """Whether a token is encrypted under the primary key (not an older one)."""
        try:
            self._primary.decrypt(token.encode("ascii"))
        except (InvalidToken, ValueError):
            return False
        return True

    def seal(self, purpose: str, value: str) -> str:
        """A keyed MAC of ``value`` (under the primary key), for an adapter to prove later
        that it wrote ``value`` itself: e.g. the channel a card sent privately acts for."""
        return self._seal(self._seal_keys[0], purpose, value)

    def is_sealed(self, purpose: str, value: str, seal: str | None) -> bool:
        """Whether ``seal`` is this vault's seal of ``value`` (under any of its keys)."""
        if not seal:
            return False
        return any(
            hmac.compare_digest(self._seal(key, purpose, value), seal) for key in self._seal_keys
        )

    @staticmethod
    def _seal(key: bytes, purpose: str, value: str) -> str:
        message = f"{purpose}\x00{value}".encode()
        return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]

    def rotate(self, token: str) -> str:
        """Re-encrypt a token under the primary (first) key."""
        return self._fernet.rotate(token.encode("ascii")).decode("ascii")

    def ref_hash(self, workspace_key: str, ref: str) -> str:
        """The lookup hash of a patient reference under the primary key."""
        return self._hash(self._hash_keys[0], workspace_key, ref)

    def ref_hashes(self, workspace_key: str, ref: str) -> list[str]:
        """Lookup hashes under every key, so lookups keep working mid-rotation."""
        return [self._hash(k, workspace_key, ref) for k in self._hash_keys]

    def old_ref_hashes(self, workspace_key: str, ref: str) -> list[str]:
        """Lookup hashes under every key but the primary: what a rotation replaces."""
        return [self._hash(k, workspace_key, ref) for k in self._hash_keys[1:]]

    @staticmethod
    def _hash(key: bytes, workspace_key: str, ref: str) -> str:
        message = f"{workspace_key}\x00{normalise_patient_ref(ref)}".encode()
        return hmac.new(key, message, hashlib.sha256).hexdigest()


def _derive_hash_key(raw_key: bytes, info: bytes = b"huddle patient-ref v1") -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info)
    return hkdf.derive(raw_key)


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")


def vault_from_settings(encryption_key: str | None) -> Vault:
    """The vault for server processes: they refuse to run without a key."""
    if not encryption_key or not encryption_key.strip():
        raise EncryptionKeyError(
            f"{_KEY_VAR} is not set. Huddle encrypts patient tidbits at rest and will not "
            f"start without a key. Make one with `huddle keys generate` and set {_KEY_VAR}."
        )
    return Vault.from_setting(encryption_key)


def console_vault(encryption_key: str | None, key_file: Path) -> tuple[Vault, str | None]:
    """The console's vault: uses the key if set, else a local key file it creates (0600).

    Returns the vault and, when a key file was created, a notice to show the person.
    """
    if encryption_key and encryption_key.strip():
        return Vault.from_setting(encryption_key), None
    if key_file.exists():
        return Vault.from_setting(key_file.read_text().strip()), None
    key = generate_key()
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    notice = (
        f"No {_KEY_VAR} was set, so Huddle made an encryption key for this console and "
        f"saved it to {key_file} (readable only by you). Keep it: without it the tidbits "
        "stored here cannot be read."
    )
    return Vault.from_setting(key), notice
