"""re6st-registry as a new node meets it: a token by real SMTP, a certificate
for a fresh key, the CA, the private address, a bootstrap peer; driven by
Python's standard XML-RPC client (wire compatibility with the original's
clients; tests/conf/test_re6st_conf_enrolment.py drives it with re6st-conf,
the project's own client). Also the command line: every option, one-line
errors, signals.

Usage: test_registry_enrolment.py RE6ST_REGISTRY [unittest arguments]
"""

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
import xmlrpc.client

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import registry_harness as harness
from registry_harness import RegistryTestCase, openssl


class Enrolment(RegistryTestCase):

    def setUp(self):
        super().setUp()
        self.smtp = self.start_smtp()
        self.registry = self.start_registry(
            "127.0.0.1:%d" % self.smtp.port, "--private", "2001:db8:42::1",
            "--mail-from", "registry@example.org")
        self.proxy = self.registry.proxy()

    def test_token_mail(self):
        self.assertIsNone(self.proxy.requestToken("alice@example.org"))
        token = self.smtp.token_for("alice@example.org")
        recipients, text = self.smtp.messages[-1]
        self.assertEqual(recipients, ["alice@example.org"])
        self.assertIn("Subject: [re6stnet] Token Request", text)
        self.assertIn("From: registry@example.org", text)
        self.assertIn("To: alice@example.org", text)
        self.assertIn(token, text)
        # Stored as the original did: token, e-mail, prefix length, date.
        row, = harness.snapshot(self.registry.db)["tokens"]
        self.assertEqual(row[:3], (token, "alice@example.org", 16))
        self.assertAlmostEqual(row[3], time.time(), delta=30)

    def test_certificate(self):
        prefix, certificate, key = self.enrol(self.proxy, self.smtp, "alice@example.org")
        self.assertEqual(prefix, "0" * 16)
        path = os.path.join(self.dir, "alice.crt")
        with open(path, "w") as f:
            f.write(certificate)
        self.assertIn(b": OK", openssl("verify", "-CAfile", self.ca, path))
        text = openssl("x509", "-in", path, "-noout", "-text").decode()
        self.assertIn("Version: 3", text)
        self.assertIn("Signature Algorithm: sha256WithRSAEncryption", text)
        self.assertIn("CA:FALSE", text)
        self.assertIn("CN = 0/16", text)
        self.assertIn("O = re6st-test", text)
        self.assertEqual(openssl("x509", "-in", path, "-noout", "-pubkey"),
                         openssl("pkey", "-in", key, "-pubout"))
        # Stored in the prefix tree with its owner.
        vpn = dict((p, (e, c)) for p, e, c, _ in harness.snapshot(self.registry.db)["vpn"])
        self.assertEqual(vpn[prefix], ("alice@example.org", certificate))
        self.assertEqual(harness.snapshot(self.registry.db)["tokens"], [])

    def test_prefixes_and_serials_differ(self):
        enrolled = [self.enrol(self.proxy, self.smtp, "n%d@example.org" % i) for i in range(3)]
        self.assertEqual([p for p, _, _ in enrolled],
                         ["0000000000000000", "0000000000000001", "0000000000000010"])
        serials = {openssl("x509", "-noout", "-serial", input=c.encode()) for _, c, _ in enrolled}
        self.assertEqual(len(serials), 3)

    def test_renewal(self):
        prefix, certificate, key = self.enrol(self.proxy, self.smtp, "alice@example.org")
        # "/" inside a value is escaped in openssl's -subj.
        csr = openssl("req", "-new", "-key", key, "-subj", "/O=re6st-test/CN=0\\/16").decode()
        renewed = self.proxy.renewCertificate(csr)
        self.assertEqual(openssl("x509", "-noout", "-pubkey", input=renewed.encode()),
                         openssl("pkey", "-in", key, "-pubout"))
        self.assertNotEqual(openssl("x509", "-noout", "-serial", input=renewed.encode()),
                            openssl("x509", "-noout", "-serial", input=certificate.encode()))
        vpn = {p: c for p, _, c, _ in harness.snapshot(self.registry.db)["vpn"]}
        self.assertEqual(vpn[prefix], renewed)
        self.assertIn("renewCertificate: renewed 0/16 (2001:db8:42::/64) until ",
                      self.registry.text())
        # Another key for the same CN: fault 1, nothing changed.
        stranger, _ = harness.make_csr(self.dir, "stranger")
        other = openssl("req", "-new", "-key", stranger, "-subj", "/CN=0\\/16").decode()
        before = harness.snapshot(self.registry.db)
        with self.assertRaises(xmlrpc.client.Fault) as refused:
            self.proxy.renewCertificate(other)
        self.assertEqual(refused.exception.faultCode, 1)
        self.assertEqual(harness.snapshot(self.registry.db), before)

    def test_ca_and_private_address(self):
        with open(self.ca) as f:
            self.assertEqual(self.proxy.getCa(), f.read())
        self.assertEqual(self.proxy.getPrivateAddress(),
                         "http://[2001:db8:42::1]:%d" % self.registry.port)

    def test_both_paths_and_both_families(self):
        for host, path in (("127.0.0.1", "/"), ("127.0.0.1", "/RPC2"), ("[::1]", "/"),
                           ("[::1]", "/RPC2")):
            self.assertIn("BEGIN CERTIFICATE", self.registry.proxy(host, path).getCa())


