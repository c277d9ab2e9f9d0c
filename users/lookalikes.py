"""Look-alike (confusable) usernames and email domains.

Unicode lets ``аdmin`` (Cyrillic ``а``) or ``Admin`` pass for ``admin``. The
character data is the Unicode Consortium's confusables list (UTS #39) as
shipped by ``confusable_homoglyphs``; what is built on it here is the
*skeleton*: a key under which every spelling that looks alike is the same,
so "unique skeleton" means "no look-alike of an existing username".

The skeleton is deliberately conservative about ASCII: only the classic
look-alikes (``l``/``1``, ``o``/``0``, ``rn``/``m``, ``vv``/``w``) are
merged, so distinct ordinary names (``ali`` and ``all``) stay distinct.
"""

import unicodedata
from functools import cache

from confusable_homoglyphs import confusables

# After case folding, so the key is case-insensitive (``ADMIN`` is ``admin``).
# That leaves out uppercase ``I`` for ``l``: folding makes it ``i``, and
# merging ``i`` with ``l`` would make ``ali`` and ``all`` one name.
_ASCII_AFTER_FOLD = str.maketrans({"1": "l", "|": "l", "0": "o"})
_ASCII_SEQUENCES = (("rn", "m"), ("vv", "w"))


@cache
def _ascii_lookalike(character: str) -> str:
    """The ASCII character that ``character`` passes for, or ``character`` itself."""
    if character.isascii():
        return character
    for entry in confusables.confusables_data.get(character, ()):
        candidate = entry["c"].replace("\u200e", "")
        if len(candidate) == 1 and candidate.isascii() and candidate.isprintable():
            return candidate
    return character


def skeleton(text: str) -> str:
    """A key equal for two strings exactly when one looks like the other."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(_ascii_lookalike(character) for character in text)
    text = text.casefold().translate(_ASCII_AFTER_FOLD)
    for sequence, replacement in _ASCII_SEQUENCES:
        text = text.replace(sequence, replacement)
    return text


def mixes_lookalike_scripts(text: str) -> bool:
    """True for text that mixes scripts with characters that pass for one another."""
    return bool(confusables.is_dangerous(text))


def lookalike_domain(email: str) -> bool:
    """True when the email's domain has characters passing for Latin ones (``exаmple.com``)."""
    domain = email.rpartition("@")[2]
    return not domain.isascii() and bool(
        confusables.is_confusable(domain, preferred_aliases=["latin"])
    )
