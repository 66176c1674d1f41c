"""Data plane benchmark (issue 8): TCP throughput with iperf3 between two
namespaces, over
  * veth: the raw path (the bridge both namespaces are on);
  * OpenVPN by hand: a TAP tunnel between the same namespaces configured
    here, with OpenVPN's defaults and with the best settings found;
  * overlay: two re6stnet nodes, one tunnel, from node address to node
    address (the route babeld installed).
Both directions are measured: "up" from n1 (the tunnel's client) to reg (its
server), "down" the other way (iperf3 -R). The runs of all paths are
interleaved and each figure is the median of the runs, so that the load of
the shared machine weighs on all paths alike.

--explore measures more hand-configured variants (ciphers, buffers, TUN,
MTU, server mode) instead of the overlay.

Usage: bench_dataplane.py [--runs 5] [--duration 10] [--explore]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import testbed

HAND_PORT = 1195
IPERF_PORT = 5201
BUFFERS = ["--sndbuf", "2097152", "--rcvbuf", "2097152"]

# Hand-configured tunnels: (name, arguments of both ends, device type,
# options of the server end only). Every variant runs over UDP with TLS, the
# nodes' own certificates, and AES-256-GCM unless it says otherwise.
BEST = ("OpenVPN, best", BUFFERS, "tap", [])
MAIN_VARIANTS = [
    ("OpenVPN, defaults", [], "tap", []),
    BEST,
]
EXPLORE_VARIANTS = [
    ("defaults", [], "tap", []),
    ("buffers 2 MiB", BUFFERS, "tap", []),
    ("buffers 4 MiB", ["--sndbuf", "4194304", "--rcvbuf", "4194304"], "tap", []),
    ("buffers 2 MiB, txqueuelen 5000", BUFFERS + ["--txqueuelen", "5000"], "tap", []),
    ("buffers 2 MiB, fast-io", BUFFERS + ["--fast-io"], "tap", []),
    ("buffers 2 MiB, AES-128-GCM", BUFFERS + ["--data-ciphers", "AES-128-GCM"], "tap", []),
    ("buffers 2 MiB, CHACHA20-POLY1305",
     BUFFERS + ["--data-ciphers", "CHACHA20-POLY1305"], "tap", []),
    ("buffers 2 MiB, TUN", BUFFERS, "tun", []),
    ("buffers 2 MiB, server mode", BUFFERS, "tap", ["--mode", "server"]),
    ("buffers 2 MiB, server mode, ping 1", BUFFERS + ["--ping", "1"], "tap",
     ["--mode", "server", "--ping-restart", "3"]),
    ("buffers 2 MiB, server mode, as nobody", BUFFERS + ["--user", "nobody", "--group", "nogroup",
                                                        "--persist-key"], "tap",
     ["--mode", "server"]),
    ("buffers 2 MiB, tun-mtu 9000 (IP fragments)",
     BUFFERS + ["--tun-mtu", "9000", "--mssfix", "0"], "tap", []),
]


def iperf(client, address, duration, reverse):
    """(Mbit/s received, TCP retransmissions) of one iperf3 run."""
    argv = ["iperf3", "-c", address, "-p", str(IPERF_PORT), "-t", str(duration), "-O", "1",
            "-J"] + (["-R"] if reverse else [])
    result = client.host.run(argv, check=False, timeout=duration + 30)
    report = json.loads(result.stdout)
    if "error" in report:
        raise RuntimeError("iperf3 to %s: %s" % (address, report["error"]))
    end = report["end"]
    return end["sum_received"]["bits_per_second"] / 1e6, end["sum_sent"].get("retransmits", 0)


class HandTunnel:
    """An OpenVPN tunnel between two enrolled nodes' namespaces, with
    addresses of its own on its devices."""

    count = 0

    def __init__(self, bed, server, client, arguments, device, server_only):
        HandTunnel.count += 1
        self.device = "%sh%d" % (bed.tag, HandTunnel.count)
        self.port = HAND_PORT + HandTunnel.count
        self.address = "fd6c:6174:%x::1" % HandTunnel.count
        common = ["openvpn", "--dev-type", device, "--dev", self.device, "--disable-dco",
                  "--ca", os.path.join(server.conf_dir, "ca.pem"), "--verb", "3",
                  "--proto", "udp"]
        mtu = arguments[arguments.index("--tun-mtu") + 1] if "--tun-mtu" in arguments else None
        self.processes = []
        for node, role, address in ((server, "server", self.address),
                                    (client, "client", "fd6c:6174:%x::2" % HandTunnel.count)):
            argv = common + ["--cert", os.path.join(node.conf_dir, "cert.crt"),
                             "--key", os.path.join(node.conf_dir, "cert.key")]
            if role == "server":
                argv += ["--tls-server", "--dh", "none", "--port", str(self.port)] + server_only
            else:
                argv += ["--tls-client", "--nobind",
                         "--remote", server.host.ipv4, str(self.port), "udp"]
                if "--mode" in server_only:
                    argv += ["--client"]
            argv += arguments
            log = "openvpn-%s.log" % self.device
            self.processes.append(node.host.popen(argv, log))
            self._configure(node.host, address, mtu)
        self.client = client

    def _configure(self, host, address, mtu):
        deadline = time.monotonic() + 20
        while self.device not in host.links():
            if time.monotonic() > deadline:
                raise TimeoutError("OpenVPN made no %s in %s" % (self.device, host.name))
            time.sleep(0.1)
        host.run(["ip", "link", "set", "dev", self.device, "up"] + (["mtu", mtu] if mtu else []))
        host.run(["ip", "-6", "address", "add", address + "/64", "dev", self.device, "nodad"])

    def wait_up(self, timeout=60):
        deadline = time.monotonic() + timeout
        while not self.client.host.ping(self.address):
            if time.monotonic() > deadline:
                raise TimeoutError("hand tunnel %s never carried a ping" % self.device)

    def close(self):
        for process in self.processes:
            process.terminate()
            process.wait(10)


def measure(paths, runs, duration):
    """{(path, direction): [(Mbit/s, retransmits)...]}, runs interleaved."""
    results = {}
    for run in range(runs):
        for name, (client, address) in paths.items():
            for direction, reverse in (("up", False), ("down", True)):
                value = iperf(client, address, duration, reverse)
                results.setdefault((name, direction), []).append(value)
                print("run %d  %-44s %-4s %8.0f Mbit/s  %6d retransmits"
                      % (run + 1, name, direction, *value), flush=True)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--explore", action="store_true")
    parser.add_argument("--only", nargs="+", metavar="WORD",
                        help="with --explore: only the variants whose name has one of these")
    args = parser.parse_args()
    if not testbed.is_root():
        sys.exit("bench_dataplane: needs root")
    with testbed.TestBed("dpl") as bed:
        # No tunnel refresh during the runs: the one tunnel stays.
        options = ["--connection-count", "2", "--tunnel-refresh", "1000000"]
        reg, n1 = bed.build_network(2, options, options)
        reg.host.popen(["iperf3", "-s", "-p", str(IPERF_PORT)], "iperf3.out")
        paths = {"veth": (n1, reg.host.ipv4)}
        tunnels = []
        variants = EXPLORE_VARIANTS if args.explore else MAIN_VARIANTS
        if args.only:
            variants = [v for v in variants if v[0] == "defaults"
                        or any(word in v[0] for word in args.only)]
        for name, arguments, device, server_only in variants:
            tunnel = HandTunnel(bed, reg, n1, arguments, device, server_only)
            tunnel.wait_up()
            tunnels.append(tunnel)
            paths[name] = (n1, tunnel.address)
        if not args.explore:
            for node in (reg, n1):
                node.start()
            bed.wait_connected([reg, n1], 120)
            route = n1.host.run(["ip", "-6", "route", "get", reg.address]).stdout
            print("overlay route:", route.strip(), flush=True)
            paths["re6stnet overlay"] = (n1, reg.address)
        with open("/proc/loadavg") as f:
            load_before = " ".join(f.read().split()[:3])
        results = measure(paths, args.runs, args.duration)
        with open("/proc/loadavg") as f:
            load_after = " ".join(f.read().split()[:3])

    medians = {key: (statistics.median(v[0] for v in values),
                     statistics.median(v[1] for v in values))
               for key, values in results.items()}
    reference = "OpenVPN, best" if not args.explore else "defaults"
    print("\nmedian of %d runs of %d s; load average %s before, %s after"
          % (args.runs, args.duration, load_before, load_after))
    print("%-44s %-4s %10s  %11s  %s" % ("path", "dir", "Mbit/s", "retransmits",
                                         "vs " + reference))
    for (name, direction), (rate, retransmits) in medians.items():
        ratio = rate / medians[(reference, direction)][0] * 100
        print("%-44s %-4s %10.0f  %11.0f  %5.1f %%" % (name, direction, rate, retransmits, ratio))


if __name__ == "__main__":
    main()
