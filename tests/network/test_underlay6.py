"""A mixed underlay: on one internet carrying both families, two nodes have
IPv4 only, two IPv6 only (unique-local addresses), two both, and so has the
registry's node. Every node reaches every other over the overlay (an
IPv4-only node and an IPv6-only one through a dual-stack node), the
IPv6-only nodes tunnel over IPv6, and a dual-stack node whose IPv4 path to a
dual-stack peer is cut still tunnels directly to it, over IPv6.
"""

import os
import re
import sys
import time

import testbed

# Client slots for every peer a node can reach, so that no tunnel gives way
# to a random one at a refresh: the pair whose IPv4 path is cut has a
# direct tunnel before the cut, and whatever replaces it is no accident.
OPTIONS = ["--hello", "2", "--connection-count", "12", "--tunnel-refresh", "20", "-v", "2"]
IPV6_PROTOS = ("udp6", "tcp6-client")


def client_log(node, tap):
    """The log of `node`'s OpenVPN client on `tap` (re6stnetN)."""
    slot = tap[len("re6stnet"):]
    path = os.path.join(node.host.dir, "log", "re6stnet-client%s.log" % slot)
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def connected_over(log):
    """The family ("AF_INET" or "AF_INET6") of the last connection an
    OpenVPN client's log shows completed, or None."""
    last = None
    family = None
    for line in log.splitlines():
        remote = re.search(r"link remote: \[(AF_INET6?)\]", line)
        if remote:
            family = remote.group(1)
        elif "Initialization Sequence Completed" in line:
            last = family
    return last


