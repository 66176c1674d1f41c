"""declare and getPeerList are authorised by the real source address of the
call (SPEC B.1), tested for real: the registry and its clients in a network
namespace of their own, the nodes' overlay addresses on its lo, each client
binding the address it speaks from. A node speaking from its own address is
served; one claiming another's address, or an address outside the network,
is refused and changes nothing. Needs root (CTest label "network"); the
namespace is removed whatever happens.

Usage: test_registry_source_address.py RE6ST_REGISTRY [unittest arguments]
"""

import json
import os
import subprocess
import sys
import xmlrpc.client

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import registry_harness as harness
from registry_harness import RegistryTestCase

OUTSIDER = "2001:db8:43::1"       # outside the network
UNCERTIFIED = "2001:db8:42:ff::1"  # inside, but no certificate covers it


def run(*argv):
    subprocess.run(argv, check=True, capture_output=True)


class BoundTransport(xmlrpc.client.Transport):
    """Python's standard transport, speaking from a chosen source address."""

    def __init__(self, source):
        super().__init__()
        self.source = source

    def make_connection(self, host):
        connection = super().make_connection(host)
        connection.source_address = (self.source, 0)
        return connection


def client_main(source, url, calls):
    """Runs inside the namespace: each call as [method, params...], each
    result as {"ok": value} or {"fault": [code, message]}."""
    proxy = xmlrpc.client.ServerProxy(url, transport=BoundTransport(source))
    results = []
    for method, *params in calls:
        try:
            value = getattr(proxy, method)(*params)
            if isinstance(value, xmlrpc.client.Binary):
                value = {"binary": value.data.hex()}
            results.append({"ok": value})
        except xmlrpc.client.Fault as fault:
            results.append({"fault": [fault.faultCode, fault.faultString]})
    json.dump(results, sys.stdout)


class SourceAddress(RegistryTestCase):

    def setUp(self):
        super().setUp()
        self.netns = "re6st-registry-%d" % os.getpid()
        run("ip", "netns", "add", self.netns)
        self.addCleanup(run, "ip", "netns", "del", self.netns)
        self.inside("ip", "link", "set", "lo", "up")
        self.mbox = os.path.join(self.dir, "mbox")
        self.registry = self.start_registry(self.mbox, netns=self.netns)

    def inside(self, *argv):
        run("ip", "netns", "exec", self.netns, *argv)

    def calls(self, source, *calls):
        host = "[%s]" % source if ":" in source else source
        result = subprocess.run(
            ["ip", "netns", "exec", self.netns, sys.executable, os.path.abspath(__file__),
             "--client", source, "http://%s:%d/" % (host, self.registry.port), json.dumps(calls)],
            capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        return json.loads(result.stdout)

    def call(self, source, method, *params):
        return self.calls(source, [method, *params])[0]

    def enrol(self, email):
        self.assertEqual(self.call("::1", "requestToken", email), {"ok": None})
        with open(self.mbox) as f:
            token = harness.TOKEN.findall(f.read())[-1]
        key, csr = harness.make_csr(self.dir, email.split("@")[0])
        certificate = self.call("::1", "requestCertificate", token, csr)["ok"]
        prefix = harness.cn_prefix(certificate)
        address = harness.node_address(prefix)
        self.inside("ip", "address", "add", address + "/128", "dev", "lo", "nodad")
        return prefix, address, key

    def peers(self):
        return {prefix: address for prefix, address, _ in harness.snapshot(self.registry.db)["peers"]}

    def test_calls_are_authorised_by_their_source(self):
        a, a_ip, a_key = self.enrol("a@example.org")
        b, b_ip, _ = self.enrol("b@example.org")
        for address in (OUTSIDER, UNCERTIFIED):
            self.inside("ip", "address", "add", address + "/128", "dev", "lo", "nodad")

        # Each node, from its own address.
        self.assertEqual(self.call(a_ip, "declare", [a_ip, "192.0.2.1,1194,udp"]), {"ok": True})
        self.assertEqual(self.call(b_ip, "declare", [b_ip, "192.0.2.2,1194,udp"]), {"ok": True})
        self.assertEqual(self.call(a_ip, "getPeerList", 10, a_ip), {"ok": [[b, "192.0.2.2,1194,udp"]]})
        self.assertEqual(self.call(b_ip, "getPeerList", 10, b_ip), {"ok": [[a, "192.0.2.1,1194,udp"]]})
        expected = {a: "192.0.2.1,1194,udp", b: "192.0.2.2,1194,udp"}
        self.assertEqual(self.peers(), expected)

        # Claims that do not match the source: refused, logged, nothing changes.
        for source, claimed in ((a_ip, b_ip), (OUTSIDER, OUTSIDER), (OUTSIDER, a_ip),
                                ("::1", a_ip), ("127.0.0.1", a_ip), (UNCERTIFIED, UNCERTIFIED)):
            self.assertEqual(self.call(source, "declare", [claimed, "198.51.100.1,1194,udp"]),
                             {"ok": False}, (source, claimed))
            self.assertEqual(self.peers(), expected, (source, claimed))
            if claimed != UNCERTIFIED:
                result = self.call(source, "getPeerList", 10, claimed)
                self.assertEqual(result["fault"][0], -507, (source, claimed, result))
        log = self.registry.text()
        self.assertIn("declare: refused a call from %s claiming %s" % (a_ip, b_ip), log)
        self.assertIn("getPeerList: refused a call from %s claiming %s" % (OUTSIDER, OUTSIDER), log)
        self.assertIn("declare: refused %s: no certificate covers that address" % UNCERTIFIED, log)

        # The bootstrap peer of a is b, readable with a's key only.
        sealed = bytes.fromhex(self.call(a_ip, "getBootstrapPeer", a)["ok"]["binary"])
        plain = harness.openssl("pkeyutl", "-decrypt", "-inkey", a_key, input=sealed)
        self.assertEqual(plain.decode(), "%s 192.0.2.2,1194,udp" % b)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--client":
        client_main(sys.argv[2], sys.argv[3], json.loads(sys.argv[4]))
    elif os.geteuid() != 0:
        print("skipped: network namespaces need root", file=sys.stderr)
        sys.exit(77)
    else:
        harness.main()
