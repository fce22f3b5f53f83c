"""The data-model reference table of ``docs/data-model.md``, rendered from the declarations.

Run ``python -m arsenalnet.model.docs docs/data-model.md`` to refresh the
generated part of the page (between the BEGIN/END markers); a test fails when
the page and the declarations disagree.
"""

import sys
from pathlib import Path

from arsenalnet.model.results import RESULT_ORDER, RESULT_TABLES
from arsenalnet.model.schema import Column, Table
from arsenalnet.model.tables import SCHEMA_VERSION, TABLE_ORDER, TABLES
from arsenalnet.model.thread import THREAD_ORDER, THREAD_TABLES

BEGIN = "<!-- BEGIN GENERATED: python -m arsenalnet.model.docs docs/data-model.md -->"
END = "<!-- END GENERATED -->"


def _allowed(c: Column) -> str:
    parts = []
    if c.range_text:
        parts.append(c.range_text)
    if c.choices:
        parts.append(" / ".join(f"`{v}`" for v in c.choices))
    if c.pattern:
        parts.append(f"`{c.pattern}`")
    return "; ".join(parts)


def table_markdown(t: Table) -> str:
    """One table's section: description, key, foreign keys, rules and a column table."""
    lines = [f"### `{t.name}`", "", t.description, "", f"- key: ({', '.join(t.key)})"]
    for fk in t.foreign_keys:
        lines.append(f"- ({', '.join(fk.columns)}) → `{fk.table}` ({', '.join(fk.ref_columns)})")
    for check in t.checks:
        lines.append(f"- rule: `{check.expression}` ({check.reason})")
    if t.acyclic:
        lines.append(f"- rule: the graph {t.acyclic[0]} → {t.acyclic[1]} has no cycle")
    if t.enforced:
        unique = "".join(f"; {c} is unique" for c in t.unique)
        lines.append(f"- the store enforces the key{unique}")
    lines += ["", "| column | type | unit | required | allowed | description |", "|---|---|---|---|---|---|"]
    for c in t.columns:
        since = f" (since v{c.since})" if c.since > 1 else ""
        lines.append(
            f"| `{c.name}` | {c.type.value} | {c.unit} | {'no' if c.nullable else 'yes'} | "
            f"{_allowed(c)} | {c.description}{since} |"
        )
    return "\n".join(lines)


def render() -> str:
    """The generated part of the data-model page."""
    body = [f"Schema version {SCHEMA_VERSION}.", ""]
    body += [table_markdown(TABLES[name]) + "\n" for name in TABLE_ORDER]
    body += [
        "### Results the store keeps",
        "",
        "Written by the engines' commands, not by import; not exported.",
        "",
    ]
    body += [table_markdown(RESULT_TABLES[name]) + "\n" for name in RESULT_ORDER]
    body += [
        "### The digital thread's log",
        "",
        "Written by `arsenal thread` (see docs/thread.md), not by import; not exported.",
        "",
    ]
    body += [table_markdown(THREAD_TABLES[name]) + "\n" for name in THREAD_ORDER]
    return "\n".join([BEGIN, *body, END])


def refresh(path: Path) -> bool:
    """Rewrite the generated part of ``path``; return True if it changed."""
    text = path.read_text()
    start, end = text.index(BEGIN), text.index(END) + len(END)
    new = text[:start] + render() + text[end:]
    path.write_text(new)
    return new != text


if __name__ == "__main__":
    print("updated" if refresh(Path(sys.argv[1])) else "up to date")
