"""Hearth with its response cache on (``API_RESPONSE_CACHE=true``), reported as separate rows.

Headline figures never include response caching (bench/README.md). These rows
show what the cache buys: ``list``, ``detail`` and ``market_stats`` warm (one
request first), and ``list_conditional``: the list sent with ``If-None-Match``
and the ETag its first response carried, where 304 counts as success. Each row
the reference serves is divided by the reference's uncached rate for the same
endpoint in the same run (``list_conditional`` by its list); issue 18's
targets: lists 5x, detail 3x.
"""

import http.client

from bench.api import log
from bench.api.load import measure
from bench.api.servers import start_hearth

CACHED_ENDPOINTS = ("list", "detail", "market_stats")
# The reference endpoint a cached row is compared with.
COMPARED_WITH = {"list": "list", "list_conditional": "list", "detail": "detail"}
ENV = "API_RESPONSE_CACHE=true"


def first_response(port, path, headers=None):
    """Status and ETag of one GET sent as wrk sends it: Host with the port, no Accept.

    The ETag of a list covers its absolute ``next`` link, so it must be taken
    with the Host header wrk will send.
    """
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": f"127.0.0.1:{port}", **(headers or {})})
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("ETag")
    finally:
        conn.close()


def conditional_list(hearth, path, etag, connections, duration):
    """The list as a conditional GET, or why it was skipped."""
    if not etag:
        reason = (
            "the list response carried no ETag (this Hearth has no response cache, "
            f"or ignores {ENV})"
        )
        log(f"list_conditional skipped: {reason}")
        return {"path": path, "skipped": reason}
    status, _ = first_response(hearth.port, path, {"If-None-Match": etag})
    if status != 304:
        reason = f"If-None-Match: {etag} was answered {status}, not 304"
        log(f"list_conditional skipped: {reason}")
        return {"path": path, "if_none_match": etag, "skipped": reason}
    runs = measure("list_conditional", path, [hearth], connections, duration, if_none_match=etag)
    return {"path": path, "if_none_match": etag, "hearth": {"runs": runs[hearth.name]}}


def measure_cached(args, database_url, paths, connections, reference_runs, started):
    """Start Hearth with the cache on, on --port (the headline Hearth must be stopped first)."""
    names = [name for name in CACHED_ENDPOINTS if name in paths]
    if not names:
        log("caches-on rows skipped: none of list, detail, market_stats is in --endpoints")
        return None
    hearth = start_hearth(args, database_url, started, name="hearth_cached", response_cache=True)
    endpoints = {}
    try:
        for name in names:
            path = paths[name]
            status, etag = first_response(hearth.port, path)  # the warming request
            if status != 200:
                raise RuntimeError(f"Hearth (cached) answered {status} for {path}")
            log(f"{name} (cached): first response 200, ETag {etag or 'none'}")
            runs = measure(f"{name} (cached)", path, [hearth], connections, args.duration)
            endpoints[name] = {"path": path, "etag": etag, "hearth": {"runs": runs[hearth.name]}}
            if name == "list":
                endpoints["list_conditional"] = conditional_list(
                    hearth, path, etag, connections, args.duration
                )
    finally:
        hearth.stop()
    for name, compared in COMPARED_WITH.items():
        entry, reference = endpoints.get(name, {}), (reference_runs or {}).get(compared)
        if "hearth" in entry and reference:
            entry["compared_with"] = compared
            entry["ratio_to_reference"] = {
                str(c): round(entry["hearth"]["runs"][str(c)]["rps"] / reference[str(c)]["rps"], 2)
                for c in connections
            }
    return {"env": ENV, "endpoints": endpoints}