# getBootstrapPeer needs a declared peer, and declare only listens to
# addresses inside the network (test_registry_source_address.py does it for
# real, as root): here the peers table is filled before the registry starts,
# as the declares of an earlier run would have left it.
class BootstrapPeer(RegistryTestCase):

    def test_encrypted_to_the_caller(self):
        smtp = self.start_smtp()
        mailhost = "127.0.0.1:%d" % smtp.port
        registry = self.start_registry(mailhost)
        proxy = registry.proxy()
        a, _, a_key = self.enrol(proxy, smtp, "a@example.org")
        b, _, b_key = self.enrol(proxy, smtp, "b@example.org")
        with self.assertRaisesRegex(xmlrpc.client.Fault, "no bootstrap peer known"):
            proxy.getBootstrapPeer(a)
        self.assertEqual(registry.stop(), 0)

        connection = sqlite3.connect(registry.db)
        with connection:
            connection.executemany("INSERT INTO peers VALUES (?, ?, ?)",
                                   [(a, "192.0.2.1,1194,udp", int(time.time())),
                                    (b, "192.0.2.2,1194,udp;192.0.2.2,1194,tcp", int(time.time()))])
        connection.close()
        proxy = self.start_registry(mailhost).proxy()
        for caller, key, other, address in ((a, a_key, b, "192.0.2.2,1194,udp;192.0.2.2,1194,tcp"),
                                            (b, b_key, a, "192.0.2.1,1194,udp")):
            sealed = proxy.getBootstrapPeer(caller)
            self.assertIsInstance(sealed, xmlrpc.client.Binary)
            self.assertEqual(len(sealed.data), 256)
            plain = openssl("pkeyutl", "-decrypt", "-inkey", key, input=sealed.data)
            self.assertEqual(plain.decode(), "%s %s" % (other, address))
        with self.assertRaisesRegex(xmlrpc.client.Fault, "no certificate was issued"):
            proxy.getBootstrapPeer("1" * 16)


# The registry's background work, seen from outside: the CA's fingerprint
# and end at start, and prefixes of long-expired certificates reclaimed.
class Background(RegistryTestCase):

    def wait_for_line(self, registry, text, timeout=10):
        deadline = time.monotonic() + timeout
        while text not in registry.text():
            if time.monotonic() > deadline:
                raise AssertionError("no %r in the log:\n%s" % (text, registry.text()))
            time.sleep(0.05)

    def test_ca_fingerprint_and_end(self):
        registry = self.start_registry(os.path.join(self.dir, "mbox"))
        subject = openssl("x509", "-in", self.ca, "-noout", "-subject", "-nameopt", "RFC2253")
        fingerprint = openssl("x509", "-in", self.ca, "-noout", "-fingerprint", "-sha256")
        self.wait_for_line(registry, "CA certificate %s, SHA-256 fingerprint %s\n" % (
            subject.decode().strip().split("=", 1)[1], fingerprint.decode().strip().split("=", 1)[1]))
        # The test CA is valid for 30 days.
        self.wait_for_line(registry, "WARNING the CA certificate expires on ")
        self.assertRegex(registry.text(),
                         ", in (29|30) days: replace it by one of the same key, serial and subject")

    # An operator replaces a CA certificate near its end by one of the same
    # key, serial and subject with a later end: getCa serves it after a
    # restart, and the certificates issued before verify against it.
    def test_ca_replaced(self):
        smtp = self.start_smtp()
        registry = self.start_registry("127.0.0.1:%d" % smtp.port)
        _, certificate, _ = self.enrol(registry.proxy(), smtp, "a@example.org")
        self.assertEqual(registry.stop(), 0)
        openssl("req", "-new", "-x509", "-key", self.key, "-set_serial", harness.SERIAL,
                "-days", "3650", "-subj", "/O=re6st-test/CN=test-ca",
                "-addext", "basicConstraints=critical,CA:TRUE", "-out", self.ca)
        registry = self.start_registry("127.0.0.1:%d" % smtp.port)
        with open(self.ca) as f:
            self.assertEqual(registry.proxy().getCa(), f.read())
        path = os.path.join(self.dir, "a.crt")
        with open(path, "w") as f:
            f.write(certificate)
        self.assertIn(b": OK", openssl("verify", "-CAfile", self.ca, path))

    def test_expired_prefix_reclaimed_at_start(self):
        smtp = self.start_smtp()
        options = ("127.0.0.1:%d" % smtp.port, "--certificate-validity", "1s",
                   "--grace-period", "0")
        registry = self.start_registry(*options)
        prefix, _, _ = self.enrol(registry.proxy(), smtp, "a@example.org")
        self.assertEqual(prefix, "0" * 16)
        self.assertEqual(registry.stop(), 0)
        time.sleep(2)
        registry = self.start_registry(*options)
        self.wait_for_line(registry, "INFO reclaimed 1 prefix expired more than 0s ago; "
                                     "deleted 0 expired tokens")
        self.assertEqual(harness.snapshot(registry.db)["vpn"], [("", None, None, None)])


