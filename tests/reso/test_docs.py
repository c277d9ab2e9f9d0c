"""docs/reso.md's field mapping is the served definitions, not a copy that drifts."""

from pathlib import Path

from reso.docs import mapping_tables

DOC = Path(__file__).resolve().parents[2] / "docs" / "reso.md"


def test_the_mapping_table_matches_the_definitions():
    text = DOC.read_text()
    table = text.split("<!-- mapping:start -->\n")[1].split("<!-- mapping:end -->")[0]

    assert table == mapping_tables().rstrip() + "\n"
