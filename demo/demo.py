"""A live re6st network on this machine: a registry and NODES nodes in network
namespaces on one bridge, each enrolled with re6st-conf and running re6stnet
with real OpenVPN and babeld. Prints, refreshed, which node reaches which over
the overlay, and draws the mesh as the registry sees it (re6st-registry map,
rendered by Graphviz) into an SVG file; Ctrl-C (or --duration) tears
everything down.
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "network"))
import testbed  # noqa: E402


def matrix(bed, nodes):
    failing = set((a.name, b.name) for a, b in bed.unreachable_pairs(nodes))
    width = max(len(n.name) for n in nodes) + 1
    lines = [" " * width + " ".join(n.name.rjust(width) for n in nodes)]
    for a in nodes:
        cells = []
        for b in nodes:
            cell = "." if a is b else ("FAIL" if (a.name, b.name) in failing else "ok")
            cells.append(cell.rjust(width))
        lines.append(a.name.ljust(width) + " ".join(cells))
    reached = len(nodes) * (len(nodes) - 1) - len(failing)
    return lines, reached


def draw_map(bed, path):
    """The registry's map of the mesh, as SVG; False if it could not."""
    db = os.path.join(bed.registry_host.dir, "registry.db")
    dot = bed.registry_host.run([testbed.PROGRAMS["re6st-registry"], "map", "--db", db],
                                check=False, stderr=subprocess.DEVNULL)
    if dot.returncode != 0 or not shutil.which("dot"):
        return False
    return subprocess.run(["dot", "-Tsvg", "-o", path], input=dot.stdout, text=True,
                          check=False).returncode == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=7,
                        help="nodes, the registry's own included (default 7)")
    parser.add_argument("--duration", type=float, default=0,
                        help="stop after S seconds (default: at Ctrl-C)")
    parser.add_argument("--hello", type=int, default=4, help="babeld hello interval")
    args = parser.parse_args()
    if not testbed.is_root():
        sys.exit("demo: run me as root (network namespaces)")
    if args.nodes < 2:
        sys.exit("demo: --nodes must be at least 2")

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    # The nodes report their tunnels for the map every 10 s.
    options = ["--hello", str(args.hello), "--connection-count", "4", "--tunnel-refresh", "60",
               "--config-refresh", "10"]
    with testbed.TestBed("demo") as bed:
        try:
            print("enrolling %d nodes with re6st-conf..." % args.nodes, flush=True)
            nodes = bed.build_network(args.nodes, options, options)
            for node in nodes:
                node.start()
            print("nodes (overlay addresses):")
            for node in nodes:
                print("  %-4s %-20s %s" % (node.name, node.address, node.host.ipv4))
            print("logs under", bed.dir, flush=True)
            svg = os.path.join(bed.dir, "map.svg")
            start = time.monotonic()
            drawn = 0.0
            while not stop:
                lines, reached = matrix(bed, nodes)
                elapsed = time.monotonic() - start
                sys.stdout.write("\x1b[H\x1b[J" if sys.stdout.isatty() else "\n")
                print("re6st demo, %.0f s: %d of %d ordered pairs reach each other over the "
                      "overlay (Ctrl-C to stop)" % (elapsed, reached,
                                                    len(nodes) * (len(nodes) - 1)))
                print("\n".join(lines))
                if elapsed - drawn >= 10 and draw_map(bed, svg):
                    drawn = elapsed
                if drawn:
                    print("map of the mesh (re6st-registry map | dot -Tsvg):", svg)
                sys.stdout.flush()
                if args.duration and elapsed >= args.duration:
                    break
                time.sleep(2)
        except KeyboardInterrupt:
            pass
        print("tearing the demo network down...", flush=True)
        for node in bed.nodes.values():
            node.stop()


if __name__ == "__main__":
    main()