class Mail(RegistryTestCase):

    def test_mbox_file(self):
        mbox = os.path.join(self.dir, "tokens.mbox")
        proxy = self.start_registry(mbox).proxy()
        proxy.requestToken("dave@example.org")
        with open(mbox) as f:
            text = f.read()
        self.assertTrue(text.startswith("From "))
        self.assertIn("To: dave@example.org\n", text)
        self.assertEqual(len(harness.TOKEN.findall(text)), 1)
        self.assertEqual(stat.S_IMODE(os.stat(mbox).st_mode), 0o600)

    def test_starttls_and_authentication(self):
        cert, context = harness.smtp_tls(self.dir)
        logins = []

        def authenticate(server, session, envelope, mechanism, auth_data):
            from aiosmtpd.smtp import AuthResult
            logins.append((auth_data.login, auth_data.password))
            return AuthResult(success=auth_data.password == b"s3cret")

        smtp = self.start_smtp(tls_context=context, require_starttls=True,
                               auth_required=True, authenticator=authenticate)
        password_file = os.path.join(self.dir, "password")
        with open(password_file, "w") as f:
            f.write("s3cret\n")
        registry = self.start_registry(
            "127.0.0.1:%d" % smtp.port, "--smtp-starttls", "--smtp-ca", cert,
            "--smtp-user", "registry", "--smtp-password-file", password_file)
        registry.proxy().requestToken("erin@example.org")
        self.assertEqual(len(smtp.token_for("erin@example.org")), 16)
        self.assertEqual(logins, [(b"registry", b"s3cret")])
        self.assertNotIn("s3cret", registry.text())

    # A relay without STARTTLS, when --smtp-starttls asks for it: no mail, a
    # fault, no token.
    def test_starttls_required(self):
        smtp = self.start_smtp()
        registry = self.start_registry("127.0.0.1:%d" % smtp.port, "--smtp-starttls")
        with self.assertRaisesRegex(xmlrpc.client.Fault, "could not mail"):
            registry.proxy().requestToken("frank@example.org")
        self.assertEqual(smtp.messages, [])
        self.assertEqual(harness.snapshot(registry.db)["tokens"], [])

    def test_relay_down(self):
        registry = self.start_registry("127.0.0.1:%d" % harness.free_port())
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            registry.proxy().requestToken("gina@example.org")
        self.assertEqual(caught.exception.faultCode, 2)
        self.assertEqual(harness.snapshot(registry.db)["tokens"], [])
        self.assertTrue(registry.alive())


