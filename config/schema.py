"""OpenAPI generation: drf-spectacular's AutoSchema made to describe exactly what Hearth does.

The error shapes are the project's two (see config.exceptions), published as
the ``FieldErrors`` and ``Error`` components. Which codes an operation
documents follows from what it is: a body can be invalid (400), too large
(413) or of a type the operation does not parse (415); a path id can be
unknown (404); any request can carry a bad token (401), be throttled (429) or
meet a database outage (503, both with ``Retry-After``); an operation that
needs a login or a permission answers 403; views that honour ``If-Match``
answer 412. A view adds codes the rules cannot infer with an
``extra_error_codes`` attribute (e.g. login endpoints: 401). Reads that answer
conditional GETs name their actions (or, for a plain view, methods) in a
``conditional_reads`` attribute: they document the ``ETag`` response header,
the ``If-None-Match`` request header and 304; ``conditional_writes`` documents
``If-Match`` and 412. Query parameters get their type and limits from the form
field that parses them, operations a summary (``schema_noun`` names the object
of CRUD actions), and ``add_links`` the OpenAPI links between operations.
"""

from decimal import Decimal

import django_filters
from django import forms
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import get_view_model
from drf_spectacular.utils import OpenApiParameter
from rest_framework import permissions, serializers

from config.exceptions import RETRY_AFTER_SECONDS

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
# Named components, so generated clients get one error class each, not one per operation.
ERROR_COMPONENTS = {"Error": DETAIL_ERROR, "FieldErrors": FIELD_ERRORS}
DETAIL_ERROR_REF = {"$ref": "#/components/schemas/Error"}
# A body that cannot be parsed at all (malformed JSON) is a 400 with a detail.
VALIDATION_ERROR = {"anyOf": [{"$ref": "#/components/schemas/FieldErrors"}, DETAIL_ERROR_REF]}

ERROR_DESCRIPTIONS = {
    "400": ("Invalid input: the body, a filter or a query parameter.", VALIDATION_ERROR),
    "401": ("Authentication credentials were missing or invalid.", DETAIL_ERROR_REF),
    "403": ("Signed in, but not allowed to do this.", DETAIL_ERROR_REF),
    "404": ("No such object, or not one you may see.", DETAIL_ERROR_REF),
    "412": (
        "If-Match names a version that is no longer current; nothing changed.",
        DETAIL_ERROR_REF,
    ),
    "413": ("Request body larger than the configured limit.", DETAIL_ERROR_REF),
    "415": ("The request body's Content-Type is not one the operation accepts.", DETAIL_ERROR_REF),
    "429": (
        "Too many requests, or (on the password logins) too many failed sign-ins for this "
        "account or address; retry after the Retry-After header's seconds.",
        DETAIL_ERROR_REF,
    ),
    "503": (
        "The database is unavailable or overloaded; retry after the Retry-After header's seconds.",
        DETAIL_ERROR_REF,
    ),
}
# Responses that tell the client when to come back.
RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer", "minimum": 1},
        "description": f"Seconds to wait before retrying (e.g. {RETRY_AFTER_SECONDS}).",
    }
}
ERROR_HEADERS = {"429": RETRY_AFTER, "503": RETRY_AFTER}

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

CONDITIONAL_WRITE_PARAMETERS = [
    OpenApiParameter(
        "If-Match",
        str,
        OpenApiParameter.HEADER,
        description="The listing's `ETag` as you read it: if someone changed it since, the "
        "write is refused with 412 and nothing changes. Leave it out to write unconditionally.",
    ),
]
WRITE_ETAG = OpenApiParameter(
    "ETag",
    str,
    OpenApiParameter.HEADER,
    response=["200"],
    description="Entity tag of the listing as written; send it as `If-Match` next time.",
)

# Operation summaries (ReDoc's and Swagger UI's headings) for the CRUD actions;
# other actions and views use the first line of their docstring.
CRUD_SUMMARIES = {
    "list": "List {plural}",
    "create": "Create {article} {noun}",
    "retrieve": "Read {article} {noun}",
    "update": "Replace {article} {noun}",
    "partial_update": "Update {article} {noun}",
    "destroy": "Delete {article} {noun}",
}

