#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# scripts/install-deps as another user than root: again through sudo when
# there is sudo, else a message saying to run it as root; and the README's
# first commands, which must work as root (no sudo there) and as a user.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh

work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-deps.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin" "$work/nosudo"
# A user (id -u 1000) and a sudo that records what it was asked.
printf '#!/bin/sh\necho 1000\n' >"$work/bin/id"
printf '#!/bin/sh\necho "$*" >"%s/sudo-args"\nexit 0\n' "$work" >"$work/bin/sudo"
cp "$work/bin/id" "$work/nosudo/id"
chmod +x "$work/bin/id" "$work/bin/sudo" "$work/nosudo/id"

PATH="$work/bin:$PATH" sh scripts/install-deps extra >"$work/out" 2>&1
is "$?" 0 "as a user with sudo: runs"
is "$(cat "$work/sudo-args" 2>/dev/null)" "-- scripts/install-deps extra" "again through sudo, with its arguments"
PATH="$work/nosudo" /bin/sh scripts/install-deps >"$work/out" 2>&1
is "$?" 1 "as a user without sudo: exit 1"
like "$(cat "$work/out")" "needs root, and there is no sudo: run it as root" "and says how"

first=$(awk '/^```sh/ { on = 1; next } on && /^```/ { exit } on' README.md)
like "$first" "^scripts/install-deps && make demo" "README: the first command"
is "$(grep -c sudo <<<"$first")" 0 "README: no sudo in the first commands (root has none)"
tap_end
