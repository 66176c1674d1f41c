"""What the integration tests of re6st-registry and re6st-conf run against: a
throw-away CA made with the openssl tool, a real SMTP server (aiosmtpd) that
keeps the mails it receives, the registry binary itself on a port of its
choosing, and a read-only view of its database. Standard library and
python3-aiosmtpd only. Test modules put this directory on sys.path.
"""

import os
import re
import signal
import socket
import ssl
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import xmlrpc.client

TOKEN = re.compile(r"^([a-z2-7]{16})\r?$", re.M)
SERIAL = "0x120010db80042"   # network 2001:db8:42::/48 (SPEC A.2)

BINARY = None     # re6st-registry, set by main()
PROGRAMS = {}     # the other programs a test module names to main(), by name


def openssl(*args, input=None):
    result = subprocess.run(["openssl", *args], input=input, capture_output=True)
    if result.returncode:
        raise RuntimeError("openssl %s: %s" % (" ".join(args), result.stderr.decode()))
    return result.stdout


def make_ca(directory, serial=SERIAL):
    """ca.crt and ca.key (mode 0600) as SPEC A.2 tells operators to."""
    key = os.path.join(directory, "ca.key")
    crt = os.path.join(directory, "ca.crt")
    openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key)
    os.chmod(key, 0o600)
    openssl("req", "-nodes", "-new", "-x509", "-key", key, "-set_serial", serial, "-days", "30",
            "-subj", "/O=re6st-test/CN=test-ca",
            "-addext", "basicConstraints=critical,CA:TRUE", "-out", crt)
    return crt, key


def make_csr(directory, name, bits=2048):
    """A fresh key NAME.key and the PEM text of its CSR."""
    key = os.path.join(directory, name + ".key")
    csr = os.path.join(directory, name + ".csr")
    openssl("req", "-new", "-newkey", "rsa:%d" % bits, "-nodes", "-keyout", key,
            "-subj", "/O=re6st-test/CN=" + name, "-out", csr)
    with open(csr) as f:
        return key, f.read()


def cn_prefix(certificate_pem):
    """The binary prefix of a node certificate's CN "<P>/<L>"."""
    subject = openssl("x509", "-noout", "-subject", "-nameopt", "RFC2253",
                      input=certificate_pem.encode()).decode()
    value, length = re.search(r"CN=(\d+)/(\d+)", subject).groups()
    return format(int(value), "0%db" % int(length))


