#!/usr/bin/env python3
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
"""A loopback server that answers every connection with fixed bytes that
are not a valid HTTP/1.x answer, for tests/e2e_junk_answer.sh.

    junk_server.py KIND PORT-FILE

KIND: http09 (no status line at all), version (HTTP/3.7), code (a status
code of two digits), garbage (binary bytes).  Binds 127.0.0.1 only, writes
its port to PORT-FILE, and exits after 60 s or 200 connections.
"""
import socket
import sys
import time

ANSWERS = {
    "http09": b"{\"status\": \"ok\"}\n",
    "version": b"HTTP/3.7 200 OK\r\nContent-Length: 2\r\n\r\n{}",
    "code": b"HTTP/1.1 20 OK\r\nContent-Length: 2\r\n\r\n{}",
    "garbage": b"\x00\x01\x02\x7fjunk\r\n\r\n",
}


def main():
    answer = ANSWERS[sys.argv[1]]
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    with open(sys.argv[2] + ".tmp", "w") as f:
        f.write("%d\n" % s.getsockname()[1])
    import os
    os.rename(sys.argv[2] + ".tmp", sys.argv[2])
    end = time.time() + 60
    for _ in range(200):
        s.settimeout(max(0.1, end - time.time()))
        try:
            c, _ = s.accept()
        except OSError:
            break
        c.settimeout(2)
        try:
            c.recv(65536)
            c.sendall(answer)
        except OSError:
            pass
        c.close()
        if time.time() > end:
            break


if __name__ == "__main__":
    main()
