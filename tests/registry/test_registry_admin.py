"""re6st-registry's administration commands (nodes, revoke, token) run
against the database of a registry that is running, as an operator runs
them: a token made offline enrols a node; the server's option file serves;
a revocation takes effect in the running registry at once (renewal and
getBootstrapPeer refused with one log line, the serial as `openssl x509
-serial` prints it in a new signed configuration, the prefix free for a new
enrolment); exit status 0 / 1 / 2.

Usage: test_registry_admin.py RE6ST_REGISTRY [unittest arguments]
"""

import base64
import json
import os
import subprocess
import sys
import xmlrpc.client

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import registry_harness as harness
from registry_harness import RegistryTestCase, openssl


def serial_of(certificate):
    """What openssl x509 -serial prints, without "serial="."""
    return openssl("x509", "-noout", "-serial", input=certificate.encode()).decode().strip()[7:]


class Admin(RegistryTestCase):

    def setUp(self):
        super().setUp()
        self.db = os.path.join(self.dir, "registry.db")
        self.conf = os.path.join(self.dir, "re6st-registry.conf")
        with open(self.conf, "w") as f:
            f.write("# as the server reads it\ndb %s\nca %s\nkey %s\nmailhost %s\n"
                    "token-lifetime 1h\nhello 20\nconnection-count 6\n"
                    % (self.db, self.ca, self.key, os.path.join(self.dir, "mbox")))
        self.registry = self.start_registry(os.path.join(self.dir, "mbox"), "--hello", "20",
                                            "--connection-count", "6")
        self.proxy = self.registry.proxy()

    def admin(self, *args):
        """(exit status, stdout, stderr) of re6st-registry ARGS."""
        result = subprocess.run([harness.BINARY, *args], capture_output=True, text=True,
                                timeout=30)
        return result.returncode, result.stdout, result.stderr

    def enrol_offline(self, email, name):
        status, out, err = self.admin("token", "@" + self.conf, email)
        self.assertEqual((status, err), (0, ""))
        self.assertRegex(out, r"^[a-z2-7]{16}\n$")
        key, csr = harness.make_csr(self.dir, name)
        certificate = self.proxy.requestCertificate(out.strip(), csr)
        return harness.cn_prefix(certificate), certificate, key

    def network_config(self, known=None):
        answer = self.proxy.getNetworkConfig(*([known] if known else []))
        if answer == "unchanged":
            return None
        document, _, last = answer[:-1].rpartition("\n")
        lines = dict(line.split(" ", 1) for line in document.split("\n")[1:])
        signature = base64.b64decode(last[len("signature "):])
        public = os.path.join(self.dir, "ca-pub.pem")
        with open(public, "wb") as f:
            f.write(openssl("x509", "-pubkey", "-noout", "-in", self.ca))
        paths = [os.path.join(self.dir, "document"), os.path.join(self.dir, "signature")]
        for path, data in zip(paths, ((document + "\n").encode(), signature)):
            with open(path, "wb") as f:
                f.write(data)
        verified = subprocess.run(["openssl", "dgst", "-sha256", "-verify", public,
                                   "-signature", paths[1], paths[0]], capture_output=True)
        self.assertEqual(verified.returncode, 0, document)
        return lines

    def test_nodes_lists_what_the_running_registry_enrolled(self):
        first = self.enrol_offline("a@example.org", "a")
        second = self.enrol_offline("b@example.org", "b")
        status, out, err = self.admin("nodes", "@" + self.conf)
        self.assertEqual((status, err), (0, ""))
        lines = out.splitlines()
        self.assertEqual(len(lines), 2, out)
        for line, (prefix, certificate, _), email in zip(lines, (first, second),
                                                          ("a@example.org", "b@example.org")):
            words = line.split(" ")
            self.assertEqual(words[0], "%d/%d" % (int(prefix, 2), len(prefix)))
            self.assertEqual(words[1], harness.node_address(prefix))
            self.assertEqual(words[2], email)
            self.assertEqual(words[3], serial_of(certificate))
            self.assertEqual(words[5:], ["-", "-", "active"])

        status, out, err = self.admin("nodes", "--db", self.db, "--json")
        self.assertEqual((status, err), (0, ""))
        nodes = json.loads(out)
        self.assertEqual([n["cn"] for n in nodes], ["0/16", "1/16"])
        self.assertEqual(set(nodes[0]), {"cn", "address", "email", "serial", "expires",
                                         "declared", "endpoints", "revoked"})
        self.assertEqual(nodes[1]["serial"], serial_of(second[1]))
        self.assertFalse(nodes[0]["revoked"])

    def test_revocation_takes_effect_in_the_running_registry(self):
        prefix, certificate, key = self.enrol_offline("a@example.org", "a")
        other = self.enrol_offline("b@example.org", "b")
        before = self.network_config()
        self.assertNotIn("revoked", before)

        status, out, err = self.admin("revoke", "@" + self.conf, "0/16")
        self.assertEqual((status, err), (0, ""))
        serial = serial_of(certificate)
        self.assertRegex(out, r"^revoked 0/16 serial %s expiring .* UTC\n$" % serial)

        # The very next call sees it: a new version, signed, with the serial.
        after = self.network_config(before["version"])
        self.assertIsNotNone(after)
        self.assertGreater(int(after["version"]), int(before["version"]))
        self.assertEqual(after["revoked"], serial)
        self.assertEqual(self.network_config(after["version"]), None)

        csr = openssl("req", "-new", "-key", key, "-subj", "/O=re6st-test/CN=0\\/16").decode()
        with self.assertRaisesRegex(xmlrpc.client.Fault, "the certificate of 0/16 was revoked"):
            self.proxy.renewCertificate(csr)
        with self.assertRaisesRegex(xmlrpc.client.Fault, "the certificate of 0/16 was revoked"):
            self.proxy.getBootstrapPeer(prefix)
        log = self.registry.text()
        self.assertEqual(log.count("renewCertificate: refused 0/16: its certificate %s was revoked"
                                   % serial), 1, log)
        self.assertEqual(log.count("getBootstrapPeer: refused 0/16"), 1, log)

        # Once only.
        status, out, err = self.admin("revoke", "--db", self.db, "0/16")
        self.assertEqual((status, out), (1, ""))
        self.assertEqual(err, "re6st-registry: no node 0/16 holds a certificate\n")

        # By serial: any case, leading zeros.
        other_serial = serial_of(other[1])
        status, out, err = self.admin("revoke", "--db", self.db, "00" + other_serial.lower())
        self.assertEqual((status, err), (0, ""))
        self.assertIn("revoked 1/16 serial %s" % other_serial, out)
        revoked = self.network_config(after["version"])["revoked"].split(" ")
        self.assertEqual(revoked, sorted([serial, other_serial]))

        status, out, _ = self.admin("nodes", "--db", self.db)
        self.assertEqual([line.split(" ")[-1] for line in out.splitlines()],
                         ["revoked", "revoked"])

        # The freed prefix goes to the next node.
        again, certificate_again, _ = self.enrol_offline("c@example.org", "c")
        self.assertEqual(again, prefix)
        self.assertNotEqual(serial_of(certificate_again), serial)
        self.assertEqual(self.registry.stop(), 0)

    def test_exit_status_and_help(self):
        for verb in ("nodes", "revoke", "token"):
            status, out, err = self.admin(verb, "--help")
            self.assertEqual((status, err), (0, ""))
            self.assertIn("Usage: re6st-registry " + verb, out)
        cases = [
            (("nodes",), "re6st-registry: nodes: option '--db' is required\n"),
            (("nodes", "--db", self.db, "--bogus"), "re6st-registry: unrecognised option '--bogus'\n"),
            (("revoke", "--db", self.db, "xyz"),
             "re6st-registry: revoke: not a CN (123/16) or a hex serial: xyz\n"),
            (("token", "@" + self.conf, "nobody"),
             "re6st-registry: token: not a plain e-mail address (user@domain): nobody\n"),
        ]
        for args, message in cases:
            status, out, err = self.admin(*args)
            self.assertEqual((status, out, err), (2, "", message), args)
        status, out, err = self.admin("revoke", "--db", self.db, "ABCDEF")
        self.assertEqual((status, out, err),
                         (1, "", "re6st-registry: no certificate on record has serial ABCDEF\n"))
        missing = os.path.join(self.dir, "missing.db")
        status, _, err = self.admin("nodes", "--db", missing)
        self.assertEqual(status, 1)
        self.assertFalse(os.path.exists(missing))


if __name__ == "__main__":
    harness.main()
