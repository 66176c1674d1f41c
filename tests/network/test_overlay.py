"""Eight real nodes in namespaces: the overlay connects every pair,
survives a daemon killed with SIGKILL and a registry that goes away, and
leaves nothing behind when stopped.

The phases run in order on one network; each prints what it measured.
"""

import os
import re
import signal
import sys
import time

import testbed

HELLO = 2
NODE_OPTIONS = ["--hello", str(HELLO), "--connection-count", "6", "--tunnel-refresh", "60",
                "-v", "2"]


class Overlay(testbed.BedTestCase):
    bed_name = "ovl"

    @classmethod
    def build(cls, bed):
        cls.nodes = bed.build_network(8, NODE_OPTIONS, NODE_OPTIONS)

    def report(self, what, seconds):
        print("%s: %.1f s" % (what, seconds), file=sys.stderr)

    def test_1_every_pair_connects_within_60_s(self):
        start = time.monotonic()
        for node in self.nodes:
            node.start()
        self.bed.wait_connected(self.nodes, 60)
        elapsed = time.monotonic() - start
        self.report("8 nodes, all 56 pairs connected after", elapsed)
        self.assertLess(elapsed, 60)

    def test_1b_a_second_daemon_on_a_node_changes_nothing(self):
        # An operator starting re6stnet by hand while the service runs.
        node = self.nodes[0]
        before = {pid: self.comm(pid) for pid in node.host.pids()}
        socket_inode = os.stat(os.path.join(node.host.dir, "run", "openvpn.sock")).st_ino
        second = node.host.run(node.argv(), check=False, timeout=30)
        self.assertEqual(second.returncode, 1, second.stdout)
        lines = second.stdout.strip().splitlines()
        self.assertEqual(len(lines), 1, second.stdout)
        self.assertRegex(lines[0], r"ERROR another re6stnet \(pid %d\) is running with the "
                         r"directory %s$" % (node.process.pid,
                                             re.escape(os.path.join(node.host.dir, "run"))))
        after = {pid: self.comm(pid) for pid in node.host.pids()}
        self.assertEqual({p: c for p, c in after.items() if c in ("babeld", "openvpn")},
                         {p: c for p, c in before.items() if c in ("babeld", "openvpn")})
        self.assertEqual(os.stat(os.path.join(node.host.dir, "run", "openvpn.sock")).st_ino,
                         socket_inode)
        self.assertTrue(node.running())
        self.assertNotIn("left by a previous run", node.log())
        self.bed.wait_connected(self.nodes, 30)
        print("a second daemon refused: %s" % lines[0], file=sys.stderr)

    @staticmethod
    def comm(pid):
        try:
            with open("/proc/%d/comm" % pid) as comm:
                return comm.read().strip()
        except OSError:
            return None

    def test_2_daemon_killed_takes_its_children_and_the_rest_heals(self):
        victim = self.nodes[-1]
        victim.stop(signal.SIGKILL)
        killed = time.monotonic()
        babeld_gone = openvpn_gone = None
        while time.monotonic() - killed < 4 * HELLO + 5:
            commands = victim.host.commands()
            now = time.monotonic() - killed
            if babeld_gone is None and "babeld" not in commands:
                babeld_gone = now
            if openvpn_gone is None and "openvpn" not in commands:
                openvpn_gone = now
            if babeld_gone is not None and openvpn_gone is not None:
                break
            time.sleep(0.05)
        self.assertIsNotNone(babeld_gone, "babeld outlived its daemon")
        self.assertIsNotNone(openvpn_gone, "OpenVPN outlived its daemon")
        self.report("babeld gone after SIGKILL of its daemon", babeld_gone)
        self.report("every OpenVPN gone after SIGKILL of its daemon", openvpn_gone)
        self.assertLess(babeld_gone, 5)
        self.assertLess(openvpn_gone, 4 * HELLO + 2)
        # The taps, which outlive their OpenVPN process, go once it has.
        taps_gone = None
        while time.monotonic() - killed < openvpn_gone + 3:
            if not [l for l in victim.host.links() if l.startswith("re6st")]:
                taps_gone = time.monotonic() - killed
                break
            time.sleep(0.05)
        self.assertIsNotNone(taps_gone, victim.host.links())
        self.report("its taps gone after", taps_gone)
        healed = self.bed.wait_connected(self.nodes[:-1], 30)
        self.report("the other 7 fully connected again after", healed)

    def test_3_registry_down_nodes_restart_from_their_cache(self):
        self.bed.stop_registry()
        restarted = [self.nodes[-1], self.nodes[-2]]
        self.nodes[-2].stop()
        start = time.monotonic()
        for node in restarted:
            node.start()
        self.bed.wait_connected(self.nodes, 60)
        recovered = time.monotonic() - start
        self.report("registry down, 2 nodes restarted: all 56 pairs connected after", recovered)
        self.assertLess(recovered, 60)

    def test_4_sigterm_leaves_nothing_behind(self):
        for node in self.nodes:
            self.assertEqual(node.stop(signal.SIGTERM), 0, node.log()[-2000:])
        for node in self.nodes:
            commands = node.host.commands()
            self.assertNotIn("openvpn", commands, node.name)
            self.assertNotIn("babeld", commands, node.name)
            self.assertFalse([l for l in node.host.links() if l.startswith("re6st")], node.name)
            addresses = node.host.run(["ip", "-6", "address", "show", "dev", "lo"]).stdout
            self.assertNotIn(node.address, addresses, node.name)


if __name__ == "__main__":
    testbed.main()
