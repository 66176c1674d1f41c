"""Failover benchmark: how long traffic between two nodes stops
when the transit node on its path dies, with an alternative path available.

Topology, with the registry down so that nobody makes other tunnels:
  A ~ B ~ D and A ~ C ~ D, where "~" is an OpenVPN tunnel. In the
  "servers" orientation A and D run the servers that B and C connect to (the
  endpoints' first hops are server-side taps, shared with other clients); in
  the "clients" orientation A and D connect to B and C.
A pings D every 100 ms; the transit node (B or C, whichever carries A's route
to D) is then either killed (SIGKILL of its daemon and every child) or cut off
(nftables drop-all in its namespace). The interruption is the longest gap
between two answers, minus the 100 ms interval.

Usage: bench_failover.py [--hello 4 15] [--runs 5] [--orientation servers clients]
Prints one line per run and a summary (median, max, multiple of hello).
"""

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import time

import testbed


def babel_routes(host, prefix):
    """Installed and alternative routes to `prefix` known by the host's
    babeld, from its control socket."""
    return [line for line in host.babel("dump")
            if " route " in line and " prefix %s " % prefix in line
            and "metric 65535" not in line]


def answers_until_steady(ping, struck, steady=3.0):
    """Times of the answers a running `ping -D -i 0.1` prints, read until
    answers have come without a break for `steady` seconds after the strike
    and a silence (or until ping's deadline); ping is then stopped."""
    times = []
    for line in ping.stdout:
        match = re.match(r"^\[(\d+\.\d+)\]", line)
        if not match:
            continue
        times.append(float(match.group(1)))
        after = [t for t in times if t >= struck]
        if time.time() < struck + 1 or len(after) < 2:
            continue
        # The answers since the last break of more than 3 intervals.
        run_start = after[0]
        for a, b in zip(after, after[1:]):
            if b - a > 0.3:
                run_start = b
        if times[-1] - run_start >= steady and run_start > struck:
            break
    ping.terminate()
    ping.communicate()
    return times


def owner_of(link_local, hosts):
    for host in hosts:
        if link_local in host.run(["ip", "-6", "address"]).stdout:
            return host
    return None


class Bench:
    def __init__(self, bed, hello, orientation):
        self.bed = bed
        self.hello = hello
        self.orientation = orientation
        reg = bed.add_host("reg")
        bed.start_registry(reg)
        self.nodes = {name: bed.enrol(bed.add_host(name)) for name in "ABCD"}
        bed.stop_registry()
        ends, transits = ("A", "D"), ("B", "C")
        clients, servers = (transits, ends) if orientation == "servers" else (ends, transits)
        for name in clients:
            self.seed_peers(self.nodes[name], [self.nodes[s] for s in servers])
        options = ["--hello", str(hello), "--connection-count", "4", "--tunnel-refresh",
                   "100000", "-v", "2"]
        for name, node in self.nodes.items():
            node.options = options + ["--ip", node.host.ipv4, "1194", "udp"]
            node.start()
        self.a, self.d = self.nodes["A"], self.nodes["D"]
        self.d_subnet = re.sub(r"::1$", "::/64", self.d.address)

    @staticmethod
    def seed_peers(node, peers):
        """The daemon's own cache schema: a hand-made one lacked the tables
        added since, and the daemon refused it."""
        cache = {}
        for peer in peers:
            prefix, length = (int(x) for x in peer.cn.split("/"))
            cache[format(prefix, "0%db" % length)] = "%s,1194,udp" % peer.host.ipv4
        testbed.seed_peer_cache(node, cache)

    def wait_both_paths(self, timeout):
        """Until A has a route to D and knows the alternative, both ways."""
        deadline = time.monotonic() + timeout
        a_subnet = re.sub(r"::1$", "::/64", self.a.address)
        while time.monotonic() < deadline:
            try:
                if (len(babel_routes(self.a.host, self.d_subnet)) >= 2
                        and len(babel_routes(self.d.host, a_subnet)) >= 2
                        and self.a.host.ping(self.d.address)):
                    return True
            except OSError:
                pass
            time.sleep(1)
        return False

    def transit(self):
        route = self.a.host.run(["ip", "-6", "route", "get", self.d.address]).stdout
        via = re.search(r"via (\S+)", route)
        if not via:
            return None
        hosts = [self.nodes[n].host for n in "BC"]
        owner = owner_of(via.group(1), hosts)
        return next((n for n in self.nodes.values() if n.host is owner), None)

    def measure(self, mode):
        if not self.wait_both_paths(30 * self.hello + 60):
            raise RuntimeError("no two paths between A and D")
        time.sleep(2 * self.hello)   # let babeld settle its metrics
        ping = subprocess.Popen(
            self.a.host.argv(["stdbuf", "-oL", "ping", "-6", "-n", "-D", "-i", "0.1", "-W", "1",
                              "-w", str(int(8 * self.hello + 25)), self.d.address]),
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        time.sleep(3)
        # The path of the moment: the two are equivalent, and babeld may move
        # between them as their round-trip times vary.
        transit = self.transit()
        if transit is None:
            raise RuntimeError("A has no route to D")
        struck = time.time()
        if mode == "kill":
            for pid in transit.host.pids():
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        else:
            transit.host.run(["nft", "-f", "-"], input=(
                "table inet r6cut {\n"
                " chain input { type filter hook input priority -300; policy drop; }\n"
                " chain output { type filter hook output priority -300; policy drop; }\n"
                "}\n"))
        times = answers_until_steady(ping, struck)
        before = [t for t in times if t < struck]
        if not before or times[-1] < struck:
            raise RuntimeError("traffic did not resume within the ping's run")
        # The longest silence from the last answer before the strike on:
        # answers still in flight at the strike do not hide it.
        times = times[len(before) - 1:]
        gap = max(b - a for a, b in zip(times, times[1:])) - 0.1
        # Bring the transit node back for the next run.
        if mode == "kill":
            transit.process.wait()
            transit.start()
        else:
            transit.host.run(["nft", "delete", "table", "inet", "r6cut"])
        return transit.name, gap


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hello", type=int, nargs="+", default=[4, 15])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--orientation", nargs="+", default=["servers", "clients"],
                        choices=["servers", "clients"])
    parser.add_argument("--mode", nargs="+", default=["kill", "cut"], choices=["kill", "cut"])
    args = parser.parse_args()
    if not testbed.is_root():
        sys.exit("bench_failover: needs root")
    summary = []
    for hello in args.hello:
        for orientation in args.orientation:
            with testbed.TestBed("fo") as bed:
                bench = Bench(bed, hello, orientation)
                for mode in args.mode:
                    gaps = []
                    for run in range(args.runs):
                        transit, gap = bench.measure(mode)
                        gaps.append(gap)
                        print("hello %2d  %-7s  %-4s  run %d  transit %s  interruption %.2f s"
                              % (hello, orientation, mode, run + 1, transit, gap), flush=True)
                    summary.append((hello, orientation, mode, gaps))
    print("\nhello  orientation  mode  runs  median   max    median/hello")
    for hello, orientation, mode, gaps in summary:
        median = statistics.median(gaps)
        print("%5d  %-11s  %-4s  %4d  %5.2f s %5.2f s  %.2f"
              % (hello, orientation, mode, len(gaps), median, max(gaps), median / hello))


if __name__ == "__main__":
    main()
