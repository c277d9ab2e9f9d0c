"""Secrets stored encrypted at rest: a database dump or backup does not hold them in clear.

``EncryptedTextField`` keeps a Fernet token (AES-CBC with an HMAC, from the
``cryptography`` package) in the column and hands the model the plain value.
The key is derived from ``SECRET_KEY``; ``SECRET_KEY_FALLBACKS`` still decrypt,
so rotating the secret key keeps stored secrets readable (each one is
re-encrypted under the new key when its row is next saved). A value encrypted
under a key no longer configured reads as empty, with an error logged: the
owner of the row enters it again.
"""

import base64
import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models
from django.utils.crypto import salted_hmac

logger = logging.getLogger(__name__)

PREFIX = "fernet:"
KEY_SALT = "hearth.encryption.EncryptedTextField"


def _fernet() -> MultiFernet:
    keys = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return MultiFernet(
        [
            Fernet(
                base64.urlsafe_b64encode(
                    salted_hmac(KEY_SALT, "", secret=key, algorithm="sha256").digest()
                )
            )
            for key in keys
        ]
    )


def encrypt(value: str) -> str:
    return PREFIX + _fernet().encrypt(value.encode()).decode()


def decrypt(stored: str) -> str:
    """The plain value; a value stored before encryption (no prefix) is returned as it is."""
    if not stored.startswith(PREFIX):
        return stored
    try:
        return _fernet().decrypt(stored.removeprefix(PREFIX).encode()).decode()
    except InvalidToken:
        logger.error(
            "An encrypted value cannot be decrypted with SECRET_KEY or SECRET_KEY_FALLBACKS; "
            "it reads as empty until it is entered again."
        )
        return ""


class EncryptedTextField(models.TextField):
    """A text value stored encrypted; blank stays blank, so "no secret" is visible."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value
