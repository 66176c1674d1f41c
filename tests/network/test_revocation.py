"""Revocation: `re6st-registry revoke` cuts a node off the network.

Six nodes, fully connected, check the registry's configuration every 5 s.
One of them is revoked on the registry's machine. Within two refresh
periods every node keeps its serial in the directory its OpenVPN processes
look peers up in, the revoked node has exited 1 with one line saying why,
no node has a tunnel to or from it and none reaches it; the five others
stay connected throughout (no pair cut at two checks in a row). An OpenVPN
client that presents the revoked certificate is refused at the handshake.
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
    count = 0
    for pid in node.host.pids():
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        count += (argv[0].endswith(b"openvpn") and b"--client" in argv
                  and cn.encode() in argv)
    return count


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

    def test_1_revoked_node_is_cut_off(self):
        self.bed.wait_connected(self.nodes, 120)
        serial = serial_of(self.victim)
        decimal = str(int(serial, 16))
        victim_cn = self.victim.cn

        revoked = self.registry_admin("revoke", victim_cn)
        start = time.monotonic()
        self.report("revoke: " + revoked.stdout.strip())
        self.assertIn(serial, revoked.stdout)

        cut_once, cut_twice = set(), set()
        exited = refused_everywhere = untunnelled = None
        while time.monotonic() - start < 6 * CONFIG_REFRESH:
            now = time.monotonic() - start
            cut = {(a.name, b.name) for a, b in self.bed.unreachable_pairs(self.others, 2, 3)}
            cut_twice |= cut & cut_once
            cut_once = cut
            if exited is None and not self.victim.running():
                exited = now
            if refused_everywhere is None and all(
                    os.path.exists(os.path.join(n.host.dir, "state", "revoked", decimal))
                    for n in self.others):
                refused_everywhere = now
            if untunnelled is None and exited is not None and not any(
                    tunnels_with(n, victim_cn) for n in self.others):
                untunnelled = now
            if None not in (exited, refused_everywhere, untunnelled) and now > 2 * CONFIG_REFRESH:
                break
        self.report("after revoke (config-refresh %d s): every other node refuses its serial "
                    "at %s s, the node exited at %s s, no tunnel with it at %s s; pairs of the "
                    "five others cut at two checks in a row: %d"
                    % (CONFIG_REFRESH, seconds(refused_everywhere), seconds(exited),
                       seconds(untunnelled), len(cut_twice)))
        self.assertIsNotNone(exited)
        self.assertLessEqual(exited, 2 * CONFIG_REFRESH + 2)
        self.assertIsNotNone(refused_everywhere)
        self.assertLessEqual(refused_everywhere, 2 * CONFIG_REFRESH + 2)
        self.assertIsNotNone(untunnelled)
        self.assertLessEqual(untunnelled, 2 * CONFIG_REFRESH + 2)
        self.assertEqual(cut_twice, set())
        self.assertEqual(self.victim.process.returncode, 1)
        self.assertIn("revoked this node's certificate", self.victim.log())
        self.assertIn("(serial %s)" % serial, self.victim.log())
        # Nobody reaches it, and it is listed revoked.
        self.assertEqual(len(self.bed.unreachable_pairs(self.others, 1)), 0)
        for node in self.others:
            self.assertFalse(node.host.ping(self.victim.address), node.name)
        nodes = json.loads(self.registry_admin("nodes", "--json").stdout)
        listed = [n for n in nodes if n.get("cn") == victim_cn]
        self.assertTrue(listed and all(n.get("revoked") for n in listed), listed)

    def test_2_its_certificate_is_refused_at_the_handshake(self):
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
