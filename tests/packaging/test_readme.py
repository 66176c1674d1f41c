"""The README's "Installation" and "Setting up a network" sections, followed
as a new administrator would.

Every sh block of README.rst that a ".. machine: NAME" comment precedes is
run as it stands, only the registry's example address 192.0.2.42 replaced
by the address of the test's registry machine, and the example fingerprint
of the CA certificate by that of the CA the README had the test make there
(computed with openssl from the registry's file), so that every re6st-conf
checks the real CA:

* "build" blocks on this machine, from the top of the tree (the build
  directory CTest uses is passed to packaging/build-deb when it is not the
  default one);
* "every" blocks in a fresh Debian 12 root (debroot.py), next to the
  package, with "y" typed at apt's question;
* "registry" blocks on the registry's machine, "node" blocks on each of two
  other machines: three machines booted with systemd from that root, each in
  a network namespace on a bridge (testbed.py), so the services run under
  real systemd with their hardening. re6st-conf gets, on its standard input,
  the token mailed by the registry to a real SMTP server listening where the
  README's registry mails (localhost:25 on the registry's machine). Blocks
  that only ping are retried, as a person would, for up to two minutes; after a block that starts the registry, the next waits until it
  listens, as a person is slower than systemctl (the service is "started"
  when exec'd: re6st-registry does not tell systemd when it is ready).

Then the two nodes must reach each other over the overlay too, the units'
hardening must have refused nothing, a forced logrotate must make the daemon
reopen its logs, a daemon killed with SIGKILL must be restarted and its node
rejoin, and `systemctl stop re6stnet` must leave no OpenVPN, babeld or
tunnel behind. Needs root.
"""

import mailbox
import os
import re
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "tests", "network"))
import debroot   # noqa: E402
import testbed   # noqa: E402

EXAMPLE_IP = "192.0.2.42"
# The README's example SHA-256 fingerprint of the CA certificate.
EXAMPLE_FINGERPRINT = ("5E:8F:16:06:2E:A3:CD:2C:4A:0D:54:78:76:BA:A6:F3:"
                       "8C:AB:F6:25:8F:C6:A7:8C:0D:A9:1E:63:33:17:3B:0D")
REGISTRY_CA = "/var/lib/re6stnet/registry/ca.crt"   # where the README makes it
EMAIL = "admin@example.com"
PING_TIMEOUT = 120   # "within a minute or two", says the README
REGISTRY_PORT = 9080   # the README's


def readme_blocks():
    """[(machine, sh text)] in the README's order."""
    with open(os.path.join(TOP, "README.rst")) as f:
        text = f.read()
    blocks = []
    pattern = re.compile(r"^\.\. machine: (\S+)\n\.\. code-block:: sh\n\n((?:   .*\n|\n)+)", re.M)
    for machine, body in pattern.findall(text):
        lines = [line[3:] for line in body.rstrip("\n").split("\n")]
        blocks.append((machine, "\n".join(lines) + "\n"))
    return blocks


