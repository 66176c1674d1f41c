"""Nodes behind NAT: a router namespace masquerades a private LAN
with nftables and runs Debian's miniupnpd (nftables flavour). A node on that
LAN started without --ip maps its ports by UPnP, advertises the router's
public address, learns its external IP from its tunnels, and accepts a tunnel
from outside through the mapping; its mappings are gone once it stops. A
second NATed node with --no-upnp still joins through its own tunnels.

miniupnpd refuses to forward for a private or reserved WAN address, so
this test's "internet" uses 11.X.0.0/16: every such address lives in
the test's own namespaces, and nothing here has a route anywhere else.
"""

import os
import re
import sqlite3
import sys
import time

import testbed

OPTIONS = ["--hello", "2", "--connection-count", "4", "--tunnel-refresh", "600", "-v", "2"]

RULESET = """
table inet filter {
    chain forward {
        type filter hook forward priority 0; policy drop;
        ct state established,related accept
        iifname "lan0" accept
        jump miniupnpd
    }
    chain miniupnpd { }
    chain prerouting {
        type nat hook prerouting priority -100; policy accept;
        jump prerouting_miniupnpd
    }
    chain postrouting {
        type nat hook postrouting priority 100; policy accept;
        jump postrouting_miniupnpd
        oifname "eth0" masquerade
    }
    chain prerouting_miniupnpd { }
    chain postrouting_miniupnpd { }
}
"""

MINIUPNPD_CONF = """ext_ifname=eth0
listening_ip=lan0
http_port=0
enable_natpmp=no
enable_upnp=yes
secure_mode=yes
system_uptime=yes
uuid=4f1a7c8e-1e7d-4a8e-9a4d-2b6c8f0e5d31
lease_file={leases}
allow 1024-65535 {lan} 1024-65535
deny 0-65535 0.0.0.0/0 0-65535
"""


class NatWithUpnp(testbed.BedTestCase):
    bed_name = "nat"
    bed_subnet = "11.%d.0.0/16" % (40 + os.getpid() % 200)

    @classmethod
    def build(cls, bed):
        lan = bed.add_bridge("lan")
        lan_net = "192.168.%d" % (os.getpid() % 250)
        cls.router = router = bed.add_host("rt")
        bed.attach(router, lan, "lan0", lan_net + ".1", 24)
        router.run(["sysctl", "-q", "-w", "net.ipv4.ip_forward=1"])
        router.run(["nft", "-f", "-"], input=RULESET)
        conf = os.path.join(router.dir, "miniupnpd.conf")
        with open(conf, "w") as f:
            f.write(MINIUPNPD_CONF.format(leases=os.path.join(router.dir, "upnp.leases"),
                                          lan=lan_net + ".0/24"))
        cls.miniupnpd = router.popen(["miniupnpd", "-d", "-f", conf, "-P",
                                      os.path.join(router.dir, "miniupnpd.pid")],
                                     "miniupnpd.out")

        cls.registry_node = bed.setup_registry(node_options=OPTIONS)
        cls.outside = bed.enrol(bed.add_host("out1"))
        cls.outside.options = list(OPTIONS)
        # Both NATed nodes use the router as their default route.
        cls.upnp = bed.enrol(bed.add_host("nat1", lan_net + ".2", lan, 24, lan_net + ".1"))
        cls.upnp.options = list(OPTIONS)
        cls.no_upnp = bed.enrol(bed.add_host("nat2", lan_net + ".3", lan, 24, lan_net + ".1"))
        cls.no_upnp.options = OPTIONS + ["--no-upnp"]
        for node in (cls.registry_node, cls.outside, cls.upnp, cls.no_upnp):
            node.start()

    def mappings(self):
        """(external port, protocol) pairs that miniupnpd forwards now; its
        rules match the IP protocol byte: `@nh,72,8 0x11 th dport N dnat`."""
        rules = self.router.run(["nft", "list", "chain", "inet", "filter",
                                 "prerouting_miniupnpd"]).stdout
        names = {"0x11": "udp", "0x6": "tcp"}
        return set((int(port), names[proto]) for proto, port in
                   re.findall(r"@nh,72,8 (0x11|0x6) th dport (\d+) dnat", rules))

    def declared(self, node):
        """The endpoint list the registry holds for `node`, if any."""
        prefix, length = (int(x) for x in node.cn.split("/"))
        bits = format(prefix, "0%db" % length)
        db = sqlite3.connect(os.path.join(self.bed.registry_host.dir, "registry.db"))
        try:
            row = db.execute("SELECT address FROM peers WHERE prefix = ?", (bits,)).fetchone()
        finally:
            db.close()
        return row[0] if row else None

    def wait(self, what, check, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = check()
            if result:
                return result
            time.sleep(0.5)
        self.fail("%s did not happen within %d s" % (what, timeout))

    def declared_mappings(self):
        """nat1's declaration once it names its UPnP mappings. Until the
        gateway has answered, nat1 declares the router's address with its
        own ports, as the peers of its first tunnel saw it: a node with a
        public address and no gateway is reachable that way at once."""
        address = self.declared(self.upnp)
        if not address:
            return None
        advertised = set()
        for item in address.split(";"):
            ip, port, proto = item.split(",")
            self.assertEqual(ip, self.router.ipv4)
            advertised.add((int(port), "tcp" if proto.startswith("tcp") else "udp"))
        return address if advertised == self.mappings() else None

    def test_1_upnp_node_maps_its_ports_and_advertises_the_router(self):
        maps = self.wait("the UPnP mappings", lambda: len(self.mappings()) == 2 and self.mappings(),
                         60)
        self.assertEqual(sorted(proto for _, proto in maps), ["tcp", "udp"])
        self.wait("the declaration of nat1's mappings", self.declared_mappings, 90)

    def test_2_external_ip_learned_from_route_up(self):
        log = self.wait("a route-up report on nat1",
                        lambda: re.search(r"our public address as its peer sees it: (\S+)",
                                          self.upnp.log()), 60)
        self.assertEqual(log.group(1), self.router.ipv4)

    def test_3_tunnel_from_outside_through_the_mapping(self):
        # A fresh outside node whose only known peer is nat1, at its mapping.
        address = self.wait("the declaration of nat1's mappings", self.declared_mappings, 90)
        probe = self.bed.enrol(self.bed.add_host("probe"))
        prefix, length = (int(x) for x in self.upnp.cn.split("/"))
        testbed.seed_peer_cache(probe, {format(prefix, "0%db" % length): address})
        # One client slot, which its first tick fills with nat1.
        probe.options = [o if o != "4" else "2" for o in OPTIONS] + ["--no-upnp"]
        probe.start()
        self.wait("nat1 accepting the probe's tunnel",
                  lambda: "incoming tunnel from %s" % probe.cn in self.upnp.log(), 60)
        self.wait("the probe reaching nat1 over the overlay",
                  lambda: probe.host.ping(self.upnp.address), 60)

    def test_4_node_without_upnp_joins_through_its_own_tunnels(self):
        nodes = [self.registry_node, self.outside, self.upnp, self.no_upnp]
        start = time.monotonic()
        self.bed.wait_connected(nodes, 90)
        print("NAT test: 4 nodes connected after %.1f s more" % (time.monotonic() - start),
              file=sys.stderr)
        self.assertNotIn("UPnP:", self.no_upnp.log())

    def test_5_mappings_are_removed_when_the_node_stops(self):
        self.assertTrue(self.mappings())
        self.assertEqual(self.upnp.stop(), 0)
        self.assertEqual(self.mappings(), set())


if __name__ == "__main__":
    testbed.main()
