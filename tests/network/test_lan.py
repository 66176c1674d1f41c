"""LAN peers: two nodes sharing a LAN, both given -i on it, reach
each other over the LAN link (babeld runs on it) and spend no client tunnel
on each other once a tunnel refresh has seen the LAN route.
"""

import os
import sys
import time

import testbed

OPTIONS = ["--hello", "2", "--connection-count", "4", "--tunnel-refresh", "15", "-v", "2"]


def tunnel_peers(node):
    """CNs of the peers that `node`'s OpenVPN clients are meant to reach."""
    return node.host.client_tunnel_peers()


class LanPeers(testbed.BedTestCase):
    bed_name = "lan"

    @classmethod
    def build(cls, bed):
        lan = bed.add_bridge("lan")
        cls.others = [bed.setup_registry(node_options=OPTIONS)]
        node = bed.enrol(bed.add_host("n1"))
        node.options = list(OPTIONS)
        cls.others.append(node)
        cls.lan_nodes = []
        for name in ("l1", "l2"):
            node = bed.enrol(bed.add_host(name))
            bed.attach(node.host, lan, "lan0")   # IPv6 link-local only
            node.options = OPTIONS + ["-i", "lan0"]
            cls.lan_nodes.append(node)
        for node in cls.others + cls.lan_nodes:
            node.start()

    def test_1_every_node_connects(self):
        self.bed.wait_connected(self.others + self.lan_nodes, 90)

    def test_2_lan_nodes_use_the_lan_and_no_tunnel_to_each_other(self):
        l1, l2 = self.lan_nodes
        # Until each has seen the other on the LAN at a tunnel refresh...
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if "node %s is on our LAN" % l2.cn in l1.log() \
                    and "node %s is on our LAN" % l1.cn in l2.log():
                break
            time.sleep(1)
        time.sleep(20)   # ...and a refresh more, which closes such tunnels
        self.assertNotIn(l2.cn, tunnel_peers(l1))
        self.assertNotIn(l1.cn, tunnel_peers(l2))
        self.assertEqual(self.bed.unreachable_pairs(self.lan_nodes), [])
        for a, b in ((l1, l2), (l2, l1)):
            route = a.host.run(["ip", "-6", "route", "get", b.address]).stdout
            self.assertIn("dev lan0", route, route)
            self.assertIn("node %s is on our LAN" % b.cn, a.log())
            # Nodes reached through the other LAN node are not on the LAN.
            for other in self.others:
                self.assertNotIn("node %s is on our LAN" % other.cn, a.log())


if __name__ == "__main__":
    testbed.main()