@unittest.skipUnless(os.geteuid() == 0, "needs root for namespaces and systemd-nspawn")
class Readme(unittest.TestCase):
    def setUp(self):
        self.blocks = readme_blocks()
        machines = [m for m, _ in self.blocks]
        for needed in ("build", "every", "registry", "node"):
            self.assertIn(needed, machines, "the README has no %s block" % needed)
        for _, block in self.blocks:
            if "re6st-conf" in block:
                self.assertIn("--fingerprint sha256:" + EXAMPLE_FINGERPRINT, block)
        self.seen_mails = set()

    def report(self, what, seconds):
        print("%s: %.1f s" % (what, seconds), file=sys.stderr)

    def test_setting_up_a_network(self):
        start = time.monotonic()
        deb = self.build()
        self.report("package built", time.monotonic() - start)
        with debroot.Root() as root, testbed.TestBed("rdm") as bed:
            for machine, block in self.blocks:
                if machine == "every":
                    root.install(block, deb, input="y\n")
            self.report("package installed in a fresh root", time.monotonic() - start)
            hosts = [bed.add_host(name) for name in ("reg", "n1", "n2")]
            self.registry_ip = hosts[0].ipv4
            with debroot.Machine(root, "reg", hosts[0].netns) as reg, \
                    debroot.Machine(root, "n1", hosts[1].netns) as n1, \
                    debroot.Machine(root, "n2", hosts[2].netns) as n2:
                self.report("three machines booted", time.monotonic() - start)
                try:
                    self.follow(bed, hosts[0], reg, [n1, n2], start)
                except BaseException:
                    for machine in (reg, n1, n2):
                        print("--- journal of", machine.name, file=sys.stderr)
                        print(machine.sh("journalctl -b --no-pager -n 60 -u re6stnet"
                                         " -u re6st-registry", check=False).stdout,
                              file=sys.stderr)
                    raise

    def build(self):
        build_dir = os.environ.get("RE6ST_BUILD_DIR")
        deb = None
        for machine, block in self.blocks:
            if machine != "build":
                continue
            if build_dir and os.path.realpath(build_dir) != os.path.join(TOP, "build"):
                block = block.replace("packaging/build-deb", "packaging/build-deb " + build_dir)
            out = subprocess.run(["/bin/bash", "-ec", block], cwd=TOP, check=True,
                                 stdout=subprocess.PIPE, text=True).stdout
            deb = out.split()[-1]
        self.assertTrue(deb and deb.endswith(".deb") and os.path.exists(deb), deb)
        return deb

    def follow(self, bed, reg_host, reg, nodes, start):
        self.maildir = os.path.join(bed.dir, "mail")
        reg_host.popen([testbed.PYTHON, "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:25",
                        "-c", "aiosmtpd.handlers.Mailbox", self.maildir], "smtp.out")
        bed._wait_port(reg_host, 25)

        addresses = {}
        fingerprint = None
        for machine, block in self.blocks:
            block = block.replace(EXAMPLE_IP, self.registry_ip)
            if EXAMPLE_FINGERPRINT in block:
                fingerprint = fingerprint or self.ca_fingerprint(reg)
                block = block.replace(EXAMPLE_FINGERPRINT, fingerprint)
            if machine == "registry":
                # The registry is Type=notify: once "systemctl start"
                # returns, it listens.
                out = self.run_block(reg, block)
                if "re6st-conf" in block:
                    addresses[reg.name] = self.enrolled(out, fingerprint)
                    # The README tells the registry this address.
                    self.assertIn("private %s" % addresses[reg.name],
                                  "".join(b for _, b in self.blocks))
            elif machine == "node":
                for node in nodes:
                    out = self.run_block(node, block)
                    if "re6st-conf" in block:
                        addresses[node.name] = self.enrolled(out, fingerprint)
        self.report("README followed, every ping answered", time.monotonic() - start)

        # "and every other node": the two nodes reach each other.
        a, b = nodes
        self.retry(a, "ping -c 1 -W 1 " + addresses[b.name])
        self.retry(b, "ping -c 1 -W 1 " + addresses[a.name])
        for machine in [reg] + nodes:
            self.assertEqual(machine.sh("systemctl is-active re6stnet").stdout.strip(), "active")
        self.assertEqual(reg.sh("systemctl is-active re6st-registry").stdout.strip(), "active")
        self.report("the two nodes reach each other", time.monotonic() - start)

        for machine in [reg] + nodes:
            self.check_nothing_denied(machine)
        self.check_logrotate(a)
        self.check_restart_after_crash(a, addresses[reg.name], start)
        self.check_stop(b)

    def ca_fingerprint(self, reg):
        """The SHA-256 fingerprint of the registry's CA certificate, as
        openssl prints it; the CA made by the README's first blocks."""
        out = reg.sh("openssl x509 -noout -fingerprint -sha256 -in " + REGISTRY_CA).stdout
        found = re.search(r"^sha256 Fingerprint=((?:[0-9A-F]{2}:){31}[0-9A-F]{2})$", out, re.M)
        self.assertIsNotNone(found, out)
        self.assertNotEqual(found.group(1), EXAMPLE_FINGERPRINT)
        return found.group(1)

    def run_block(self, machine, block):
        if block.lstrip().startswith("ping "):
            return self.retry(machine, block)
        if "re6st-conf" not in block:
            return machine.sh(block).stdout
        # re6st-conf asks for the token the registry mails: type it.
        before = self.mail_keys()
        process = machine.popen(block, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        try:
            token = self.next_token(before, process)
            out, _ = process.communicate(token + "\n", timeout=120)
        except BaseException:
            process.kill()
            process.wait()
            raise
        self.assertEqual(process.returncode, 0, "on %s:\n%s\n%s" % (machine.name, block, out))
        return out

    def retry(self, machine, block):
        deadline = time.monotonic() + PING_TIMEOUT
        while True:
            result = machine.sh(block, check=False)
            if result.returncode == 0:
                return result.stdout
            if time.monotonic() > deadline:
                self.fail("on %s, %r still fails after %d s:\n%s" % (
                    machine.name, block, PING_TIMEOUT, result.stdout))
            time.sleep(1)

    def enrolled(self, out, fingerprint):
        """The address re6st-conf gave the node, having checked the CA."""
        self.assertIn("has fingerprint sha256:%s, as --fingerprint says" % fingerprint, out)
        found = re.search(r"This node is (\S+) in network", out)
        self.assertIsNotNone(found, out)
        return found.group(1)

    def mail_keys(self):
        try:
            return set(mailbox.Maildir(self.maildir, create=False).keys())
        except FileNotFoundError:
            return set()

    def next_token(self, before, process, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                self.fail("re6st-conf exited %d before a token came:\n%s" % (
                    process.returncode, process.stdout.read()))
            box = mailbox.Maildir(self.maildir, create=True)
            for key in set(box.keys()) - before:
                message = box[key]
                if EMAIL in message["To"]:
                    body = message.get_payload(decode=True).decode()
                    return re.search(r"^\s*([a-z2-7]{16})\s*$", body, re.M).group(1)
            time.sleep(0.2)
        self.fail("no token mailed to " + EMAIL)

    def check_nothing_denied(self, machine):
        """The units' hardening refused the daemons, OpenVPN and babeld
        nothing they tried."""
        out = machine.sh("journalctl -b --no-pager -u re6stnet -u re6st-registry;"
                         " cat /var/log/re6stnet/*").stdout
        denials = re.findall(r".*(?:Operation not permitted|Permission denied|"
                             r"Bad system call|Read-only file system).*", out)
        self.assertEqual(denials, [], machine.name)

    def check_logrotate(self, node):
        """The daemon, not logrotate, makes the new log files: they exist
        again only if the reload reached it."""
        logs = node.sh("ls /var/log/re6stnet").stdout.split()
        self.assertTrue(logs, "no log file in /var/log/re6stnet")
        node.sh("logrotate --force /etc/logrotate.d/re6stnet")
        rotated = node.sh("ls /var/log/re6stnet").stdout.split()
        moved = [log for log in logs if log + ".1" in rotated]
        self.assertTrue(moved, "logrotate rotated nothing: %s" % rotated)
        deadline = time.monotonic() + 10
        while True:
            now = node.sh("ls /var/log/re6stnet").stdout.split()
            if all(log in now for log in moved):
                break
            if time.monotonic() > deadline:
                self.fail("the daemon did not reopen %s: %s" % (moved, now))
            time.sleep(0.2)

    def check_restart_after_crash(self, node, reachable, start):
        """Restart=on-failure: a daemon killed with SIGKILL comes back and
        its node rejoins."""
        node.sh("systemctl kill --kill-who=main --signal=KILL re6stnet")
        deadline = time.monotonic() + 30
        while node.sh("systemctl show -P NRestarts re6stnet").stdout.strip() != "1":
            if time.monotonic() > deadline:
                self.fail("re6stnet was not restarted: " +
                          node.sh("systemctl status re6stnet", check=False).stdout)
            time.sleep(0.5)
        self.retry(node, "ping -c 1 -W 1 " + reachable)
        self.report("a node whose daemon was killed restarted and rejoined",
                    time.monotonic() - start)

    def check_stop(self, node):
        started = time.monotonic()
        node.sh("systemctl stop re6stnet")
        self.report("systemctl stop re6stnet took", time.monotonic() - started)
        self.assertEqual(node.sh("systemctl show -P Result re6stnet").stdout.strip(), "success")
        left = node.sh("ps -e -o comm=").stdout.split()
        self.assertNotIn("openvpn", left)
        self.assertNotIn("babeld", left)
        links = node.sh("ip -o link show").stdout
        self.assertNotIn("re6st", links)


if __name__ == "__main__":
    if os.geteuid() != 0:
        print("skipped: needs root for network namespaces and systemd-nspawn")
        sys.exit(77)
    unittest.main(verbosity=2)
