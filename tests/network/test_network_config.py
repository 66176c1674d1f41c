"""The network's configuration, set at the registry and signed by its CA:
nodes started without tunnel options follow it and apply a change without
a restart.

The registry starts with --connection-count 6: every node runs 3 client
tunnels, but one started with its own --connection-count 8, which keeps 4.
The registry is restarted with --connection-count 2: within two
--config-refresh periods every other node runs 1 client tunnel, with the
same daemon and babeld as before, and all-pairs checks every few seconds
never find a pair cut at two checks in a row. Then --hello changes, which
restarts every babeld (it cannot change an interface's options): pings
every 0.2 s measure the longest time a pair could not reach another. Last,
the registry stops, and a node restarted takes the configuration it kept.

The phases run in order on one network; each prints what it measured.
"""

import os
import signal
import statistics
import subprocess
import sys
import time

import testbed

CONFIG_REFRESH = 10
NODE_OPTIONS = ["--config-refresh", str(CONFIG_REFRESH), "-v", "2"]


def client_tunnels(node):
    """The OpenVPN clients running in the node's namespace."""
    return len(node.host.client_tunnel_peers())


def ended_by_itself(node):
    """Client tunnels of the node that ended without being closed by it."""
    log = node.log()
    return log.count(" ended: ") + log.count(": no connection to ")


def incoming_tunnels(node):
    """Neighbours of the node's babeld on its servers' taps: the peers
    whose client tunnels end at this node."""
    try:
        dump = node.host.babel()
    except OSError:
        return 0
    return sum(1 for line in dump if " neighbour " in line and " if re6st-" in line)


def babeld_pid(node):
    try:
        with open(os.path.join(node.host.dir, "run", "babeld.pid")) as f:
            return int(f.read())
    except (OSError, ValueError):
        return None


def babeld_argv(node):
    with open("/proc/%d/cmdline" % babeld_pid(node), "rb") as f:
        return f.read().decode().split("\0")