# Query parameters given an exact type and limits from the form field that parses them.
_DECIMAL_PATTERN = r"^{sign}(?:\d{{1,{whole}}}(?:\.\d{{0,{places}}})?|\.\d{{1,{places}}})$"

_ANONYMOUS_READ_PERMISSIONS = (permissions.AllowAny, permissions.IsAuthenticatedOrReadOnly)
_WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _allow_empty(parameters):
    # An empty filter or page parameter means "not given" (HTML filter forms,
    # the browsable API's among them, submit every field), as django-filter does.
    return [{**parameter, "allowEmptyValue": True} for parameter in parameters]


def _filter_limits(filter_):
    """JSON-schema limits for a django-filter filter, from the keywords its form field gets."""
    extra = filter_.extra
    limits = {}
    field_class = filter_.field_class
    # Django's DecimalField and FloatField are IntegerField subclasses.
    if issubclass(field_class, forms.IntegerField) and not issubclass(
        field_class, forms.DecimalField | forms.FloatField
    ):
        limits["type"] = "integer"
    for keyword, name in (("min_value", "minimum"), ("max_value", "maximum")):
        if extra.get(keyword) is not None:
            value = extra[keyword]
            limits[name] = float(value) if isinstance(value, Decimal) else value
    if extra.get("max_digits") is not None and "maximum" not in limits:
        whole = extra["max_digits"] - extra.get("decimal_places", 0)
        limits["maximum"] = float(10**whole) - 10 ** -extra.get("decimal_places", 0)
        limits.setdefault("minimum", -limits["maximum"])
    if extra.get("max_length") is not None:
        limits["maxLength"] = extra["max_length"]
    return limits


class AutoSchema(SpectacularAutoSchema):
    def get_summary(self):
        summary = super().get_summary()
        if summary:
            return summary
        action = getattr(self.view, "action", None)
        if action in CRUD_SUMMARIES:
            noun = getattr(self.view, "schema_noun", None)
            if noun is None:
                model = get_view_model(self.view)
                noun = str(model._meta.verbose_name) if model else "object"
            plural = getattr(self.view, "schema_noun_plural", None) or f"{noun}s"
            article = "an" if noun[:1] in "aeio" else "a"  # "a user"
            return CRUD_SUMMARIES[action].format(noun=noun, plural=plural, article=article)
        method = getattr(self.view, action or self.method.lower(), None)
        doc = (getattr(method, "__doc__", None) or self.view.__class__.__doc__ or "").strip()
        return doc.splitlines()[0].rstrip(".") if doc else None

    def get_filter_backends(self):
        # Market statistics take the listing filters although they answer one object.
        if getattr(self.view, "schema_filters", False) and self.method == "GET":
            return getattr(self.view, "filter_backends", [])
        return super().get_filter_backends()

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
        parameters = super()._get_filter_parameters()
        filterset_class = getattr(self.view, "filterset_class", None)
        filters = filterset_class.base_filters if filterset_class else {}
        for parameter in parameters:
            filter_ = filters.get(parameter["name"])
            schema = parameter["schema"]
            if filter_ is None or schema.get("type") == "array":
                continue
            schema.update(_filter_limits(filter_))
            if isinstance(filter_, django_filters.NumberFilter) and schema["type"] == "number":
                schema.pop("format", None)
        return _allow_empty(parameters)

    def _get_pagination_parameters(self):
        parameters = super()._get_pagination_parameters()
        for parameter in parameters:
            if parameter["name"] == "page":
                parameter["schema"] = {"type": "integer", "minimum": 1}
            elif parameter["name"] == "page_size":
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": 100}
                parameter["description"] = "Results per page: 20 by default, at most 100."
        return _allow_empty(parameters)

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self._conditional_read():
            parameters = [*parameters, *CONDITIONAL_READ_PARAMETERS]
        if self._conditional_write():
            parameters = [*parameters, *CONDITIONAL_WRITE_PARAMETERS]
            if self.method in {"PUT", "PATCH"}:
                parameters = [*parameters, WRITE_ETAG]
        return parameters

    def _conditional_write(self):
        return getattr(self.view, "conditional_writes", False) and getattr(
            self.view, "action", None
        ) in {"update", "partial_update", "destroy"}

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if (
            isinstance(field, serializers.DecimalField)
            and schema.get("format") == "decimal"
            and "pattern" in schema
        ):
            # drf-spectacular's pattern matches "" and "-", which the field refuses;
            # a field with a non-negative minimum takes no sign either.
            unsigned = field.min_value is not None and field.min_value >= 0
            schema["pattern"] = _DECIMAL_PATTERN.format(
                sign="" if unsigned else "-?",
                whole=field.max_whole_digits,
                places=field.decimal_places,
            )
        return schema

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
        # Every request can be throttled or meet a database outage, and a wrong or
        # expired token is refused even where anonymous callers are welcome.
        codes = {"401", "429", "503", *getattr(self.view, "extra_error_codes", ())}
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
        if self._conditional_write():
            codes.add("412")
        return sorted(codes)


