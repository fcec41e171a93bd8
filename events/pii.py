"""Crypto-shredding: personal fields are encrypted under a per-subject key kept outside the log.

Deleting a subject's key makes every personal field of that subject unreadable for ever,
while the events themselves stay whole and the log stays append-only.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterable, Mapping
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from events.base import Event

MARKER = "$pii"


def new_key() -> bytes:
    """A fresh 256-bit AES-GCM key."""
    return AESGCM.generate_key(bit_length=256)


def subject_of(event: Event) -> str | None:
    """The subject whose key protects this event's personal fields, if it has any."""
    if not event.pii_fields or event.pii_subject is None:
        return None
    return str(getattr(event, event.pii_subject))


def encrypt_fields(data: dict[str, Any], fields: Iterable[str], subject: str, key: bytes) -> None:
    """Replace each present, non-null personal field by its ciphertext (in place)."""
    aead = AESGCM(key)
    for name in fields:
        value = data.get(name)
        if value is None:
            continue
        nonce = os.urandom(12)
        plain = repr_json(value).encode()
        token = base64.b64encode(nonce + aead.encrypt(nonce, plain, subject.encode())).decode()
        data[name] = {MARKER: token, "s": subject}


# What an erased subject's row in pii_keys holds instead of a key: the tombstone says "erased",
# so a later event about them (a notice racing the erase) is stored without its personal fields
# instead of under a fresh key that would bring the person back.
TOMBSTONE = b""


def drop_fields(data: dict[str, Any], fields: Iterable[str]) -> None:
    """Blank the personal fields of an event whose subject has been erased (in place)."""
    for name in fields:
        if data.get(name) is not None:
            data[name] = None


def encrypted_subjects(data: Mapping[str, Any]) -> set[str]:
    """Subjects referenced by encrypted fields in stored data."""
    return {v["s"] for v in data.values() if isinstance(v, dict) and MARKER in v}


def decrypt_fields(data: dict[str, Any], keys: Mapping[str, bytes]) -> frozenset[str]:
    """Decrypt in place; fields whose key is gone become None. Returns the erased names."""
    erased = set()
    for name, value in list(data.items()):
        if not (isinstance(value, dict) and MARKER in value):
            continue
        key = keys.get(value["s"])
        if key is None:
            data[name] = None
            erased.add(name)
            continue
        raw = base64.b64decode(value[MARKER])
        plain = AESGCM(key).decrypt(raw[:12], raw[12:], value["s"].encode())
        data[name] = parse_json(plain.decode())
    return frozenset(erased)


def blank_encrypted(data: dict[str, Any]) -> frozenset[str]:
    """Set encrypted fields to None without decrypting them (in place), for a reader that
    never looks at personal fields (a rebuild of projections that show none): the AES-GCM
    work and the key lookup are skipped. Unlike an erased field, nothing is reported."""
    for name, value in data.items():
        if isinstance(value, dict) and MARKER in value:
            data[name] = None
    return frozenset()


def repr_json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def parse_json(text: str) -> Any:
    import json

    return json.loads(text)
