"""Metrics of every program, scraped by a real Prometheus over the overlay.

Six nodes run with --metrics on every program (re6st-registry on
127.0.0.1, each re6stnet on all its addresses). Debian's Prometheus,
started by the test in the registry's namespace on a loopback port with a
generated scrape configuration, scrapes the registry there and every node
at its overlay address, through the tunnels, as the manual's example
configuration does. Its HTTP API must then give the number of nodes the
registry knows and, for each node, the number of tunnels up that
`re6stnet --status --json` reports; `promtool check metrics` must pass on
every exposition. The nodes report their tunnels to the registry, and
`re6st-registry map` must show every tunnel their `--status` shows.
"""

import json
import os
import subprocess
import sys
import time
import urllib.parse

import testbed

NODE_METRICS = 9098
REGISTRY_METRICS = 9097
PROMETHEUS = 9090
# A short --config-refresh: the pace of the nodes' tunnel reports too.
OPTIONS = ["--hello", "4", "--config-refresh", "5", "--metrics", "[::]:%d" % NODE_METRICS]

SCRAPE_CONFIG = """\
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: re6st-registry
    static_configs:
      - targets: ["127.0.0.1:%(registry)d"]
  - job_name: re6stnet
    static_configs:
      - targets: [%(nodes)s]
"""

# Run in a namespace: fetches a URL, prints the body; exit 1 on failure.
FETCH = ("import sys, urllib.request\n"
         "sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())\n")


def target(node):
    return "[%s]:%d" % (node.address, NODE_METRICS)


class Metrics(testbed.BedTestCase):
    bed_name = "met"

    @classmethod
    def build(cls, bed):
        bed.registry_options = ["--metrics", "127.0.0.1:%d" % REGISTRY_METRICS]
        cls.nodes = bed.build_network(6, OPTIONS, OPTIONS)
        for node in cls.nodes:
            node.start()
        bed.wait_connected(cls.nodes, 120)
        cls.registry_host = cls.nodes[0].host
        config = os.path.join(cls.registry_host.dir, "prometheus.yml")
        with open(config, "w") as f:
            f.write(SCRAPE_CONFIG % {
                "registry": REGISTRY_METRICS,
                "nodes": ", ".join('"%s"' % target(n) for n in cls.nodes)})
        storage = os.path.join(cls.registry_host.dir, "prometheus")
        cls.registry_host.popen(
            ["prometheus", "--config.file", config, "--storage.tsdb.path", storage,
             "--web.listen-address", "127.0.0.1:%d" % PROMETHEUS], "prometheus.out")

    def fetch(self, url):
        return self.registry_host.run([sys.executable, "-c", FETCH, url]).stdout

    def query(self, promql):
        """The instant vector of `promql`: {instance or "": value}."""
        url = "http://127.0.0.1:%d/api/v1/query?query=%s" % (
            PROMETHEUS, urllib.parse.quote(promql))
        answer = json.loads(self.fetch(url))
        self.assertEqual(answer["status"], "success", answer)
        return {r["metric"].get("instance", ""): float(r["value"][1])
                for r in answer["data"]["result"]}

    def status(self, node):
        out = node.host.run([testbed.PROGRAMS["re6stnet"], "--status", "--json",
                             "--run", os.path.join(node.host.dir, "run")]).stdout
        return json.loads(out)

    def eventually(self, check, timeout, what):
        """Calls `check` until it returns None (success) or `timeout`
        seconds have passed; fails with its last answer."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                problem = check()
            except (subprocess.CalledProcessError, ValueError, KeyError) as error:
                problem = "%s: %s" % (type(error).__name__, error)
            if problem is None:
                return
            if time.monotonic() > deadline:
                self.fail("%s: %s" % (what, problem))
            time.sleep(1)

    def test_1_prometheus_scrapes_every_program(self):
        def all_up():
            up = self.query('up')
            expected = {target(n) for n in self.nodes} | {"127.0.0.1:%d" % REGISTRY_METRICS}
            missing = sorted(t for t in expected if up.get(t) != 1.0)
            return "not scraped: %s" % missing if missing else None
        self.eventually(all_up, 60, "Prometheus does not scrape every program")

    def test_2_the_registry_knows_every_node(self):
        def six():
            nodes = self.query("re6st_registry_nodes")
            return None if list(nodes.values()) == [6.0] else "re6st_registry_nodes: %s" % nodes
        self.eventually(six, 60, "nodes known by the registry")

    def test_3_tunnels_as_the_nodes_status_says(self):
        # Each node's tunnels up, by `--status --json` and through
        # Prometheus, in the same second; tunnels may come and go, so the
        # comparison is tried again until both agree for every node.
        def agree():
            expected = {}
            for node in self.nodes:
                tunnels = self.status(node)["tunnels"]
                expected[target(node)] = sum(1 for t in tunnels if t["state"] == "up")
            time.sleep(2.5)   # two scrapes later
            got = self.query('sum by (instance) (re6stnet_tunnels{state="up"})')
            if any(count == 0 for count in expected.values()):
                return "a node with no tunnel up: %s" % expected
            return None if got == {k: float(v) for k, v in expected.items()} else (
                "--status says %s, Prometheus %s" % (expected, got))
        self.eventually(agree, 90, "tunnels up")
        print("tunnels up per node, as --status and Prometheus give them: %s"
              % self.query('sum by (instance) (re6stnet_tunnels{state="up"})'), file=sys.stderr)
        # What an operator sees, for the log.
        node = self.nodes[1]
        text = node.host.run([testbed.PROGRAMS["re6stnet"], "--status",
                              "--run", os.path.join(node.host.dir, "run")]).stdout
        print("re6stnet --status on %s:\n%s" % (node.name, text), file=sys.stderr)

    def test_4_every_exposition_passes_promtool(self):
        urls = ["http://127.0.0.1:%d/metrics" % REGISTRY_METRICS] + [
            "http://%s/metrics" % target(n) for n in self.nodes]
        for url in urls:
            exposition = self.fetch(url)
            self.assertIn("# TYPE", exposition, url)
            check = subprocess.run(["promtool", "check", "metrics"], input=exposition,
                                   capture_output=True, text=True)
            self.assertEqual(check.returncode, 0, "%s: %s%s" % (url, check.stdout, check.stderr))

    def test_5_the_map_shows_every_tunnel_the_nodes_show(self):
        db = os.path.join(self.registry_host.dir, "registry.db")

        def shown():
            tunnels = set()
            for node in self.nodes:
                for t in self.status(node)["tunnels"]:
                    if t["state"] == "up":
                        tunnels.add(frozenset((node.cn, t["peer"])))
            mesh = json.loads(self.registry_host.run(
                [testbed.PROGRAMS["re6st-registry"], "map", "--db", db, "--format",
                 "json"]).stdout)
            mapped = {frozenset((t["a"], t["b"])) for t in mesh["tunnels"] if not t["stale"]}
            missing = sorted(tuple(sorted(t)) for t in tunnels - mapped)
            return "not on the map: %s (map: %s)" % (missing, mesh) if missing else None
        self.eventually(shown, 60, "re6st-registry map")
        dot = self.registry_host.run([testbed.PROGRAMS["re6st-registry"], "map", "--db", db]).stdout
        self.assertTrue(dot.startswith(("graph", "strict graph")), dot)
        print("re6st-registry map:\n%s" % dot, file=sys.stderr)


if __name__ == "__main__":
    testbed.main()
