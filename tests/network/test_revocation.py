"""Revocation: `re6st-registry revoke` cuts a node off the network.

Six nodes, fully connected, check the registry's configuration every 5 s.
One of them is revoked on the registry's machine while it cannot reach the
registry (as a node that would not comply). Within two refresh periods
every other node keeps its serial in the directory its OpenVPN processes
look peers up in, none has a tunnel to or from it and it reaches none; the
five others stay connected throughout (no pair cut at two checks in a
row); for the next minute it gets no tunnel. Once it reaches the registry
again it learns it is revoked and exits 1 with one line saying why. An
OpenVPN client that presents the revoked certificate is refused at the
handshake.
"""

import json
import os
import subprocess
import sys
import time

import testbed

CONFIG_REFRESH = 5
NODE_OPTIONS = ["--config-refresh", str(CONFIG_REFRESH), "-v", "2"]


def serial_of(node):
    out = testbed.run(["openssl", "x509", "-in", os.path.join(node.conf_dir, "cert.crt"),
                       "-noout", "-serial"]).stdout
    return out.strip().split("=", 1)[1]


def seconds(value):
    return "never" if value is None else "%.1f" % value


def tunnels_with(node, cn):
    """OpenVPN clients of `node` to the node `cn`."""
    return node.host.client_tunnel_peers().count(cn)


class Revocation(testbed.BedTestCase):
    bed_name = "rev"

    @classmethod
    def build(cls, bed):
        cls.nodes = bed.build_network(6, NODE_OPTIONS, NODE_OPTIONS)
        for node in cls.nodes:
            node.start()
        cls.victim = cls.nodes[-1]
        cls.others = cls.nodes[:-1]

    def report(self, what):
        print(what, file=sys.stderr)

    def registry_admin(self, *argv):
        return self.bed.registry_host.run(
            [testbed.PROGRAMS["re6st-registry"]] + list(argv)
            + ["--db", os.path.join(self.bed.registry_host.dir, "registry.db")])

    def block_registry(self, node, blocked):
        """Whether `node` can reach the registry (both its URLs): a revoked
        node that does not learn it, or does not comply, is cut off by the
        others all the same."""
        if blocked:
            node.host.run(["nft", "-f", "-"], input="table inet noregistry {\n"
                          " chain out { type filter hook output priority 0;"
                          " tcp dport %d drop; }\n}\n" % testbed.REGISTRY_PORT)
        else:
            node.host.run(["nft", "delete", "table", "inet", "noregistry"])

    def isolated(self, victim):
        """No other node runs a tunnel to the victim, and it reaches none."""
        if any(tunnels_with(n, victim.cn) for n in self.others):
            return False
        return not any(victim.host.ping(n.address, 1, 1) for n in self.others)

    def test_1_others_cut_a_revoked_node_off(self):
        self.bed.wait_connected(self.nodes, 120)
        serial = serial_of(self.victim)
        decimal = str(int(serial, 16))
        self.block_registry(self.victim, True)

        revoked = self.registry_admin("revoke", self.victim.cn)
        start = time.monotonic()
        self.report("revoke: " + revoked.stdout.strip())
        self.assertIn(serial, revoked.stdout)

        cut_once, cut_twice = set(), set()
        refused_everywhere = cut_off = None
        while time.monotonic() - start < 6 * CONFIG_REFRESH:
            now = time.monotonic() - start
            cut = {(a.name, b.name) for a, b in self.bed.unreachable_pairs(self.others, 2, 3)}
            cut_twice |= cut & cut_once
            cut_once = cut
            if refused_everywhere is None and all(
                    os.path.exists(os.path.join(n.host.dir, "state", "revoked", decimal))
                    for n in self.others):
                refused_everywhere = now
            if cut_off is None and self.isolated(self.victim):
                cut_off = time.monotonic() - start
            if None not in (refused_everywhere, cut_off) and now > 2 * CONFIG_REFRESH:
                break
        self.report("after revoke (config-refresh %d s), the revoked node not told: every "
                    "other node refuses its serial at %s s, none has a tunnel with it and it "
                    "reaches none at %s s; pairs of the five others cut at two checks in a "
                    "row: %d" % (CONFIG_REFRESH, seconds(refused_everywhere), seconds(cut_off),
                                 len(cut_twice)))
        self.assertIsNotNone(refused_everywhere)
        self.assertLessEqual(refused_everywhere, 2 * CONFIG_REFRESH + 2)
        self.assertIsNotNone(cut_off)
        self.assertLessEqual(cut_off, 2 * CONFIG_REFRESH + 2)
        self.assertEqual(cut_twice, set())
        self.assertTrue(self.victim.running())

        # For a minute, it opens no tunnel: its attempts are refused.
        end = time.monotonic() + 60
        while time.monotonic() < end:
            self.assertTrue(self.isolated(self.victim))
            time.sleep(5)
        self.assertEqual(self.bed.unreachable_pairs(self.others, 1), [])
        nodes = json.loads(self.registry_admin("nodes", "--json").stdout)
        listed = [n for n in nodes if n.get("cn") == self.victim.cn]
        self.assertTrue(listed and all(n.get("revoked") for n in listed), listed)
        # Those that had a tunnel with it closed it for that reason.
        dropped = [n.name for n in self.others if "(serial %s) is revoked" % decimal in n.log()]
        self.report("nodes that dropped a tunnel with it: %s" % ", ".join(dropped))
        self.assertTrue(dropped)

    def test_2_told_it_exits(self):
        self.block_registry(self.victim, False)
        start = time.monotonic()
        status = self.victim.process.wait(3 * CONFIG_REFRESH + 10)
        self.report("the revoked node, able to ask the registry again, exited %d after %.1f s"
                    % (status, time.monotonic() - start))
        self.assertEqual(status, 1)
        self.assertIn("revoked this node's certificate", self.victim.log())
        self.assertIn("(serial %s)" % serial_of(self.victim), self.victim.log())

    def test_3_its_certificate_is_refused_at_the_handshake(self):
        # An OpenVPN client with the revoked certificate and key, as the
        # node would start it, against the registry's node.
        server = self.nodes[0]
        log = os.path.join(self.victim.host.dir, "intruder.log")
        client = self.victim.host.popen(
            ["openvpn", "--client", "--dev-type", "tap", "--dev", "intruder0", "--nobind",
             "--remote", server.host.ipv4, "1194", "udp",
             "--ca", os.path.join(self.victim.conf_dir, "ca.pem"),
             "--cert", os.path.join(self.victim.conf_dir, "cert.crt"),
             "--key", os.path.join(self.victim.conf_dir, "cert.key"),
             "--verify-x509-name", server.cn, "name", "--tls-timeout", "1",
             "--disable-dco", "--verb", "3", "--log", log], "intruder.out")
        try:
            server_log = os.path.join(server.host.dir, "log", "re6stnet-server-udp1194.log")
            deadline = time.monotonic() + 30
            refused = False
            while time.monotonic() < deadline and not refused:
                with open(server_log, errors="replace") as f:
                    refused = "is revoked" in f.read()
                time.sleep(0.5)
            self.assertTrue(refused, "no refusal in " + server_log)
            self.assertFalse(any(tunnels_with(n, self.victim.cn) for n in self.others))
            with open(log, errors="replace") as f:
                self.assertNotIn("Initialization Sequence Completed", f.read())
        finally:
            client.terminate()
            client.wait(10)
        self.report("a client with the revoked certificate: refused at the handshake")


if __name__ == "__main__":
    testbed.main()
