"""The HTTP layer of a live re6st-registry: keep-alive, paths and methods,
size limits, deadlines, the connection cap; and no request stalling the
others: idle or trickling clients, a mail server that never answers.

Usage: test_registry_http.py RE6ST_REGISTRY [unittest arguments]
"""

import concurrent.futures
import http.client
import os
import signal
import socket
import sys
import time
import xmlrpc.client

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import registry_harness as harness
from registry_harness import RegistryTestCase

GET_CA = xmlrpc.client.dumps((), "getCa").encode()


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


class Http(RegistryTestCase):

    def setUp(self):
        super().setUp()
        self.registry = self.start_registry(os.path.join(self.dir, "mbox"),
                                            "--request-timeout", "2", "--max-connections", "16")

    def connection(self, timeout=10):
        return http.client.HTTPConnection("127.0.0.1", self.registry.port, timeout=timeout)

    def raw(self, data, timeout=10):
        """Sends raw bytes, returns everything until the server closes."""
        with socket.create_connection(("127.0.0.1", self.registry.port), timeout=timeout) as s:
            s.sendall(data)
            received = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    return received
                received += chunk

    def test_keep_alive(self):
        connection = self.connection()
        connection.request("POST", "/RPC2", GET_CA, {"Content-Type": "text/xml"})
        first = connection.getresponse()
        self.assertEqual(first.status, 200)
        self.assertEqual(first.getheader("Content-Type"), "text/xml")
        first.read()
        local = connection.sock.getsockname()
        for path in ("/", "/RPC2"):
            connection.request("POST", path, GET_CA)
            response = connection.getresponse()
            self.assertEqual(response.status, 200)
            self.assertIn(b"BEGIN CERTIFICATE", response.read())
            self.assertEqual(connection.sock.getsockname(), local)   # same connection
        connection.close()

    def test_http_1_0_closes(self):
        answer = self.raw(b"POST / HTTP/1.0\r\nContent-Length: %d\r\n\r\n%s" % (len(GET_CA), GET_CA))
        self.assertTrue(answer.startswith(b"HTTP/1.0 200 OK\r\n"), answer[:100])
        self.assertIn(b"BEGIN CERTIFICATE", answer)

    # curl asks before sending a large body; the registry says go on, or
    # refuses a wrong path before the body comes.
    def test_expect_100_continue(self):
        with socket.create_connection(("127.0.0.1", self.registry.port), timeout=10) as s:
            s.sendall(b"POST /RPC2 HTTP/1.1\r\nContent-Length: %d\r\n"
                      b"Expect: 100-continue\r\n\r\n" % len(GET_CA))
            self.assertEqual(s.recv(100), b"HTTP/1.1 100 Continue\r\n\r\n")
            s.sendall(GET_CA)
            answer = s.recv(100000)
            self.assertTrue(answer.startswith(b"HTTP/1.1 200 OK\r\n"), answer[:100])
        answer = self.raw(b"POST /nowhere HTTP/1.1\r\nContent-Length: 10\r\n"
                          b"Expect: 100-continue\r\n\r\n")
        self.assertTrue(answer.startswith(b"HTTP/1.1 404 "), answer[:100])

    def test_paths_and_methods(self):
        for method, path, status in (("GET", "/", 405), ("PUT", "/RPC2", 405),
                                     ("POST", "/index.html", 404), ("POST", "/RPC2/", 404),
                                     ("GET", "/../etc/passwd", 404)):
            connection = self.connection()
            connection.request(method, path, GET_CA)
            response = connection.getresponse()
            self.assertEqual(response.status, status, (method, path))
            if status == 405:
                self.assertEqual(response.getheader("Allow"), "POST")
            connection.close()

    def test_malformed_requests(self):
        for what, data, status in (
                ("garbage", b"\x00\x01\x02 nonsense\r\n\r\n", b"400"),
                ("bad version", b"POST / HTTP/9.9\r\n\r\n", b"400"),
                ("bad length", b"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n", b"400"),
                ("header too large",
                 b"POST / HTTP/1.1\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n", b"431"),
                ("body too large",
                 b"POST / HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n" + b"a" * 100000, b"413")):
            answer = self.raw(data)
            self.assertTrue(answer.startswith(b"HTTP/1.1 " + status), (what, answer[:100]))
        self.assertIn("BEGIN CERTIFICATE", self.registry.proxy().getCa())

    # A client that sends nothing, or trickles, is cut off at the deadline
    # (--request-timeout 2).
    def test_deadlines(self):
        with socket.create_connection(("127.0.0.1", self.registry.port)) as silent:
            silent.settimeout(10)
            _, elapsed = timed(lambda: silent.recv(100))
            self.assertGreater(elapsed, 1.5)
            self.assertLess(elapsed, 4)
        with socket.create_connection(("127.0.0.1", self.registry.port)) as trickle:
            started = time.monotonic()
            closed = None
            for byte in b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n":
                try:
                    trickle.send(bytes([byte]))
                except OSError:
                    closed = time.monotonic() - started
                    break
                time.sleep(0.2)
            if closed is None:
                trickle.settimeout(10)
                self.assertIn(trickle.recv(100), (b"",))
                closed = time.monotonic() - started
            self.assertLess(closed, 4)

    # More idle connections than the cap (16): each newcomer evicts the one
    # that has waited longest, so callers keep being served at once.
    def test_idle_connections_block_nobody(self):
        idle = [socket.create_connection(("127.0.0.1", self.registry.port)) for _ in range(40)]
        try:
            proxy = self.registry.proxy()
            for _ in range(10):
                result, elapsed = timed(proxy.getCa)
                self.assertIn("BEGIN CERTIFICATE", result)
                self.assertLess(elapsed, 1)
            # The oldest idle connections were closed by the server.
            idle[0].settimeout(5)
            self.assertEqual(idle[0].recv(10), b"")
        finally:
            for s in idle:
                s.close()

    def test_parallel_clients(self):
        def client(_):
            connection = self.connection()
            for _ in range(20):
                connection.request("POST", "/RPC2", GET_CA)
                response = connection.getresponse()
                assert response.status == 200 and b"BEGIN" in response.read()
            connection.close()
            return True
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            self.assertTrue(all(pool.map(client, range(8))))


