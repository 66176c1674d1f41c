"""Benchmark of getNetworkConfig on loopback, which every node calls every
--config-refresh: requests per second, median latency and the registry's CPU
per request of the "unchanged" answer (the caller has the current version)
and of the whole signed answer, with getCa (a constant string of similar
size to the signed answer) beside them as the yardstick of one XML-RPC
call. The figures of docs/performance.rst. No root needed: the method has no
source-address check.

Usage: bench_network_config.py RE6ST_REGISTRY [--runs N] [--duration S]
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import xmlrpc.client

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_registry   # noqa: E402  (wrk, the table)
from bench_registry import harness   # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("bench_network_config: wrk is missing (packaging/install-deps installs it)")
    harness.BINARY = os.path.abspath(args.binary)
    directory = tempfile.mkdtemp(prefix="re6st-bench-config-")
    registry = None
    try:
        ca, key = harness.make_ca(directory)
        registry = harness.Registry(directory, ca, key, os.path.join(directory, "mbox"),
                                    verbosity=1)
        answer = registry.proxy().getNetworkConfig()
        version = answer.split("\n")[1].split(" ")[1]
        assert registry.proxy().getNetworkConfig(version) == "unchanged"

        def body(name, method, *params):
            path = os.path.join(directory, name + ".xml")
            with open(path, "w") as f:
                f.write(xmlrpc.client.dumps(params, method))
            return path

        workloads = {
            "getNetworkConfig(current)": body("unchanged", "getNetworkConfig", version),
            "getNetworkConfig() (%d B)" % len(answer): body("full", "getNetworkConfig"),
            "getCa() (%d B)" % len(registry.proxy().getCa()): body("ca", "getCa"),
        }
        url = registry.url(path="/RPC2")
        results = {name: [] for name in workloads}
        for _ in range(args.runs):   # interleaved, as bench_registry does
            for name, path in workloads.items():
                results[name].append(bench_registry.wrk(url, path, args.duration,
                                                        registry.process.pid))
                print(name, results[name][-1], file=sys.stderr)
        rows = []
        for name, runs in results.items():
            assert sum(run[3] for run in runs) == 0, "%s: wrk saw errors" % name
            rows.append((name, *(statistics.median(run[i] for run in runs) for i in range(3))))
        assert registry.stop() == 0, registry.text()
        print(bench_registry.table(rows, args.runs, args.duration))
    finally:
        if registry:
            registry.kill()
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
