"""re6st-registry --metrics, scraped: after a few XML-RPC calls (one
fault), a renewal, a revocation and peers written to its database, the
counters and gauges say what was done; promtool (Debian package
prometheus) accepts the exposition; docs/metrics.rst lists exactly the
families served, with their types, and its Prometheus configuration and
alert rules pass promtool too. Also: a bad --metrics value, an address in
use, and a clean stop.

Usage: test_registry_scrape.py RE6ST_REGISTRY [unittest arguments]
"""

import os
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest
import urllib.error
import urllib.request
import xmlrpc.client
from email.utils import parsedate_to_datetime

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import registry_harness as harness
from registry_harness import RegistryTestCase, openssl

DOCS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "metrics.rst")
METRICS_URL = re.compile(r"metrics on (http://\S+/metrics)")


def parse(exposition):
    """({series: value}, {family: type}) of a text exposition."""
    samples, types = {}, {}
    for line in exposition.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            types[name] = kind
        elif line and not line.startswith("#"):
            series, value = line.rsplit(" ", 1)
            samples[series] = float(value)
    return samples, types


def documented_families():
    """{family: type} of the definition terms of docs/metrics.rst."""
    with open(DOCS) as f:
        return {name: kind for name, kind in re.findall(
            r"^``(re6st_registry_\w+)(?:\{[^}]*\})?`` \((counter|gauge|histogram)\)$",
            f.read(), re.M)}


class Scrape(RegistryTestCase):

    def setUp(self):
        super().setUp()
        self.smtp = self.start_smtp()
        self.registry = self.start_registry("127.0.0.1:%d" % self.smtp.port,
                                            "--metrics", "127.0.0.1:0")
        self.url = METRICS_URL.search(self.registry.text()).group(1)

    def scrape(self):
        with urllib.request.urlopen(self.url, timeout=10) as response:
            self.assertEqual(response.status, 200)
            self.assertEqual(response.headers["Content-Type"],
                             "text/plain; version=0.0.4; charset=utf-8")
            return response.read().decode()

    def test_counters_and_gauges_say_what_was_done(self):
        proxy = self.registry.proxy()
        proxy.getCa()
        prefix, _, key = self.enrol(proxy, self.smtp, "node@example.org", "node")
        self.assertEqual(prefix, "0" * 16)
        _, csr = harness.make_csr(self.dir, "stranger")
        with self.assertRaises(xmlrpc.client.Fault):
            proxy.requestCertificate("aaaaaaaaaaaaaaaa", csr)
        with self.assertRaises(xmlrpc.client.Fault):
            proxy.getEverything()
        renewal = openssl("req", "-new", "-key", key, "-subj", "/O=re6st-test/CN=0\\/16").decode()
        proxy.renewCertificate(renewal)
        proxy.requestToken("pending@example.org")
        self.smtp.token_for("pending@example.org")
        revoke = subprocess.run([harness.BINARY, "revoke", "--db", self.registry.db, "0/16"],
                                capture_output=True, text=True)
        self.assertEqual(revoke.returncode, 0, revoke.stderr)
        # Peers as declare writes them: one fresh, one past --peer-expiry (1 day).
        now = int(time.time())
        db = sqlite3.connect(self.registry.db, timeout=10)
        with db:
            db.executemany("INSERT INTO peers (prefix, address, date) VALUES (?, ?, ?)",
                           [("0000000000000111", "192.0.2.7,1194,udp", now - 60),
                            ("0000000000001000", "192.0.2.8,1194,udp", now - 2 * 86400)])
        db.close()

        # Two connections open, and the client's own closed.
        for proxy in self.registry.proxies:
            proxy("close")()
        self.registry.proxies.clear()
        idle = [socket.create_connection(("127.0.0.1", self.registry.port)) for _ in range(2)]
        self.addCleanup(lambda: [s.close() for s in idle])
        deadline = time.monotonic() + 10
        while True:
            exposition = self.scrape()
            samples, types = parse(exposition)
            if samples["re6st_registry_open_connections"] == 2 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.assertEqual(samples["re6st_registry_open_connections"], 2)

        # Every method and outcome is there; those of the calls above count them.
        done = {("getCa", "ok"): 1, ("requestToken", "ok"): 2, ("requestCertificate", "ok"): 1,
                ("requestCertificate", "fault"): 1, ("renewCertificate", "ok"): 1,
                ("other", "fault"): 1}
        requests = {}
        for series, value in samples.items():
            found = re.fullmatch(r're6st_registry_requests_total\{method="(\w+)",outcome="(\w+)"\}',
                                 series)
            if found:
                requests[found.groups()] = value
        self.assertEqual(len(requests), 11 * 3)
        self.assertEqual({key: value for key, value in requests.items() if value}, done)

        per_method = {}
        for (method, _), count in done.items():
            per_method[method] = per_method.get(method, 0) + count
        duration = "re6st_registry_request_duration_seconds"
        for method in ("getCa", "requestToken", "requestCertificate", "renewCertificate",
                       "other", "declare"):
            count = samples['%s_count{method="%s"}' % (duration, method)]
            self.assertEqual(count, per_method.get(method, 0), method)
            bucket = '%s_bucket{method="%s",le=' % (duration, method)
            buckets = [value for series, value in samples.items() if series.startswith(bucket)]
            self.assertEqual(len(buckets), 17, method)
            self.assertEqual(buckets, sorted(buckets), method)   # cumulative
            self.assertEqual(samples[bucket + '"+Inf"}'], count, method)
            self.assertGreaterEqual(samples['%s_sum{method="%s"}' % (duration, method)], 0)

        self.assertEqual(samples["re6st_registry_certificates_issued_total"], 1)
        self.assertEqual(samples["re6st_registry_certificates_renewed_total"], 1)
        self.assertEqual(samples["re6st_registry_nodes"], 1)
        self.assertEqual(samples["re6st_registry_tokens_pending"], 1)
        # The node's first certificate and the one that renewed it.
        self.assertEqual(samples["re6st_registry_revoked_certificates"], 2)
        wal = self.registry.db + "-wal"
        self.assertEqual(samples["re6st_registry_database_size_bytes"],
                         os.path.getsize(self.registry.db)
                         + (os.path.getsize(wal) if os.path.exists(wal) else 0))
        end = openssl("x509", "-noout", "-enddate", "-in", self.ca).decode().strip().split("=", 1)[1]
        self.assertEqual(samples["re6st_registry_ca_not_after_timestamp_seconds"],
                         parsedate_to_datetime(end.replace(" GMT", " +0000")).timestamp())
        build = [s for s in samples if s.startswith("re6st_registry_build_info")]
        self.assertEqual(len(build), 1)
        self.assertRegex(build[0], r'^re6st_registry_build_info\{version="\d+\.\d+\.\d+"\}$')
        self.assertEqual(samples[build[0]], 1)

        # promtool's lint: silent and successful.
        check = subprocess.run(["promtool", "check", "metrics"], input=exposition,
                               capture_output=True, text=True)
        self.assertEqual((check.returncode, check.stdout, check.stderr), (0, "", ""))

        # The manual lists exactly what is served.
        self.assertEqual(documented_families(), types)

    def test_other_paths_and_methods(self):
        base = self.url[:-len("/metrics")]
        for url, method, status in ((base + "/", "GET", 404), (self.url, "POST", 405)):
            request = urllib.request.Request(url, data=b"" if method == "POST" else None,
                                             method=method)
            with self.assertRaises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, timeout=10)
            self.assertEqual(refused.exception.code, status, url)

    def test_stops_cleanly(self):
        self.scrape()
        self.assertEqual(self.registry.stop(), 0)


