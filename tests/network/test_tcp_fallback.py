"""UDP filtered: a node whose network drops UDP still joins, over
TCP. Every node offers a UDP and a TCP server and its peers try UDP first;
a client whose UDP server never answers must move on to the TCP endpoint
before its keepalive timeout ends it (OpenVPN's --server-poll-timeout),
and the tunnels it then carries over TCP use the longer TCP timeout.
"""

import time

import testbed

OPTIONS = ["--hello", "2", "--connection-count", "4", "--tunnel-refresh", "600", "-v", "1"]


class TcpFallback(testbed.BedTestCase):
    bed_name = "tcp"

    @classmethod
    def build(cls, bed):
        cls.nodes = bed.build_network(4, OPTIONS, OPTIONS)
        cls.filtered = cls.nodes[-1]
        # Its own endpoints are UDP and TCP, as every node's, but no UDP
        # reaches it or leaves it: the tunnels to and from it need TCP.
        cls.filtered.options += ["--ip", cls.filtered.host.ipv4, "1194", "udp",
                                 "--ip", cls.filtered.host.ipv4, "1194", "tcp"]
        cls.filtered.host.run(["nft", "-f", "-"], input=(
            "table inet nofilter {\n"
            " chain input { type filter hook input priority 0; iifname \"eth0\" udp dport 1-65535"
            " drop; }\n"
            " chain output { type filter hook output priority 0; oifname \"eth0\" udp dport"
            " 1-65535 drop; }\n}\n"))
        for node in cls.nodes:
            node.start()

    def client_logs(self, node):
        text = ""
        for slot in range(2):
            try:
                with open("%s/log/re6stnet-client%d.log" % (node.host.dir, slot)) as f:
                    text += f.read()
            except FileNotFoundError:
                pass
        return text

    def test_1_every_pair_connects(self):
        start = time.monotonic()
        self.bed.wait_connected(self.nodes, 120)
        print("4 nodes, one without UDP: all pairs connected after %.1f s"
              % (time.monotonic() - start))

    def test_2_the_filtered_node_tunnels_over_tcp(self):
        established = self.filtered.host.run(["ss", "-Htn", "state", "established",
                                              "( sport = :1194 or dport = :1194 )"]).stdout
        self.assertTrue(established.strip(), "no TCP tunnel to or from the filtered node")
        # Its own clients tried the UDP endpoint first, gave it up in time,
        # and got the TCP timeout from the server they reached.
        logs = self.client_logs(self.filtered)
        self.assertIn("Server poll timeout, restarting", logs)
        self.assertIn("TCP connection established", logs)
        self.assertIn("Timers: ping 1, ping-exit 15", logs)


if __name__ == "__main__":
    testbed.main()
