"""The OData service: service document, $metadata, collections and entities by key."""

from urllib.parse import urlencode

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.urls import reverse
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.authentication import JWTAuthentication

from reso import paging, query, writes
from reso.authentication import ClientCredentialsAuthentication, HasAccessToken, ResoRateThrottle
from reso.errors import odata_error, odata_exception_handler
from reso.lookups import LOOKUP
from reso.metadata import metadata_document
from reso.query import QueryError
from reso.records import record, with_expansions
from reso.resources import PROPERTY, RESOURCES

SERVED = {**RESOURCES, LOOKUP.name: LOOKUP}
ODATA_HEADERS = {"OData-Version": "4.0"}


def _resource_or_404(name):
    return SERVED.get(name)


class ODataView(APIView):
    """Bearer tokens only (OAuth2 client credentials or Hearth JWT), OData errors, JSON."""

    # OAuth2 first: it passes over a token it does not know, where simplejwt refuses one.
    authentication_classes = [ClientCredentialsAuthentication, JWTAuthentication]
    permission_classes = [HasAccessToken]
    throttle_classes = [ResoRateThrottle]
    renderer_classes = [JSONRenderer]
    # OData describes itself in $metadata; the OpenAPI document covers the REST API.
    schema = None

    def perform_content_negotiation(self, request, force=False):
        # OData clients send Accept headers such as application/xml for $metadata or
        # odata.metadata=minimal parameters; the answer is JSON (or XML) whatever they say.
        return super().perform_content_negotiation(request, force=True)

    def get_exception_handler(self):
        return odata_exception_handler

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["OData-Version"] = "4.0"
        return response

    def service_root(self, request) -> str:
        return request.build_absolute_uri(reverse("reso:service"))


class ServiceDocumentView(ODataView):
    """The entity sets this service offers."""

    def get(self, request):
        root = self.service_root(request)
        return Response(
            {
                "@odata.context": f"{root}$metadata",
                "value": [{"name": name, "kind": "EntitySet", "url": name} for name in SERVED],
            }
        )


class MetadataView(ODataView):
    """CSDL XML describing every resource, field, type and lookup name."""

    def get(self, request):
        return HttpResponse(
            metadata_document(),
            content_type="application/xml; charset=utf-8",
            headers=ODATA_HEADERS,
        )


def _evaluate(rows_function):
    # A literal of the wrong type for its field ("ListPrice eq 'cheap'") only fails when the
    # ORM prepares the query: a client's mistake, answered 400 like a syntax error.
    try:
        return rows_function()
    except (ValueError, DjangoValidationError) as exc:
        message = "; ".join(getattr(exc, "messages", None) or [str(exc)])
        raise QueryError(f"$filter: a value does not fit its field ({message}).") from None


class CollectionView(ODataView):
    """``/Resource``: the records the caller may read, with the OData query options."""

    def post(self, request, resource):
        refused = _writable(resource)
        if refused:
            return refused
        listing = writes.property_create_from_dd(request=request, body=request.data)
        return _written(request, listing, created=True)

    def get(self, request, resource):
        definition = _resource_or_404(resource)
        if definition is None:
            return odata_error(
                404, f"No resource {resource!r}; see the service document.", "NotFound"
            )
        options = query.parse(definition, request.query_params)
        queryset = definition.queryset(request.user)
        if options.annotations:
            queryset = queryset.annotate(**options.annotations)
        try:
            queryset = queryset.filter(options.where)
        except TypeError:
            raise QueryError(
                "$filter: the expression is not a condition (true or false)."
            ) from None
        queryset = with_expansions(queryset, definition, options.expand)
        page, counted = _evaluate(lambda: paging.page(queryset, options, request.query_params))
        root = self.service_root(request)
        context = f"{root}$metadata#{definition.name}"
        if options.select is not None:
            context += f"({','.join(f.name for f in options.select)})"
        body = {"@odata.context": context}
        if options.count:
            body["@odata.count"] = _evaluate(counted.count)
        body["value"] = [
            record(row, definition, request, select=options.select, expand=options.expand)
            for row in page.rows
        ]
        next_link = self._next_link(request, page, options)
        if next_link:
            body["@odata.nextLink"] = next_link
        return Response(body)

    def _next_link(self, request, page, options):
        if page.next_token is None and page.next_skip is None:
            return None
        params = {k: v for k, v in request.query_params.items() if k not in ("$skip", "$skiptoken")}
        if page.next_token is not None:
            params.pop("$top", None)
            params["$skiptoken"] = page.next_token
        else:
            params["$skip"] = str(page.next_skip)
            if options.top_given:
                params["$top"] = str(options.top - (page.next_skip - options.skip))
        return request.build_absolute_uri(request.path) + "?" + urlencode(params)


