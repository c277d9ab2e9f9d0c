"""Request body parsers: JSON everywhere; multipart only where a file is uploaded.

Deeply nested JSON is refused with 400 before any code walks it: Python's
``json`` module raises ``RecursionError`` at about a thousand levels (a 500),
and anything close to that would overflow the stack later, in validation or
in the browsable API's rendering of the submitted data.
"""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_JSON_DEPTH = 64


def _depth_exceeds(data, limit: int) -> bool:
    """Whether ``data`` nests arrays and objects deeper than ``limit`` (iteratively)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing bodies nested more than ``MAX_JSON_DEPTH`` levels."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            data = None
            too_deep = True
        else:
            too_deep = _depth_exceeds(data, MAX_JSON_DEPTH)
        if too_deep:
            raise ParseError(
                f"JSON parse error - arrays and objects nested more than {MAX_JSON_DEPTH} "
                "levels deep."
            )
        return data


# The photo and avatar uploads: a file and a few text fields, as browsers and
# generated clients send them.
UPLOAD_PARSERS = [parsers.MultiPartParser]
