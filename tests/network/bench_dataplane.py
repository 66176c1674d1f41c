"""Data plane benchmark: TCP throughput with iperf3 between two
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

OpenVPN 2.6 has two regimes (docs/performance.rst, "The data plane"): once
a check of its control channel finds a data packet queued for the link, it
runs its TLS state machine on every packet for as long as packets keep
coming within 2 s of each other, which costs a CPU-bound tunnel about a
quarter of its throughput. A tunnel that carries steady traffic from its
start, as every overlay tunnel carries babeld's hellos (every 0.2 s), is in
that regime for good; a quiet one enters it during a transfer, when the
check (every 15 s) finds a queued packet. So the hand-made tunnels are
measured twice: fresh, with no traffic but the runs', and "busy", with a
ping every 0.2 s each way from the moment their taps appear. The regime of
the busy ones and of the overlay's tunnel is read while idle, by counting
OpenSSL's BIO_read calls with a uprobe (perf): OpenVPN makes them only in
its TLS state machine. A busy tunnel that escaped the regime is made again.
The target compares the overlay with the best busy tunnel.

Each run lasts --warmup + --duration seconds and is read per second: "start"
is the mean of seconds 2 to --warmup, "steady" the mean after it.

--explore measures more hand-configured variants (ciphers, buffers, TUN,
MTU, server mode) instead of the overlay.

Usage: bench_dataplane.py [--runs 5] [--warmup 16] [--duration 14] [--explore]
"""

import argparse
import contextlib
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

LIBCRYPTO = "/usr/lib/x86_64-linux-gnu/libcrypto.so.3"

# Hand-configured tunnels: (name, arguments of both ends, device type,
# options of the server end only). Every variant runs over UDP with TLS, the
# nodes' own certificates, and AES-256-GCM unless it says otherwise.
BEST = ("OpenVPN, best", BUFFERS, "tap", [])
REFERENCE = "OpenVPN, best, busy"
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


def iperf(client, address, warmup, duration, reverse):
    """(steady Mbit/s, start Mbit/s, TCP retransmissions) of one iperf3 run:
    the mean rate after `warmup` seconds, that of seconds 2 to `warmup`, and
    the sender's retransmissions over the whole run. The per-second rates
    are those measured at n1 (sent up, received down); over the steady
    window they differ from the received ones by at most the socket
    buffers, under 1 %."""
    argv = ["iperf3", "-c", address, "-p", str(IPERF_PORT), "-t", str(warmup + duration),
            "-i", "1", "-J"] + (["-R"] if reverse else [])
    result = client.host.run(argv, check=False, timeout=warmup + duration + 30)
    report = json.loads(result.stdout)
    if "error" in report:
        raise RuntimeError("iperf3 to %s: %s" % (address, report["error"]))
    rates = [i["sum"]["bits_per_second"] / 1e6 for i in report["intervals"]]
    return (statistics.mean(rates[warmup:]), statistics.mean(rates[1:warmup]),
            report["end"]["sum_sent"].get("retransmits", 0))


class HandTunnel:
    """An OpenVPN tunnel between two enrolled nodes' namespaces, with
    addresses of its own on its devices. A busy one carries a ping every
    0.2 s each way from the moment each tap is configured, as babeld's
    hellos on the overlay's tunnels."""

    count = 0

    def __init__(self, bed, server, client, arguments, device, server_only, busy=False):
        HandTunnel.count += 1
        self.device = "%sh%d" % (bed.tag, HandTunnel.count)
        self.port = HAND_PORT + HandTunnel.count
        self.address = "fd6c:6174:%x::1" % HandTunnel.count   # the server's
        client_address = "fd6c:6174:%x::2" % HandTunnel.count
        common = ["openvpn", "--dev-type", device, "--dev", self.device, "--disable-dco",
                  "--ca", os.path.join(server.conf_dir, "ca.pem"), "--verb", "3",
                  "--proto", "udp"]
        mtu = arguments[arguments.index("--tun-mtu") + 1] if "--tun-mtu" in arguments else None
        self.processes = []   # OpenVPN's
        self.pingers = []
        for node, role, address, peer in ((server, "server", self.address, client_address),
                                          (client, "client", client_address, self.address)):
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
            if busy:
                self.pingers.append(node.host.popen(
                    ["ping", "-6", "-n", "-q", "-i", "0.2", peer],
                    "ping-%s.out" % self.device))
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
        for process in self.pingers + self.processes:
            process.terminate()
            process.wait(10)


