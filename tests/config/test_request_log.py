"""Request ids and the structured request log."""

import json
import logging
import sys

import pytest

from config.log import JsonFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db


def test_a_valid_incoming_request_id_is_echoed(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a.91_c:2")

    assert response["X-Request-ID"] == "lb-7f3a.91_c:2"


@pytest.mark.parametrize("bad", ["", "has space", 'quote"', "x" * 65, "new\nline", "ünï"])
def test_a_missing_or_unsafe_request_id_is_replaced_by_a_new_one(client, bad):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=bad)

    assert response["X-Request-ID"] != bad
    assert len(response["X-Request-ID"]) == 32
    int(response["X-Request-ID"], 16)


def test_each_request_gets_its_own_id(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]

    assert first != second


def test_error_responses_carry_the_id_too(client):
    response = client.get("/api/nothing-here/", HTTP_X_REQUEST_ID="abc123")

    assert response.status_code == 404
    assert response["X-Request-ID"] == "abc123"


def test_one_request_record_with_its_outcome(client, user, caplog):
    client.force_login(user)
    with caplog.at_level(logging.INFO, logger="hearth.request"):
        client.get("/api/users/me/", HTTP_X_REQUEST_ID="req-1")

    [record] = [r for r in caplog.records if r.name == "hearth.request"]
    assert (record.method, record.path, record.status, record.user_id) == (
        "GET",
        "/api/users/me/",
        200,
        user.pk,
    )
    assert record.duration_ms >= 0


def test_records_logged_during_a_request_carry_its_id(client, caplog):
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.INFO):
        client.get("/api/nothing-here/", HTTP_X_REQUEST_ID="req-2")

    assert caplog.records
    assert {record.request_id for record in caplog.records} == {"req-2"}


def test_outside_a_request_the_id_is_none():
    record = logging.LogRecord("app", logging.INFO, __file__, 1, "msg", (), None)

    RequestIdFilter().filter(record)

    assert record.request_id is None


def test_json_formatter_writes_one_object_per_line_with_the_extras():
    record = logging.LogRecord("hearth.request", logging.INFO, __file__, 1, "GET %s", ("/x",), None)
    record.request_id = "rid"
    record.status = 200
    record.duration_ms = 1.5

    line = JsonFormatter().format(record)

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "GET /x"
    assert (entry["level"], entry["logger"], entry["request_id"]) == (
        "INFO",
        "hearth.request",
        "rid",
    )
    assert (entry["status"], entry["duration_ms"]) == (200, 1.5)
    assert entry["time"].endswith("+00:00")


def test_json_formatter_includes_the_traceback_on_one_line():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())

    line = JsonFormatter().format(record)

    assert "\n" not in line
    assert "RuntimeError: boom" in json.loads(line)["exc_info"]
