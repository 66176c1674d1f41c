"""Cost growth benchmark: what each node's routing costs as the
network grows, measured on namespace networks of 8, 16 and 24 nodes.

For every node, in steady state:
  * babeld's route table, from "dump" on its control socket: routes (one per
    prefix and neighbour announcing it), how many are installed, the
    neighbours, the interfaces up, and the size of the dump the daemon reads
    at every tunnel refresh;
  * Babel control traffic, counted by nftables in the node's namespace: UDP
    port 6696 packets and bytes (IPv6 header included) sent and received on
    the taps, and the UDP bytes on eth0 (the tunnels themselves: Babel
    encapsulated by OpenVPN, one copy per client of a server tap, plus
    OpenVPN's own keepalives and TLS);
  * resident memory of babeld and of the daemon (VmRSS, and VmHWM: the peak).

Nodes run with --connection-count 6 (3 client tunnels, servers accepting 3:
about 6 tunnels per node, so that 24 nodes fit 2 cores) and the defaults
otherwise: --hello 15 (full route updates every 60 s) and --tunnel-hello 0.2.
The traffic is counted over --window seconds (a multiple of 60 s covers
whole update periods) after the network has been fully connected for
--settle seconds.

A least-squares fit over every node of every size then separates, for the
bytes sent on the taps, a part per interface (hellos and IHUs, every
--tunnel-hello) from a part per interface and per route (full updates every
4 x --hello); likewise on the wire, per tunnel.

Usage: bench_growth.py [--nodes 8 16 24] [--window 180] [--settle 60]
"""

import argparse
import json
import os
import statistics
import sys
import time

import testbed

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from proc_status import status_kib   # noqa: E402

CONNECTION_COUNT = 6

NFT_RULES = """
table inet r6growth {
    counter babel_out { }
    counter babel_in { }
    counter wire_out { }
    counter wire_in { }
    chain output {
        type filter hook output priority 0; policy accept;
        oifname "re6st*" udp dport 6696 counter name babel_out
        oifname "eth0" meta l4proto udp counter name wire_out
    }
    chain input {
        type filter hook input priority 0; policy accept;
        iifname "re6st*" udp dport 6696 counter name babel_in
        iifname "eth0" meta l4proto udp counter name wire_in
    }
}
"""


def counters(host):
    """{name: (packets, bytes)} of the node's nftables counters."""
    out = host.run(["nft", "-j", "list", "counters", "table", "inet", "r6growth"]).stdout
    values = {}
    for item in json.loads(out)["nftables"]:
        if "counter" in item:
            c = item["counter"]
            values[c["name"]] = (c["packets"], c["bytes"])
    return values


def route_table(node):
    """What the node's babeld knows, from its dump."""
    lines = node.host.babel()
    routes = [l for l in lines if l.startswith("add route ")]
    interfaces = [l for l in lines if l.startswith("add interface ") and " up true" in l]
    neighbours = [l for l in lines if l.startswith("add neighbour ")]
    tcp = [l for l in neighbours if " if re6st-tcp" in l]
    prefixes = {l.split(" prefix ")[1].split()[0] for l in routes}
    return {
        "routes": len(routes),
        "installed": sum(" installed yes " in l for l in routes),
        "prefixes": len(prefixes),
        "interfaces": len(interfaces),
        "neighbours": len(neighbours),
        "tcp_tunnels": len(tcp),
        "dump_bytes": sum(len(l) + 1 for l in lines),
    }


def measure(count, window, settle):
    options = ["--connection-count", str(CONNECTION_COUNT)]
    with testbed.TestBed("gro") as bed:
        nodes = bed.build_network(count, options, options)
        for node in nodes:
            node.host.run(["nft", "-f", "-"], input=NFT_RULES)
            node.start()
        connected = bed.wait_connected(nodes, 400)
        print("%d nodes: all pairs connected after %.0f s; settling %d s"
              % (count, connected, settle), flush=True)
        time.sleep(settle)
        with open("/proc/loadavg") as f:
            load = [" ".join(f.read().split()[:3])]
        before = [counters(node.host) for node in nodes]
        started = time.monotonic()
        time.sleep(window)
        after = [counters(node.host) for node in nodes]
        elapsed = time.monotonic() - started
        with open("/proc/loadavg") as f:
            load.append(" ".join(f.read().split()[:3]))
        rows = []
        for node, b, a in zip(nodes, before, after):
            row = route_table(node)
            for name in a:
                row[name + "_pps"] = (a[name][0] - b[name][0]) / elapsed
                row[name + "_Bps"] = (a[name][1] - b[name][1]) / elapsed
            with open(os.path.join(node.host.dir, "run", "babeld.pid")) as f:
                babeld = int(f.read())
            row["babeld_rss"] = status_kib(babeld, "VmRSS")
            row["daemon_rss"] = status_kib(node.process.pid, "VmRSS")
            row["daemon_hwm"] = status_kib(node.process.pid, "VmHWM")
            row["name"] = node.name
            row["N"] = count
            rows.append(row)
        # Still every pair, or the figures are not those of a working network.
        bed.wait_connected(nodes, 60)
    return rows, load


