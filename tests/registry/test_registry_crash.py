"""re6st-registry killed (SIGKILL) in the middle of a burst of
requestCertificate calls, then restarted on the same database: every request
happened entirely or not at all. No prefix is allocated twice, no token is
half-consumed, every certificate a client received is on record, and the
database passes PRAGMA integrity_check.

Usage: test_registry_crash.py RE6ST_REGISTRY [unittest arguments]
"""

import concurrent.futures
import http.client
import os
import re
import signal
import sys
import threading
import time
import xmlrpc.client

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import registry_harness as harness
from registry_harness import RegistryTestCase

NODES = 160


class Crash(RegistryTestCase):

    def test_sigkill_during_certificate_burst(self):
        mbox = os.path.join(self.dir, "mbox")
        registry = self.start_registry(mbox)
        proxy = registry.proxy()
        emails = ["n%d@example.org" % i for i in range(NODES)]
        for email in emails:
            proxy.requestToken(email)
        with open(mbox) as f:
            mails = f.read().split("\nFrom ")
        tokens = {}
        for mail in mails:
            email = re.search(r"^To: (\S+)$", mail, re.M).group(1)
            tokens[email] = harness.TOKEN.findall(mail)[-1]
        self.assertEqual(len(tokens), NODES)
        _, csr = harness.make_csr(self.dir, "node")   # one key may enrol many times

        received = {}   # email -> certificate, as the clients got them
        lock = threading.Lock()
        stop = threading.Event()

        def client(batch):
            local = xmlrpc.client.ServerProxy(registry.url())
            for email in batch:
                if stop.is_set():
                    return
                try:
                    certificate = local.requestCertificate(tokens[email], csr)
                except (OSError, http.client.HTTPException, xmlrpc.client.ProtocolError):
                    return   # the registry died under it
                with lock:
                    received[email] = certificate

        batches = [emails[i::8] for i in range(8)]
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(client, batch) for batch in batches]
            while True:   # kill once a good part of the burst is through
                with lock:
                    if len(received) >= NODES // 3:
                        break
                time.sleep(0.005)
            registry.process.send_signal(signal.SIGKILL)
            registry.process.wait()
            stop.set()
            for future in futures:
                future.result(timeout=60)
        self.assertLess(len(received), NODES, "the burst ended before the kill")

        self.assertEqual(harness.integrity(registry.db), "ok")
        self.check_consistent(registry.db, tokens, received)

        # Restarted, it goes on where it stopped: the remaining tokens work
        # and get fresh prefixes.
        registry = self.start_registry(mbox)
        proxy = registry.proxy()
        state = harness.snapshot(registry.db)
        remaining = [email for email in emails
                     if any(row[1] == email for row in state["tokens"])]
        self.assertEqual(len(remaining) + len(self.owners(state)), NODES)
        for email in remaining[:10]:
            received[email] = proxy.requestCertificate(tokens[email], csr)
        self.assertEqual(registry.stop(), 0)
        self.assertEqual(harness.integrity(registry.db), "ok")
        self.check_consistent(registry.db, tokens, received)

    @staticmethod
    def owners(state):
        return {email: (prefix, cert) for prefix, email, cert, _ in state["vpn"] if cert}

    def check_consistent(self, db, tokens, received):
        state = harness.snapshot(db)
        owners = self.owners(state)
        pending = {email for _, email, _, _ in state["tokens"]}
        # Each token either still waits or became exactly one certificate.
        for email in tokens:
            self.assertNotEqual(email in pending, email in owners, email)
        self.assertEqual(len(owners), len({prefix for prefix, _ in owners.values()}))
        # The rows of the prefix tree still partition the space: no overlap.
        prefixes = [row[0] for row in state["vpn"]]
        self.assertEqual(sum(2.0 ** -len(p) for p in prefixes), 1.0)
        for p in prefixes:
            self.assertFalse(any(q != p and q.startswith(p) for q in prefixes), p)
        # Whatever a client received is on record, under the prefix of its CN.
        for email, certificate in received.items():
            self.assertIn(email, owners)
            prefix, stored = owners[email]
            self.assertEqual(stored, certificate)
            self.assertEqual(harness.cn_prefix(certificate), prefix)


if __name__ == "__main__":
    harness.main()
