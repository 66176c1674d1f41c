"""A registry down for months never makes OpenVPN refuse valid peers.

Real OpenVPN on 127.0.0.1 (`--dev null`, one TLS server and one client per
case), with a test CA and three node certificates valid for a year: the
server's ("1/16"), a valid client's ("2/16") and a revoked client's
("3/16"). The server runs as the daemon runs its OpenVPN processes: as
nobody, with `--crl-verify DIR dir` on a directory written by the daemon's
own code (write_revoked_dir) from the revoked serial.

1. Now: the valid client completes its handshake; the revoked one is
   refused, the server naming its serial.
2. 200 days ahead for both ends (libfaketime preloaded into both OpenVPN
   processes; the certificates are still valid, any CRL's nextUpdate
   would have passed): the same. The directory has no date.
3. The trap, seen: the same server with an X.509 CRL file instead
   (`openssl ca -gencrl`, nextUpdate 30 days, listing the revoked serial)
   accepts the valid client and refuses the revoked one now; 200 days
   ahead it refuses the VALID client. OpenVPN 2.6 with OpenSSL 3.0 logs
   "VERIFY ERROR: depth=0, error=CRL has expired: CN=2/16" and fails the
   handshake: a node fed CRL files by a registry down that long would
   refuse every peer.

Case 3 also shows that libfaketime reaches OpenVPN's certificate checks
(by hand: 2 years ahead, the certificates are refused as expired), so
case 2 is not passing for want of a shifted clock. The client has no
--crl-verify: the server is the end that refuses, and says why in its log.

Needs root (OpenVPN drops to nobody), openvpn and libfaketime (Debian's
faketime); exits 77 without them.

Usage: test_revoked_handshake.py WRITE_REVOKED_DIR [unittest arguments]
"""

import glob
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

WRITE_REVOKED_DIR = None
OPENVPN = shutil.which("openvpn") or "/usr/sbin/openvpn"
LIBFAKETIME = next(iter(sorted(glob.glob("/usr/lib/*/faketime/libfaketime.so.1"))), None)

# Bound of every wait, in seconds: a handshake on loopback takes about one.
WAIT = 15
# How far ahead the clock runs for a registry down for months, in days.
AHEAD_DAYS = 200

CA_CONFIG = """\
[ca]
default_ca = test_ca
[test_ca]
dir = .
database = index.txt
new_certs_dir = .
certificate = ca.crt
private_key = ca.key
serial = serial
default_md = sha256
default_days = 365
default_crl_days = 30
policy = any_name
unique_subject = no
[any_name]
commonName = supplied
"""

SERVER, VALID, REVOKED = "1/16", "2/16", "3/16"


