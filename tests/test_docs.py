"""The OpenAPI document and the offline documentation pages."""

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_schema_is_openapi_3_with_the_three_auth_schemes(schema):
    assert schema["openapi"].startswith("3.")
    assert set(schema["components"]["securitySchemes"]) == {"jwtAuth", "tokenAuth", "cookieAuth"}


@pytest.mark.parametrize(
    "path, method",
    [
        ("/api/auth/register/", "post"),
        ("/api/auth/token/", "post"),
        ("/api/auth/jwt/", "post"),
        ("/api/auth/jwt/refresh/", "post"),
        ("/api/users/", "get"),
        ("/api/users/{id}/", "get"),
        ("/api/users/me/", "patch"),
        ("/api/properties/", "get"),
        ("/api/properties/", "post"),
        ("/api/properties/{id}/", "put"),
        ("/api/properties/{id}/", "patch"),
        ("/api/properties/{id}/", "delete"),
        ("/api/properties/{id}/price-history/", "get"),
        ("/api/properties/{property_pk}/open-houses/", "get"),
        ("/api/properties/{property_pk}/open-houses/", "post"),
        ("/api/properties/{property_pk}/open-houses/{open_house_id}/", "patch"),
        ("/api/properties/{property_pk}/open-houses/{open_house_id}/", "delete"),
    ],
)
def test_every_endpoint_is_documented(schema, path, method):
    assert method in schema["paths"][path]


def test_listing_filters_are_documented_with_types_and_enums(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/properties/"]["get"]["parameters"]}

    for name in ("status", "price_min", "bbox", "near", "radius_km", "ordering", "page_size"):
        assert name in parameters
    for name in ("open_house_after", "open_house_before"):
        assert parameters[name]["schema"] == {"type": "string", "format": "date"}
    assert "active" in str(parameters["status"]["schema"])
    assert parameters["price_min"]["schema"]["type"] == "number"


def test_error_responses_are_documented(schema):
    patch = schema["paths"]["/api/properties/{id}/"]["patch"]["responses"]
    listing = schema["paths"]["/api/properties/"]["get"]["responses"]

    assert {"200", "400", "401", "403", "404", "412", "413", "429"} <= set(patch)
    assert "400" in listing and "429" in listing
    assert "detail" in str(patch["404"])


@pytest.mark.parametrize(
    "path", ["/api/properties/", "/api/properties/{id}/", "/api/market-stats/"]
)
def test_conditional_reads_are_documented(schema, path):
    get = schema["paths"][path]["get"]

    assert "If-None-Match" in {p["name"] for p in get["parameters"] if p["in"] == "header"}
    assert "content" not in get["responses"]["304"]
    for code in ("200", "304"):
        assert "ETag" in get["responses"][code]["headers"]


def test_writes_do_not_document_conditional_reads(schema):
    assert "304" not in schema["paths"]["/api/properties/"]["post"]["responses"]


@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_load_their_assets_from_our_static_files(client, page):
    response = client.get(page)

    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn" not in html.lower()


@pytest.mark.parametrize(
    "asset",
    [
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js",
    ],
)
def test_docs_assets_are_shipped(asset):
    assert finders.find(asset)
