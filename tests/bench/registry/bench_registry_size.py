"""What the registry keeps per node: the size of its database and
its resident memory for 1 000, 10 000 and 100 000 enrolled nodes.

Every node is enrolled through the real registry on loopback
(requestToken, then requestCertificate with a 2048-bit key's request, 8
clients at a time), so the vpn table holds real certificates and the prefix
tree the allocator really leaves. The peers table is then filled as the
nodes' declares leave it (as in bench_registry.py: declaring needs each
node's own source address). Sizes are of the database file after the
registry stopped (WAL checkpointed), per table from SQLite's dbstat; the
registry's memory is read after it loaded the full peers table.

Usage: bench_registry_size.py RE6ST_REGISTRY [--sizes 1000,10000,100000]
"""

import argparse
import concurrent.futures
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import time
import xmlrpc.client

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "support"))
import registry_harness as harness   # noqa: E402
from bench_registry import PREFIX_LENGTH, fill_peers   # noqa: E402
from proc_status import status_kib   # noqa: E402


def enrol(registry, mbox, count, csr, clients=8):
    """`count` more nodes enrolled: tokens mailed, then certificates."""
    stamp = time.monotonic_ns()
    emails = ["size%d-%d@example.org" % (stamp, i) for i in range(count)]

    def request_tokens(batch):
        proxy = xmlrpc.client.ServerProxy(registry.url("[::1]"))
        for email in batch:
            proxy.requestToken(email)
        proxy("close")()

    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        list(pool.map(request_tokens, [emails[i::clients] for i in range(clients)]))
    # One pass over the mailbox, the mails of this batch only.
    wanted = set(emails)
    tokens = []
    with open(mbox) as f:
        for mail in f.read().split("\nFrom "):
            to = re.search(r"^To: (\S+)$", mail, re.M)
            if to and to.group(1) in wanted:
                tokens.append(harness.TOKEN.findall(mail)[-1])
    assert len(tokens) == count, (len(tokens), count)
    os.truncate(mbox, 0)

    def issue(batch):
        proxy = xmlrpc.client.ServerProxy(registry.url("[::1]"))
        for token in batch:
            proxy.requestCertificate(token, csr)
        proxy("close")()

    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        list(pool.map(issue, [tokens[i::clients] for i in range(clients)]))


def table_sizes(db):
    """{table or index: bytes} from dbstat, and the file's size."""
    connection = sqlite3.connect(db)
    sizes = dict(connection.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"))
    rows = {table: connection.execute("SELECT count(*) FROM %s" % table).fetchone()[0]
            for table in ("vpn", "peers", "tokens")}
    some_prefix = connection.execute(
        "SELECT prefix FROM vpn WHERE cert IS NOT NULL LIMIT 1").fetchone()[0]
    connection.close()
    return sizes, rows, os.path.getsize(db), some_prefix


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary")
    parser.add_argument("--sizes", default="1000,10000,100000")
    args = parser.parse_args()
    harness.BINARY = os.path.abspath(args.binary)
    sizes = [int(n) for n in args.sizes.split(",")]
    directory = tempfile.mkdtemp(prefix="re6st-bench-size-")
    started = []
    try:
        ca, key = harness.make_ca(directory)
        mbox = os.path.join(directory, "mbox")
        _, csr = harness.make_csr(directory, "node")
        db = os.path.join(directory, "registry.db")
        results = []
        enrolled = 0
        for size in sizes:
            registry = harness.Registry(directory, ca, key, mbox, "--prefix-length",
                                        str(PREFIX_LENGTH), db=db, verbosity=1)
            started.append(registry)
            begin = time.monotonic()
            enrol(registry, mbox, size - enrolled, csr)
            rate = (size - enrolled) / (time.monotonic() - begin)
            enrolled = size
            assert registry.stop() == 0, registry.text()
            _, _, _, caller = table_sizes(db)
            fill_peers(db, size, caller)
            # The registry loads every declared peer at start.
            registry = harness.Registry(directory, ca, key, mbox, "--prefix-length",
                                        str(PREFIX_LENGTH), db=db, verbosity=1)
            started.append(registry)
            rss = status_kib(registry.process.pid, "VmRSS")
            assert registry.stop() == 0, registry.text()
            tables, rows, file_size, _ = table_sizes(db)
            results.append((size, rate, tables, rows, file_size, rss))
            print("%d nodes enrolled (%.0f/s): %s" % (size, rate, rows), flush=True)

        print("\nnodes     database   per node  vpn+index  peers+index  tokens  registry RSS")
        for size, rate, tables, rows, file_size, rss in results:
            vpn = sum(v for k, v in tables.items() if k in ("vpn", "vpn_free", "vpn_expires")
                      or k.startswith("sqlite_autoindex_vpn"))
            peers = sum(v for k, v in tables.items() if k in ("peers", "peers_ping")
                        or k.startswith("sqlite_autoindex_peers"))
            tokens = sum(v for k, v in tables.items() if k == "tokens"
                         or k.startswith("sqlite_autoindex_tokens"))
            print("%7d  %7.1f MB  %6.0f B  %7.1f MB  %9.1f MB  %4.1f MB  %7.1f MiB"
                  % (size, file_size / 1e6, file_size / size, vpn / 1e6, peers / 1e6,
                     tokens / 1e6, rss / 1024))
    finally:
        for registry in started:
            registry.kill()
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
