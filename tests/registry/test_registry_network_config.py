"""re6st-registry's network configuration as nodes meet it: the parameters
given on its command line, served by getNetworkConfig through Python's
standard XML-RPC client, signed by the CA as `openssl dgst -sha256 -verify`
checks it; "unchanged" for the current version; versions kept across
restarts; an out-of-range option refused at start with one line.

Usage: test_registry_network_config.py RE6ST_REGISTRY [unittest arguments]
"""

import base64
import os
import shutil
import sqlite3
import subprocess
import sys
import xmlrpc.client

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import registry_harness as harness
from registry_harness import RegistryTestCase

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")

PARAMETERS = ("--connection-count", "6", "--tunnel-hello", "0.5", "--config-refresh", "10",
              "--tunnel-refresh", "30")
EXPECTED_LINES = ("config-refresh 10\nconnection-count 6\nhello 15\nmax-clients 3\n"
                  "refresh-count 1\ntunnel-hello 0.5\ntunnel-ping 1\ntunnel-refresh 30\n"
                  "tunnel-tcp-timeout 15\ntunnel-timeout 3\n")


def split(answer):
    """(document, signature bytes, version) of a signed answer."""
    document, _, last = answer[:-1].rpartition("\n")
    assert answer.endswith("\n") and last.startswith("signature "), answer
    lines = document.split("\n")
    assert lines[0] == "re6st-network-config 1", answer
    version = int(lines[1][len("version "):])
    return document + "\n", base64.b64decode(last[len("signature "):], validate=True), version


