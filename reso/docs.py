"""The field mapping table of docs/reso.md, generated from the served resources.

``tests/reso/test_docs.py`` fails when the document's table and the
definitions differ; regenerate it with ``manage.py shell -c`` running
``from reso.docs import mapping_tables; print(mapping_tables())``.
"""

from reso.lookups import LOOKUP
from reso.resources import RESOURCES


def _source(dd_field) -> str:
    if dd_field.source:
        return f"`{dd_field.source}`"
    if dd_field.expression is not None:
        return "computed (filterable)"
    return "computed"


def mapping_tables() -> str:
    """One Markdown table per resource: DD field, EDM type, Hearth source, lookup."""
    parts = []
    for resource in [*RESOURCES.values(), LOOKUP]:
        parts.append(f"### {resource.name} (key `{resource.key}`)\n")
        parts.append("| DD field | type | Hearth source | lookup |")
        parts.append("|---|---|---|---|")
        for dd_field in resource.fields:
            lookup = dd_field.lookup_name or ""
            parts.append(f"| `{dd_field.name}` | {dd_field.edm} | {_source(dd_field)} | {lookup} |")
        if resource.navigations:
            expands = ", ".join(f"`{n.name}` → {n.target}" for n in resource.navigations)
            parts.append(f"\n`$expand`: {expands}.")
        parts.append("")
    return "\n".join(parts)
