"""Join benchmark: how soon a node that joins a formed network reaches, and
is reached by, every node; and how soon a cold network forms.

For each network size and --hello: the network is formed (its nodes
started together, as bench_convergence does), then new nodes join it one
at a time, each enrolled beforehand with a fresh certificate and prefix,
so that the others have never seen it. From the start of each joining
daemon, measured by polling every 0.1 s (all pings of a round at once,
from raw sockets that this process holds in each node's namespace):

* first tunnel: its first client tunnel up (its log says so);
* reaches all: it pings every node of the network;
* reached by all: every node of the network pings it.

Each joined node is stopped before the next joins, and the network is
left 10 s to forget it. Last, the whole network (without the joined
nodes) is stopped and started cold, and the time to full connectivity is
measured (empty peer caches, a registry that knows no node).

Usage: bench_join.py [--nodes 8 24] [--hello 4 15] [--joins 5]
"""

import argparse
import os
import statistics
import sys
import time

import testbed
from bench_convergence import cold_start


def join(node, network, timeout):
    """Starts `node`; returns (first tunnel, reaches all, reached by all) in
    seconds from its start, None for what did not happen within timeout."""
    log = os.path.join(node.host.dir, "re6stnet.out")
    offset = os.path.getsize(log) if os.path.exists(log) else 0
    start = time.monotonic()
    node.start()
    first = reaches = reached = None
    out = [(node, b) for b in network]
    into = [(a, node) for a in network]
    with testbed.Prober(network + [node]) as prober:
        while time.monotonic() - start < timeout and None in (first, reaches, reached):
            if first is None:
                with open(log, errors="replace") as f:
                    f.seek(offset)
                    if " is up" in f.read():
                        first = time.monotonic() - start
            now = time.monotonic() - start
            failing = set(prober.failing((out if reaches is None else [])
                                         + (into if reached is None else []), wait=0.5))
            if reaches is None and not failing.intersection(out):
                reaches = now
            if reached is None and not failing.intersection(into):
                reached = now
            time.sleep(max(0.0, 0.1 - (time.monotonic() - start - now)))
    return first, reaches, reached


def describe(values):
    done = [v for v in values if v is not None]
    if not done:
        return "   -       -   "
    text = "%5.1f s %5.1f s" % (statistics.median(done), max(done))
    return text + ("" if len(done) == len(values) else " (%d missed)" % (len(values) - len(done)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, nargs="+", default=[8, 24])
    parser.add_argument("--hello", type=int, nargs="+", default=[4, 15])
    parser.add_argument("--joins", type=int, default=5)
    parser.add_argument("--connection-count", type=int, default=6)
    args = parser.parse_args()
    if not testbed.is_root():
        sys.exit("bench_join: needs root")
    rows = []
    for count in args.nodes:
        for hello in args.hello:
            options = ["--hello", str(hello), "--connection-count",
                       str(args.connection_count), "-v", "1"]
            with testbed.TestBed("joi") as bed:
                network = bed.build_network(count, options, options)
                joiners = []
                for i in range(args.joins):
                    node = bed.enrol(bed.add_host("j%d" % i))
                    node.options = list(options)
                    joiners.append(node)
                formed = cold_start(bed, network, 300)
                print("%d nodes, hello %d: formed in %.1f s" % (count, hello, formed), flush=True)
                results = []
                for node in joiners:
                    time.sleep(10)
                    result = join(node, network, 120)
                    results.append(result)
                    print("  %s joined: first tunnel %s, reaches all %s, reached by all %s"
                          % (node.name, *["%.1f s" % v if v is not None else "never"
                                          for v in result]), flush=True)
                    node.stop()
                cold = cold_start(bed, network, 300)
                print("  cold start: every pair connected after %.1f s" % cold, flush=True)
                rows.append((count, hello, results, cold))
    print("\nmedian and maximum over the joins, from the joining daemon's start")
    print("nodes hello  first tunnel     reaches all      reached by all   cold start")
    for count, hello, results, cold in rows:
        columns = [describe([r[i] for r in results]) for i in range(3)]
        print("%5d %5d  %s  %s  %s  %5.1f s" % (count, hello, *columns, cold))


if __name__ == "__main__":
    main()