# OpenAPI links: how the id (and ETag) one answer gives feeds the next request,
# for the create -> read -> update -> delete flows. Generators and documentation
# show them; schemathesis follows them in its stateful runs. Keyed by the
# (operationId, status) of the answer that provides the values.
_LISTING_ID = {"id": "$response.body#/id"}
_LISTING_CHILD = {"property_pk": "$response.body#/id"}
_SAME_LISTING = {"id": "$request.path.id"}
LINKS = {
    ("properties_create", "201"): {
        "ReadListing": ("properties_retrieve", _LISTING_ID),
        "ReplaceListing": ("properties_update", _LISTING_ID),
        "UpdateListing": ("properties_partial_update", _LISTING_ID),
        "DeleteListing": ("properties_destroy", _LISTING_ID),
        "ReadPriceHistory": ("properties_price_history_list", _LISTING_ID),
        "ReadValuation": ("properties_valuation_retrieve", _LISTING_ID),
        "SaveFavorite": ("properties_favorite_create", _LISTING_ID),
        "ListPhotos": ("properties_photos_list", _LISTING_CHILD),
        "UploadPhoto": ("properties_photos_create", _LISTING_CHILD),
        "SendInquiry": ("properties_inquiries_create", _LISTING_CHILD),
    },
    ("properties_retrieve", "200"): {
        "UpdateListingIfUnchanged": (
            "properties_partial_update",
            {**_SAME_LISTING, "header.If-Match": "$response.header.ETag"},
        ),
        "DeleteListingIfUnchanged": (
            "properties_destroy",
            {**_SAME_LISTING, "header.If-Match": "$response.header.ETag"},
        ),
    },
    ("properties_partial_update", "200"): {
        "ReadListing": ("properties_retrieve", _SAME_LISTING),
        "ReadPriceHistory": ("properties_price_history_list", _SAME_LISTING),
        "DeleteListing": ("properties_destroy", _SAME_LISTING),
    },
    ("properties_update", "200"): {
        "ReadListing": ("properties_retrieve", _SAME_LISTING),
        "DeleteListing": ("properties_destroy", _SAME_LISTING),
    },
    ("properties_photos_create", "201"): {
        "DeletePhoto": (
            "properties_photos_destroy",
            {"property_pk": "$request.path.property_pk", "photo_id": "$response.body#/id"},
        ),
    },
    ("properties_favorite_create", "201"): {
        "ForgetFavorite": ("properties_favorite_destroy", _SAME_LISTING),
    },
    ("properties_inquiries_create", "201"): {
        "ReadInquiry": ("inquiries_retrieve", {"id": "$response.body#/id"}),
    },
    ("auth_register_create", "201"): {
        "ReadUser": ("users_retrieve", {"id": "$response.body#/id"}),
    },
}


def add_links(result, generator, request, public):
    """drf-spectacular post-processing hook: the error components, and ``LINKS``."""
    operations = {
        operation["operationId"]: operation
        for path in result["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    result["components"].setdefault("schemas", {}).update(ERROR_COMPONENTS)
    for (source, status), links in LINKS.items():
        response = operations.get(source, {}).get("responses", {}).get(status)
        if response is None:
            continue
        response["links"] = {
            name: {"operationId": target, "parameters": parameters}
            for name, (target, parameters) in links.items()
            if target in operations
        }
    return result
