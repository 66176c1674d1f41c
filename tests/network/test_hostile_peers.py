"""Hostile peers, on one network of four honest nodes:

* an impostor, enrolled like anyone (prefix X), poses as node Y: a victim's
  peer cache says Y is at the impostor's address. The victim's OpenVPN
  client asks for Y's CN (--verify-x509-name): the tunnel never comes up and
  the victim marks Y failed;
* a node whose certificate comes from another CA (same network, its own
  prefix F) opens no tunnel: its clients are refused by every honest server
  its cache names, and an honest client sent to it refuses its server;
* the impostor declares Y's address to the registry: refused, from its
  overlay address and from its public one, and Y's entry is untouched;
* a node enrolled like anyone runs a server that pushes routes (a default
  route among them), an address and a DNS server to its clients: its
  client's tunnel comes up but its routes and addresses are unchanged;
* meanwhile every honest node (and the impostor as itself) reaches every
  other.
"""

import os
import re
import sqlite3
import subprocess
import sys
import time

import testbed

OPTIONS = ["--hello", "2", "--connection-count", "4", "--tunnel-refresh", "60", "-v", "1"]
FOREIGN_BITS = "1" * 16           # a prefix the registry never gave out
# What the pushy node's server pushes: with them, its clients would send all
# their IPv4 traffic, and 10.66.0.0/16 and 2001:db8:66::/48, to it.
PUSHES = ["route-gateway 10.99.0.1", "ifconfig 10.99.0.2 255.255.255.0",
          "redirect-gateway def1", "route 10.66.0.0 255.255.0.0",
          "route-ipv6 2001:db8:66::/48", "dhcp-option DNS 10.99.0.1"]
DECLARE = r"""
import sys, xmlrpc.client
source, url, client_ip, address = sys.argv[1:]
class Bound(xmlrpc.client.Transport):
    def make_connection(self, host):
        connection = super().make_connection(host)
        if source != "-":
            connection.source_address = (source, 0)
        return connection
print(xmlrpc.client.ServerProxy(url, transport=Bound()).declare([client_ip, address]))
"""


def bits(cn):
    prefix, length = (int(x) for x in cn.split("/"))
    return format(prefix, "0%db" % length)


def cn(bit_string):
    return "%d/%d" % (int(bit_string, 2), len(bit_string))


def endpoints(host):
    return "%s,1194,udp;%s,1194,tcp-client" % (host.ipv4, host.ipv4)


def use_of(node, prefix):
    with sqlite3.connect("file:%s?mode=ro" % os.path.join(node.host.dir, "state", "peers.db"),
                         uri=True, timeout=5) as db:
        row = db.execute("SELECT used FROM peers WHERE prefix = ?", (prefix,)).fetchone()
    db.close()
    return row and row[0]


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def sessions(path):
    """The runs of OpenVPN in a log file, each its text from its banner on."""
    return [s for s in re.split(r"(?m)^(?=.* OpenVPN 2\.\d+\.\d+ )", read(path))
            if " OpenVPN 2." in s.partition("\n")[0]]


def openvpn_logs(node, kind):
    directory = os.path.join(node.host.dir, "log")
    return [os.path.join(directory, name) for name in sorted(os.listdir(directory))
            if name.startswith("re6stnet-" + kind)]


def wait_for(what, condition, timeout):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("not within %d s: %s" % (timeout, what))
        time.sleep(0.2)


def wait_udp_port(host, port=1194, timeout=20):
    wait_for("OpenVPN listens in %s" % host.name,
             lambda: host.run(["ss", "-Hlun", "sport = :%d" % port], check=False).stdout.strip(),
             timeout)


