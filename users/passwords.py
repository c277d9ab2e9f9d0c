"""Password rules added to Django's own validators (settings.AUTH_PASSWORD_VALIDATORS).

Django's CommonPasswordValidator compares the password as typed with its list
of 20,000 leaked passwords, so ``Passw0rd!`` and ``hearth123`` pass: the same
word with a digit for a letter or a number on the end. Attackers' lists try
exactly those decorations first, so the decorated forms are checked too,
against Django's list (the same file, no second copy) and the site's own name.
"""

import re

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError

# Digits and symbols people put in place of the letters they look like.
_UNLEET = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a"})
_UNLEET_I = str.maketrans({"1": "i", "!": "i", "$": "s"})
# What people put before and after a word to satisfy "add a digit and a symbol".
_DECORATION = re.compile(r"^[\W\d_]+|[\W\d_]+$")


class NotBlankPasswordValidator:
    """Refuse passwords made only of spaces, tabs or line breaks."""

    def validate(self, password, user=None):
        if not password.strip():
            raise ValidationError(
                "This password is only spaces; use words or characters you can remember.",
                code="password_blank",
            )

    def get_help_text(self):
        return "Your password can't be made only of spaces."


class DecoratedCommonPasswordValidator(CommonPasswordValidator):
    """Refuse a common password (or the site's name) dressed up with digits and symbols."""

    SITE_WORDS = frozenset({"hearth"})

    def _candidates(self, password: str):
        word = password.lower().strip()
        for spelled in (word, word.translate(_UNLEET), word.translate(_UNLEET_I)):
            yield spelled
            yield _DECORATION.sub("", spelled)

    def validate(self, password, user=None):
        for candidate in self._candidates(password):
            if candidate in self.passwords or candidate in self.SITE_WORDS:
                raise ValidationError(
                    "This password is a common password with a few letters changed or "
                    "digits added; attackers try those first.",
                    code="password_too_common",
                )

    def get_help_text(self):
        return "Your password can't be a common password with digits or symbols added."