class TlsLoopProbe:
    """Counts a process's calls of OpenSSL's BIO_read with a uprobe: OpenVPN
    makes them only in its TLS state machine, so a count well above the
    packets' when idle means that it runs that machine on every packet."""

    def __init__(self):
        self.event = "re6st_bio_read_%d" % os.getpid()
        testbed.run(["perf", "probe", "-q", "-x", LIBCRYPTO, self.event + "=BIO_read"])

    def close(self):
        testbed.run(["perf", "probe", "-q", "-d", "probe_libcrypto:%s*" % self.event],
                    check=False)

    def calls(self, pid, seconds=2):
        out = testbed.run(["perf", "stat", "-x,", "-e", "probe_libcrypto:" + self.event,
                           "-p", str(pid), "--", "sleep", str(seconds)],
                          stderr=subprocess.PIPE).stderr
        count = out.split(",")[0]
        # "<not counted>": the process did not run at all meanwhile.
        return int(count) if count.isdigit() else 0

    def per_packet(self, pids):
        """Whether every one of the OpenVPN processes `pids` runs its TLS
        state machine on every packet (with 5 packets/s each way, idle:
        about 90 calls in 2 s; none or a handful otherwise)."""
        return all(self.calls(pid) > 40 for pid in pids)


def busy_reference(bed, reg, n1, probe, attempts=5):
    """The best settings, busy, in the per-packet regime (made again until
    it is)."""
    for _ in range(attempts):
        tunnel = HandTunnel(bed, reg, n1, *BEST[1:], busy=True)
        tunnel.wait_up()
        if probe.per_packet([p.pid for p in tunnel.processes]):
            return tunnel
        tunnel.close()
    raise RuntimeError("no busy hand tunnel entered OpenVPN's per-packet regime")


def daemon_openvpn(*nodes):
    """{"node/tap": pid} of the OpenVPN processes of the daemons on `nodes`
    (those with the daemon's management lifeline)."""
    found = {}
    for node in nodes:
        for pid in node.host.pids():
            with contextlib.suppress(OSError):
                with open("/proc/%d/cmdline" % pid, "rb") as f:
                    argv = f.read().decode().split("\0")
                if argv[0] == "openvpn" and "--management" in argv:
                    found["%s/%s" % (node.name, argv[argv.index("--dev") + 1])] = pid
    return found


def measure(paths, runs, warmup, duration):
    """{(path, direction): [(steady, start, retransmits)...]}, runs
    interleaved."""
    results = {}
    for run in range(runs):
        for name, (client, address) in paths.items():
            for direction, reverse in (("up", False), ("down", True)):
                value = iperf(client, address, warmup, duration, reverse)
                results.setdefault((name, direction), []).append(value)
                print("run %d  %-44s %-4s steady %6.0f Mbit/s  start %6.0f  %6d retransmits"
                      % (run + 1, name, direction, *value), flush=True)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=16,
                        help="seconds before the steady state (OpenVPN's check is every 15 s)")
    parser.add_argument("--duration", type=int, default=14, help="seconds of steady state")
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
        variants = EXPLORE_VARIANTS if args.explore else MAIN_VARIANTS
        if args.only:
            variants = [v for v in variants if v[0] == "defaults"
                        or any(word in v[0] for word in args.only)]
        probe = TlsLoopProbe()
        bed.cleanups.append(probe.close)
        for name, arguments, device, server_only in variants:
            # Explored variants are compared busy, in the overlay's regime.
            tunnel = HandTunnel(bed, reg, n1, arguments, device, server_only, busy=args.explore)
            tunnel.wait_up()
            paths[name] = (n1, tunnel.address)
        if not args.explore:
            paths[REFERENCE] = (n1, busy_reference(bed, reg, n1, probe).address)
            for node in (reg, n1):
                node.start()
            bed.wait_connected([reg, n1], 120)
            route = n1.host.run(["ip", "-6", "route", "get", reg.address]).stdout
            print("overlay route:", route.strip(), flush=True)
            time.sleep(5)
            print("BIO_read calls in 2 s idle, daemons' OpenVPN:", " ".join(
                "%s %d" % (name, probe.calls(pid))
                for name, pid in daemon_openvpn(reg, n1).items()), flush=True)
            paths["re6stnet overlay"] = (n1, reg.address)
        with open("/proc/loadavg") as f:
            load_before = " ".join(f.read().split()[:3])
        results = measure(paths, args.runs, args.warmup, args.duration)
        with open("/proc/loadavg") as f:
            load_after = " ".join(f.read().split()[:3])

    medians = {key: [statistics.median(v[i] for v in values) for i in range(3)]
               for key, values in results.items()}
    reference = REFERENCE if not args.explore else "defaults"
    print("\nmedian of %d runs of %d + %d s; load average %s before, %s after"
          % (args.runs, args.warmup, args.duration, load_before, load_after))
    print("%-44s %-4s %8s  %8s  %11s  %s" % ("path", "dir", "steady", "start", "retransmits",
                                             "steady vs " + reference))
    for (name, direction), (steady, start, retransmits) in medians.items():
        ratio = steady / medians[(reference, direction)][0] * 100
        print("%-44s %-4s %8.0f  %8.0f  %11.0f  %5.1f %%"
              % (name, direction, steady, start, retransmits, ratio))


if __name__ == "__main__":
    main()
