"""Convergence benchmark: time from starting every daemon of a
network of enrolled nodes to full all-pairs connectivity, from a cold start:
empty peer caches, and a registry that knows no node yet.

Usage: bench_convergence.py [--nodes 8 24] [--runs 3] [--hello 4]
"""

import argparse
import os
import shutil
import signal
import sqlite3
import statistics
import sys
import time

import testbed


def cold_start(bed, nodes, timeout):
    for node in nodes:
        node.stop(signal.SIGTERM)
        shutil.rmtree(os.path.join(node.host.dir, "state"), ignore_errors=True)
    bed.stop_registry()
    db = sqlite3.connect(os.path.join(bed.registry_host.dir, "registry.db"))
    db.execute("DELETE FROM peers")
    db.commit()
    db.close()
    bed.start_registry(bed.registry_host, nodes[0].address)
    start = time.monotonic()
    for node in nodes:
        node.start()
    bed.wait_connected(nodes, timeout)
    return time.monotonic() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, nargs="+", default=[8, 24])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--hello", type=int, default=4)
    parser.add_argument("--connection-count", type=int, default=6)
    args = parser.parse_args()
    if not testbed.is_root():
        sys.exit("bench_convergence: needs root")
    summary = []
    for count in args.nodes:
        options = ["--hello", str(args.hello), "--connection-count",
                   str(args.connection_count), "-v", "1"]
        with testbed.TestBed("cvg") as bed:
            nodes = bed.build_network(count, options, options)
            times = []
            for run in range(args.runs):
                seconds = cold_start(bed, nodes, 300)
                times.append(seconds)
                print("%2d nodes, hello %d, run %d: all %d pairs connected after %.1f s"
                      % (count, args.hello, run + 1, count * (count - 1), seconds), flush=True)
            summary.append((count, times))
    print("\nnodes  runs  median   min     max")
    for count, times in summary:
        print("%5d  %4d  %5.1f s %5.1f s %5.1f s"
              % (count, len(times), statistics.median(times), min(times), max(times)))


if __name__ == "__main__":
    main()
