"""Personal data at rest: encryption, blind indexes and masks.

ID numbers and phones are stored three ways (DESIGN.md §3):
- encrypted (AES-256-GCM with a key id, so keys can rotate; keys are not derived from SECRET_KEY);
- a keyed hash (HMAC-SHA256, the "blind index") for exact search and de-duplication;
- a masked form (ID 6+4, phone 3+4) for display, so list pages never decrypt.

AES-GCM rather than Fernet: the same package, authenticated too, and about 7x cheaper per value, which
matters when an import encrypts 200,000 values (../shared/reference/limits.md §2).
"""

from __future__ import annotations

import base64
import hmac
import os
from dataclasses import dataclass
from functools import cache
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

TOKEN_VERSION = "g1"  # noqa: S105 - a format tag, not a secret
NONCE_BYTES = 12


class DecryptionError(Exception):
    pass


@dataclass(frozen=True)
class Keyring:
    """Encryption keys by id; the first one encrypts, every one decrypts."""

    primary_id: str
    keys: dict[str, AESGCM]
    blind_index_key: bytes

    def subkey(self, purpose: str) -> bytes:
        # Separate blind-index keys per purpose, so an ID hash and a phone hash of the same digits differ.
        return hmac.digest(self.blind_index_key, f"gongzhi-blind-index:{purpose}".encode(), "sha256")


def _decode_key(text: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{what} is not valid base64.") from exc
    if len(raw) != 32:
        raise ImproperlyConfigured(f"{what} must decode to 32 bytes, got {len(raw)}.")
    return raw


def parse_keyring(encryption_keys: str, blind_index_key: str) -> Keyring:
    if not encryption_keys or not blind_index_key:
        raise ImproperlyConfigured(
            "Personal-data keys are missing: set GONGZHI_PII_KEYS and GONGZHI_BLIND_INDEX_KEY "
            "(`make secrets` writes development keys to var/secrets.env)."
        )
    keys: dict[str, AESGCM] = {}
    primary_id = ""
    for item in encryption_keys.split(","):
        key_id, sep, key_text = item.strip().partition(":")
        if not sep or not key_id.isalnum():
            raise ImproperlyConfigured("GONGZHI_PII_KEYS must look like 'id:base64key,id:base64key'.")
        keys[key_id] = AESGCM(_decode_key(key_text, f"PII key {key_id}"))
        primary_id = primary_id or key_id
    return Keyring(primary_id, keys, _decode_key(blind_index_key, "GONGZHI_BLIND_INDEX_KEY"))


@cache
def keyring() -> Keyring:
    return parse_keyring(settings.PII_ENCRYPTION_KEYS, settings.PII_BLIND_INDEX_KEY)


def generate_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def encrypt(plaintext: str) -> str:
    ring = keyring()
    nonce = os.urandom(NONCE_BYTES)
    sealed = ring.keys[ring.primary_id].encrypt(nonce, plaintext.encode(), None)
    return f"{TOKEN_VERSION}:{ring.primary_id}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def token_key_id(token: str) -> str:
    return token.split(":", 2)[1]


def decrypt(token: str) -> str:
    version, key_id, body = token.split(":", 2)
    if version != TOKEN_VERSION:
        raise DecryptionError(f"Unknown token version {version!r}.")
    key = keyring().keys.get(key_id)
    if key is None:
        raise DecryptionError(f"No key {key_id!r} in GONGZHI_PII_KEYS: was a retired key removed too early?")
    raw = base64.urlsafe_b64decode(body)
    return key.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None).decode()


def blind_index(purpose: str, normalised: str) -> str:
    """A 128-bit keyed hash, hex: enough against collisions, half the index size of a full digest."""
    return hmac.digest(_subkey(purpose), normalised.encode(), "sha256")[:16].hex()


@cache
def _subkey(purpose: str) -> bytes:
    return keyring().subkey(purpose)


def reset_key_cache() -> None:
    """For tests and key rotation: forget the keys read from settings."""
    keyring.cache_clear()
    _subkey.cache_clear()


class EncryptedTextField(models.TextField):
    """A text column stored encrypted. It cannot be filtered on: search through its blind-index column."""

    description = "Encrypted text"

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_lookup(self, lookup_name: str) -> Any:
        # Equality on ciphertext silently matches nothing (random nonces), so refuse it loudly.
        if lookup_name != "isnull":
            raise TypeError(f"{self.name} is encrypted: filter on its blind-index column instead.")
        return super().get_lookup(lookup_name)


# --- masks ----------------------------------------------------------------------------------------


def mask_id_number(number: str) -> str:
    """First 6 and last 4 for 15/18-character numbers (area code kept, birth date hidden)."""
    if len(number) >= 15:
        return number[:6] + "*" * (len(number) - 10) + number[-4:]
    if len(number) > 4:
        return number[:1] + "*" * (len(number) - 3) + number[-2:]
    return "*" * len(number)


def mask_phone(phone: str) -> str:
    """Mainland mobile 3+4 (138****5678); other numbers keep their prefix and last 4."""
    if len(phone) == 11 and phone.startswith("1"):
        return phone[:3] + "****" + phone[-4:]
    if len(phone) > 7:
        keep = 4 if phone.startswith("+") else 3
        return phone[:keep] + "*" * (len(phone) - keep - 4) + phone[-4:]
    return "*" * len(phone)
