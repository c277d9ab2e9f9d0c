"""Reporting a run: the console table, the JSON file and the Markdown tables for RESULTS.md."""

import json
import time

from bench.api import OUT, ROOT


def table(results, connections):
    lines = []
    header = (
        f"{'endpoint':<13}{'server':<10}{'conns':>6}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'non-2xx':>8}{'RSS MB':>8}{'load':>6}"
    )
    lines += [header, "-" * len(header)]
    for name, entry in results["endpoints"].items():
        for server in ("hearth", "reference"):
            runs = entry.get(server, {}).get("runs")
            if not runs:
                continue
            for c in connections:
                run = runs[str(c)]
                lines.append(
                    f"{name:<13}{server:<10}{c:>6}{run['rps']:>10,.0f}{run['p50_ms']:>9.2f}"
                    f"{run['p99_ms']:>9.2f}{run['non_2xx']:>8}{run['rss_mb']:>8.0f}"
                    f"{run['load']:>6.2f}"
                )
    lines.append("")
    lines.append(
        f"{'endpoint':<13}{'queries/req hearth':>20}{'reference':>11}"
        + "".join(f"{'H÷R @' + str(c):>10}" for c in connections)
    )
    for name, entry in results["endpoints"].items():
        q_h = (entry.get("hearth", {}).get("per_request") or {}).get("queries", "")
        q_r = (entry.get("reference", {}).get("per_request") or {}).get("queries", "")
        ratios = "".join(
            f"{entry['ratio'][str(c)]:>10.2f}" if "ratio" in entry else f"{'':>10}"
            for c in connections
        )
        lines.append(f"{name:<13}{q_h!s:>20}{q_r!s:>11}{ratios}")
    floor = results.get("pgbench_floor")
    if floor:
        lines.append("")
        lines.append("pgbench floor, list SQL (count + page) as one transaction per request:")
        for c, row in floor["runs"].items():
            fraction = floor["hearth_fraction"].get(c)
            lines.append(
                f"  {c:>3} clients: {row['tps']:>8,.0f}/s"
                + (f"   Hearth list {fraction:.0%} of it" if fraction is not None else "")
            )
    lines += cached_table(results, connections)
    return "\n".join(lines)


def markdown_cells(runs, connections):
    """One row's cells: "req/s · p50 · p99" per connection count, non-2xx in all, peak RSS."""
    cells = " | ".join(
        f"{runs[str(c)]['rps']:,.0f} · {runs[str(c)]['p50_ms']:.1f} · {runs[str(c)]['p99_ms']:.1f}"
        for c in connections
    )
    non_2xx = sum(runs[str(c)]["non_2xx"] for c in connections)
    rss = max(runs[str(c)]["rss_mb"] for c in connections)
    return cells, non_2xx, rss


def markdown(results):
    """The run as Markdown tables, for bench/RESULTS.md."""
    connections = results["settings"]["connections"]
    lines = [
        "| endpoint | server | queries/req (transactions · listing scans · all scans) | "
        + " | ".join(f"c={c}: req/s · p50 · p99 ms" for c in connections)
        + " | non-2xx | RSS MB |",
        "|---|---|---|" + "---|" * len(connections) + "---|---|",
    ]
    for name, entry in results["endpoints"].items():
        for server in ("hearth", "reference"):
            if server not in entry:
                continue
            per = entry[server].get("per_request") or {}
            counted = " · ".join(
                str(per[key]) for key in ("queries", "listing_scans", "table_scans") if key in per
            )
            cells, non_2xx, rss = markdown_cells(entry[server]["runs"], connections)
            lines.append(f"| {name} | {server} | {counted} | {cells} | {non_2xx} | {rss:.0f} |")
    ratios = [
        f"| {name} | " + " | ".join(f"{entry['ratio'][str(c)]:.2f}" for c in connections) + " |"
        for name, entry in results["endpoints"].items()
        if "ratio" in entry
    ]
    if ratios:
        lines += [
            "",
            "| Hearth ÷ reference (req/s) | " + " | ".join(f"c={c}" for c in connections) + " |",
            "|---|" + "---|" * len(connections),
            *ratios,
        ]
    floor = results.get("pgbench_floor")
    if floor:
        lines += [
            "",
            "| pgbench, list SQL | " + " | ".join(f"c={c}" for c in connections) + " |",
            "|---|" + "---|" * len(connections),
            "| requests' SQL/s | "
            + " | ".join(f"{floor['runs'][str(c)]['tps']:,.0f}" for c in connections)
            + " |",
            "| Hearth list ÷ floor | "
            + " | ".join(f"{floor['hearth_fraction'][str(c)]:.0%}" for c in connections)
            + " |",
        ]
    loads = [
        run["load"]
        for entry in results["endpoints"].values()
        for server in ("hearth", "reference")
        if server in entry
        for run in entry[server]["runs"].values()
    ]
    lines += ["", f"Load average during the runs: {min(loads):.2f}–{max(loads):.2f}."]
    lines += cached_markdown(results, connections)
    return "\n".join(lines)


