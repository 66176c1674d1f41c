"""A broken direct route: IPv4 between groups A and C is dropped
on the "internet" bridge while both reach group B; every A node reaches every
C node over the overlay, through B, and a TCP transfer arrives intact.
"""

import hashlib
import ipaddress
import os
import subprocess
import sys
import time

import testbed

OPTIONS = ["--hello", "2", "--connection-count", "4", "--tunnel-refresh", "60", "-v", "1"]


class BrokenDirectRoute(testbed.BedTestCase):
    bed_name = "brk"

    @classmethod
    def build(cls, bed):
        net = bed.subnet.network_address
        group = lambda g: ipaddress.IPv4Network("%s/24" % (net + 256 * g))
        cls.a_net, cls.c_net = group(1), group(3)
        # The bridge drops IPv4 between A and C, both ways.
        table = bed.tag + "cut"
        testbed.run(["nft", "-f", "-"], input=(
            "table bridge %s {\n chain forward { type filter hook forward priority 0;"
            " ip saddr %s ip daddr %s drop; ip saddr %s ip daddr %s drop; }\n}\n"
            % (table, cls.a_net, cls.c_net, cls.c_net, cls.a_net)))
        bed.cleanups.append(lambda: testbed.run(["nft", "delete", "table", "bridge", table]))
        registry = bed.setup_registry(bed.add_host("b0", str(group(2)[1])), OPTIONS)
        cls.nodes = {"b0": registry}
        for name, g, i in (("a1", 1, 1), ("a2", 1, 2), ("b1", 2, 2), ("c1", 3, 1),
                           ("c2", 3, 2)):
            node = bed.enrol(bed.add_host(name, str(group(g)[i])))
            node.options = list(OPTIONS)
            cls.nodes[name] = node
        for node in cls.nodes.values():
            node.start()

    def test_1_direct_path_is_really_cut(self):
        a1, c1 = self.nodes["a1"], self.nodes["c1"]
        self.assertFalse(a1.host.run(["ping", "-4", "-c", "1", "-W", "1", c1.host.ipv4],
                                     check=False).returncode == 0)
        self.assertTrue(a1.host.run(["ping", "-4", "-c", "1", "-W", "1",
                                     self.nodes["b1"].host.ipv4], check=False).returncode == 0)

    def test_2_every_node_reaches_every_other_over_the_overlay(self):
        start = time.monotonic()
        self.bed.wait_connected(list(self.nodes.values()), 90)
        print("6 nodes, A and C cut apart, all pairs connected after %.1f s"
              % (time.monotonic() - start), file=sys.stderr)

    def test_3_tcp_transfer_from_a_to_c_arrives_intact(self):
        a1, c2 = self.nodes["a1"], self.nodes["c2"]
        payload = os.urandom(4 << 20)
        sent = os.path.join(a1.host.dir, "payload")
        received = os.path.join(c2.host.dir, "received")
        with open(sent, "wb") as f:
            f.write(payload)
        listener = c2.host.popen(["socat", "-u", "TCP6-LISTEN:7000,bind=[%s]" % c2.address,
                                  "CREATE:" + received], "socat.out")
        deadline = time.monotonic() + 10
        while not c2.host.run(["ss", "-Hltn", "sport = :7000"]).stdout.strip():
            self.assertLess(time.monotonic(), deadline, "socat does not listen")
            time.sleep(0.1)
        a1.host.run(["socat", "-u", "FILE:" + sent, "TCP6:[%s]:7000" % c2.address], timeout=60)
        listener.wait(30)
        with open(received, "rb") as f:
            self.assertEqual(hashlib.sha256(f.read()).hexdigest(),
                             hashlib.sha256(payload).hexdigest())
        # The bytes went through the overlay: c2 saw them come from a1's address.
        route = a1.host.run(["ip", "-6", "route", "get", c2.address]).stdout
        self.assertIn("src " + a1.address, route)


if __name__ == "__main__":
    testbed.main()
