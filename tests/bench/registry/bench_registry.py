"""Benchmark of re6st-registry on loopback: requests per second and median
latency of getPeerList(200) with 100, 10 000 and 100 000 known peers, of
declare, and certificates issued per second (the figures of
docs/performance.rst). Run as root through ./run.

getPeerList and declare are only served to a caller whose real source
address is the node address it claims (SPEC B.1). So the benchmark runs in a
network namespace of its own where the enrolled node's overlay address is on
lo, and wrk connects to that address: the kernel then speaks from it, and
every request takes the same authorisation path as in production. The peers
table is filled directly with N rows (what N nodes' declares leave), since
enrolling 100 000 nodes would only measure certificate signing.

Usage: bench_registry.py RE6ST_REGISTRY [--runs N] [--duration S] [--sizes N,N,...]
"""

import argparse
import concurrent.futures
import datetime
import os
import platform
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import xmlrpc.client

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "support"))
import registry_harness as harness   # noqa: E402  (the CA and the registry process)

PREFIX_LENGTH = 20   # room for 100 000 nodes (a /16 holds 65 536)


def cpu_seconds(pid):
    """User + system CPU time of a process so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(url, body_file, duration, pid, connections=8):
    """wrk -t1 -cN against the registry `pid`: (requests/s, median latency
    in ms, registry CPU per request in µs, errors)."""
    before = cpu_seconds(pid)
    result = subprocess.run(
        ["wrk", "-t1", "-c%d" % connections, "-d%ds" % duration, "--latency",
         "-s", os.path.join(HERE, "post_body.lua"), url],
        capture_output=True, text=True, env={**os.environ, "RE6ST_BENCH_BODY": body_file},
        check=True)
    cpu = cpu_seconds(pid) - before
    out = result.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    value, unit = re.search(r"\s50%\s+([\d.]+)(us|ms|s)\b", out).groups()
    median = float(value) * {"us": 1e-3, "ms": 1, "s": 1e3}[unit]
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", out))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return rate, median, cpu / requests * 1e6, errors


def fill_peers(db, count, caller_prefix):
    """count rows as count nodes' declares leave them, the caller among them."""
    connection = sqlite3.connect(db)
    now = int(time.time())
    prefixes = {caller_prefix}
    while len(prefixes) < count:
        prefixes.add(format(random.getrandbits(PREFIX_LENGTH), "0%db" % PREFIX_LENGTH))
    rows = []
    for prefix in prefixes:
        n = int(prefix, 2)
        ip = "198.%d.%d.%d" % (18 + (n >> 16 & 1), n >> 8 & 255, n & 255)
        rows.append((prefix, "%s,1194,udp;%s,1194,tcp" % (ip, ip), now))
    with connection:
        connection.execute("DELETE FROM peers")
        connection.executemany("INSERT INTO peers VALUES (?, ?, ?)", rows)
    connection.close()


