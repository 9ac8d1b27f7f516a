"""The API's JSON parser: refuses input nested too deeply with a 400 instead of a 500.

Python's json module recurses once per nesting level, so a body of ``[[[[…`` raises RecursionError,
which DRF does not catch. No request of this API nests deeper than a few levels, so anything past
``MAX_DEPTH`` is refused before a serializer walks it.
"""

from __future__ import annotations

import json

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32


def _too_deep(value, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding) if stream is not None else ""
            data = json.loads(text, parse_constant=_refuse_constant)
        except RecursionError:
            raise ParseError(f"JSON parse error: nested deeper than {MAX_DEPTH} levels.") from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if _too_deep(data, MAX_DEPTH):
            raise ParseError(f"JSON parse error: nested deeper than {MAX_DEPTH} levels.")
        return data


def _refuse_constant(name: str):
    # NaN and Infinity are not JSON; DRF refuses them too.
    raise ValueError(f"{name} is not a JSON value")