class CommandLine(RegistryTestCase):

    def run_registry(self, *args, timeout=30):
        result = subprocess.run([harness.BINARY, *args], capture_output=True, text=True,
                                timeout=timeout, stdin=subprocess.DEVNULL)
        return result.returncode, result.stdout, result.stderr

    def base(self, **changes):
        options = {"--db": os.path.join(self.dir, "r.db"), "--ca": self.ca, "--key": self.key,
                   "--mailhost": os.path.join(self.dir, "mbox")}
        options.update(changes)
        args = ["0"]
        for name, value in options.items():
            if value is not None:
                args += [name, value]
        return args

    def test_help_lists_every_option(self):
        status, out, _ = self.run_registry("--help")
        self.assertEqual(status, 0)
        for option in ("--db", "--ca", "--key", "--mailhost", "--private", "--bootstrap",
                       "--prefix-length", "--certificate-validity", "--token-lifetime",
                       "--peer-expiry", "--grace-period", "--mail-from", "--smtp-starttls", "--smtp-ca",
                       "--smtp-user", "--smtp-password-file", "--smtp-timeout",
                       "--max-connections", "--request-timeout", "--verbose", "--hello",
                       "--tunnel-hello", "--tunnel-timeout", "--tunnel-tcp-timeout",
                       "--tunnel-ping", "--connection-count", "--max-clients",
                       "--tunnel-refresh", "--refresh-count", "--config-refresh"):
            self.assertIn(option, out)

    # Each mistake: a non-zero exit and one line naming what is wrong.
    def test_errors_are_one_line(self):
        open_key = os.path.join(self.dir, "open.key")
        with open(self.key) as f, open(open_key, "w") as g:
            g.write(f.read())
        os.chmod(open_key, 0o640)
        cases = [
            (["0", "--ca", self.ca], 2, "--db"),
            (self.base() + ["--frobnicate"], 2, "frobnicate"),
            (["seventy"] + self.base()[1:], 2, "seventy"),
            (["70000"] + self.base()[1:], 2, "70000"),
            (self.base(**{"--key": open_key}), 1, "chmod 600 " + open_key),
            (self.base(**{"--key": os.path.join(self.dir, "missing.key")}), 1, "missing.key"),
            (self.base(**{"--ca": os.path.join(self.dir, "missing.crt")}), 1, "missing.crt"),
            (self.base(**{"--ca": self.key}), 1, "--ca"),
            (self.base(**{"--db": "/nonexistent-directory/r.db"}), 1, "/nonexistent-directory/r.db"),
            (self.base(**{"--prefix-length": "80"}), 1, "--prefix-length 80"),
            (self.base(**{"--prefix-length": "0"}), 1, "--prefix-length 0"),
            (self.base(**{"--bootstrap": "012"}), 1, "--bootstrap 012"),
            (self.base(**{"--private": "192.0.2.1"}), 1, "--private 192.0.2.1"),
            (self.base(**{"--mailhost": "http://relay"}), 1, "--mailhost http://relay"),
            (self.base(**{"--mail-from": "not an address"}), 1, "--mail-from"),
            (self.base(**{"--smtp-ca": "/nonexistent.pem"}), 1, "--smtp-ca /nonexistent.pem"),
            (self.base(**{"--smtp-password-file": "/nonexistent"}), 1, "--smtp-password-file"),
            (self.base(**{"--max-connections": "0"}), 1, "--max-connections"),
            (self.base(**{"--certificate-validity": "0"}), 2, "--certificate-validity 0"),
            (self.base(**{"--grace-period": "3w"}), 2, "--grace-period 3w"),
            (self.base(**{"--tunnel-hello": "0.01"}), 2, "--tunnel-hello 0.01"),
            (self.base(**{"--max-clients": "0"}), 2, "--max-clients 0"),
            (["@" + os.path.join(self.dir, "missing.conf")], 2, "missing.conf"),
        ]
        for args, expected_status, named in cases:
            status, out, err = self.run_registry(*args)
            self.assertEqual(status, expected_status, (args, err))
            self.assertEqual(err.count("\n"), 1, (args, err))
            self.assertIn(named, err, args)

    def test_port_in_use(self):
        first = self.start_registry(os.path.join(self.dir, "mbox"))
        status, _, err = self.run_registry(*(["%d" % first.port] + self.base()[1:]))
        self.assertEqual(status, 1)
        self.assertIn("cannot listen on", err)
        self.assertIn(":%d" % first.port, err)

    def test_option_file(self):
        conf = os.path.join(self.dir, "registry.conf")
        args = self.base()
        with open(conf, "w") as f:
            f.write("# the registry of the test network\n")
            for name, value in zip(args[1::2], args[2::2]):
                f.write("%s %s\n" % (name[2:], value))
            f.write("prefix-length 20\n")
        registry = self.start_registry(None, raw_args=["0", "@" + conf])
        self.assertIn("BEGIN CERTIFICATE", registry.proxy().getCa())

    def test_signals_stop_cleanly(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            registry = self.start_registry(os.path.join(self.dir, "mbox"))
            registry.proxy().getCa()
            registry.process.send_signal(sig)
            self.assertEqual(registry.process.wait(15), 0)
            self.assertIn("stopping on signal", registry.text())


if __name__ == "__main__":
    harness.main()
