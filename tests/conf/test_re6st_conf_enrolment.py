"""re6st-conf against the real re6st-registry and a real mail server
(python3-aiosmtpd), the token read from the mail it sent: every way to
enrol, re-enrolment of the same key (after its certificate expired too), the
CA's fingerprint checked, a bad token, Ctrl-C at the prompt, an IPv6
registry; the files left checked with the openssl tool.

Usage: test_re6st_conf_enrolment.py RE6ST_REGISTRY RE6ST_CONF [unittest arguments]
"""

import functools
import ipaddress
import os
import re
import select
import signal
import stat
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import registry_harness as harness
from registry_harness import RegistryTestCase, openssl

NETWORK = ipaddress.IPv6Network("2001:db8:42::/48")   # harness.SERIAL's
TIMEOUT = 60   # for one run of re6st-conf, a key generation included


def snapshot(directory):
    """Every entry, hidden ones too, with its content and mode."""
    entries = {}
    for name in os.listdir(directory):
        path = os.path.join(directory, name)
        with open(path, "rb") as f:
            entries[name] = (f.read(), stat.S_IMODE(os.stat(path).st_mode))
    return entries


def prefix_of(certificate):
    """The node prefix that certificate's CN "P/L" names in NETWORK."""
    subject = openssl("x509", "-in", certificate, "-noout", "-subject",
                      "-nameopt", "RFC2253").decode()
    value, length = map(int, re.search(r"CN=(\d+)/(\d+)", subject).groups())
    if not 0 < length <= 128 - NETWORK.prefixlen or value >> length:
        raise AssertionError("CN %d/%d names no prefix of %s" % (value, length, NETWORK))
    address = int(NETWORK.network_address) | value << (128 - NETWORK.prefixlen - length)
    return ipaddress.IPv6Network((address, NETWORK.prefixlen + length))


def option_file(path):
    """re6stnet.conf as {option: value}, comments left out."""
    with open(path) as f:
        lines = [line.split("#")[0].split() for line in f]
    return dict(line for line in lines if line)


