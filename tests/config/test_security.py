"""Security headers, the Content-Security-Policy and the browsable-API switch."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_api_responses_carry_the_security_headers(client):
    response = client.get("/api/properties/")

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_csp_allows_only_our_own_origin_for_scripts(client):
    response = client.get("/api/properties/")

    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"


def test_admin_login_page_is_served_under_the_csp(client):
    response = client.get("/admin/login/")

    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    # The admin's scripts are files under STATIC_URL, which 'self' allows; an
    # inline <script> with code in it would be blocked.
    html = response.content.decode()
    assert "<script>" not in html.replace(" ", "")


def test_browsable_api_pages_have_no_inline_script_code(client):
    response = client.get("/api/", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    html = response.content.decode()
    # DRF's only inline <script> holds JSON data (type="application/json"),
    # which browsers never execute, so 'self' is enough.
    for chunk in html.split("<script")[1:]:
        tag = chunk.split(">", 1)[0]
        assert "src=" in tag or 'type="application/json"' in tag, tag


def test_hsts_in_production_settings():
    assert settings.SECURE_HSTS_SECONDS == 31_536_000
    assert settings.SECURE_HSTS_INCLUDE_SUBDOMAINS is True


RENDERERS = "settings.REST_FRAMEWORK['DEFAULT_RENDERER_CLASSES']"


def test_browsable_api_is_on_in_production(production_setting):
    assert production_setting(RENDERERS, DJANGO_DEBUG="false") == [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ]


def test_browsable_api_can_be_switched_off(production_setting):
    assert production_setting(RENDERERS, DJANGO_DEBUG="false", DJANGO_BROWSABLE_API="false") == [
        "rest_framework.renderers.JSONRenderer"
    ]


def test_browsable_api_is_on_in_debug(production_setting):
    renderers = production_setting(RENDERERS, DJANGO_DEBUG="true")

    assert "rest_framework.renderers.BrowsableAPIRenderer" in renderers