class NetworkConfig(RegistryTestCase):

    def start(self, *extra, **options):
        return self.start_registry(os.path.join(self.dir, "mbox"), *extra, **options)

    def verifies(self, ca, document, signature):
        public = os.path.join(self.dir, "ca-pub.pem")
        with open(public, "wb") as f:
            f.write(harness.openssl("x509", "-pubkey", "-noout", "-in", ca))
        paths = []
        for name, data in (("document", document.encode()), ("signature", signature)):
            paths.append(os.path.join(self.dir, name))
            with open(paths[-1], "wb") as f:
                f.write(data)
        return subprocess.run(["openssl", "dgst", "-sha256", "-verify", public,
                               "-signature", paths[1], paths[0]],
                              capture_output=True).returncode == 0

    def test_parameters_served_signed(self):
        registry = self.start(*PARAMETERS)
        answer = registry.proxy().getNetworkConfig()
        document, signature, version = split(answer)
        self.assertEqual(document, "re6st-network-config 1\nversion %d\n%s"
                         % (version, EXPECTED_LINES))
        self.assertTrue(self.verifies(self.ca, document, signature))

        # A flipped byte, or the key of another CA: refused.
        self.assertFalse(self.verifies(self.ca, document.replace("connection-count 6",
                                                                 "connection-count 7"), signature))
        other = os.path.join(self.dir, "other")
        os.mkdir(other)
        other_ca, _ = harness.make_ca(other)
        self.assertFalse(self.verifies(other_ca, document, signature))

        # The same on every path and address family (the private URL is the
        # same server).
        for host, path in (("127.0.0.1", "/RPC2"), ("[::1]", "/"), ("[::1]", "/RPC2")):
            self.assertEqual(registry.proxy(host, path).getNetworkConfig(), answer)

        # Up to date: "unchanged"; anything else: the whole answer.
        proxy = registry.proxy()
        self.assertEqual(proxy.getNetworkConfig(str(version)), "unchanged")
        self.assertEqual(proxy.getNetworkConfig(str(version - 1)), answer)
        self.assertEqual(proxy.getNetworkConfig(""), answer)
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            proxy.getNetworkConfig(version)   # an integer, not a string
        self.assertEqual(caught.exception.faultCode, -501)

        self.assertIn("INFO network configuration version %d: config-refresh 10, "
                      "connection-count 6, hello 15, max-clients 3, refresh-count 1, "
                      "tunnel-hello 0.5, tunnel-ping 1, tunnel-refresh 30, "
                      "tunnel-tcp-timeout 15, tunnel-timeout 3\n" % version, registry.text())

    # The node's defaults when the registry is given none; the seven original
    # methods are unchanged beside it.
    def test_defaults(self):
        proxy = self.start().proxy()
        document, _, version = split(proxy.getNetworkConfig())
        self.assertEqual(document.split("\n", 2)[2],
                         "config-refresh 60\nconnection-count 20\nhello 15\nmax-clients 10\n"
                         "refresh-count 1\ntunnel-hello 0.2\ntunnel-ping 1\n"
                         "tunnel-refresh 300\ntunnel-tcp-timeout 15\ntunnel-timeout 3\n")
        self.assertIn("BEGIN CERTIFICATE", proxy.getCa())

    def test_version_kept_across_restarts(self):
        registry = self.start(*PARAMETERS)
        _, _, first = split(registry.proxy().getNetworkConfig())
        self.assertEqual(registry.stop(), 0)

        registry = self.start(*PARAMETERS)
        self.assertEqual(registry.proxy().getNetworkConfig(str(first)), "unchanged")
        self.assertEqual(registry.stop(), 0)

        registry = self.start("--connection-count", "2")
        document, signature, second = split(registry.proxy().getNetworkConfig(str(first)))
        self.assertGreater(second, first)
        self.assertIn("\nconnection-count 2\n", document)
        self.assertIn("\nmax-clients 1\n", document)
        self.assertTrue(self.verifies(self.ca, document, signature))

    # A database of re6st-registry 0.1.0 is upgraded in place and serves.
    def test_old_database(self):
        db = os.path.join(self.dir, "old.db")
        shutil.copy(os.path.join(DATA, "registry-0.1.0.db"), db)
        os.chmod(db, 0o600)
        tables = ("SELECT prefix, email, cert FROM vpn ORDER BY prefix",
                  "SELECT * FROM tokens ORDER BY token", "SELECT * FROM peers ORDER BY prefix")

        def read(*queries):
            connection = sqlite3.connect(db)
            try:
                return [connection.execute(query).fetchall() for query in queries]
            finally:
                connection.close()

        before = read(*tables)
        registry = self.start(*PARAMETERS, db=db)
        _, _, version = split(registry.proxy().getNetworkConfig())
        self.assertEqual(registry.stop(), 0)
        self.assertEqual(read(*tables), before)
        self.assertEqual(read("PRAGMA user_version", "SELECT version, parameters FROM network_config",
                              "SELECT count(*) FROM certificates"),
                         [[(5,)], [(version, EXPECTED_LINES)], [(4,)]])

    # An option out of the nodes' range: exit 2 and one line naming the
    # option and its value, before anything else is done.
    def test_out_of_range_refused_at_start(self):
        base = ["0", "--db", os.path.join(self.dir, "r.db"), "--ca", self.ca, "--key", self.key,
                "--mailhost", os.path.join(self.dir, "mbox")]
        conf = os.path.join(self.dir, "network.conf")
        with open(conf, "w") as f:
            f.write("# the network\nconnection-count 6\ntunnel-timeout 1\n")
        cases = [
            (["--tunnel-hello", "0.01"],
             "--tunnel-hello 0.01: must be between 0.05 and 300 seconds"),
            (["--connection-count", "0"], "--connection-count 0: must be at least 1"),
            (["--tunnel-ping", "5"], "--tunnel-timeout 3: must be longer than '--tunnel-ping'"),
            (["--config-refresh", "0"], "--config-refresh 0: must be at least 1"),
            (["--hello", "ten"], "the argument ('ten') for option '--hello' is invalid"),
            (["@" + conf], conf + ":3: --tunnel-timeout 1: must be at least 2"),
        ]
        for extra, message in cases:
            result = subprocess.run([harness.BINARY, *base, *extra], capture_output=True,
                                    text=True, timeout=30, stdin=subprocess.DEVNULL)
            self.assertEqual(result.returncode, 2, (extra, result.stderr))
            self.assertEqual(result.stderr, "re6st-registry: %s\n" % message, extra)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "r.db")))


if __name__ == "__main__":
    harness.main()
