"""Same output, or nothing is measured: both servers must answer with the same bytes."""

import difflib
import json
import sys

from bench.api import log
from bench.api.endpoints import fetch


def check_identical(hearth, reference, paths):
    """Fail loudly, with a diff, unless both servers answer every path with the same bytes."""
    failures = []
    for name, path in paths.items():
        status_a, body_a = fetch(hearth.port, path)
        status_b, body_b = fetch(reference.port, path)
        if status_a != 200:
            failures.append(f"{name}: Hearth answered {status_a} for {path}: {body_a[:300]!r}")
            continue
        if (status_a, body_a) == (status_b, body_b):
            log(f"identical: {name} ({len(body_a):,} bytes) {path}")
            continue
        pretty_a = json.dumps(json.loads(body_a), indent=1, ensure_ascii=False).splitlines()
        try:
            pretty_b = json.dumps(json.loads(body_b), indent=1, ensure_ascii=False).splitlines()
        except ValueError:
            pretty_b = body_b.decode(errors="replace").splitlines()
        diff = list(
            difflib.unified_diff(pretty_a, pretty_b, "hearth", "reference", lineterm="", n=2)
        )
        first = next(
            (i for i, (a, b) in enumerate(zip(body_a, body_b, strict=False)) if a != b),
            min(len(body_a), len(body_b)),
        )
        failures.append(
            f"{name}: {path} differs (status {status_a} vs {status_b}; first differing byte "
            f"{first}: {body_a[first - 20 : first + 40]!r} vs {body_b[first - 20 : first + 40]!r})"
            + ("\n" + "\n".join(diff[:80]) if diff else "")
        )
    if failures:
        print("\nOUTPUTS DIFFER — nothing was measured:\n", file=sys.stderr)
        print("\n\n".join(failures), file=sys.stderr)
        raise SystemExit(1)