class Options(RegistryTestCase):

    def run_registry(self, *metrics):
        return subprocess.run([harness.BINARY, "0", "--db", os.path.join(self.dir, "r.db"),
                               "--ca", self.ca, "--key", self.key,
                               "--mailhost", os.path.join(self.dir, "mbox"), *metrics],
                              capture_output=True, text=True, timeout=30)

    def test_bad_value_is_one_line_naming_the_option(self):
        result = self.run_registry("--metrics", "localhost:9097")
        self.assertEqual(result.returncode, 2)
        self.assertEqual(result.stderr, "re6st-registry: --metrics localhost:9097: not an IPv4 "
                                        "address (an IPv6 one goes in brackets)\n")

    def test_address_in_use(self):
        taken = socket.socket()
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        self.addCleanup(taken.close)
        result = self.run_registry("--metrics", "127.0.0.1:%d" % taken.getsockname()[1])
        self.assertEqual(result.returncode, 1)
        lines = result.stderr.splitlines()
        self.assertEqual(len(lines), 1, result.stderr)
        self.assertRegex(lines[0], r"ERROR --metrics: cannot listen on 127\.0\.0\.1:\d+: ")


class DocumentedConfiguration(unittest.TestCase):

    def test_prometheus_accepts_it(self):
        """The scrape configuration and alert rules of docs/metrics.rst,
        written where they say, pass promtool check config."""
        with open(DOCS) as f:
            text = f.read()
        with tempfile.TemporaryDirectory(prefix="re6st-metrics-docs-") as directory:
            for name in ("prometheus.yml", "re6st-registry.rules.yml", "re6stnet.rules.yml"):
                block = re.search(r"``/etc/prometheus/%s``::\n\n((?:    .*\n|\n)+)"
                                  % re.escape(name), text)
                self.assertTrue(block, name)
                with open(os.path.join(directory, name), "w") as f:
                    f.write(textwrap.dedent(block.group(1)))
            check = subprocess.run(["promtool", "check", "config",
                                    os.path.join(directory, "prometheus.yml")],
                                   capture_output=True, text=True)
            self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
            self.assertIn("SUCCESS: 4 rules found", check.stdout)   # the registry's
            self.assertIn("SUCCESS: 3 rules found", check.stdout)   # the nodes'


if __name__ == "__main__":
    harness.main()
