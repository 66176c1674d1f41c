"""Loss benchmark: the default keepalive settings must not flap.
The "internet" bridge drops a random 10 % of all frames (nftables
`numgen random mod 100 < 10 drop`; this kernel has no netem) for the given
duration while the overlay runs: no tunnel may be torn down, and every pair
of nodes must stay reachable (a check every 10 s). A ping over a path of h
tunnels crosses the lossy bridge 2h times, so over 3 hops half of them are
lost: a pair counts as cut only when 15 pings in a row (3 s) go unanswered.

The tunnel refresh is turned off (--tunnel-refresh): every 300 s (give or
take a quarter) each node closes its least useful tunnel and opens another,
by design; those closings are not the flapping this benchmark looks for.
Client tunnels that never came up (their peer did not answer, or their TLS
handshake did not end) are counted apart, with OpenVPN's reasons.

With --from-start the loss begins before the daemons start: the network
must form under it, and every tunnel's TLS handshake is made under it.

Usage: bench_loss.py [--nodes 8] [--minutes 5] [--loss 10] [--from-start]
                     [node options...]
"""

import argparse
import glob
import os
import re
import subprocess
import sys
import time

import testbed

ENDED = re.compile(r"tunnel (\S+) to (\S+) ended|incoming tunnel from (\S+) closed")
# A client tunnel that never came up (not a teardown, but reported).
FAILED = re.compile(r"tunnel (\S+): no connection to (\S+)")
# What OpenVPN says when it ends or drops a tunnel.
REASON = re.compile(r"Inactivity timeout|Connection reset|TLS Error|fatal error|"
                    r"SIGTERM|SIGUSR1|connect-retry-max|Server poll timeout")


def log_lines(node, since_line, pattern):
    return [line for line in node.log().splitlines()[since_line:] if pattern.search(line)]


def reasons(node, line):
    """OpenVPN's own lines on the teardown `line` of `node`'s daemon log:
    those of the tunnel's log (a client slot's, or every server's for an
    incoming tunnel) written in the 5 s before it."""
    when = line[:19]
    found = ENDED.search(line) or FAILED.search(line)
    if found.group(1):
        logs = [os.path.join(node.host.dir, "log", "re6stnet-client%s.log"
                             % found.group(1).replace("re6stnet", ""))]
    else:
        logs = glob.glob(os.path.join(node.host.dir, "log", "re6stnet-server-*.log"))
    start = time.mktime(time.strptime(when, "%Y-%m-%d %H:%M:%S")) - 5
    out = []
    for log in logs:
        with open(log, errors="replace") as f:
            for text in f:
                try:
                    stamp = time.mktime(time.strptime(text[:19], "%Y-%m-%d %H:%M:%S"))
                except ValueError:
                    continue
                if start <= stamp <= start + 5 and REASON.search(text) \
                        and (found.group(1) or found.group(3) in text):
                    out.append(text.rstrip())
    return out


def cut_pairs(bed, nodes):
    checks = []
    for a in nodes:
        for b in nodes:
            if a is not b:
                checks.append((a, b, subprocess.Popen(
                    a.host.argv(["ping", "-6", "-n", "-q", "-c", "15", "-i", "0.2", "-W", "1",
                                 b.address]),
                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)))
    cut = []
    for a, b, p in checks:
        out = p.communicate()[0]
        if re.search(r" 0 received", out) or " received" not in out:
            cut.append((a, b))
    return cut


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=8)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--loss", type=int, default=10, help="percent of frames dropped")
    parser.add_argument("--from-start", action="store_true",
                        help="drop frames from before the daemons start (counting from then)")
    parser.add_argument("options", nargs="*", help="extra re6stnet options")
    args = parser.parse_args()
    if not testbed.is_root():
        sys.exit("bench_loss: needs root")
    options = ["--hello", "4", "--connection-count", "6", "--tunnel-refresh", "100000",
               "-v", "1"] + args.options
    with testbed.TestBed("los") as bed:
        nodes = bed.build_network(args.nodes, options, options)
        table = bed.tag + "loss"

        lost_at = []

        def lose():
            lost_at.append(time.monotonic())
            testbed.run(["nft", "-f", "-"], input=(
                # Frames from the bridge ports of this test bed (this kernel
                # has no "meta ibrname").
                "table bridge %s {\n chain forward { type filter hook forward priority 0;"
                " iifname \"%sv*\" numgen random mod 100 < %d counter drop;"
                " iifname \"%sv*\" counter; }\n}\n"
                % (table, bed.tag, args.loss, bed.tag)))
            bed.cleanups.append(lambda: testbed.run(["nft", "delete", "table", "bridge", table],
                                                    check=False))

        if args.from_start:
            # Every tunnel is opened, and every handshake made, under loss.
            lose()
            marks = {n.name: 0 for n in nodes}
            for node in nodes:
                node.start()
            began = time.monotonic()
            while cut_pairs(bed, nodes):
                if time.monotonic() - began > 300:
                    sys.exit("bench_loss: not connected after 300 s under loss")
            print("converged under loss in %.0f s" % (time.monotonic() - began), flush=True)
        else:
            for node in nodes:
                node.start()
            print("converged in %.0f s" % bed.wait_connected(nodes, 180), flush=True)
            time.sleep(30)   # let the tunnel refills settle
            marks = {n.name: len(n.log().splitlines()) for n in nodes}
            lose()
        start = time.monotonic()
        checks = cuts = 0
        while time.monotonic() - start < args.minutes * 60:
            cut = cut_pairs(bed, nodes)
            checks += 1
            if cut:
                cuts += 1
                print("%5.0f s: %d pairs cut: %s" % (
                    time.monotonic() - start, len(cut),
                    " ".join("%s->%s" % (a.name, b.name) for a, b in cut[:8])), flush=True)
            time.sleep(10)
        counters = testbed.run(["nft", "list", "table", "bridge", table]).stdout
        testbed.run(["nft", "delete", "table", "bridge", table])
        dropped, passed = (int(x) for x in re.findall(r"packets (\d+)", counters)[:2])

        def report(title, pattern):
            """Prints the daemon log lines matching `pattern` since the loss
            began, each with OpenVPN's lines on it; returns their count."""
            found = {n.name: log_lines(n, marks[n.name], pattern) for n in nodes}
            count = sum(len(lines) for lines in found.values())
            print("%s: %d" % (title, count))
            for name, lines in found.items():
                for line in lines:
                    print("  %s: %s" % (name, line))
                    for reason in reasons(bed.nodes[name], line):
                        print("      OpenVPN: %s" % reason)
            return count

        tunnels = sum(len(re.findall(r"tunnel re6stnet\d+: connecting", n.log())) for n in nodes)
        print("loss %d %%: %.1f %% of %d frames dropped over %.1f min" % (
            args.loss, 100.0 * dropped / max(1, dropped + passed), dropped + passed,
            (time.monotonic() - lost_at[0]) / 60))
        total = report("tunnel teardowns during the loss", ENDED)
        report("connection attempts that failed during the loss", FAILED)
        print("connectivity checks: %d, with a cut pair: %d" % (checks, cuts))
        print("tunnels opened since start, all nodes: %d" % tunnels)
        sys.exit(1 if total or cuts else 0)


if __name__ == "__main__":
    main()