class Bench:

    def __init__(self, binary, directory, runs, duration):
        harness.BINARY = binary
        self.directory = directory
        self.runs = runs
        self.duration = duration
        self.mbox = os.path.join(directory, "mbox")
        self.ca, self.key = harness.make_ca(directory)
        self.started = []   # killed whatever happens

    def start(self, db=None):
        registry = harness.Registry(self.directory, self.ca, self.key, self.mbox,
                                    "--prefix-length", str(PREFIX_LENGTH), db=db, verbosity=1)
        self.started.append(registry)
        return registry

    def kill_all(self):
        for registry in self.started:
            registry.kill()

    @staticmethod
    def stop(registry):
        assert registry.stop() == 0, registry.text()
        assert "refused" not in registry.text(), registry.text()

    def enrol(self, proxy, email):
        proxy.requestToken(email)
        with open(self.mbox) as f:
            token = harness.TOKEN.findall(f.read())[-1]
        _, csr = harness.make_csr(self.directory, "node")
        return harness.cn_prefix(proxy.requestCertificate(token, csr))

    def body(self, name, method, *params):
        path = os.path.join(self.directory, name + ".xml")
        with open(path, "w") as f:
            f.write(xmlrpc.client.dumps(params, method))
        return path

    def measure(self, workloads):
        """{name: (registry, url, body)}: the median rate, latency and CPU per
        request of each, its runs interleaved with the others' so that a
        change in the machine's load (it is shared) weighs on all alike."""
        results = {name: [] for name in workloads}
        for _ in range(self.runs):
            for name, (registry, url, body) in workloads.items():
                results[name].append(wrk(url, body, self.duration, registry.process.pid))
                print(name, results[name][-1], file=sys.stderr)
        measured = {}
        for name, runs in results.items():
            errors = sum(run[3] for run in runs)
            assert errors == 0, "%s: wrk saw %d errors" % (name, errors)
            measured[name] = tuple(statistics.median(run[i] for run in runs) for i in range(3))
        return measured

    def certificates(self, registry, count=150, clients=8):
        """Certificates issued per second, `clients` at a time."""
        proxy = registry.proxy("[::1]")
        emails = ["bench%d-%d@example.org" % (time.monotonic_ns(), i) for i in range(count)]
        for email in emails:
            proxy.requestToken(email)
        with open(self.mbox) as f:
            mails = f.read().split("\nFrom ")
        wanted = set(emails)
        tokens = [harness.TOKEN.findall(mail)[-1] for mail in mails
                  if re.search(r"^To: (\S+)$", mail, re.M).group(1) in wanted]
        assert len(tokens) == count
        _, csr = harness.make_csr(self.directory, "bench")

        def issue(batch):
            local = xmlrpc.client.ServerProxy(registry.url("[::1]"))
            for token in batch:
                local.requestCertificate(token, csr)
            local("close")()

        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(clients) as pool:
            list(pool.map(issue, [tokens[i::clients] for i in range(clients)]))
        return count / (time.monotonic() - started)

    def run(self, sizes):
        first = self.start()
        caller_prefix = self.enrol(first.proxy("[::1]"), "node@example.org")
        self.stop(first)
        node = harness.node_address(caller_prefix)
        subprocess.run(["ip", "address", "add", node + "/128", "dev", "lo", "nodad"], check=True)

        # One registry per table size, each on a copy of the database.
        registries = {}
        for size in sizes:
            db = os.path.join(self.directory, "registry-%d.db" % size)
            shutil.copy(first.db, db)
            fill_peers(db, size, caller_prefix)
            registries[size] = self.start(db)
            # One checked call first: a full list, no fault.
            proxy = registries[size].proxy("[%s]" % node)
            assert len(proxy.getPeerList(200, node)) == min(200, size - 1)
        def target(size):
            return registries[size], "http://[%s]:%d/RPC2" % (node, registries[size].port)

        peer_list = self.body("getPeerList", "getPeerList", 200, node)
        declare = self.body("declare", "declare", [node, "192.0.2.1,1194,udp;192.0.2.1,1194,tcp"])
        workloads = {"getPeerList(200), %d peers" % size: (*target(size), peer_list)
                     for size in sizes}
        workloads["declare"] = (*target(sizes[0]), declare)
        measured = self.measure(workloads)
        rows = [(name, *measured[name]) for name in workloads]

        certificates = statistics.median(self.certificates(registries[sizes[0]])
                                         for _ in range(self.runs))
        rows.append(("requestCertificate (8 clients)", certificates, None, None))
        for registry in registries.values():
            self.stop(registry)
        return rows


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def table(rows, runs, duration):
    rule = "=" * 33 + "  " + "=" * 10 + "  " + "=" * 9 + "  " + "=" * 14
    lines = ["%s, %s, %d CPUs, Linux %s; wrk -t1 -c8, median of %d runs of %d s"
             % (datetime.date.today().isoformat(), cpu_model(), os.cpu_count(),
                platform.release(), runs, duration),
             "", rule,
             "%-33s  %10s  %9s  %14s" % ("workload", "requests/s", "latency", "CPU/request"),
             "%-33s  %10s  %9s  %14s" % ("", "", "(median)", "(registry)"),
             rule]
    for name, rate, median, cpu in rows:
        lines.append("%-33s  %10.0f  %9s  %14s" % (
            name, rate, "%.2f ms" % median if median is not None else "-",
            "%.0f µs" % cpu if cpu is not None else "-"))
    lines.append(rule)
    return "\n".join(lines)


def inside(args):
    directory = tempfile.mkdtemp(prefix="re6st-bench-")
    try:
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        bench = Bench(os.path.abspath(args.binary), directory, args.runs, args.duration)
        try:
            rows = bench.run([int(n) for n in args.sizes.split(",")])
        finally:
            bench.kill_all()
        print(table(rows, args.runs, args.duration))
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--sizes", default="100,10000,100000")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        return inside(args)
    if os.geteuid() != 0:
        sys.exit("bench_registry: needs root (a network namespace)")
    if not shutil.which("wrk"):
        sys.exit("bench_registry: wrk is missing (packaging/install-deps installs it)")
    netns = "re6st-bench-registry-%d" % os.getpid()
    subprocess.run(["ip", "netns", "add", netns], check=True)
    try:
        subprocess.run(["ip", "netns", "exec", netns, sys.executable, os.path.abspath(__file__),
                        "--inside", *sys.argv[1:]], check=True)
    finally:
        subprocess.run(["ip", "netns", "del", netns], check=True)


if __name__ == "__main__":
    main()