class HostilePeers(testbed.BedTestCase):
    bed_name = "hpr"

    @classmethod
    def build(cls, bed):
        honest = bed.build_network(4, OPTIONS, OPTIONS)
        cls.registry_node, cls.victim, cls.posed, cls.lured = honest
        cls.honest = honest
        # One daemon at its highest verbosity, for test_5.
        cls.victim.options = OPTIONS[:-2] + ["-v", "3"]
        cls.impostor = bed.enrol(bed.add_host("imp"))
        cls.impostor.options = ["--ip", cls.impostor.host.ipv4, "1194", "udp"] + OPTIONS
        cls.foreign = cls.make_foreign(bed.add_host("frn"))
        cls.pushy = bed.enrol(bed.add_host("psh"))
        cls.pushy.options = ["--ip", cls.pushy.host.ipv4, "1194", "udp"] + OPTIONS + ["--"]
        for option in PUSHES:
            cls.pushy.options += ["--push", option]
        cls.prey = bed.enrol(bed.add_host("pry"))
        cls.prey.options = OPTIONS

        # The victim believes the posed node is at the impostor's address;
        # the lured node believes the foreign node is a peer; the foreign
        # node knows every honest node.
        testbed.seed_peer_cache(cls.victim, {bits(cls.posed.cn): endpoints(cls.impostor.host)})
        testbed.seed_peer_cache(cls.lured, {FOREIGN_BITS: endpoints(cls.foreign.host)})
        testbed.seed_peer_cache(cls.foreign, {bits(n.cn): endpoints(n.host) for n in honest})
        testbed.seed_peer_cache(cls.prey, {bits(cls.pushy.cn): "%s,1194,udp" % cls.pushy.host.ipv4})

        # The impostor's and foreign servers listen before anyone is sent
        # to them: what is refused is the certificate, not the port.
        cls.registry_node.start()
        cls.impostor.start()
        cls.foreign.start()
        cls.pushy.start()
        wait_udp_port(cls.impostor.host)
        wait_udp_port(cls.foreign.host)
        wait_udp_port(cls.pushy.host)
        cls.started = time.monotonic()
        for node in honest[1:] + [cls.prey]:
            node.start()

    @classmethod
    def make_foreign(cls, host):
        """A node of the same network whose certificate another CA signed.
        The network's CA is public (getCa): the node trusts it too, so that
        its clients present their certificate to the honest servers."""
        d = os.path.join(host.dir, "conf")
        os.makedirs(d)
        ca_key, ca_cert = os.path.join(d, "foreign-ca.key"), os.path.join(d, "foreign-ca.crt")
        key, csr, cert = (os.path.join(d, n) for n in ("cert.key", "cert.csr", "cert.crt"))
        testbed.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                     "rsa_keygen_bits:2048", "-out", ca_key])
        testbed.run(["openssl", "req", "-nodes", "-new", "-x509", "-key", ca_key,
                     "-set_serial", testbed.CA_SERIAL, "-days", "30",
                     "-subj", "/CN=foreign CA", "-addext",
                     "basicConstraints=critical,CA:TRUE", "-out", ca_cert])
        testbed.run(["openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                     "-subj", "/CN=" + cn(FOREIGN_BITS).replace("/", "\\/"), "-out", csr])
        os.chmod(key, 0o600)
        testbed.run(["openssl", "x509", "-req", "-in", csr, "-CA", ca_cert, "-CAkey", ca_key,
                     "-set_serial", "0x4242", "-days", "30", "-out", cert])
        bundle = os.path.join(d, "ca.crt")
        with open(bundle, "w") as f:
            f.write(read(ca_cert) + read(cls.bed.ca_cert))
        with open(os.path.join(d, "re6stnet.conf"), "w") as f:
            f.write("registry %s\nca %s\ncert %s\nkey %s\ndh none\n"
                    % (cls.bed.registry_url, bundle, cert, key))
        node = testbed.Node(host, cn(FOREIGN_BITS), d)
        node.options = ["--ip", host.ipv4, "1194", "udp"] + OPTIONS
        return node

    def daemon_log(self, node):
        return read(os.path.join(node.host.dir, "re6stnet.out"))

    def test_1_a_node_posing_as_another_is_refused(self):
        posed = bits(self.posed.cn)
        victim = self.victim
        # Its first tunnel is the one the poisoned cache asked for.
        wait_for("the victim's tunnel to the false %s ends" % self.posed.cn,
                 lambda: "tunnel re6stnet0: no connection to %s" % self.posed.cn
                 in self.daemon_log(victim), 30)
        log = self.daemon_log(victim)
        self.assertIn("tunnel re6stnet0: connecting to %s at %s"
                      % (self.posed.cn, endpoints(self.impostor.host)), log)
        first = sessions(os.path.join(victim.host.dir, "log", "re6stnet-client0.log"))[0]
        self.assertIn(self.impostor.host.ipv4, first)
        self.assertRegex(first, r"VERIFY X509NAME ERROR: CN=%s, must be %s"
                         % (re.escape(self.impostor.cn), re.escape(self.posed.cn)))
        self.assertNotIn("Initialization Sequence Completed", first)
        # Marked failed, unless the registry has since given the real
        # address and the victim has already reached the real node.
        self.assertIn(use_of(victim, posed), (-1, 1))
        if use_of(victim, posed) == 1:
            self.assertIn("connecting to %s at %s" % (self.posed.cn, endpoints(self.posed.host)
                                                       .split(";")[0]), self.daemon_log(victim))

    def test_2_a_foreign_certificate_opens_no_tunnel(self):
        foreign = self.foreign
        # As a client: it tried the honest servers, none let it in.
        wait_for("the foreign node tried every honest node",
                 lambda: all("connecting to %s" % n.cn in self.daemon_log(foreign)
                             for n in self.honest), 60)
        for path in openvpn_logs(foreign, "client"):
            self.assertNotIn("Initialization Sequence Completed", read(path), path)
        self.assertNotIn("a tunnel is up", self.daemon_log(foreign))
        refused = [n.name for n in self.honest for path in openvpn_logs(n, "server")
                   if re.search(r"%s:\d+ VERIFY ERROR" % re.escape(foreign.host.ipv4), read(path))]
        self.assertTrue(refused, "no honest server saw the foreign certificate")
        for node in self.honest + [self.impostor]:
            self.assertNotIn("incoming tunnel from %s" % foreign.cn, self.daemon_log(node))
        # As a server: the lured node's first tunnel was to it, and failed.
        lured = self.lured
        wait_for("the lured node's tunnel to the foreign node ends",
                 lambda: "tunnel re6stnet0: no connection to %s" % foreign.cn
                 in self.daemon_log(lured), 30)
        first = sessions(os.path.join(lured.host.dir, "log", "re6stnet-client0.log"))[0]
        self.assertIn(foreign.host.ipv4, first)
        self.assertIn("VERIFY ERROR", first)
        self.assertNotIn("Initialization Sequence Completed", first)
        self.assertEqual(use_of(lured, FOREIGN_BITS), -1)
        self.assertNotIn("incoming tunnel from", self.daemon_log(foreign))

    def test_3_declaring_another_nodes_address_is_refused(self):
        self.bed.wait_connected([self.impostor, self.registry_node], 60)
        db = os.path.join(self.bed.registry_host.dir, "registry.db")

        def entry():
            with sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=5) as connection:
                row = connection.execute("SELECT address FROM peers WHERE prefix = ?",
                                         (bits(self.posed.cn),)).fetchone()
            connection.close()
            return row
        wait_for("the posed node declares itself", lambda: entry() is not None, 60)
        before = entry()
        private = "http://[%s]:%d/" % (self.registry_node.address, testbed.REGISTRY_PORT)
        # From its own overlay address, over a tunnel, to the private URL;
        # and from its public address to the public URL.
        for bind, seen, url in ((self.impostor.address, self.impostor.address, private),
                                ("-", self.impostor.host.ipv4, self.bed.registry_url)):
            out = self.impostor.host.run(
                [testbed.PYTHON, "-c", DECLARE, bind, url, self.posed.address,
                 endpoints(self.impostor.host)], timeout=30).stdout
            self.assertEqual(out.strip(), "False", (bind, url, out))
            self.assertIn("declare: refused a call from %s claiming %s"
                          % (seen, self.posed.address),
                          read(os.path.join(self.bed.registry_host.dir, "registry.out")))
        self.assertEqual(entry(), before)

    def test_4_the_rest_of_the_network_is_undisturbed(self):
        nodes = self.honest + [self.impostor, self.pushy, self.prey]
        seconds = self.bed.wait_connected(nodes, 60)
        print("honest nodes, the impostor (as itself), the pushy node and its prey "
              "fully connected %.1f s after start" % (time.monotonic() - self.started),
              file=sys.stderr)
        for node in nodes + [self.foreign]:
            self.assertTrue(node.running(), node.name)
        self.assertLess(seconds, 60)

    def test_5_no_key_or_token_in_any_log(self):
        secrets = {}
        for node in self.honest + [self.impostor, self.foreign, self.pushy, self.prey]:
            with open(os.path.join(node.conf_dir, "cert.key")) as f:
                for i, line in enumerate(f.read().splitlines()):
                    if len(line) >= 40:
                        secrets["%s key line %d" % (node.name, i)] = line
            if node is not self.foreign:
                email = "%s@example.com" % node.name
                secrets["%s token" % node.name] = self.bed.token_for(email)
        logs = []
        for host in self.bed.hosts.values():
            for directory, _, names in os.walk(host.dir):
                logs += [os.path.join(directory, n) for n in names
                         if n.endswith((".log", ".out"))]
        self.assertGreater(len(logs), 20)
        for path in logs:
            text = read(path)
            self.assertNotIn("PRIVATE KEY", text, path)
            for what, secret in secrets.items():
                self.assertNotIn(secret, text, (what, path))

    def test_6_a_server_sets_no_route_or_address_on_its_clients(self):
        prey, pushy = self.prey, self.pushy
        wait_for("the prey's tunnel to the pushy node is up",
                 lambda: "tunnel re6stnet0 to %s is up" % pushy.cn in self.daemon_log(prey), 60)
        first = sessions(os.path.join(prey.host.dir, "log", "re6stnet-client0.log"))[0]
        self.assertIn("Initialization Sequence Completed", first)
        reply = re.search(r"PUSH: Received control message: '(PUSH_REPLY,.*)'", first)
        self.assertTrue(reply, "no push reply in the prey's client log")
        for option in PUSHES:
            self.assertIn(option, reply.group(1))
        self.assertIn("ping-exit 3", reply.group(1))
        routes = prey.host.run(["ip", "-4", "route", "show", "table", "all"]).stdout
        for route in ("0.0.0.0/1", "128.0.0.0/1", "10.66.0.0/16", "10.99.0.0/24"):
            self.assertNotIn(route, routes)
        self.assertNotIn("2001:db8:66::",
                         prey.host.run(["ip", "-6", "route", "show", "table", "all"]).stdout)
        self.assertNotIn("10.99.0.2", prey.host.run(["ip", "addr"]).stdout)
        # The server's keepalive did apply: the client says so.
        self.assertIn("Timers: ping 1, ping-exit 3", first)
        # And the tunnel carries the overlay.
        self.bed.wait_connected([prey, pushy], 60)


if __name__ == "__main__":
    testbed.main()