class MixedUnderlay(testbed.BedTestCase):
    bed_name = "un6"

    @classmethod
    def build(cls, bed):
        cls.registry_node = bed.setup_registry(node_options=OPTIONS, stack="dual")
        cls.by_stack = {"ipv4": [], "ipv6": [], "dual": [cls.registry_node]}
        for stack, names in (("ipv4", ("a4", "b4")), ("ipv6", ("a6", "b6")),
                             ("dual", ("d1", "d2"))):
            for name in names:
                node = bed.enrol(bed.add_host(name, stack=stack))
                node.options = list(OPTIONS)
                cls.by_stack[stack].append(node)
        cls.nodes = [node for stack in ("dual", "ipv4", "ipv6") for node in cls.by_stack[stack]]

    def tunnels_between(self, a, b):
        """The OpenVPN clients of a to b and of b to a: (client node, tap,
        remotes) each."""
        return [(x, tap, remotes) for x, y in ((a, b), (b, a))
                for cn, tap, remotes in x.host.client_tunnels() if cn == y.cn]

    def test_1_every_pair_connects(self):
        start = time.monotonic()
        for node in self.nodes:
            node.start()
        elapsed = self.bed.wait_connected(self.nodes, 120)
        print("7 nodes (2 IPv4 only, 2 IPv6 only, 3 dual-stack): all 42 pairs connected "
              "after %.1f s" % (time.monotonic() - start), file=sys.stderr)
        self.assertLess(elapsed, 120)
        for node in self.nodes:
            self.assertTrue(node.running(), node.log()[-2000:])

    def test_2_ipv6_only_nodes_tunnel_over_ipv6(self):
        for node in self.by_stack["ipv6"]:
            clients = node.host.client_tunnels()
            self.assertTrue(clients, "%s has no client tunnel" % node.name)
            for cn, tap, remotes in clients:
                self.assertTrue(remotes, (node.name, cn))
                for address, port, proto in remotes:
                    self.assertIn(proto, IPV6_PROTOS, (node.name, cn, remotes))
                self.assertNotEqual(connected_over(client_log(node, tap)), "AF_INET",
                                    (node.name, cn))
            # Its sockets: IPv6 ones only, and some of them OpenVPN's.
            # Its OpenVPN sockets: none has an IPv4 peer. (It serves IPv4
            # too, as every node by default, on sockets no peer reaches.)
            sockets = [line.split() for line in node.host.run(["ss", "-Hnuta", "-p"]).stdout
                       .splitlines() if '"openvpn"' in line]
            self.assertTrue(sockets, node.name)
            for fields in sockets:
                self.assertNotRegex(fields[5], r"^\d+\.\d+\.\d+\.\d+:\d+$", fields)
        for node in self.by_stack["ipv4"]:
            for cn, tap, remotes in node.host.client_tunnels():
                for address, port, proto in remotes:
                    self.assertNotIn(proto, IPV6_PROTOS, (node.name, cn, remotes))
        # No node of one family only opened a tunnel to one of the other.
        ipv4_only = {n.cn for n in self.by_stack["ipv4"]}
        ipv6_only = {n.cn for n in self.by_stack["ipv6"]}
        for a, others in ((self.by_stack["ipv4"], ipv6_only), (self.by_stack["ipv6"], ipv4_only)):
            for node in a:
                self.assertFalse(set(node.host.client_tunnel_peers()) & others, node.name)

    def test_3_a_dual_stack_pair_whose_ipv4_path_is_cut_tunnels_over_ipv6(self):
        d1, d2 = self.by_stack["dual"][1:]
        # They learn of each other from the registry, at a refresh of their
        # peer caches.
        deadline = time.monotonic() + 90
        while not self.tunnels_between(d1, d2) and time.monotonic() < deadline:
            time.sleep(1)
        before = [(x.name, connected_over(client_log(x, tap)))
                  for x, tap, _ in self.tunnels_between(d1, d2)]
        print("tunnels between %s and %s before the cut (client, family): %s"
              % (d1.name, d2.name, before), file=sys.stderr)
        self.assertTrue(before, "no tunnel between %s and %s" % (d1.name, d2.name))
        d1.host.run(["nft", "-f", "-"], input=(
            "table inet cutipv4 {\n"
            " chain input { type filter hook input priority 0; ip saddr %s drop; }\n"
            " chain output { type filter hook output priority 0; ip daddr %s drop; }\n}\n"
            % (d2.host.ipv4, d2.host.ipv4)))
        cut = time.monotonic()
        direct = None
        while time.monotonic() - cut < 120:
            for client, tap, remotes in self.tunnels_between(d1, d2):
                if connected_over(client_log(client, tap)) == "AF_INET6":
                    direct = (client.name, tap, remotes)
            if direct and not self.bed.unreachable_pairs([d1, d2], count=3):
                break
            time.sleep(1)
        self.assertIsNotNone(direct, "no tunnel between %s and %s over IPv6 after the cut: %s"
                             % (d1.name, d2.name, self.tunnels_between(d1, d2)))
        print("IPv4 cut between %s and %s: direct tunnel over IPv6 (client %s on %s) and the "
              "pair reachable after %.1f s" % (d1.name, d2.name, direct[0], direct[1],
                                               time.monotonic() - cut), file=sys.stderr)
        self.assertEqual(self.bed.unreachable_pairs([d1, d2], count=3), [],
                         d1.route_to(d2))
        # A tunnel refresh later no tunnel between them runs over IPv4, the
        # pair still reaches each other and the rest of the network is
        # whole. The direct tunnel itself may have gone: a refresh closes
        # one of the tunnels that carry the fewest routes, drawn at random.
        time.sleep(25)
        families = [connected_over(client_log(client, tap))
                    for client, tap, _ in self.tunnels_between(d1, d2)]
        print("tunnels between %s and %s a refresh later (family): %s"
              % (d1.name, d2.name, families), file=sys.stderr)
        self.assertNotIn("AF_INET", families)
        self.assertEqual(self.bed.unreachable_pairs([d1, d2], count=3), [])
        self.bed.wait_connected(self.nodes, 60)


if __name__ == "__main__":
    testbed.main()
