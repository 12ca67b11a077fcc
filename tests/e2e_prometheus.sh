#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# sanitizers: no
# Debian's prometheus scrapes a real collectd running the built plugin and
# write_prometheus (loopback ports only, 1 s scrape and rule evaluation,
# its database in a temporary directory) with the example alert rules
# (examples/prometheus/upstreams.rules.yml).  The metric names and labels
# are those the README and the rules state; while the replay serves the
# baseline no change alert is active; once the replay switches to a second
# upstream set, UpstreamAppeared fires naming AS20485 and the target, as
# the Prometheus HTTP API (/api/v1/alerts) shows.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
. tests/collectd/lib.sh

PROMETHEUS=${PROMETHEUS:-$(command -v prometheus || echo /usr/bin/prometheus)}
RULES=$(pwd)/examples/prometheus/upstreams.rules.yml
PROM_PID=
work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-prometheus.XXXXXX")
stop_prometheus() {
	[ -n "$PROM_PID" ] || return 0
	kill -TERM "$PROM_PID" 2>/dev/null
	wait_until 20 bash -c "! kill -0 $PROM_PID"
	kill -KILL "$PROM_PID" 2>/dev/null
	wait "$PROM_PID" 2>/dev/null
	PROM_PID=
}
trap 'stop_prometheus; stop_collectd 5; stop_replay; rm -rf "$work"' EXIT

[ -x "$PROMETHEUS" ]; ok $? "prometheus installed ($PROMETHEUS)" || { tap_end; exit 1; }

# free_port: a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

python3 tests/fixtures/make_replay.py "$work/tree" || exit 1
start_replay "$work/tree" one || exit 1
# write_prometheus needs libmicrohttpd12 and libprotobuf-c1 (collectd-core
# only suggests them): without them collectd cannot load it.
collectd_prepare "$work" logfile csv write_prometheus || exit 1
render_conf tests/collectd/base.conf.in "$work/base.conf"
cport=$(free_port)
cat >"$work/collectd.conf" <<CONF
Include "$work/base.conf"
LoadPlugin write_prometheus
<Plugin write_prometheus>
  Host "127.0.0.1"
  Port "$cport"
  StalenessDelta 600
</Plugin>
LoadPlugin upstreams
<Plugin upstreams>
  RipestatURL "$REPLAY_URL"
  # recorded data, years old by design
  MaxAge 0
  Timeout 3
  Retries 0
  <Target "dprk">
    ASN 131279
    Expect 4837
  </Target>
</Plugin>
CONF
start_collectd "$work/collectd.conf"
ok $? "collectd starts with the plugin and write_prometheus" ||
	tail -20 "$work/collectd.out" "$work/collectd.log" | sed 's/^/# /'
like "$(cat "$work/collectd.log")" 'plugin "write_prometheus" successfully loaded' \
    "write_prometheus loaded (libmicrohttpd12, libprotobuf-c1)"

# The exposition as collectd serves it.
metrics() { curl -fsS --max-time 5 "http://127.0.0.1:$cport/metrics"; }
has_metric() { metrics | grep -qF -- "$1"; }
wait_until 30 has_metric 'type="read_success"'
ok $? "write_prometheus serves the plugin's values"
m=$(metrics)
like "$m" '^collectd_upstreams_bool\{upstreams="dprk",type="present-AS4837",instance="testhost"\} 1 [0-9]+$' \
    "present gauge: collectd_upstreams_bool{upstreams=TARGET,type=present-AS<n>,instance=HOST}"
like "$m" '^collectd_upstreams_bool\{upstreams="dprk",type="expected-AS4837",instance="testhost"\} 1 ' \
    "expected gauge"
like "$m" '^collectd_upstreams_bool\{upstreams="dprk",type="read_success",instance="testhost"\} 1 ' \
    "read_success gauge"
like "$m" '^collectd_upstreams_duration_seconds\{upstreams="dprk",type="data_age",instance="testhost"\} [0-9.e+]+ ' \
    "data_age: the ds name of type duration (seconds) is appended"
like "$m" '^collectd_upstreams_percent\{upstreams="dprk",type="AS4837",instance="testhost"\} 100 ' \
    "percent gauge"
