#!/usr/bin/env python3
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
"""Splits an MRT file (gzip or plain) at a record boundary: the records
before second AT into OUT1, the rest into OUT2 (both plain).  Walks the
12-byte record headers only; for the tests, which need an updates file
followed by another."""
import gzip
import struct
import sys


def main():
    src, at, out1, out2 = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    with gzip.open(src, "rb") if src.endswith(".gz") else open(src, "rb") as f:
        data = f.read()
    pos, cut = 0, None
    while pos + 12 <= len(data):
        ts, _typ, _sub, length = struct.unpack(">IHHI", data[pos:pos + 12])
        if cut is None and ts >= at:
            cut = pos
        pos += 12 + length
    cut = len(data) if cut is None else cut
    with open(out1, "wb") as f:
        f.write(data[:cut])
    with open(out2, "wb") as f:
        f.write(data[cut:])


if __name__ == "__main__":
    main()
