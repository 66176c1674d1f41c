"""24 nodes: the network reaches full all-pairs connectivity; then
a random third of the nodes are killed and the survivors are fully connected
again (each survivor pings a sample of the others).
"""

import random
import signal
import sys
import time

import testbed

COUNT = 24
# Fewer tunnels per node than the default, so that 24 nodes fit 2 cores.
OPTIONS = ["--hello", "4", "--connection-count", "6", "--tunnel-refresh", "120"]


class TwentyFourNodes(testbed.BedTestCase):
    bed_name = "big"

    @classmethod
    def build(cls, bed):
        cls.nodes = bed.build_network(COUNT, OPTIONS, OPTIONS)

    def test_1_all_pairs_connect(self):
        start = time.monotonic()
        for node in self.nodes:
            node.start()
        self.bed.wait_connected(self.nodes, 240)
        print("24 nodes: all 552 pairs connected after %.1f s" % (time.monotonic() - start),
              file=sys.stderr)

    def test_2_survivors_reconnect_after_a_third_dies(self):
        rng = random.Random(COUNT)
        # The registry's node stays: it is the bootstrap of restarted nodes,
        # not of these survivors, but a third of the others die.
        victims = rng.sample(self.nodes[1:], COUNT // 3)
        for node in victims:
            node.stop(signal.SIGKILL)
        survivors = [n for n in self.nodes if n not in victims]
        start = time.monotonic()
        deadline = start + 180
        while True:
            failing = []
            for a in survivors:
                sample = rng.sample([b for b in survivors if b is not a], 5)
                failing += [(a, b) for b in sample if not a.host.ping(b.address)]
            if not failing:
                break
            self.assertLess(time.monotonic(), deadline,
                            "pairs still cut: " + ", ".join("%s->%s" % (a.name, b.name)
                                                            for a, b in failing[:10]))
            time.sleep(1)
        # Then every pair, to be sure.
        self.bed.wait_connected(survivors, 60)
        print("%d of 24 nodes killed: survivors fully connected after %.1f s"
              % (len(victims), time.monotonic() - start), file=sys.stderr)


if __name__ == "__main__":
    testbed.main()
