#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# sanitizers: no (collectd loads the plugin; the daemon has no ASan runtime)
# make demo's script end to end: the key instants, the history, the chart
# (a real PNG of the expected size that is not blank), collectd's reads.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh

work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT

start=$(date +%s)
out=$(UPM_DEMO_DIR="$work/demo" timeout -k 5 170 bash demo/run 2>&1)
rc=$?
elapsed=$(($(date +%s) - start))
is "$rc" 0 "demo/run exits 0"
[ "$elapsed" -lt 120 ]; ok $? "demo/run takes less than two minutes (${elapsed} s)"
like "$out" 'reconstruction from published reports, not recorded RIS data' "says it is a reconstruction"

# instant TIME: the status and data-time lines printed for the instant.
instant() {
	grep -A3 -- "^-- $1 UTC" <<<"$out" | tail -n 2 | tr '\n' ' '
}
like "$(instant 2017-10-01T09:00:00)" $'UPSTREAMS OK - 1 upstream: AS4837 100\\.0% .*2017-09-30T00:00:00 UTC.*\\[exit 0\\]' \
    "09:00: OK, China Unicom only"
like "$(instant 2017-10-01T09:10:00)" $'UPSTREAMS CRITICAL - AS20485 appeared \\(60\\.0%\\); 2 upstreams: AS20485 60\\.0%, AS4837 40\\.0% .*data time: 2017-10-01T09:07:51 UTC.*\\[exit 2\\]' \
    "09:10: CRITICAL, AS20485 appeared with 60 %, data time 09:07:51"
like "$(instant 2017-10-01T10:20:00)" $'UPSTREAMS OK - .*\\[exit 0\\]' "10:20: OK again"
like "$(instant 2017-10-01T10:50:00)" $'UPSTREAMS CRITICAL - all upstreams disappeared: no route to AS131279 seen by any of 60 sessions that see the control 193\\.0\\.0\\.0/21.*\\[exit 2\\]' \
    "10:50 (outage, the control prefix seen): CRITICAL, all upstreams disappeared"
like "$(instant 2017-10-01T12:30:00)" 'UPSTREAMS CRITICAL - AS20485 appeared \(60\.0%\)' "12:30: CRITICAL again"
like "$(instant 2017-10-02T08:00:00)" 'UPSTREAMS CRITICAL - AS20485 appeared \(40\.0%\); 2 upstreams: AS4837 60\.0%, AS20485 40\.0%' \
    "2 Oct 08:00: AS20485 down to 40 %"
like "$(instant 2017-10-02T09:15:00)" 'UPSTREAMS CRITICAL - AS20485 appeared \(20\.0%\); 2 upstreams: AS4837 80\.0%, AS20485 20\.0%' \
    "2 Oct 09:15: AS20485 down to 20 %"
like "$out" "9 changes of AS131279's upstreams from 2017-09-30T00:00:00Z until 2017-10-03T00:00:00Z \(from BGP events, to the second\)" \
    "history from events: 9 change points"
like "$out" '\(4 requests, 4 prefixes' "in 4 requests"
# The published seconds (Dyn Research, 1 and 2 October 2017), each a
# change point of the table at that very second.
like "$out" '2017-10-01T09:07:51Z AS20485 appeared; 2 upstreams: AS20485 60\.0%, AS4837 40\.0%' "TransTeleCom from 09:07:51"
like "$out" '2017-10-01T10:14:45Z AS20485 disappeared; 1 upstream: AS4837 100\.0%' "gone 10:14:45"
like "$out" '2017-10-01T12:21:55Z AS20485 appeared' "back 12:21:55"
like "$out" '175\.45\.176\.0/24: 2017-10-02T07:56:39Z AS20485 disappeared' "175.45.176.0/24 lost it 2 Oct 07:56:39"
like "$out" '175\.45\.179\.0/24: 2017-10-02T09:10:29Z AS20485 disappeared' "175.45.179.0/24 at 09:10:29"
graphite=$work/demo/history.graphite
is "$(grep -c 'count-upstreams .* 1506848871$' "$graphite")" 1 "the chart's lines have the 09:07:51 change point too"

# --- the chart ---------------------------------------------------------------------
png=$(sed -n 's/^== Chart: //p' <<<"$out")
is "$png" "$work/demo/AS131279-2017-10.png" "the chart's path is printed"
[ -s "$png" ]; ok $? "the PNG exists"
# Decodes the PNG (stdlib only): size, distinct colours, pixels of each
# upstream's line colour (AS4837 d62728, AS20485 1f77b4).
py='import struct, sys, zlib
d = open(sys.argv[1], "rb").read()
assert d[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, plte = 8, b"", None
while pos < len(d):
    n, kind = struct.unpack(">I4s", d[pos:pos + 8])
    body = d[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype, _, _, inter = struct.unpack(">IIBBBBB", body)
    elif kind == b"PLTE":
        plte = [body[i:i + 3] for i in range(0, n, 3)]
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
assert depth == 8 and inter == 0 and ctype in (2, 3, 6), (depth, ctype, inter)
bpp = {2: 3, 3: 1, 6: 4}[ctype]
raw, stride, prev, pixels = zlib.decompress(idat), w * bpp, bytearray(w * bpp), []
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    prev = line
    for x in range(w):
        px = bytes(line[x * bpp:x * bpp + bpp])
        pixels.append(plte[px[0]] if ctype == 3 else px[:3])
count = {}
for px in pixels:
    count[px] = count.get(px, 0) + 1
print(w, h, len(count), count.get(bytes.fromhex("d62728"), 0), count.get(bytes.fromhex("1f77b4"), 0))'
read -r w h colours red blue < <(python3 -c "$py" "$png" 2>&1)
is "${w}x${h}" "960x400" "PNG size 960x400 (IHDR)"
[ "${colours:-0}" -ge 8 ] 2>/dev/null; ok $? "more than a few colours (${colours:-?})"
[ "${red:-0}" -ge 1000 ] 2>/dev/null; ok $? "China Unicom's line is drawn (${red:-?} pixels)"
[ "${blue:-0}" -ge 1000 ] 2>/dev/null; ok $? "TransTeleCom's line is drawn (${blue:-?} pixels)"
[ -s "$work/demo/rrd/demo/upstreams-dprk/percent-AS20485.rrd" ]; ok $? "RRD files in collectd's layout"
last=$(rrdtool lastupdate "$work/demo/rrd/demo/upstreams-dprk/percent-AS20485.rrd" 2>&1 | tail -n 1)
like "$last" '^1506988800: 20(\.0+)?$' "backfilled RRD ends 3 Oct 00:00 with AS20485 at 20 %"

# --- collectd with the plugin ------------------------------------------------------
like "$out" 'upstreams-dprk/count-upstreams +2' "collectd: two upstreams now"
like "$out" 'upstreams-dprk/percent-AS20485 +20' "collectd: AS20485 at 20 % now"
like "$out" 'notification: .*FAILURE.*upstreams dprk \(AS131279\): AS20485 appeared \(20\.0%\)' \
    "collectd: the FAILURE notification names AS20485 and its share"

tap_end
