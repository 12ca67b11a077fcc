#!/usr/bin/env python3
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
"""The time from a change leaving the RIS Live replay server to the
plugin's notification in collectd's log, over ROUNDS changes (scenario
"two" and back to "one", each a FAILURE or an OKAY).  Needs the built
plugin; run from the repository root: python3 bench/rislive_latency.py
[ROUNDS].  Prints min / median / max and every round."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 10


def get(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.loads(r.read())


def main():
    work = tempfile.mkdtemp(prefix="bench-rislive.")
    procs = []
    try:
        subprocess.run([sys.executable, "tests/fixtures/make_replay.py",
                        work + "/tree"], check=True)
        procs.append(subprocess.Popen([
            sys.executable, "tests/rislive_replay.py", "--tree",
            work + "/tree", "--port-file", work + "/port",
            "--max-seconds", "600", "--beacon-every", "1"]))
        for _ in range(100):
            if os.path.exists(work + "/port"):
                break
            time.sleep(0.1)
        url = "http://127.0.0.1:%s" % open(work + "/port").read().strip()
        os.makedirs(work + "/plugins")
        for p in ("logfile", "csv"):
            shutil.copy("/usr/lib/collectd/%s.so" % p, work + "/plugins")
        shutil.copy("collectd-plugin/upstreams.so", work + "/plugins")
        log = work + "/collectd.log"
        with open(work + "/collectd.conf", "w") as f:
            f.write("""Hostname "benchhost"
FQDNLookup false
BaseDir "%(w)s"
PIDFile "%(w)s/collectd.pid"
PluginDir "%(w)s/plugins"
TypesDB "/usr/share/collectd/types.db"
Interval 10
LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File "%(log)s"
  Timestamp true
</Plugin>
LoadPlugin upstreams
<Plugin upstreams>
  RipestatURL "%(u)s"
  RISLiveURL "%(u)s/v1/stream/?format=json&client=bench"
  <Target "live">
    ASN 131279
    Source "ris-live"
    Expect 4837
  </Target>
</Plugin>
""" % {"w": work, "u": url, "log": log})
        procs.append(subprocess.Popen(["collectd", "-f", "-C",
                                       work + "/collectd.conf"],
                                      stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL))
        for _ in range(300):      # the streams are up once seeded
            if get(url + "/_ctl/log")["clients"] >= 2:
                break
            time.sleep(0.1)
        time.sleep(1)
        delays = []
        for i in range(ROUNDS):
            name = "two" if i % 2 == 0 else "one"
            with open(log) as f:
                before = f.read().count("plugin_instance = live,")
            writes0 = len(get(url + "/_ctl/log")["writes"])
            get(url + "/_ctl/scenario?name=" + name)
            seen = None
            end = time.time() + 20
            while time.time() < end:
                with open(log) as f:
                    if f.read().count("plugin_instance = live,") > before:
                        seen = time.time()
                        break
                time.sleep(0.002)
            writes = get(url + "/_ctl/log")["writes"]
            if seen is None or len(writes) <= writes0:
                print("round %d: no notification" % i)
                continue
            # the first write of this change's lines left the server
            delays.append(seen - writes[writes0])
            time.sleep(1.5)
        delays.sort()
        if not delays:
            print("ris-live latency: no figure")
            return 1
        print("ris-live change -> notification in collectd's log: %d rounds,"
              " min %.3f s, median %.3f s, max %.3f s (goal < 2 s)" % (
                  len(delays), delays[0], delays[len(delays) // 2],
                  delays[-1]))
        return 0
    finally:
        for p in reversed(procs):
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