like "$m" '^collectd_upstreams_count\{upstreams="dprk",type="others",instance="testhost"\} 0 ' \
    "count gauge (others)"

# --- Prometheus --------------------------------------------------------------------
pport=$(free_port)
cat >"$work/prometheus.yml" <<CONF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - $RULES
scrape_configs:
  - job_name: collectd
    honor_labels: true
    static_configs:
      - targets: ['127.0.0.1:$cport']
CONF
"$PROMETHEUS" --config.file="$work/prometheus.yml" \
    --storage.tsdb.path="$work/tsdb" --web.listen-address="127.0.0.1:$pport" \
    >"$work/prometheus.log" 2>&1 &
PROM_PID=$!
api() { curl -fsS --max-time 5 "http://127.0.0.1:$pport$1"; }
ready() { api /-/ready >/dev/null; }
wait_until 60 ready
ok $? "prometheus ready on 127.0.0.1:$pport" || tail -20 "$work/prometheus.log" | sed 's/^/# /'

# query PROMQL: the result vector as "labels value" lines (labels sorted).
query() {
	api "/api/v1/query?query=$(jq -rn --arg q "$1" '$q|@uri')" |
	    jq -r '.data.result[] | "\(.metric | to_entries | sort_by(.key) | map("\(.key)=\(.value)") | join(",")) \(.value[1])"'
}
nonempty() { [ -n "$(query "$1")" ]; }
wait_until 60 nonempty 'collectd_upstreams_bool{type="present-AS4837"}'
ok $? "prometheus scraped the present gauge"
is "$(query 'collectd_upstreams_bool{type="present-AS4837"}')" \
    "__name__=collectd_upstreams_bool,instance=testhost,job=collectd,type=present-AS4837,upstreams=dprk 1" \
    "stored with collectd's host as instance (honor_labels)"

# alerts: the active alerts as "name state asn target" lines.
alerts() {
	api /api/v1/alerts | jq -r '.data.alerts[] | "\(.labels.alertname) \(.state) \(.labels.asn // "-") \(.labels.target // "-")"' | sort
}
rules_evaluated() {  # every rule of the group evaluated at least once
	api /api/v1/rules | jq -e '[.data.groups[] | select(.name == "upstreams") | .rules[] | .lastEvaluation | select(startswith("0001") | not)] | length == 4' >/dev/null
}
wait_until 30 rules_evaluated
ok $? "prometheus loaded the four example rules and evaluates them"
# The recorded data is years old: the stale rule matches (pending for its
# 15 minutes), which shows it reads the real data_age series.
stale_pending() { alerts | grep -qx 'UpstreamsDataStale pending - dprk'; }
wait_until 30 stale_pending
ok $? "UpstreamsDataStale pending for dprk (recorded data, years old)" ||
	alerts | sed 's/^/# /'
a=$(alerts)
grep -qE '^Upstream(Appeared|Disappeared) ' <<<"$a"; [ $? -ne 0 ]
ok $? "no change alert while the baseline is present" || sed 's/^/# /' <<<"$a"
grep -q '^UpstreamsReadFailing ' <<<"$a"; [ $? -ne 0 ]
ok $? "no read failing alert while reads succeed"

# --- the change ------------------------------------------------------------------------
replay_ctl "scenario?name=two"
appeared() { alerts | grep -qx 'UpstreamAppeared firing AS20485 dprk'; }
wait_until 60 appeared
ok $? "after the switch UpstreamAppeared fires for AS20485 on target dprk" ||
	{ alerts | sed 's/^/# /'; tail -5 "$work/prometheus.log" | sed 's/^/# /'; }
full=$(api /api/v1/alerts | jq -c '.data.alerts[] | select(.labels.alertname == "UpstreamAppeared")')
like "$full" '"summary":"AS20485 appeared as an upstream of dprk"' "its summary names the ASN and the target"
like "$full" '"instance":"testhost"' "and the collectd host"
is "$(alerts | grep -c '^UpstreamAppeared ')" 1 "one appeared alert (AS4837 is still expected and present)"
grep -q '^UpstreamDisappeared ' <<<"$(alerts)"; [ $? -ne 0 ]
ok $? "no disappeared alert (AS4837 stays)"

stop_prometheus
stop_collectd 10
ok $? "collectd stops cleanly"
tap_end