# A mail server that accepts connections and never answers: token requests
# wait for the SMTP timeout on their own pool; everything else goes on, and
# requests beyond the pool's queue are refused at once.
class DeadMailServer(RegistryTestCase):

    def test_nothing_waits_for_mail(self):
        silent = harness.SilentSmtpServer()
        self.addCleanup(silent.stop)
        registry = self.start_registry("127.0.0.1:%d" % silent.port, "--smtp-timeout", "60")
        pool = concurrent.futures.ThreadPoolExecutor(24)
        self.addCleanup(pool.shutdown, wait=False, cancel_futures=True)

        def request_token(i):
            proxy = xmlrpc.client.ServerProxy(registry.url())
            try:
                return timed(lambda: proxy.requestToken("n%d@example.org" % i))
            except xmlrpc.client.Fault as fault:
                return fault, None
            except OSError as error:
                return error, None
            finally:
                proxy("close")()

        waiting = [pool.submit(request_token, i) for i in range(16)]   # the whole queue
        time.sleep(1)
        refused = [pool.submit(request_token, 100 + i) for i in range(4)]
        for future in refused:
            fault, _ = future.result(timeout=5)
            self.assertIsInstance(fault, xmlrpc.client.Fault)
            self.assertEqual(fault.faultCode, -509)
            self.assertIn("too many pending token requests", fault.faultString)
        proxy = registry.proxy()
        for _ in range(20):
            _, elapsed = timed(proxy.getCa)
            self.assertLess(elapsed, 0.5)
        self.assertFalse(any(future.done() for future in waiting))

        # Stopping does not wait for the SMTP timeout.
        _, elapsed = timed(registry.stop)
        self.assertEqual(registry.process.returncode, 0)
        self.assertLess(elapsed, 5)
        self.assertEqual(harness.snapshot(registry.db)["tokens"], [])


if __name__ == "__main__":
    harness.main()
