#!/usr/bin/env python3
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
"""Reads tests/faults.tsv, checks it, and prints it in the form the fault
scripts (tests/e2e_faults.sh, tests/e2e_plugin_faults.sh) read.

    python3 tests/faults_table.py targets FILE
        one line per target: name, check arguments, plugin <Target> keys
    python3 tests/faults_table.py cases FILE
        one line per case: name, target, fault, reason regex, check arguments

Output fields are separated by the byte 0x1f (never inside a field, and not
a whitespace character to the shell, so empty fields survive `read`).  The
fault comes out as a ready replay query (percent-encoded), or "refused".

In the table a `body:` fault holds the response body as written, except
that \\xHH stands for the byte HH: so NUL bytes and bytes that are not UTF-8
can be written down.  JSON has no \\x escape, so nothing else is changed
("\\u0000" stays the six characters a JSON parser reads as an escape).
"""
import re
import sys
import urllib.parse

SEP = "\x1f"
NAME_RE = re.compile(r"^[^\x00-\x20\x7f][^\x00-\x1f\x7f]*$")
TARGET_RE = re.compile(r"^[A-Za-z0-9_-]+$")
HEX_RE = re.compile(rb"\\x([0-9A-Fa-f]{2})")
QUERY_RE = re.compile(r"^kind=[a-z0-9-]+(&arg=[A-Za-z0-9%._-]*)?$")
MIN_CASES = 25


class TableError(Exception):
    pass


def body_bytes(text):
    r"""The body a `body:` cell stands for: \xHH is the byte HH."""
    raw = text.encode("utf-8")
    return HEX_RE.sub(lambda m: bytes([int(m.group(1), 16)]), raw)


def fault_query(cell, where):
    if cell == "refused":
        return cell
    if cell.startswith("body:"):
        arg = urllib.parse.quote_from_bytes(body_bytes(cell[5:]), safe="")
        return "kind=body&arg=" + arg
    if not QUERY_RE.match(cell):
        raise TableError("%s: fault %r is neither refused, body:... nor "
                         "kind=K[&arg=A]" % (where, cell))
    return cell


def rows(path):
    """(line number, cells) of every line that is not blank or a comment."""
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            yield n, line.split("\t")


def read_table(path):
    targets, cases, names = {}, [], set()
    for n, cells in rows(path):
        where = "%s:%d" % (path, n)
        if cells[0] == "@target":
            if len(cells) != 4 or not TARGET_RE.match(cells[1]):
                raise TableError(where + ": @target NAME CHECK-ARGS KEYS")
            targets[cells[1]] = (cells[2], cells[3])
            continue
        if len(cells) not in (4, 5):
            raise TableError("%s: %d cells, want name, target, fault, "
                             "reason[, check args]" % (where, len(cells)))
        name, target, fault, reason = cells[:4]
        args = cells[4] if len(cells) == 5 else ""
        if not NAME_RE.match(name) or name in names:
            raise TableError("%s: bad or repeated name %r" % (where, name))
        if target not in targets:
            raise TableError("%s: unknown target %r" % (where, target))
        try:
            re.compile(reason)
        except re.error as e:
            raise TableError("%s: reason: %s" % (where, e))
        if not reason:
            raise TableError(where + ": empty reason")
        names.add(name)
        cases.append((name, target, fault_query(fault, where), reason, args))
    if len(cases) < MIN_CASES:
        raise TableError("%s: only %d cases" % (path, len(cases)))
    return targets, cases


def main(argv):
    if len(argv) != 3 or argv[1] not in ("targets", "cases"):
        sys.exit("usage: faults_table.py targets|cases FILE")
    try:
        targets, cases = read_table(argv[2])
    except (OSError, TableError) as e:
        sys.exit("faults_table.py: %s" % e)
    if argv[1] == "targets":
        for name, (check_args, keys) in targets.items():
            print(SEP.join((name, check_args, keys)))
    else:
        for case in cases:
            print(SEP.join(case))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
