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
        ("/api/auth/logout/", "post"),
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
    assert patch["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }


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


@pytest.mark.parametrize(
    "page, asset",
    [
        ("/api/docs/", "/static/drf_spectacular_sidecar/"),
        # The sidecar's ReDoc bundle, served without its CDN logo (config.views).
        ("/api/redoc/", "/api/redoc/redoc.standalone.js"),
    ],
)
def test_docs_pages_load_their_assets_from_our_origin(client, page, asset):
    response = client.get(page)

    html = response.content.decode()
    assert response.status_code == 200
    assert asset in html
    assert "cdn" not in html.lower()
    assert "https://" not in html


@pytest.mark.parametrize(
    "asset",
    [
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js",
    ],
)
def test_docs_assets_are_shipped(asset):
    assert finders.find(asset)


def test_logout_is_documented_with_its_optional_refresh_and_204(schema):
    logout = schema["paths"]["/api/auth/logout/"]["post"]

    assert {"204", "400", "401", "429"} <= set(logout["responses"])
    assert not logout["requestBody"].get("required", False)
    body = schema["components"]["schemas"]["LogoutRequest"]
    assert set(body["properties"]) == {"refresh"}


@pytest.mark.parametrize("path", ["/api/auth/token/", "/api/auth/jwt/", "/api/auth/logout/"])
def test_429_documents_retry_after(schema, path):
    too_many = schema["paths"][path]["post"]["responses"]["429"]

    assert too_many["headers"]["Retry-After"]["schema"]["type"] == "integer"
    assert "failed sign-ins" in too_many["description"]


def test_jwt_refresh_documents_the_rotated_refresh_token(schema):
    ok = schema["paths"]["/api/auth/jwt/refresh/"]["post"]["responses"]["200"]
    name = ok["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]

    assert {"access", "refresh"} <= set(schema["components"]["schemas"][name]["properties"])


def test_security_page_maps_every_owasp_row_to_tests_that_exist():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    page = (root / "docs" / "security.md").read_text()
    rows = {line.split("|")[1] for line in page.splitlines() if line.startswith("| **API")}
    assert {re.search(r"API\d+", row).group() for row in rows} == {f"API{n}" for n in range(1, 11)}
    references = re.findall(r"`(tests/[\w/]+\.py)((?:::\w+)*)`", page)
    assert len(references) > 20
    for path, chain in references:
        source = (root / path).read_text()
        for name in filter(None, chain.split("::")):
            assert re.search(rf"(def|class) {name}\b", source), f"{path}::{name}"


def test_schema_passes_openapi_spec_validator(schema):
    from openapi_spec_validator import validate

    validate(schema)  # raises on the first error


def test_photo_paths_declare_only_their_own_parameters(schema):
    photos = schema["paths"]["/api/properties/{property_pk}/photos/"]
    photo = schema["paths"]["/api/properties/{property_pk}/photos/{photo_id}/"]

    for operation in (photos["get"], photos["post"]):
        assert [p["name"] for p in operation["parameters"] if p["in"] == "path"] == ["property_pk"]
    assert sorted(p["name"] for p in photo["delete"]["parameters"] if p["in"] == "path") == [
        "photo_id",
        "property_pk",
    ]


def test_request_bodies_are_json_except_uploads(schema):
    media = {
        (path, method): sorted(operation["requestBody"]["content"])
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
    }

    assert media.pop(("/api/properties/{property_pk}/photos/", "post")) == ["multipart/form-data"]
    assert media.pop(("/api/users/me/", "patch")) == ["application/json", "multipart/form-data"]
    assert set(map(tuple, media.values())) == {("application/json",)}


def test_parameters_have_types_and_limits(schema):
    listing = {
        p["name"]: p["schema"] for p in schema["paths"]["/api/properties/"]["get"]["parameters"]
    }
    stats = {p["name"] for p in schema["paths"]["/api/market-stats/"]["get"]["parameters"]}

    assert listing["page_size"] == {"type": "integer", "minimum": 1, "maximum": 100}
    assert listing["page"] == {"type": "integer", "minimum": 1}
    assert listing["listing_agent"]["type"] == "integer"
    assert listing["listing_agent"]["minimum"] == 1
    assert (listing["radius_km"]["minimum"], listing["radius_km"]["maximum"]) == (0.001, 500)
    assert listing["status"]["type"] == "array"
    # Market statistics take the listing filters, not its pagination.
    assert set(listing) - {"page", "page_size", "cursor"} <= stats


def test_decimal_patterns_refuse_empty_and_sign_only(schema):
    import re

    pattern = schema["components"]["schemas"]["PropertyRequest"]["properties"]["price"]["pattern"]

    assert re.match(pattern, "450000.00")
    for bad in ("", "-", ".", "-1"):
        assert not re.match(pattern, bad)


def test_headers_servers_summaries_and_links(schema):
    listing = schema["paths"]["/api/properties/{id}/"]
    create = schema["paths"]["/api/properties/"]["post"]

    assert schema["servers"] == [{"url": "/", "description": "This Hearth instance"}]
    for method in ("put", "patch", "delete"):
        assert "If-Match" in {p["name"] for p in listing[method]["parameters"]}
    assert "ETag" in listing["patch"]["responses"]["200"]["headers"]
    assert "Retry-After" in listing["get"]["responses"]["429"]["headers"]
    assert "Retry-After" in listing["get"]["responses"]["503"]["headers"]
    operations = [op for ops in schema["paths"].values() for op in ops.values()]
    assert all(op.get("summary") and op.get("tags") for op in operations)
    links = create["responses"]["201"]["links"]
    assert {links[name]["operationId"] for name in links} >= {
        "properties_retrieve",
        "properties_partial_update",
        "properties_destroy",
    }
    assert (
        listing["get"]["responses"]["200"]["links"]["UpdateListingIfUnchanged"]["parameters"][
            "header.If-Match"
        ]
        == "$response.header.ETag"
    )


def test_redoc_bundle_asks_no_cdn(client):
    page = client.get("/api/redoc/").content.decode()
    bundle = client.get("/api/redoc/redoc.standalone.js")

    assert "/api/redoc/redoc.standalone.js" in page
    assert bundle.status_code == 200
    assert b"cdn.redoc.ly" not in bundle.content
    assert b"/static/hearth/redoc-logo.svg" in bundle.content


def test_landing_page_links_api_docs_and_admin(client):
    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    for href in ("/api/", "/api/docs/", "/api/redoc/", "/api/schema/", "/admin/"):
        assert f'href="{href}"' in html


def test_browsable_api_answers_html_in_production_settings(client):
    response = client.get("/api/properties/", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "onclick" not in response.content.decode()
