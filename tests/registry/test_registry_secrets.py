"""Secrets around a live re6st-registry and re6st-conf: the CA key must be
readable by its owner alone, the registry runs as an unprivileged user, and
no token, key or SMTP password ever reaches the registry's log (at its
highest verbosity) or re6st-conf's output; the key re6st-conf makes is
created mode 0600.

Usage: test_registry_secrets.py RE6ST_REGISTRY RE6ST_CONF [unittest arguments]
"""

import base64
import os
import pwd
import re
import shutil
import stat
import subprocess
import sys
import unittest
import xmlrpc.client

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import registry_harness as harness
from registry_harness import RegistryTestCase, openssl

PASSWORD = "s3cret-Pa55"


def key_material(pem_file):
    """The base64 lines of a PEM key, each long enough to be unmistakable."""
    with open(pem_file) as f:
        return [line for line in f.read().splitlines() if len(line) >= 40 and "-----" not in line]


class Secrets(RegistryTestCase):

    def run_registry(self, *args):
        result = subprocess.run([harness.BINARY, *args], capture_output=True, text=True,
                                timeout=30)
        return result.returncode, result.stderr

    def test_ca_key_readable_by_others_is_refused(self):
        for mode in (0o644, 0o604, 0o640, 0o620, 0o602, 0o610):
            os.chmod(self.key, mode)
            status, err = self.run_registry(
                "0", "--db", os.path.join(self.dir, "r.db"), "--ca", self.ca, "--key", self.key,
                "--mailhost", os.path.join(self.dir, "mbox"))
            self.assertEqual(status, 1, oct(mode))
            self.assertRegex(err, r"\A[^\n]*--key %s: the CA key is accessible by group or "
                             r"others \(mode 0%o\); run: chmod 600 %s\n\Z"
                             % (re.escape(self.key), mode, re.escape(self.key)))
            self.assertNotIn("listening", err)
        for mode in (0o600, 0o400):
            os.chmod(self.key, mode)
            registry = self.start_registry(os.path.join(self.dir, "mbox"))
            self.assertIn("BEGIN CERTIFICATE", registry.proxy().getCa())
            self.assertEqual(registry.stop(), 0)

    @unittest.skipUnless(os.geteuid() == 0 and shutil.which("setpriv"),
                         "needs root (and setpriv) to switch to nobody")
    def test_runs_as_nobody(self):
        nobody = pwd.getpwnam("nobody")
        binary = os.path.realpath(harness.BINARY)
        if not os.access(binary, os.X_OK) or os.stat(binary).st_mode & 0o005 != 0o005:
            self.skipTest("the build tree is not readable by others")
        # What the registry reads or writes, owned by nobody, in a directory
        # it can enter; the CA certificate readable by all.
        home = os.path.join(self.dir, "nobody")
        os.mkdir(home)
        os.chmod(self.dir, 0o711)
        os.chown(home, nobody.pw_uid, nobody.pw_gid)
        for name, mode in (("ca.key", 0o600), ("ca.crt", 0o644)):
            path = os.path.join(home, name)
            shutil.copy(os.path.join(self.dir, name), path)
            os.chown(path, nobody.pw_uid, nobody.pw_gid)
            os.chmod(path, mode)
        self.ca, self.key = os.path.join(home, "ca.crt"), os.path.join(home, "ca.key")
        registry = self.start_registry(
            os.path.join(home, "mbox"), db=os.path.join(home, "registry.db"),
            wrapper=["setpriv", "--reuid", str(nobody.pw_uid), "--regid", str(nobody.pw_gid),
                     "--clear-groups", "--inh-caps=-all", "--bounding-set=-all",
                     "--no-new-privs"])
        with open("/proc/%d/status" % registry.process.pid) as f:
            ids = dict(line.split(":", 1) for line in f if ":" in line)
        self.assertEqual(ids["Uid"].split(), [str(nobody.pw_uid)] * 4)
        self.assertEqual(int(ids["CapEff"], 16), 0)
        proxy = registry.proxy()
        self.assertIn("BEGIN CERTIFICATE", proxy.getCa())
        proxy.requestToken("nobody@example.org")
        with open(os.path.join(home, "mbox")) as f:
            token = harness.TOKEN.findall(f.read())[-1]
        _, csr = harness.make_csr(self.dir, "node")
        self.assertIn("BEGIN CERTIFICATE", proxy.requestCertificate(token, csr))
        self.assertEqual(os.stat(os.path.join(home, "registry.db")).st_uid, nobody.pw_uid)
        self.assertEqual(registry.stop(), 0)

    def test_no_secret_in_the_log_nor_in_re6st_conf_output(self):
        # SMTP with STARTTLS and a password, so that the password travels.
        cert, context = harness.smtp_tls(self.dir)

        def authenticate(server, session, envelope, mechanism, auth_data):
            from aiosmtpd.smtp import AuthResult
            return AuthResult(success=auth_data.password == PASSWORD.encode())

        smtp = self.start_smtp(tls_context=context, require_starttls=True, auth_required=True,
                               authenticator=authenticate)
        password_file = os.path.join(self.dir, "password")
        with open(password_file, "w") as f:
            f.write(PASSWORD + "\n")
        registry = self.start_registry(
            "127.0.0.1:%d" % smtp.port, "--smtp-starttls", "--smtp-ca", cert,
            "--smtp-user", "registry", "--smtp-password-file", password_file, verbosity=3)

        # An enrolment by re6st-conf, the token typed on its standard input.
        node = os.path.join(self.dir, "node")
        conf = subprocess.Popen([harness.PROGRAMS["re6st-conf"], "--registry", registry.url(),
                                 "-d", node, "--email", "alice@example.org"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        token = smtp.token_for("alice@example.org")
        out, err = conf.communicate(token + "\n", timeout=60)
        self.assertEqual(conf.returncode, 0, err)
        node_key = os.path.join(node, "cert.key")
        self.assertEqual(stat.S_IMODE(os.stat(node_key).st_mode), 0o600)
        # A used token, a wrong one, a CSR from another key: refusals log too.
        proxy = registry.proxy()
        _, csr = harness.make_csr(self.dir, "other")
        for bad in (token, "a" * 16):
            with self.assertRaises(xmlrpc.client.Fault):
                proxy.requestCertificate(bad, csr)
        proxy.requestToken("bob@example.org")
        unused = smtp.token_for("bob@example.org")
        self.assertEqual(registry.stop(), 0)

        secrets = {"token": token, "unused token": unused, "SMTP password": PASSWORD,
                   "SMTP AUTH PLAIN": base64.b64encode(b"\0registry\0" + PASSWORD.encode())
                   .decode()}
        for i, line in enumerate(key_material(self.key)):
            secrets["CA key line %d" % i] = line
        for i, line in enumerate(key_material(node_key)):
            secrets["node key line %d" % i] = line
        log = registry.text()
        self.assertIn("-v 3", " ".join(registry.process.args))   # the highest verbosity
        for what, secret in secrets.items():
            self.assertNotIn(secret, log, what)
            self.assertNotIn(secret, out, what)
            self.assertNotIn(secret, err, what)
        self.assertNotIn("PRIVATE KEY", log + out + err)


if __name__ == "__main__":
    harness.main("re6st-conf")