def _written(request, listing, *, created: bool):
    """The answer to a write: the record, or only headers when the client prefers minimal."""
    listing = PROPERTY.queryset(request.user).get(pk=listing.pk)
    location = request.build_absolute_uri(
        reverse("reso:entity", kwargs={"resource": "Property", "key": str(listing.pk)})
    )
    headers = {"Location": location, "OData-EntityId": location}
    if "return=minimal" in request.headers.get("Prefer", ""):
        return Response(status=204, headers={**headers, "Preference-Applied": "return=minimal"})
    root = request.build_absolute_uri(reverse("reso:service"))
    body = {"@odata.context": f"{root}$metadata#Property/$entity"}
    body.update(record(listing, PROPERTY, request))
    return Response(body, status=201 if created else 200, headers=headers)


def _writable(resource):
    if resource != PROPERTY.name:
        return odata_error(
            405, f"{resource} is read-only; only Property takes writes.", "NotAllowed"
        )
    return None


class EntityView(ODataView):
    """``/Resource('key')``: one record, or 404 when it does not exist or may not be read."""

    def _listing(self, request, key):
        if not key.isdigit():
            return None
        return PROPERTY.queryset(request.user).filter(pk=key).first()

    def patch(self, request, resource, key):
        refused = _writable(resource)
        if refused:
            return refused
        listing = self._listing(request, key)
        if listing is None:
            return odata_error(404, f"No Property with ListingKey {key!r}.", "NotFound")
        try:
            listing = writes.property_update_from_dd(
                request=request, listing=listing, body=request.data
            )
        except writes.ListingStale:
            return odata_error(
                412, "If-Match is not the listing's current version.", "PreconditionFailed"
            )
        return _written(request, listing, created=False)

    def delete(self, request, resource, key):
        refused = _writable(resource)
        if refused:
            return refused
        listing = self._listing(request, key)
        if listing is None:
            return odata_error(404, f"No Property with ListingKey {key!r}.", "NotFound")
        try:
            writes.property_delete_from_dd(request=request, listing=listing)
        except writes.ListingStale:
            return odata_error(
                412, "If-Match is not the listing's current version.", "PreconditionFailed"
            )
        return Response(status=204)

    def get(self, request, resource, key):
        definition = _resource_or_404(resource)
        if definition is None:
            return odata_error(
                404, f"No resource {resource!r}; see the service document.", "NotFound"
            )
        for name in request.query_params:
            if name.startswith("$") and name not in ("$select", "$expand", "$format"):
                raise QueryError(f"{name}: not allowed when reading one {definition.name}.")
        select = expand = None
        if "$select" in request.query_params:
            select = query.parse_select(definition, request.query_params["$select"])
        expand = []
        if "$expand" in request.query_params:
            expand = query.parse_expand(definition, request.query_params["$expand"])
        key_field = definition.by_name[definition.key]
        queryset = with_expansions(definition.queryset(request.user), definition, expand)
        if key_field.source == "id" and not key.isdigit():
            obj = None
        else:
            obj = queryset.filter(**{key_field.source: key}).first()
        if obj is None:
            return odata_error(
                404, f"No {definition.name} with {definition.key} {key!r}.", "NotFound"
            )
        root = self.service_root(request)
        body = {"@odata.context": f"{root}$metadata#{definition.name}/$entity"}
        body.update(record(obj, definition, request, select=select, expand=expand))
        return Response(body)