def openssl(directory, *args):
    subprocess.run(["openssl", *args], cwd=directory, check=True, timeout=60,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def file_name(cn):
    return "node" + cn.split("/")[0]


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OpenVpn:
    """One OpenVPN process, its output in a file, ended by its pid."""

    def __init__(self, log, argv, days_ahead):
        self.log_path = log
        env = dict(os.environ)
        if days_ahead:
            # Preloaded here rather than through the faketime wrapper, which
            # would stand between us and OpenVPN's pid.
            env.update(LD_PRELOAD=LIBFAKETIME, FAKETIME="+%dd" % days_ahead)
        with open(log, "wb") as out:
            self.process = subprocess.Popen([OPENVPN, *argv], env=env, stdin=subprocess.DEVNULL,
                                            stdout=out, stderr=subprocess.STDOUT)

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def wait_for(self, pattern):
        """The first match of `pattern` in the log, or None after WAIT s."""
        deadline = time.monotonic() + WAIT
        while True:
            match = re.search(pattern, self.log(), re.M)
            if match or time.monotonic() > deadline:
                return match
            time.sleep(0.1)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(WAIT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class RevokedHandshake(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="re6st-revoked-handshake.")
        cls.addClassCleanup(shutil.rmtree, cls.dir)
        # OpenVPN looks the revoked serials up as nobody.
        os.chmod(cls.dir, 0o755)
        cls.make_certificates()
        cls.revoked_dir = os.path.join(cls.dir, "revoked")
        subprocess.run([WRITE_REVOKED_DIR, cls.revoked_dir, cls.serial[REVOKED]], check=True,
                       timeout=WAIT)
        cls.crl = os.path.join(cls.dir, "crl.pem")
        openssl(cls.dir, "ca", "-config", "ca.cnf", "-gencrl", "-crldays", "30", "-out", cls.crl)

    @classmethod
    def make_certificates(cls):
        with open(os.path.join(cls.dir, "ca.cnf"), "w") as f:
            f.write(CA_CONFIG)
        open(os.path.join(cls.dir, "index.txt"), "w").close()
        # Serials whose decimal and hex forms differ, as OpenVPN names the
        # files in decimal.
        with open(os.path.join(cls.dir, "serial"), "w") as f:
            f.write("1000A3F0\n")
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        # The CA outlives the nodes' certificates, so that only they expire.
        openssl(cls.dir, "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt",
                "-days", "3650", "-subj", "/CN=test CA")
        cls.serial = {}
        for cn in (SERVER, VALID, REVOKED):
            name = file_name(cn)
            openssl(cls.dir, "req", "-new", *ec, "-keyout", name + ".key", "-out", name + ".csr",
                    "-subj", "/CN=" + cn.replace("/", "\\/"))
            openssl(cls.dir, "ca", "-batch", "-config", "ca.cnf", "-notext", "-days", "365",
                    "-in", name + ".csr", "-out", name + ".crt")
            out = subprocess.run(["openssl", "x509", "-in", name + ".crt", "-noout", "-serial"],
                                 cwd=cls.dir, check=True, capture_output=True, text=True,
                                 timeout=WAIT).stdout
            cls.serial[cn] = out.strip().split("=", 1)[1]
        openssl(cls.dir, "ca", "-config", "ca.cnf", "-revoke", file_name(REVOKED) + ".crt")

    def credentials(self, cn):
        name = os.path.join(self.dir, file_name(cn))
        return ["--ca", os.path.join(self.dir, "ca.crt"),
                "--cert", name + ".crt", "--key", name + ".key"]

    def start(self, role, argv, days_ahead):
        log = os.path.join(self.dir, "%s-%s.log" % (self.id().rsplit(".", 1)[1], role))
        openvpn = OpenVpn(log, argv, days_ahead)
        self.addCleanup(openvpn.stop)
        return openvpn

    def handshake(self, crl_verify, client_cn, days_ahead=0):
        """(server, client) once the server is listening and the client
        started, with `crl_verify` the server's --crl-verify arguments."""
        port = free_udp_port()
        common = ["--dev", "null", "--proto", "udp", "--verb", "3", "--tls-timeout", "1"]
        server = self.start("server", [
            *common, "--tls-server", "--dh", "none", *self.credentials(SERVER),
            "--local", "127.0.0.1", "--lport", str(port),
            "--user", "nobody", "--group", "nogroup", "--persist-key",
            "--crl-verify", *crl_verify], days_ahead)
        self.assertTrue(server.wait_for(r"link local \(bound\)"), server.log())
        client = self.start("client", [
            *common, "--tls-client", *self.credentials(client_cn),
            "--remote", "127.0.0.1", str(port), "--nobind"], days_ahead)
        if days_ahead:
            self.assertRunsAhead(server, days_ahead)
            self.assertRunsAhead(client, days_ahead)
        return server, client

    def assertRunsAhead(self, openvpn, days_ahead):
        """OpenVPN's own clock, as its log's time stamps show, is
        `days_ahead` ahead of ours."""
        match = openvpn.wait_for(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) ")
        self.assertTrue(match, openvpn.log())
        stamp = time.mktime(time.strptime(match.group(1), "%Y-%m-%d %H:%M:%S"))
        self.assertAlmostEqual((stamp - time.time()) / 86400, days_ahead, delta=0.5)

    def assertAccepted(self, server, client, cn):
        self.assertTrue(server.wait_for(r"\[%s\] Peer Connection Initiated" % re.escape(cn)),
                        server.log())
        self.assertTrue(client.wait_for(r"Initialization Sequence Completed"), client.log())

    def assertRefused(self, server, client, why):
        self.assertTrue(server.wait_for(why), server.log())
        self.assertNotIn("Peer Connection Initiated", server.log())
        self.assertNotIn("Initialization Sequence Completed", client.log())

    def revoked_by_dir(self):
        return r"VERIFY CRL: depth=0, CN=%s, serial=%d is revoked" % (
            re.escape(REVOKED), int(self.serial[REVOKED], 16))

    def test_dir_now(self):
        self.assertAccepted(*self.handshake([self.revoked_dir, "dir"], VALID), VALID)
        self.assertRefused(*self.handshake([self.revoked_dir, "dir"], REVOKED),
                           self.revoked_by_dir())

    def test_dir_months_ahead(self):
        self.assertAccepted(*self.handshake([self.revoked_dir, "dir"], VALID, AHEAD_DAYS), VALID)
        self.assertRefused(*self.handshake([self.revoked_dir, "dir"], REVOKED, AHEAD_DAYS),
                           self.revoked_by_dir())

    def test_crl_file_now(self):
        self.assertAccepted(*self.handshake([self.crl], VALID), VALID)
        self.assertRefused(*self.handshake([self.crl], REVOKED),
                           r"VERIFY ERROR: depth=0, error=certificate revoked: CN=%s"
                           % re.escape(REVOKED))

    def test_crl_file_months_ahead_refuses_valid_peers(self):
        self.assertRefused(*self.handshake([self.crl], VALID, AHEAD_DAYS),
                           r"VERIFY ERROR: depth=0, error=CRL has expired: CN=%s"
                           % re.escape(VALID))


def main():
    global WRITE_REVOKED_DIR
    WRITE_REVOKED_DIR = sys.argv.pop(1)
    if os.geteuid() != 0:
        print("skipped: needs root (OpenVPN drops to nobody)")
        sys.exit(77)
    for what, found in (("openvpn", os.access(OPENVPN, os.X_OK)),
                        ("libfaketime (Debian's faketime)", LIBFAKETIME)):
        if not found:
            print("skipped: no %s" % what)
            sys.exit(77)
    unittest.main(verbosity=2)


if __name__ == "__main__":
    main()
