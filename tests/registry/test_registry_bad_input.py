"""Bad input to a live re6st-registry: each is answered with a fault (or, for
a body over the size limit, an HTTP error), the registry goes on serving,
and the database is left exactly as it was.

Usage: test_registry_bad_input.py RE6ST_REGISTRY [unittest arguments]
"""

import base64
import http.client
import os
import sys
import time
import xmlrpc.client

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import registry_harness as harness
from registry_harness import RegistryTestCase

NODE = "2001:db8:42::1"


def tampered(csr_pem):
    """The CSR with one bit of its signature (the end of the DER) flipped."""
    lines = csr_pem.strip().splitlines()
    der = bytearray(base64.b64decode("".join(lines[1:-1])))
    der[-5] ^= 0x10
    body = base64.b64encode(bytes(der)).decode()
    return "\n".join([lines[0]] + [body[i:i + 64] for i in range(0, len(body), 64)]
                     + [lines[-1]]) + "\n"


class BadInput(RegistryTestCase):

    def setUp(self):
        super().setUp()
        self.smtp = self.start_smtp()
        # Tokens expire within the test that waits for it, not before the
        # enrolment below on a loaded machine (2 s was seen to be too short).
        self.token_lifetime = 3 if self._testMethodName == "test_expired_token" else 600
        self.registry = self.start_registry("127.0.0.1:%d" % self.smtp.port,
                                            "--token-lifetime", str(self.token_lifetime))
        self.proxy = self.registry.proxy()
        # Some state to leave untouched: an enrolled node, a pending token.
        self.prefix, self.certificate, _ = self.enrol(self.proxy, self.smtp, "node@example.org")
        self.proxy.requestToken("pending@example.org")
        self.pending = self.smtp.token_for("pending@example.org")
        _, self.csr = harness.make_csr(self.dir, "other")

    def post(self, body, path="/RPC2", headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.registry.port, timeout=30)
        try:
            connection.request("POST", path, body, {"Content-Type": "text/xml", **(headers or {})})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def assertUnchangedAndServing(self, before, what):
        self.assertTrue(self.registry.alive(), what)
        self.assertIn("BEGIN CERTIFICATE", self.registry.proxy().getCa(), what)
        self.assertEqual(harness.snapshot(self.registry.db), before, what)

    def assertFault(self, call, code, what):
        before = harness.snapshot(self.registry.db)
        with self.assertRaises(xmlrpc.client.Fault, msg=what) as caught:
            call()
        self.assertEqual(caught.exception.faultCode, code, (what, caught.exception))
        self.assertUnchangedAndServing(before, what)
        return caught.exception.faultString

    def test_malformed_xml(self):
        for what, body in (("not XML", b"hello"),
                           ("unclosed", b"<?xml version='1.0'?><methodCall><methodName>getCa"),
                           ("not a call", b"<?xml version='1.0'?><methodResponse/>"),
                           ("empty", b""),
                           ("binary", bytes(range(256)) * 10),
                           ("bad UTF-8", b"<?xml version='1.0'?><methodCall><methodName>getCa\xff"
                                         b"</methodName></methodCall>")):
            before = harness.snapshot(self.registry.db)
            status, answer = self.post(body)
            self.assertEqual(status, 200, what)
            with self.assertRaises(xmlrpc.client.Fault, msg=what) as caught:
                xmlrpc.client.loads(answer)
            self.assertEqual(caught.exception.faultCode, -503, what)
            self.assertUnchangedAndServing(before, what)

    # Entities expanding to gigabytes would exhaust the registry's memory.
    def test_entity_expansion(self):
        entities = "<!ENTITY a0 'aaaaaaaaaa'>" + "".join(
            "<!ENTITY a%d '%s'>" % (i, ("&a%d;" % (i - 1)) * 10) for i in range(1, 10))
        # In UTF-16 too, which the parser reads and where "<!DOCTYPE" is other bytes.
        for encoding in ("utf-8", "utf-16"):
            body = ("<?xml version='1.0' encoding='%s'?><!DOCTYPE c [%s]><methodCall>"
                    "<methodName>requestToken</methodName><params><param><value><string>&a9;"
                    "</string></value></param></params></methodCall>"
                    % (encoding.upper(), entities))
            before = harness.snapshot(self.registry.db)
            started = time.monotonic()
            status, answer = self.post(body.encode(encoding))
            self.assertLess(time.monotonic() - started, 5, encoding)
            with self.assertRaisesRegex(xmlrpc.client.Fault, "document type", msg=encoding):
                xmlrpc.client.loads(answer)
            self.assertUnchangedAndServing(before, "entity expansion in " + encoding)

    # Over the limit, the HTTP layer answers 413 without reading the body
    # into memory, and the client reads that answer.
    def test_body_over_the_limit(self):
        before = harness.snapshot(self.registry.db)
        call = xmlrpc.client.dumps(("x" * (1 << 20),), "requestToken").encode()
        status, answer = self.post(call)
        self.assertEqual(status, 413)
        self.assertIn(b"size limit", answer)
        # Just under the limit is an ordinary call (here a fault: bad address).
        call = xmlrpc.client.dumps(("x" * ((1 << 20) - 300),), "requestToken").encode()
        self.assertLessEqual(len(call), 1 << 20)
        status, answer = self.post(call)
        self.assertEqual(status, 200)
        self.assertUnchangedAndServing(before, "body over the limit")

    def test_wrong_types_and_counts(self):
        p = self.proxy
        for what, call in (
                ("requestToken()", lambda: p.requestToken()),
                ("requestToken(1)", lambda: p.requestToken(1)),
                ("requestToken(a, b)", lambda: p.requestToken("a@example.org", "b")),
                ("requestCertificate(token)", lambda: p.requestCertificate(self.pending)),
                ("requestCertificate(1, csr)", lambda: p.requestCertificate(1, self.csr)),
                ("requestCertificate(token, [])", lambda: p.requestCertificate(self.pending, [])),
                ("getCa(1)", lambda: p.getCa(1)),
                ("getPrivateAddress(x)", lambda: p.getPrivateAddress("x")),
                ("getBootstrapPeer()", lambda: p.getBootstrapPeer()),
                ("getBootstrapPeer(5)", lambda: p.getBootstrapPeer(5)),
                ("declare(ip, address)", lambda: p.declare(NODE, "192.0.2.1,1194,udp")),
                ("declare([ip])", lambda: p.declare([NODE])),
                ("declare([ip, address, x])", lambda: p.declare([NODE, "192.0.2.1,1194,udp", "x"])),
                ("declare([1, 2])", lambda: p.declare([1, 2])),
                ("declare({})", lambda: p.declare({"a": 1})),
                ("getPeerList(n)", lambda: p.getPeerList(5)),
                ("getPeerList('5', ip)", lambda: p.getPeerList("5", NODE)),
                ("getPeerList(5.0, ip)", lambda: p.getPeerList(5.0, NODE)),
                ("getPeerList(5, 1)", lambda: p.getPeerList(5, 1))):
            self.assertFault(call, -501, what)

    # Integers Python's client will not send.
    def test_integers_out_of_int_range(self):
        for value in ("<int>4294967296</int>", "<int>99999999999999999999</int>",
                      "<i8>5</i8>", "<int>five</int>", "<int></int>"):
            body = ("<?xml version='1.0'?><methodCall><methodName>getPeerList</methodName>"
                    "<params><param><value>%s</value></param><param><value><string>%s</string>"
                    "</value></param></params></methodCall>" % (value, NODE))
            before = harness.snapshot(self.registry.db)
            status, answer = self.post(body.encode())
            self.assertEqual(status, 200, value)
            with self.assertRaises(xmlrpc.client.Fault, msg=value) as caught:
                xmlrpc.client.loads(answer)
            self.assertIn(caught.exception.faultCode, (-501, -503), value)
            self.assertUnchangedAndServing(before, value)

    def test_unknown_methods(self):
        for name in ("getEverything", "requesttoken", "system.listMethods", "a" * 1000):
            code = -508 if name.startswith("system.") else -506
            self.assertFault(lambda: getattr(self.proxy, name)(), code, name)

    def test_n_out_of_range(self):
        for n in (0, -1, 1000, 2 ** 31 - 1):
            message = self.assertFault(lambda: self.proxy.getPeerList(n, NODE), 1, n)
            self.assertIn("1 and 999", message)

    def test_bad_certificate_requests(self):
        _, weak = harness.make_csr(self.dir, "weak", bits=1024)
        with open(self.ca) as f:
            ca_pem = f.read()
        for what, csr in (("not PEM", "hello"),
                          ("empty", ""),
                          ("truncated", self.csr[:len(self.csr) // 2]),
                          ("a certificate", ca_pem),
                          ("bad signature", tampered(self.csr)),
                          ("1024-bit key", weak)):
            self.assertFault(lambda: self.proxy.requestCertificate(self.pending, csr), 1, what)
        # The token survived every failure.
        self.assertTrue(self.proxy.requestCertificate(self.pending, self.csr))

    def test_bad_tokens(self):
        for what, token in (("unknown", "a" * 16), ("empty", ""), ("long", "a" * 10000),
                            ("SQL", "' OR 1=1 --")):
            message = self.assertFault(lambda: self.proxy.requestCertificate(token, self.csr), 1,
                                       what)
            self.assertIn("unknown", message)

    def test_used_token(self):
        self.proxy.requestCertificate(self.pending, self.csr)
        message = self.assertFault(lambda: self.proxy.requestCertificate(self.pending, self.csr),
                                   1, "used token")
        self.assertIn("already used", message)

    def test_expired_token(self):
        time.sleep(self.token_lifetime + 0.2)
        message = self.assertFault(lambda: self.proxy.requestCertificate(self.pending, self.csr),
                                   1, "expired token")
        self.assertIn("expired", message)

    def test_bad_email(self):
        for email in ("", "nobody", "a@b\r\nBcc: x@example.org", "<a@example.org>"):
            self.assertFault(lambda: self.proxy.requestToken(email), 1, repr(email))

    def test_bad_bootstrap_prefix(self):
        for prefix in ("", "2", "1" * 16, "0" * 200):
            self.assertFault(lambda: self.proxy.getBootstrapPeer(prefix), 1, prefix)

    # Outside the network, or not from the claimed address (here every call
    # comes from 127.0.0.1): declare answers false, getPeerList a fault.
    def test_unauthorised_declare_and_peer_list(self):
        for ip in ("2001:db8:43::1", NODE, "::1"):
            before = harness.snapshot(self.registry.db)
            self.assertIs(self.proxy.declare([ip, "192.0.2.1,1194,udp"]), False)
            self.assertUnchangedAndServing(before, ip)
            self.assertFault(lambda: self.proxy.getPeerList(10, ip), -507, ip)
        for ip in ("not an address", "192.0.2.1", ""):
            self.assertFault(lambda: self.proxy.declare([ip, "192.0.2.1,1194,udp"]), 1, ip)
            self.assertFault(lambda: self.proxy.getPeerList(10, ip), 1, ip)
        self.assertIn("declare: refused a call from 127.0.0.1", self.registry.text())


if __name__ == "__main__":
    harness.main()