def _cached_ratios(entry):
    # Runs before issue 18 compared every cached row with the reference's list.
    return entry.get("ratio_to_reference") or entry.get("ratio_to_reference_list") or {}


def cached_table(results, connections):
    """The caches-on rows (``--cached``), apart from the headline figures."""
    cached = results.get("cached")
    if not cached:
        return []
    header = (
        f"{'endpoint':<18}{'conns':>6}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>8}"
        f"{'304':>7}{'RSS MB':>8}{'load':>6}{'÷ ref':>11}"
    )
    lines = ["", f"Caches on ({cached['env']}), not headline figures:", header, "-" * len(header)]
    for name, entry in cached["endpoints"].items():
        if "skipped" in entry:
            lines.append(f"{name:<18}skipped: {entry['skipped']}")
            continue
        ratios = _cached_ratios(entry)
        for c in connections:
            run = entry["hearth"]["runs"][str(c)]
            ratio = ratios.get(str(c))
            lines.append(
                f"{name:<18}{c:>6}{run['rps']:>10,.0f}{run['p50_ms']:>9.2f}{run['p99_ms']:>9.2f}"
                f"{run['non_2xx']:>8}{run.get('not_modified', '-')!s:>7}{run['rss_mb']:>8.0f}"
                f"{run['load']:>6.2f}" + (f"{ratio:>11.2f}" if ratio is not None else "")
            )
    return lines


def cached_markdown(results, connections):
    """The caches-on rows as their own Markdown tables, never mixed into the headline ones."""
    cached = results.get("cached")
    if not cached:
        return []
    lines = [
        "",
        f"Caches on (`{cached['env']}`), reported apart from the headline figures:",
        "",
        "| endpoint | "
        + " | ".join(f"c={c}: req/s · p50 · p99 ms" for c in connections)
        + " | non-2xx | 304 | RSS MB |",
        "|---|" + "---|" * len(connections) + "---|---|---|",
    ]
    ratios = []
    for name, entry in cached["endpoints"].items():
        if "skipped" in entry:
            lines.append(f"| {name} | skipped: {entry['skipped']} |")
            continue
        runs = entry["hearth"]["runs"]
        cells, non_2xx, rss = markdown_cells(runs, connections)
        not_modified = (
            sum(runs[str(c)]["not_modified"] for c in connections)
            if "not_modified" in runs[str(connections[0])]
            else "–"
        )
        lines.append(f"| {name} | {cells} | {non_2xx} | {not_modified} | {rss:.0f} |")
        if ratio := _cached_ratios(entry):
            ratios.append(
                f"| {name} (÷ {entry.get('compared_with', 'list')}) | "
                + " | ".join(f"{ratio[str(c)]:.2f}" for c in connections)
                + " |"
            )
    if ratios:
        lines += [
            "",
            "| Hearth cached ÷ uncached reference, same endpoint (req/s) | "
            + " | ".join(f"c={c}" for c in connections)
            + " |",
            "|---|" + "---|" * len(connections),
            *ratios,
        ]
    return lines


def write_json(results, label):
    """Store the run under bench/out/ and return the file's path."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    path = OUT / f"bench-api-{stamp}{'-' + label if label else ''}.json"
    path.write_text(json.dumps(results, indent=2))
    return path


def print_table(results, connections, json_path):
    print()
    print(table(results, connections))
    print(f"\nJSON: {json_path.relative_to(ROOT)}")