class Enrolment(RegistryTestCase):

    def setUp(self):
        super().setUp()
        self.smtp = self.start_smtp()
        self.registry = self.start_registry("127.0.0.1:%d" % self.smtp.port)
        self.proxy = self.registry.proxy()
        self.url = self.registry.url(path="/")
        self.node = os.path.join(self.dir, "node")
        os.mkdir(self.node)

    def start_conf(self, *args, directory=None, **options):
        """re6st-conf on this registry, its standard streams piped."""
        argv = [harness.PROGRAMS["re6st-conf"], *args, "-d", directory or self.node]
        if "--server" not in args and "--registry" not in args:
            argv[1:1] = ["--registry", self.url]
        process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, **options)

        def stop():
            if process.poll() is None:
                process.kill()
            process.communicate()
        self.addCleanup(stop)
        return process

    def conf(self, *args, input="", **options):
        """re6st-conf run to its end: (exit status, stdout, stderr)."""
        process = self.start_conf(*args, **options)
        out, err = process.communicate(input, timeout=TIMEOUT)
        return process.returncode, out, err

    def token(self, email):
        """A token asked for beforehand, as an operator would have it mailed."""
        self.proxy.requestToken(email)
        return self.smtp.token_for(email)

    def pending_tokens(self):
        return [row[0] for row in harness.snapshot(self.registry.db)["tokens"]]

    def fingerprint(self, digest="sha256"):
        """The CA's, as `openssl x509 -noout -fingerprint` prints it: "5E:8F:..."."""
        out = openssl("x509", "-noout", "-fingerprint", "-" + digest, "-in", self.ca)
        return out.decode().strip().split("=", 1)[1]

    def assertOneLineError(self, err, beginning):
        self.assertRegex(err, r"\A%s[^\n]*\n\Z" % re.escape("re6st-conf: " + beginning))

    def assertEnrolled(self, out, directory=None, registry=None):
        """What a successful enrolment leaves in the directory; the prefix."""
        path = functools.partial(os.path.join, directory or self.node)
        self.assertEqual(sorted(os.listdir(path())),
                         ["ca.pem", "cert.crt", "cert.key", "dh2048.pem", "re6stnet.conf"])
        with open(path("ca.pem")) as f, open(self.ca) as g:
            self.assertEqual(f.read(), g.read())
        self.assertIn(b": OK", openssl("verify", "-CAfile", path("ca.pem"), path("cert.crt")))
        self.assertIn(b": OK", openssl("verify", "-CAfile", self.ca, path("cert.crt")))
        prefix = prefix_of(path("cert.crt"))
        self.assertTrue(prefix.subnet_of(NETWORK), prefix)
        self.assertIn("This node is %s in network %s." % (prefix[1], NETWORK), out)
        self.assertEqual(openssl("x509", "-in", path("cert.crt"), "-noout", "-pubkey"),
                         openssl("pkey", "-in", path("cert.key"), "-pubout"))
        self.assertEqual(stat.S_IMODE(os.stat(path("cert.key")).st_mode), 0o600)
        for name in ("ca.pem", "cert.crt", "dh2048.pem", "re6stnet.conf"):
            self.assertEqual(stat.S_IMODE(os.stat(path(name)).st_mode), 0o644, name)
        check = subprocess.run(["openssl", "dhparam", "-in", path("dh2048.pem"), "-check",
                                "-noout"], capture_output=True, text=True)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        self.assertIn("DH parameters appear to be ok", check.stdout + check.stderr)
        self.assertEqual(option_file(path("re6stnet.conf")), {
            "registry": registry or self.url, "ca": path("ca.pem"), "cert": path("cert.crt"),
            "key": path("cert.key"), "dh": path("dh2048.pem")})
        return prefix

    def test_email_given_token_read_from_stdin(self):
        conf = self.start_conf("--email", "alice@example.org", "-r", "O", "re6st-test")
        token = self.smtp.token_for("alice@example.org", timeout=TIMEOUT)
        out, err = conf.communicate(token + "\n", timeout=TIMEOUT)
        self.assertEqual(conf.returncode, 0, err)
        self.assertEqual(err, "")
        self.assertIn("A token was sent to alice@example.org", out)
        self.assertEnrolled(out)
        subject = openssl("x509", "-in", os.path.join(self.node, "cert.crt"), "-noout",
                          "-subject", "-nameopt", "RFC2253").decode()
        self.assertIn("O=re6st-test", subject)
        self.assertEqual(self.pending_tokens(), [])

    def test_email_and_token_both_read_from_stdin(self):
        conf = self.start_conf()
        conf.stdin.write("bob@example.org\n")
        conf.stdin.flush()
        token = self.smtp.token_for("bob@example.org", timeout=TIMEOUT)
        out, err = conf.communicate(token + "\n", timeout=TIMEOUT)
        self.assertEqual(conf.returncode, 0, err)
        self.assertIn("E-mail address: ", out)
        self.assertIn("Token: ", out)
        self.assertEnrolled(out)

    def test_token_given(self):
        token = self.token("carol@example.org")
        status, out, err = self.conf("--token", token)
        self.assertEqual(status, 0, err)
        self.assertEnrolled(out)
        self.assertEqual(len(self.smtp.messages), 1)   # no other token asked for
        self.assertEqual(self.pending_tokens(), [])

    def test_ca_only(self):
        status, out, err = self.conf("--ca-only")
        self.assertEqual(status, 0, err)
        self.assertEqual(os.listdir(self.node), ["ca.pem"])
        with open(os.path.join(self.node, "ca.pem")) as f:
            self.assertEqual(f.read(), self.proxy.getCa())
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(self.node, "ca.pem")).st_mode), 0o644)
        self.assertEqual(self.smtp.messages, [])

    def test_same_key_again(self):
        status, out, err = self.conf("--token", self.token("dave@example.org"))
        self.assertEqual(status, 0, err)
        first = self.assertEnrolled(out)
        before = snapshot(self.node)

        # Without --force: refused before the registry is called.
        token = self.token("dave@example.org")
        status, out, err = self.conf("--token", token)
        self.assertEqual(status, 1)
        self.assertOneLineError(err, os.path.join(self.node, "cert.crt")
                                + " exists: re6st-conf --force replaces it")
        self.assertEqual(snapshot(self.node), before)
        self.assertEqual(self.pending_tokens(), [token])

        # With --force, that very token: the same key, a new certificate.
        status, out, err = self.conf("--token", token, "--force")
        self.assertEqual(status, 0, err)
        self.assertIn("Reusing the key in " + os.path.join(self.node, "cert.key"), out)
        second = self.assertEnrolled(out)
        after = snapshot(self.node)
        self.assertEqual(after["cert.key"], before["cert.key"])
        self.assertNotEqual(after["cert.crt"], before["cert.crt"])
        self.assertNotEqual(*(openssl("x509", "-noout", "-serial", input=entries["cert.crt"][0])
                              for entries in (after, before)))
        self.assertEqual(self.pending_tokens(), [])
        self.assertNotEqual(second, first)   # a new prefix for the new certificate

    def test_expired_certificate(self):
        """A node the registry no longer renews: its certificate expired, it
        is enrolled again with the same key."""
        status, out, err = self.conf("--token", self.token("ivan@example.org"))
        self.assertEqual(status, 0, err)
        first = self.assertEnrolled(out)
        key, certificate = (os.path.join(self.node, name) for name in ("cert.key", "cert.crt"))
        csr = openssl("req", "-new", "-key", key, "-subj", "/CN=expired")
        with open(certificate, "wb") as f:   # "-days -1": it expired a day ago
            f.write(openssl("x509", "-req", "-CA", self.ca, "-CAkey", self.key, "-days", "-1",
                            "-set_serial", "7", input=csr))
        before = snapshot(self.node)

        status, out, err = self.conf("--email", "ivan@example.org")
        self.assertEqual(status, 1)
        self.assertRegex(err, r"\Are6st-conf: %s expired on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC: "
                              r"re6st-conf --force enrols this node again, with the same key\n\Z"
                         % re.escape(certificate))
        self.assertEqual(snapshot(self.node), before)

        status, out, err = self.conf("--email", "ivan@example.org", "--force",
                                     input=self.token("ivan@example.org") + "\n")
        self.assertEqual(status, 0, err)
        self.assertNotEqual(self.assertEnrolled(out), first)
        self.assertEqual(snapshot(self.node)["cert.key"], before["cert.key"])

    def test_fingerprint_given(self):
        """As openssl prints it, or without colons in lower case."""
        fingerprint = self.fingerprint()
        for i, given in enumerate((fingerprint, fingerprint.replace(":", "").lower())):
            node = os.path.join(self.dir, "node%d" % i)
            status, out, err = self.conf("--fingerprint", "sha256:" + given,
                                         "--token", self.token("judy@example.org"),
                                         directory=node)
            self.assertEqual(status, 0, err)
            self.assertIn("has fingerprint sha256:%s, as --fingerprint says\n" % fingerprint, out)
            self.assertEnrolled(out, directory=node)

    def test_fingerprint_shown_without_the_option(self):
        status, out, err = self.conf("--token", self.token("kim@example.org"))
        self.assertEqual(status, 0, err)
        self.assertIn("has fingerprint sha256:%s (unchecked: no --fingerprint given)\n"
                      % self.fingerprint(), out)

    def test_wrong_fingerprint(self):
        """Refused right after getCa: no token mailed or spent, no certificate
        issued, nothing written."""
        enrolled = os.path.join(self.dir, "enrolled")
        os.mkdir(enrolled)
        status, _, err = self.conf("--token", self.token("leo@example.org"), directory=enrolled)
        self.assertEqual(status, 0, err)
        token = self.token("leo@example.org")
        wrong = "sha256:" + ":".join(["00"] * 32)
        registry_before = harness.snapshot(self.registry.db)
        mails = len(self.smtp.messages)
        log = self.registry.text()
        self.assertIn("requestToken", log)   # what a call leaves in the log
        for directory, args in ((self.node, ("--email", "leo@example.org")),
                                (self.node, ("--token", token)),
                                (self.node, ("--ca-only",)),
                                (enrolled, ("--token", token, "--force"))):
            before = snapshot(directory)
            status, out, err = self.conf("--fingerprint", wrong, *args, directory=directory)
            self.assertEqual(status, 1, args)
            self.assertEqual(err, "re6st-conf: the registry's CA certificate has fingerprint "
                                  "sha256:%s but --fingerprint is %s: refusing it\n"
                                  % (self.fingerprint(), wrong))
            self.assertNotIn("E-mail address", out)
            self.assertEqual(snapshot(directory), before, args)
        self.assertEqual(len(self.smtp.messages), mails)
        self.assertEqual(harness.snapshot(self.registry.db), registry_before)
        self.assertEqual(self.pending_tokens(), [token])
        later = self.registry.text()[len(log):]
        self.assertNotIn("requestToken", later)
        self.assertNotIn("requestCertificate", later)

    def test_bad_token(self):
        # An empty directory, and one enrolled already (replaced only with --force).
        enrolled = os.path.join(self.dir, "enrolled")
        os.mkdir(enrolled)
        status, _, err = self.conf("--token", self.token("erin@example.org"), directory=enrolled)
        self.assertEqual(status, 0, err)
        for directory, force in ((self.node, ()), (enrolled, ("--force",))):
            before = snapshot(directory)
            status, out, err = self.conf("--token", "aaaaaaaaaaaaaaaa", *force,
                                         directory=directory)
            self.assertEqual(status, 1, directory)
            self.assertOneLineError(
                err, "the registry refused the token or the certificate request: %s: "
                     "requestCertificate: fault 1: " % self.url)
            self.assertEqual(snapshot(directory), before, directory)

    def test_interrupted_at_the_token_prompt(self):
        # An empty directory, an enrolled one, and one re6st-conf would make.
        enrolled = os.path.join(self.dir, "enrolled")
        os.mkdir(enrolled)
        status, _, err = self.conf("--token", self.token("frank@example.org"), directory=enrolled)
        self.assertEqual(status, 0, err)
        missing = os.path.join(self.dir, "missing", "node")
        for directory, force in ((self.node, ()), (enrolled, ("--force",)), (missing, ())):
            before = snapshot(directory) if os.path.exists(directory) else None
            conf = self.start_conf("--email", "frank@example.org", *force, directory=directory)
            prompted = ""
            deadline = time.monotonic() + TIMEOUT
            while not prompted.endswith("Token: "):
                self.assertLess(time.monotonic(), deadline, prompted)
                if select.select([conf.stdout], [], [], 1)[0]:
                    prompted += os.read(conf.stdout.fileno(), 4096).decode()
                self.assertIsNone(conf.poll(), prompted)
            conf.send_signal(signal.SIGINT)
            self.assertEqual(conf.wait(TIMEOUT), -signal.SIGINT)
            if before is None:
                self.assertFalse(os.path.exists(os.path.join(self.dir, "missing")))
            else:
                self.assertEqual(snapshot(directory), before, directory)

    def test_missing_directory_is_made(self):
        node = os.path.join(self.dir, "new", "node")
        status, out, err = self.conf("--token", self.token("grace@example.org"),
                                     directory=node, umask=0o077)
        self.assertEqual(status, 0, err)
        self.assertEnrolled(out, directory=node)
        for directory in (os.path.dirname(node), node):
            self.assertEqual(stat.S_IMODE(os.stat(directory).st_mode), 0o755, directory)

    def test_ipv6_registry(self):
        port = str(self.registry.port)
        registry = "http://[::1]:%s/" % port
        for i, how in enumerate((["--server", "::1", "--port", port], ["--registry", registry])):
            node = os.path.join(self.dir, "node%d" % i)
            status, out, err = self.conf(*how, "--token", self.token("heidi@example.org"),
                                         directory=node)
            self.assertEqual(status, 0, err)
            self.assertEnrolled(out, directory=node, registry=registry)


if __name__ == "__main__":
    harness.main("re6st-conf")
