"""Daemon footprint benchmark: resident memory and CPU of the
re6stnet process itself (not its OpenVPN and babeld children) in steady
state, on a namespace network where each node has about 10 tunnels.

Every node runs with --connection-count 10 (5 client tunnels, servers that
accept 5 clients) and otherwise the defaults. --settle seconds after every
pair of nodes connects, each daemon's CPU time is read, again --duration
seconds later, and its memory at the end: VmRSS, and from smaps_rollup the
proportional set (shared pages divided among the processes mapping them) and
the private pages.

Usage: bench_footprint.py [--nodes 12] [--duration 60] [--settle 120]
"""

import argparse
import os
import statistics
import sys
import time

import testbed

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from proc_status import status_kib   # noqa: E402

CONNECTION_COUNT = 10


def cpu_seconds(pid):
    """CPU time of `pid` so far, children excluded: (from the scheduler's
    nanosecond clock, summed over the live threads; from user + system
    clock ticks, which also keep the time of threads that ended)."""
    precise = 0
    for task in os.listdir("/proc/%d/task" % pid):
        with open("/proc/%d/task/%s/schedstat" % (pid, task)) as f:
            precise += int(f.read().split()[0])
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])   # cutime, cstime (children) follow
    return precise / 1e9, ticks / os.sysconf("SC_CLK_TCK")


def memory_kib(pid):
    """(VmRSS, Pss, Private) in KiB."""
    values = {"rss": status_kib(pid, "VmRSS")}
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            name, _, rest = line.partition(":")
            if name in ("Pss", "Private_Clean", "Private_Dirty"):
                values[name] = int(rest.split()[0])
    return values["rss"], values["Pss"], values["Private_Clean"] + values["Private_Dirty"]


def resident_by_mapping(pid, top=8):
    """The `top` mappings of `pid` by resident size: [(KiB, name)]."""
    sizes = {}
    name = None
    with open("/proc/%d/smaps" % pid) as f:
        for line in f:
            fields = line.split()
            if "-" in fields[0] and len(fields) >= 5:   # a mapping's header
                name = os.path.basename(fields[5]) if len(fields) > 5 else "[anonymous]"
            elif fields[0] == "Rss:":
                sizes[name] = sizes.get(name, 0) + int(fields[1])
    return sorted(((kib, n) for n, kib in sizes.items()), reverse=True)[:top]


def tunnels(node):
    """(incoming, outgoing) tunnels: babeld's neighbours on the server taps
    and on the client taps."""
    incoming = outgoing = 0
    for line in node.host.babel():
        if line.startswith("add neighbour "):
            interface = line.split(" if ", 1)[1].split()[0]
            if interface.startswith("re6st-"):
                incoming += 1
            elif interface.startswith("re6stnet"):
                outgoing += 1
    return incoming, outgoing


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=12)
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--settle", type=int, default=120)
    args = parser.parse_args()
    if not testbed.is_root():
        sys.exit("bench_footprint: needs root")
    options = ["--connection-count", str(CONNECTION_COUNT)]
    with testbed.TestBed("fpt") as bed:
        # The registry's node accepts up to 32 clients (every node's first
        # tunnel goes to it): it has more tunnels than the others.
        nodes = bed.build_network(args.nodes, options, options)
        for node in nodes:
            node.start()
        connected = bed.wait_connected(nodes, 300)
        print("%d nodes: all pairs connected after %.1f s" % (len(nodes), connected), flush=True)
        # Tunnels keep changing in steady state: every node replaces one
        # every --tunnel-refresh (300 s), so there is no quiet moment to wait
        # for; the counts at both ends of the window are reported.
        time.sleep(args.settle)
        counts = [tunnels(node) for node in nodes]
        with open("/proc/loadavg") as f:
            load_before = " ".join(f.read().split()[:3])
        start = [cpu_seconds(node.process.pid) for node in nodes]
        started = time.monotonic()
        time.sleep(args.duration)
        end = [cpu_seconds(node.process.pid) for node in nodes]
        elapsed = time.monotonic() - started
        with open("/proc/loadavg") as f:
            load_after = " ".join(f.read().split()[:3])
        after = [tunnels(node) for node in nodes]
        threads = [len(os.listdir("/proc/%d/task" % node.process.pid)) for node in nodes]

        rows = []
        print("\nnode  tunnels in+out  VmRSS     Pss       Private   threads"
              "  CPU, %% of one core over %d s (from ticks)" % args.duration)
        for node, (inc, out), (inc2, out2), before, now, thread_count in zip(
                nodes, counts, after, start, end, threads):
            rss, pss, private = memory_kib(node.process.pid)
            cpu = (now[0] - before[0]) / elapsed * 100
            cpu_ticks = (now[1] - before[1]) / elapsed * 100
            changed = "" if (inc, out) == (inc2, out2) else "  (then %d+%d)" % (inc2, out2)
            rows.append((inc + out, rss, pss, private, cpu))
            print("%-5s %2d + %2d = %2d    %5.2f MiB %5.2f MiB %5.2f MiB %7d  %6.3f %% (%.3f %%)%s"
                  % (node.name, inc, out, inc + out, rss / 1024, pss / 1024, private / 1024,
                     thread_count, cpu, cpu_ticks, changed))
        print("load average %s before, %s after" % (load_before, load_after))
        typical = next((n for n, r in zip(nodes, rows) if r[0] == 10), nodes[-1])
        print("resident memory of %s's daemon by mapping: %s" % (typical.name, ", ".join(
            "%s %d KiB" % (name, kib) for kib, name in resident_by_mapping(typical.process.pid))))
        for label, subset in (("all nodes", rows),
                              ("nodes with >= 10 tunnels", [r for r in rows if r[0] >= 10])):
            if not subset:
                continue
            print("%s (%d): median VmRSS %.2f MiB (max %.2f), Pss %.2f MiB, Private %.2f MiB;"
                  " median CPU %.3f %% (max %.3f %%)"
                  % (label, len(subset), statistics.median(r[1] for r in subset) / 1024,
                     max(r[1] for r in subset) / 1024,
                     statistics.median(r[2] for r in subset) / 1024,
                     statistics.median(r[3] for r in subset) / 1024,
                     statistics.median(r[4] for r in subset), max(r[4] for r in subset)))


if __name__ == "__main__":
    main()