def least_squares(xs, ys):
    """a, b minimising sum (a x0 + b x1 - y)^2 (two unknowns, no constant)."""
    s00 = sum(x[0] * x[0] for x in xs)
    s01 = sum(x[0] * x[1] for x in xs)
    s11 = sum(x[1] * x[1] for x in xs)
    t0 = sum(x[0] * y for x, y in zip(xs, ys))
    t1 = sum(x[1] * y for x, y in zip(xs, ys))
    det = s00 * s11 - s01 * s01
    return (t0 * s11 - t1 * s01) / det, (s00 * t1 - s01 * t0) / det


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, nargs="+", default=[8, 16, 24])
    parser.add_argument("--window", type=int, default=180)
    parser.add_argument("--settle", type=int, default=60)
    args = parser.parse_args()
    if not testbed.is_root():
        sys.exit("bench_growth: needs root")
    every = []
    for count in args.nodes:
        rows, load = measure(count, args.window, args.settle)
        every += rows
        print("\n%d nodes, %d s window, load average %s before, %s after"
              % (count, args.window, load[0], load[1]))
        print("node  neigh if  routes inst  dump KB  babel out B/s pkt/s  in B/s  "
              "wire out B/s  in B/s  babeld RSS  daemon RSS (peak)")
        for r in rows:
            print("%-5s %5d %2d  %6d %4d  %7.1f  %13.0f %5.1f  %6.0f  %12.0f  %6.0f"
                  "  %6.2f MiB  %5.2f MiB (%.2f)"
                  % (r["name"], r["neighbours"], r["interfaces"], r["routes"], r["installed"],
                     r["dump_bytes"] / 1000, r["babel_out_Bps"], r["babel_out_pps"],
                     r["babel_in_Bps"], r["wire_out_Bps"], r["wire_in_Bps"],
                     r["babeld_rss"] / 1024, r["daemon_rss"] / 1024, r["daemon_hwm"] / 1024))
        if any(r["tcp_tunnels"] for r in rows):
            print("note: %d tunnels over TCP" % sum(r["tcp_tunnels"] for r in rows))
        others = [r for r in rows if r["name"] != "reg"]
        print("median of the %d nodes other than reg: %.1f neighbours, %.1f routes, "
              "%.0f B/s and %.1f packets/s of Babel sent on the taps, %.0f B/s of UDP sent "
              "on eth0" % (len(others), statistics.median(r["neighbours"] for r in others),
                           statistics.median(r["routes"] for r in others),
                           statistics.median(r["babel_out_Bps"] for r in others),
                           statistics.median(r["babel_out_pps"] for r in others),
                           statistics.median(r["wire_out_Bps"] for r in others)), flush=True)

    # Bytes sent on the taps = per interface (hellos, IHUs) + per interface
    # and route (full updates); on the wire the same per tunnel.
    hello, update = least_squares([(r["interfaces"], r["interfaces"] * r["prefixes"])
                                   for r in every], [r["babel_out_Bps"] for r in every])
    wire_hello, wire_update = least_squares(
        [(r["neighbours"], r["neighbours"] * r["prefixes"]) for r in every],
        [r["wire_out_Bps"] for r in every])
    hello_pps, update_pps = least_squares([(r["interfaces"], r["interfaces"] * r["prefixes"])
                                           for r in every], [r["babel_out_pps"] for r in every])
    per_route = statistics.median(r["routes"] / (r["prefixes"] * r["neighbours"])
                                  for r in every if r["neighbours"])
    dump_per_route = statistics.median(r["dump_bytes"] / r["routes"] for r in every)
    print("\nfit over %d nodes:" % len(every))
    print("  Babel sent on the taps = %.1f B/s per interface + %.3f B/s per interface per route"
          % (hello, update))
    print("                         = %.2f packets/s per interface + %.5f per interface per route"
          % (hello_pps, update_pps))
    print("  UDP sent on the wire   = %.1f B/s per tunnel + %.3f B/s per tunnel per route"
          % (wire_hello, wire_update))
    print("  routes in babeld = %.2f x prefixes x neighbours (median); dump %.0f bytes per route"
          % (per_route, dump_per_route))


if __name__ == "__main__":
    main()