class NetworkConfig(testbed.BedTestCase):
    bed_name = "cfg"

    @classmethod
    def build(cls, bed):
        bed.registry_options = ["--connection-count", "6", "--hello", "2"]
        cls.nodes = bed.build_network(8, NODE_OPTIONS, NODE_OPTIONS)
        cls.big = bed.enrol(bed.add_host("big"))
        cls.big.options = NODE_OPTIONS + ["--connection-count", "8"]
        cls.everyone = cls.nodes + [cls.big]
        for node in cls.everyone:
            node.start()

    def report(self, what):
        print(what, file=sys.stderr)

    def restart_registry(self, *options):
        self.bed.registry_options = list(options)
        self.bed.stop_registry()
        self.bed.start_registry(self.bed.registry_host, self.nodes[0].address)

    def settled(self, counts, expected):
        """Each node runs expected[node] client tunnels, or fewer when every
        other node already has a tunnel with it: a node opens none to the
        peers that tunnel to it (so the registry's node, to which every
        other node's first tunnel goes, runs fewer)."""
        others = len(self.everyone) - 1
        return all(counts[node] == expected[node]
                   or counts[node] < expected[node]
                   and counts[node] + incoming_tunnels(node) >= others
                   for node in self.everyone)

    def wait_tunnels(self, expected, timeout):
        """Seconds until each node runs expected[node] client tunnels."""
        start = time.monotonic()
        while True:
            counts = {node: client_tunnels(node) for node in self.everyone}
            if self.settled(counts, expected):
                return time.monotonic() - start
            if time.monotonic() - start > timeout:
                self.fail("after %d s, client tunnels %s" % (timeout, ", ".join(
                    "%s %d" % (n.name, c) for n, c in counts.items())))
            time.sleep(0.5)

    def by_name(self, name):
        return next(node for node in self.everyone if node.name == name)

    def pair_checks(self, wait=2):
        """Every ordered pair a -> b with no answer to three pings."""
        return {(a.name, b.name)
                for a, b in self.bed.unreachable_pairs(self.everyone, wait, count=3)}

    def test_1_nodes_follow_the_registry(self):
        start = time.monotonic()
        self.bed.wait_connected(self.everyone, 120)
        self.report("%d nodes connected after %.1f s"
                    % (len(self.everyone), time.monotonic() - start))
        expected = {node: 3 for node in self.nodes}
        expected[self.big] = 4
        settled = self.wait_tunnels(expected, 120)
        self.report("3 client tunnels each (4 on the node given --connection-count 8) "
                    "%.1f s later" % settled)
        self.assertIn("--connection-count 8: overriding the network's value", self.big.log())
        for node in self.nodes:
            self.assertNotIn("--connection-count", node.log(), node.name)
            self.assertIn("connection-count 20 -> 6", node.log(), node.name)

    def test_2_a_lower_connection_count_applies_live(self):
        daemons = {node.name: node.process.pid for node in self.everyone}
        babelds = {node.name: babeld_pid(node) for node in self.everyone}
        closed_before = {node.name: node.log().count(" wanted") for node in self.everyone}
        ended_before = {node.name: ended_by_itself(node) for node in self.everyone}
        running_before = {node.name: client_tunnels(node) for node in self.everyone}
        started_before = {node.name: node.log().count(": connecting to ") for node in self.everyone}
        self.restart_registry("--connection-count", "2", "--hello", "2")
        restarted = time.monotonic()
        expected = {node: 1 for node in self.nodes}
        expected[self.big] = 4
        done = None
        cut_once, cut_twice, cut_ever = set(), set(), set()
        longest_check = 0.0
        # Checks until the change is done everywhere, and 10 s more.
        while done is None or time.monotonic() < restarted + done + 10:
            check_start = time.monotonic()
            cut = self.pair_checks()
            longest_check = max(longest_check, time.monotonic() - check_start)
            for a, b in sorted(cut - cut_twice):
                source, target = self.by_name(a), self.by_name(b)
                print("  %.1f s: %s -> %s cut" % (check_start - restarted, a, b),
                      file=sys.stderr)
                for line in (source.route_to(target), target.route_to(source)):
                    print("    " + line, file=sys.stderr)
            cut_twice |= cut & cut_once
            cut_ever |= cut
            cut_once = cut
            if done is None and self.settled({n: client_tunnels(n) for n in self.everyone},
                                             expected):
                done = time.monotonic() - restarted
            self.assertLess(time.monotonic() - restarted, 6 * CONFIG_REFRESH,
                            "client tunnels: %s" % ", ".join(
                                "%s %d" % (n.name, client_tunnels(n)) for n in self.everyone))
        self.report("connection-count 6 -> 2: every node down to 1 client tunnel %.1f s after "
                    "the registry restarted (config-refresh %d s); pairs cut at one check: %d, "
                    "at two in a row: %d (checks up to %.1f s long)"
                    % (done, CONFIG_REFRESH, len(cut_ever), len(cut_twice), longest_check))
        self.assertLessEqual(done, 2 * CONFIG_REFRESH + 2)
        self.assertEqual(cut_twice, set())
        for node in self.everyone:
            self.assertTrue(node.running(), node.name)
            self.assertEqual(node.process.pid, daemons[node.name], node.name)
            self.assertEqual(babeld_pid(node), babelds[node.name], node.name)
        closed = {node.name: node.log().count(" wanted") - closed_before[node.name]
                  for node in self.everyone}
        ended = {node.name: ended_by_itself(node) - ended_before[node.name]
                 for node in self.everyone}
        started = {node.name: node.log().count(": connecting to ") - started_before[node.name]
                   for node in self.everyone}
        self.report("surplus tunnels closed: %s; ended by themselves meanwhile: %s; started: %s"
                    % (closed, ended, started))
        # Each node closed what it ran beyond one (a node that every other
        # node tunnels to may have run one only), but a tunnel that ended by
        # itself meanwhile (its server restarted, say) was not a surplus, and
        # one that ended once the surplus was gone was replaced.
        for node in self.nodes[1:]:
            if running_before[node.name] > 1:
                self.assertGreaterEqual(closed[node.name], 1, node.name)
            self.assertEqual(closed[node.name] + ended[node.name] - started[node.name],
                             running_before[node.name] - 1, node.name)
        for node in self.nodes:
            self.assertIn("connection-count 6 -> 2", node.log(), node.name)
        self.assertEqual(closed[self.big.name], 0)
        self.assertEqual(client_tunnels(self.big), 4)

    def test_3_a_new_hello_restarts_babeld_alone(self):
        daemons = {node.name: node.process.pid for node in self.everyone}
        babelds = {node.name: babeld_pid(node) for node in self.everyone}
        # Pings every 0.2 s from three nodes to every other node.
        sources = [self.nodes[0], self.nodes[1], self.big]
        pings = []
        for a in sources:
            for b in self.everyone:
                if a is not b:
                    pings.append((a, b, subprocess.Popen(
                        a.host.argv(["ping", "-6", "-n", "-D", "-i", "0.2", "-W", "1",
                                     b.address]),
                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)))
        time.sleep(2)
        self.restart_registry("--connection-count", "2", "--hello", "4")
        restarted = time.monotonic()
        while any(babeld_pid(node) in (None, babelds[node.name]) for node in self.everyone):
            self.assertLess(time.monotonic() - restarted, 3 * CONFIG_REFRESH)
            time.sleep(0.2)
        all_restarted = time.monotonic() - restarted
        time.sleep(15)
        gaps = {}
        for a, b, process in pings:
            process.send_signal(signal.SIGINT)
            out, _ = process.communicate(timeout=10)
            times = [float(line[1:line.index("]")]) for line in out.splitlines()
                     if line.startswith("[") and "bytes from" in line]
            self.assertTrue(times, "%s -> %s: no answer at all" % (a.name, b.name))
            gaps[(a.name, b.name)] = max(later - earlier
                                         for earlier, later in zip(times, times[1:]))
        worst = max(gaps, key=gaps.get)
        self.report("hello 2 -> 4: every babeld restarted within %.1f s; longest time a pair "
                    "had no answer: %.1f s (%s -> %s; median over %d pairs %.1f s, pings every "
                    "0.2 s)" % (all_restarted, gaps[worst], worst[0], worst[1], len(gaps),
                                statistics.median(gaps.values())))
        # At worst a route comes back with the next full update, every 4 x
        # hello (16 s), after the restart that lost it.
        self.assertLess(gaps[worst], 30)
        for node in self.everyone:
            self.assertEqual(node.process.pid, daemons[node.name], node.name)
            self.assertEqual(babeld_argv(node)[babeld_argv(node).index("-h") + 1], "4")
        self.bed.wait_connected(self.everyone, 30)

    def test_4_registry_down_a_restarted_node_uses_what_it_kept(self):
        self.bed.stop_registry()
        node = self.nodes[2]
        node.stop()
        node.start()
        start = time.monotonic()
        while babeld_pid(node) is None or not os.path.exists("/proc/%d" % babeld_pid(node)):
            self.assertLess(time.monotonic() - start, 30)
            time.sleep(0.2)
        self.assertEqual(babeld_argv(node)[babeld_argv(node).index("-h") + 1], "4")
        connected = self.bed.wait_connected(self.everyone, 60)
        self.report("registry down: a node restarted from its kept configuration, all pairs "
                    "connected after %.1f s" % connected)
        self.assertIn("read from %s" % os.path.join(node.host.dir, "state", "network.conf"),
                      node.log())
        self.assertLessEqual(client_tunnels(node), 1)


if __name__ == "__main__":
    testbed.main()