def node_address(prefix):
    """The node address of a binary prefix in 2001:db8:42::/48."""
    bits = "0010000000000001" "0000110110111000" "0000000001000010" + prefix
    bits = bits.ljust(127, "0") + "1"
    return socket.inet_ntop(socket.AF_INET6, int(bits, 2).to_bytes(16, "big"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def smtp_tls(directory):
    """(certificate path, server-side SSL context) of a self-signed SMTP
    server on 127.0.0.1, for STARTTLS tests."""
    cert = os.path.join(directory, "smtp.crt")
    key = os.path.join(directory, "smtp.key")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
            "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", key, "-out", cert)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return cert, context


class SmtpServer:
    """aiosmtpd on 127.0.0.1, keeping every message it is given."""

    def __init__(self, **smtp_parameters):
        from aiosmtpd.controller import Controller

        server = self

        class Keep:
            async def handle_DATA(self, _server, _session, envelope):
                with server.lock:
                    server.messages.append((envelope.rcpt_tos, envelope.content.decode()))
                    server.arrived.notify_all()
                return "250 OK"

        self.messages = []
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        self.port = free_port()
        self.controller = Controller(Keep(), hostname="127.0.0.1", port=self.port,
                                     **smtp_parameters)
        self.controller.start()

    def stop(self):
        self.controller.stop()

    def token_for(self, email, timeout=10):
        """The token of the last mail to EMAIL, waiting for it if needed."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                for recipients, text in reversed(self.messages):
                    if email in recipients:
                        return TOKEN.findall(text)[-1]
                if not self.arrived.wait(deadline - time.monotonic()):
                    raise AssertionError("no mail to %s within %ss" % (email, timeout))


class SilentSmtpServer:
    """A mail server that accepts connections and never says a word."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.port = self.socket.getsockname()[1]

    def stop(self):
        self.socket.close()


class Registry:
    """The re6st-registry binary, on a port it picks, logging to a file."""

    def __init__(self, directory, ca, key, mailhost, *extra, db=None, netns=None, port="0",
                 raw_args=None, verbosity=2, wrapper=()):
        self.directory = directory
        self.proxies = []
        self.db = db or os.path.join(directory, "registry.db")
        self.log_path = os.path.join(directory, "registry-%d.log" % time.monotonic_ns())
        if raw_args is None:
            argv = [BINARY, port, "--db", self.db, "--ca", ca, "--key", key,
                    "--mailhost", mailhost, "-v", str(verbosity), *extra]
        else:
            argv = [BINARY, *raw_args]
        argv = list(wrapper) + argv   # e.g. setpriv, to run as another user
        if netns:
            argv = ["ip", "netns", "exec", netns] + argv
        self.log = open(self.log_path, "w+")
        self.process = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                        stdout=self.log, stderr=self.log)
        self.port = self._wait_for_port()

    def _wait_for_port(self, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(r"listening on 0\.0\.0\.0:(\d+)", self.text())
            if match:
                return int(match.group(1))
            if self.process.poll() is not None:
                raise AssertionError("re6st-registry exited %d:\n%s"
                                     % (self.process.returncode, self.text()))
            time.sleep(0.02)
        raise AssertionError("re6st-registry did not start:\n" + self.text())

    def text(self):
        with open(self.log_path) as f:
            return f.read()

    def url(self, host="127.0.0.1", path=""):
        return "http://%s:%d%s" % (host, self.port, path)

    def proxy(self, host="127.0.0.1", path=""):
        proxy = xmlrpc.client.ServerProxy(self.url(host, path))
        self.proxies.append(proxy)   # closed with the registry
        return proxy

    def alive(self):
        return self.process.poll() is None

    def stop(self, timeout=15):
        """SIGTERM, and the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        finally:
            self.kill()

    def kill(self):
        for proxy in self.proxies:
            proxy("close")()
        self.proxies.clear()
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if not self.log.closed:
            self.log.close()
            # In a sanitizer build, a report is a failure of the test.
            text = self.text()
            for report in ("Sanitizer", "runtime error:"):
                if report in text:
                    raise AssertionError("re6st-registry: %s report:\n%s" % (report, text))


def snapshot(db):
    """Every row of the three tables, read-only: vpn (prefix, email, cert,
    expires), tokens (token, email, prefix_len, date), peers (prefix, address,
    date)."""
    connection = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    try:
        return {table: sorted(connection.execute("SELECT %s FROM %s" % (columns, table)).fetchall())
                for table, columns in (("vpn", "prefix, email, cert, expires"),
                                       ("tokens", "token, email, prefix_len, date"),
                                       ("peers", "prefix, address, date"))}
    finally:
        connection.close()


def integrity(db):
    connection = sqlite3.connect(db)
    try:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        connection.close()


class RegistryTestCase(unittest.TestCase):
    """A scratch directory, a CA, and cleanup of whatever a test starts."""

    def setUp(self):
        scratch = tempfile.TemporaryDirectory(prefix="re6st-registry-test-")
        self.addCleanup(scratch.cleanup)
        self.dir = scratch.name
        self.ca, self.key = make_ca(self.dir)

    def start_smtp(self, **parameters):
        server = SmtpServer(**parameters)
        self.addCleanup(server.stop)
        return server

    def start_registry(self, mailhost, *extra, **options):
        registry = Registry(self.dir, self.ca, self.key, mailhost, *extra, **options)
        self.addCleanup(registry.kill)
        return registry

    def enrol(self, proxy, smtp, email, name=None):
        """requestToken + requestCertificate; (prefix, certificate, key file)."""
        proxy.requestToken(email)
        key, csr = make_csr(self.dir, name or email.split("@")[0])
        certificate = proxy.requestCertificate(smtp.token_for(email), csr)
        return cn_prefix(certificate), certificate, key


def main(*others):
    """Runs the tests of the calling module:
    python3 test_x.py RE6ST_REGISTRY [OTHER...] [unittest arguments],
    one OTHER path for each program named in `others` (PROGRAMS["re6st-conf"])."""
    global BINARY
    names = ["RE6ST_REGISTRY"] + [name.upper().replace("-", "_") for name in others]
    if len(sys.argv) <= len(names):
        sys.exit("usage: %s %s [unittest arguments]" % (sys.argv[0], " ".join(names)))
    BINARY = os.path.abspath(sys.argv.pop(1))
    for name in others:
        PROGRAMS[name] = os.path.abspath(sys.argv.pop(1))
    unittest.main(module="__main__", verbosity=2)
