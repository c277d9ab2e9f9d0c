"""OpenAPI generation: drf-spectacular's AutoSchema plus the error responses of each operation.

The error shapes are the project's two (see config.exceptions): a field map
for invalid input and ``{"detail": ...}`` for everything else. Which codes an
operation documents follows from what it is: a body can be invalid (400) or
too large (413), a path id can be unknown (404), an operation that needs a
login can answer 401 and 403, every request can be throttled (429), and views
that honour ``If-Match`` answer 412. A view adds codes the rules cannot
infer with an ``extra_error_codes`` attribute (e.g. login endpoints: 401).
Reads that answer conditional GETs name their actions (or, for a plain view,
methods) in a ``conditional_reads`` attribute: they document the ``ETag``
response header, the ``If-None-Match`` request header and 304.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import permissions

DETAIL_ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "type": "object",
    "description": "Each invalid field or query parameter, with what is wrong with it.",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
    "example": {"price": ["Ensure this value is greater than or equal to 0.01."]},
}
# A body that cannot be parsed at all (malformed JSON) is a 400 with a detail.
VALIDATION_ERROR = {"anyOf": [FIELD_ERRORS, DETAIL_ERROR]}

ERROR_DESCRIPTIONS = {
    "400": ("Invalid input: the body, a filter or a query parameter.", VALIDATION_ERROR),
    "401": ("Authentication credentials were missing or invalid.", DETAIL_ERROR),
    "403": ("Signed in, but not allowed to do this.", DETAIL_ERROR),
    "404": ("No such object, or not one you may see.", DETAIL_ERROR),
    "412": ("If-Match names a version that is no longer current; nothing changed.", DETAIL_ERROR),
    "413": ("Request body larger than the configured limit.", DETAIL_ERROR),
    "415": ("The request body's Content-Type is not one the operation accepts.", DETAIL_ERROR),
    "429": (
        "Too many requests, or (on the password logins) too many failed sign-ins for this "
        "account or address; retry after the Retry-After header's seconds.",
        DETAIL_ERROR,
    ),
}
ERROR_HEADERS = {
    "429": {
        "Retry-After": {
            "description": "Seconds to wait before trying again.",
            "schema": {"type": "integer", "minimum": 0},
            "required": True,
        }
    }
}

CONDITIONAL_READ_PARAMETERS = [
    OpenApiParameter(
        "If-None-Match",
        str,
        OpenApiParameter.HEADER,
        description="The `ETag` of a response you hold: 304 with no body while it is current.",
    ),
    OpenApiParameter(
        "ETag",
        str,
        OpenApiParameter.HEADER,
        response=["200", "304"],
        description="Entity tag of this representation; send it back as `If-None-Match`.",
    ),
]
NOT_MODIFIED = "Not modified: the `ETag` in `If-None-Match` is current. No body."

_ANONYMOUS_READ_PERMISSIONS = (permissions.AllowAny, permissions.IsAuthenticatedOrReadOnly)
_WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _allow_empty(parameters):
    # An empty filter or page parameter means "not given" (HTML filter forms,
    # the browsable API's among them, submit every field), as django-filter does.
    return [{**parameter, "allowEmptyValue": True} for parameter in parameters]


class AutoSchema(SpectacularAutoSchema):
    def get_auth(self):
        auth = super().get_auth()
        # drf-spectacular matches permission classes exactly; project permissions
        # that extend IsAuthenticatedOrReadOnly also let anonymous callers read.
        safe = self.method in permissions.SAFE_METHODS
        perms = self.view.get_permissions()
        anonymous_ok = all(isinstance(p, permissions.AllowAny) for p in perms) or (
            safe and all(isinstance(p, _ANONYMOUS_READ_PERMISSIONS) for p in perms)
        )
        if anonymous_ok and {} not in auth:
            auth.append({})
        return auth

    def _get_filter_parameters(self):
        return _allow_empty(super()._get_filter_parameters())

    def _get_pagination_parameters(self):
        return _allow_empty(super()._get_pagination_parameters())

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self._conditional_read():
            parameters = [*parameters, *CONDITIONAL_READ_PARAMETERS]
        return parameters

    def _conditional_read(self):
        action = getattr(self.view, "action", None) or self.method.lower()
        return self.method == "GET" and action in getattr(self.view, "conditional_reads", ())

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if self._conditional_read():
            headers = self._get_response_headers_for_code("304", direction)
            responses["304"] = {"headers": headers, "description": NOT_MODIFIED}
        for code in self._error_codes():
            if code not in responses:
                description, schema = ERROR_DESCRIPTIONS[code]
                responses[code] = {
                    "description": description,
                    "content": {"application/json": {"schema": schema}},
                }
                if code in ERROR_HEADERS:
                    responses[code]["headers"] = ERROR_HEADERS[code]
        return responses

    def _error_codes(self):
        codes = {"429", *getattr(self.view, "extra_error_codes", ())}
        has_body = self.method in {"POST", "PUT", "PATCH"}
        if has_body:
            codes |= {"400", "413", "415"}
        if self.method == "GET" and (self._is_list_view() or self.get_filter_backends()):
            codes.add("400")
        if "{" in self.path or (self.method == "GET" and self._is_list_view()):
            codes.add("404")  # an unknown id, or a page past the end
        if {} not in self.get_auth():
            codes |= {"401", "403"}
        elif self.method in _WRITE_METHODS and not all(
            isinstance(p, permissions.AllowAny) for p in self.view.get_permissions()
        ):
            codes |= {"401", "403"}
        if getattr(self.view, "conditional_writes", False) and getattr(
            self.view, "action", None
        ) in {"update", "partial_update", "destroy"}:
            codes.add("412")
        return sorted(codes)
