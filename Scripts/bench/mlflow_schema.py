#!/usr/bin/env python3
"""Compares SQLite schemas the way MLflow's own migrations make them comparable (stdlib only).

    mlflow_schema.py A.sql B.sql    # exit 0 when the two dumps hold the same statements

MLflow builds its SQLite store with alembic, and two runs of the same migrations do not write the same
text: the order of the constraints inside a recreated table's CREATE TABLE, and the order in which the
indexes are created, change from run to run (they come out of Python sets). The canonical form used here
ignores exactly that: each statement's lines are stripped of indentation and trailing commas, the body
lines of a CREATE TABLE are sorted, and a dump is compared as a set of statements.
"""

import sqlite3
import sys


def statements(text):
    """The SQL statements of a dump, comment lines left out."""
    out, buf = [], ""
    for line in text.splitlines(keepends=True):
        if not buf and line.startswith("--"):
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out


def canonical(sql):
    """One statement in a form that does not depend on constraint order."""
    lines = [line.strip().rstrip(",").strip() for line in sql.strip().splitlines()]
    lines = [line for line in lines if line]
    if lines and lines[0].upper().startswith("CREATE TABLE") and len(lines) > 2:
        return "\n".join([lines[0]] + sorted(lines[1:-1]) + [lines[-1]])
    return "\n".join(lines)


def canonical_dump(text):
    return sorted(canonical(s) for s in statements(text))


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        a = canonical_dump(f.read())
    with open(sys.argv[2], encoding="utf-8") as f:
        b = canonical_dump(f.read())
    if a == b:
        return 0
    only_a, only_b = sorted(set(a) - set(b)), sorted(set(b) - set(a))
    for label, items in ((sys.argv[1], only_a), (sys.argv[2], only_b)):
        for item in items[:10]:
            print(f"only in {label}:\n  " + item.replace("\n", "\n  "), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
