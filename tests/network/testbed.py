"""A re6st network on this one machine, for the network tests and the demo.

Every host is a network namespace with a veth on a shared bridge (the
"internet"), with an IPv4 address, a unique-local IPv6 one, or both. The real programs run in them: re6st-registry, a real
SMTP server capturing the token mails (Debian's aiosmtpd), re6st-conf to
enrol each node, and re6stnet with real OpenVPN and babeld.

Names of namespaces and links carry a per-run tag, so several test beds can
coexist; everything is removed on exit, even after a failure, and only the
processes started here (or living in our namespaces) are ever killed.
Needs root.
"""

import contextlib
import ctypes
import fcntl
import ipaddress
import json
import mailbox
import os
import sqlite3
import re
import shutil
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest

BUILD_DIR = os.environ.get("RE6ST_BUILD_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", "..", "build"))
PROGRAMS = {
    "re6stnet": os.path.join(BUILD_DIR, "src", "re6stnet", "re6stnet"),
    "re6st-registry": os.path.join(BUILD_DIR, "src", "registry", "re6st-registry"),
    "re6st-conf": os.path.join(BUILD_DIR, "src", "conf", "re6st-conf"),
}
PYTHON = "/usr/bin/python3"   # Debian's, which has aiosmtpd
SOURCE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# The daemon's own peer cache schema, which it compiles in.
PEER_DB_SCHEMA = os.path.join(SOURCE_DIR, "src", "re6stnet", "peer_db_schema.sql")
REGISTRY_PORT = 9080
SMTP_PORT = 2525
CA_SERIAL = "0x120010db80042"   # network 2001:db8:42::/48
NETWORK = ipaddress.IPv6Network("2001:db8:42::/48")


def is_root():
    return os.geteuid() == 0


def main():
    """Runs a network test module: skipped (exit status 77, which CTest
    reports as skipped) without root."""
    if not is_root():
        print("skipped: needs root for network namespaces")
        sys.exit(77)
    unittest.main(module="__main__", verbosity=2)


def node_address(cn):
    """The overlay address of the node whose certificate CN is "<P>/<L>"."""
    prefix, length = (int(x) for x in cn.split("/"))
    bits = NETWORK.prefixlen
    value = int(NETWORK.network_address) | prefix << (128 - bits - length) | 1
    return str(ipaddress.IPv6Address(value))


def seed_peer_cache(node, peers):
    """The peer cache `node` starts with: {binary prefix: endpoint list},
    in a database made with the daemon's own schema."""
    state = os.path.join(node.host.dir, "state")
    os.makedirs(state, exist_ok=True)
    with open(PEER_DB_SCHEMA) as schema, \
            sqlite3.connect(os.path.join(state, "peers.db")) as db:
        db.executescript(schema.read())
        db.executemany("INSERT INTO peers (prefix, address) VALUES (?, ?)", peers.items())
    db.close()


def run(argv, **kw):
    kw.setdefault("check", True)
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.STDOUT)
    kw.setdefault("text", True)
    return subprocess.run(argv, **kw)


class Host:
    """A network namespace attached to the bridge."""

    def __init__(self, bed, name, ipv4, ipv6=None):
        self.bed = bed
        self.name = name
        self.netns = bed.tag + name
        self.ipv4 = ipv4
        self.ipv6 = ipv6   # its unique-local underlay address, if any
        self.dir = os.path.join(bed.dir, name)
        os.makedirs(self.dir)

    def argv(self, argv):
        return ["ip", "netns", "exec", self.netns] + list(argv)

    def run(self, argv, **kw):
        return run(self.argv(argv), **kw)

    def popen(self, argv, log, **kw):
        """Starts a process in the namespace, its output in `log` (a file
        name in the host's directory); the test bed ends it at cleanup."""
        out = open(os.path.join(self.dir, log), "ab")
        process = subprocess.Popen(self.argv(argv), stdout=out, stderr=subprocess.STDOUT,
                                   stdin=kw.pop("stdin", subprocess.DEVNULL),
                                   start_new_session=True, **kw)
        out.close()
        self.bed.processes.append(process)
        return process

    def pids(self):
        out = run(["ip", "netns", "pids", self.netns], check=False).stdout
        return [int(p) for p in out.split()]

    def commands(self):
        """Names of the processes living in the namespace."""
        names = []
        for pid in self.pids():
            with contextlib.suppress(OSError):
                with open("/proc/%d/comm" % pid) as comm:
                    names.append(comm.read().strip())
        return names

    def client_tunnels(self):
        """This host's OpenVPN clients: (peer CN, tap, [(address, port,
        proto) of each --remote]) each, read from their command lines."""
        clients = []
        for pid in self.pids():
            try:
                with open("/proc/%d/cmdline" % pid, "rb") as f:
                    argv = [arg.decode() for arg in f.read().split(b"\0")]
            except OSError:
                continue
            if argv[0].endswith("openvpn") and "--verify-x509-name" in argv:
                remotes = [tuple(argv[i + 1:i + 4]) for i, arg in enumerate(argv)
                           if arg == "--remote"]
                clients.append((argv[argv.index("--verify-x509-name") + 1],
                                argv[argv.index("--dev") + 1], remotes))
        return clients

    def client_tunnel_peers(self):
        """CNs of the peers this host's OpenVPN clients are meant to reach."""
        return [cn for cn, _, _ in self.client_tunnels()]

    def links(self):
        out = self.run(["ip", "-o", "link", "show"]).stdout
        return [line.split(":")[1].strip().split("@")[0] for line in out.splitlines()]

    def babel(self, request="dump"):
        """babeld's answer to `request` on its control socket (SPEC D.3),
        without the final "ok"."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(10)
            s.connect(os.path.join(self.dir, "run", "babeld.sock"))
            s.sendall(request.encode() + b"\n")
            data = b""
            # The greeting ends with "ok", and so does the answer.
            while data.split(b"\n").count(b"ok") < 2:
                chunk = s.recv(65536)
                if not chunk:
                    raise ConnectionError("babeld closed its control socket")
                data += chunk
        lines = data.decode().splitlines()
        return lines[lines.index("ok") + 1:-1]

    def ping(self, address, count=1, wait=1):
        return self.run(["ping", "-6", "-n", "-q", "-c", str(count), "-W", str(wait), address],
                        check=False).returncode == 0


class Node:
    """A host enrolled in the network, running (or not) re6stnet."""

    def __init__(self, host, cn, conf_dir):
        self.host = host
        self.cn = cn
        self.address = node_address(cn)
        self.conf_dir = conf_dir
        self.process = None
        self.options = []

    @property
    def name(self):
        return self.host.name

    def route_to(self, target):
        """One line: what this node's kernel and babeld say about the way to
        `target`, for a diagnosis when a pair is found cut."""
        route = self.host.run(["ip", "-6", "route", "get", target.address],
                              check=False).stdout.strip()
        length = NETWORK.prefixlen + int(target.cn.split("/")[1])
        subnet = ipaddress.IPv6Network("%s/%d" % (target.address, length), strict=False)
        try:
            babel = [line for line in self.host.babel()
                     if " route " in line and " prefix %s " % subnet in line]
        except OSError as error:   # babeld restarting: its socket is gone
            babel = "no answer (%s)" % error
        return "%s -> %s: kernel: %s; babeld: %s" % (
            self.name, target.name, route or "no route", babel or "no route")

    def argv(self):
        """re6stnet with the option file re6st-conf wrote, the node's
        directories and its options."""
        d = self.host.dir
        argv = [PROGRAMS["re6stnet"], "@" + os.path.join(self.conf_dir, "re6stnet.conf"),
                "--log", os.path.join(d, "log"), "--state", os.path.join(d, "state"),
                "--run", os.path.join(d, "run")]
        if self.host.bed.hook_dir:
            argv += ["--hook-dir", self.host.bed.hook_dir]
        return argv + self.options

    def start(self, *options):
        """Starts re6stnet with `options` (kept for restarts when given)."""
        if options:
            self.options = list(options)
        self.process = self.host.popen(self.argv(), "re6stnet.out")
        return self.process

    def running(self):
        return self.process is not None and self.process.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=15):
        """Stops the daemon; returns its exit status."""
        if not self.running():
            return self.process.returncode if self.process else None
        self.process.send_signal(sig)
        return self.process.wait(timeout)

    def log(self):
        with open(os.path.join(self.host.dir, "re6stnet.out"), errors="replace") as f:
            return f.read()


def _raise_system_exit(signum, frame):
    raise SystemExit(128 + signum)


# Each live test bed leaves "<pid> <start time>" of its process in a file
# named by its tag here, so that the next test bed removes what one killed
# with SIGKILL (ctest's timeout) left behind: its processes, namespaces and
# links, all named from its tag.
OWNERS = "/run/re6st-testbeds"
# Test beds run side by side (the renewal test beside the others): one sweeps
# and registers at a time, under this lock, so that two never sweep the same
# dead bed, nor one a bed another has just registered under a reused tag.
OWNERS_LOCK = "/run/re6st-testbeds.lock"


def _start_time(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _sweep_dead_beds():
    os.makedirs(OWNERS, exist_ok=True)
    for tag in os.listdir(OWNERS):
        path = os.path.join(OWNERS, tag)
        try:
            with open(path) as f:
                pid, start = f.read().split()
        except (OSError, ValueError):
            continue
        if _start_time(int(pid)) == start:
            continue   # still running
        out = run(["ip", "netns", "list"]).stdout
        for netns in (line.split()[0] for line in out.splitlines()):
            if netns.startswith(tag):
                pids = run(["ip", "netns", "pids", netns], check=False).stdout.split()
                for victim in map(int, pids):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(victim, signal.SIGKILL)
                run(["ip", "netns", "del", netns], check=False)
        for link in json.loads(run(["ip", "-j", "link", "show"]).stdout):
            if link["ifname"].startswith(tag):
                run(["ip", "link", "del", link["ifname"]], check=False)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


_libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET = 0x40000000


def socket_in(netns, *args):
    """A socket made in the network namespace `netns` (it stays there) by
    this process, which goes there for the call and comes back."""
    def enter(f):
        if _libc.setns(f.fileno(), CLONE_NEWNET) != 0:
            error = ctypes.get_errno()
            raise OSError(error, "setns %s: %s" % (f.name, os.strerror(error)))
    with open("/proc/self/ns/net") as home, open("/run/netns/" + netns) as there:
        enter(there)
        try:
            return socket.socket(*args)
        finally:
            enter(home)


class Prober:
    """Pings over the overlay between nodes from one raw ICMPv6 socket per
    node, which this process holds: a round of all pairs of 24 nodes costs
    no process, where 552 `ping` commands through `ip netns exec` took
    seconds of the 2 cores the nodes themselves need."""

    ECHO_REQUEST, ECHO_REPLY = 128, 129

    def __init__(self, nodes):
        self.sockets = {}
        self.ident = os.getpid() & 0xffff
        self.sequence = 0
        for node in nodes:
            self.sockets[node] = socket_in(node.host.netns, socket.AF_INET6, socket.SOCK_RAW,
                                           socket.IPPROTO_ICMPV6)
            self.sockets[node].setblocking(False)

    def close(self):
        for s in self.sockets.values():
            s.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def failing(self, pairs, wait=1.0):
        """The pairs (a, b) among `pairs` where a got no answer from b to one
        echo request within `wait` seconds, all sent at once."""
        self.sequence = (self.sequence + 1) & 0xffff
        waiting = {}   # (socket, address of b) -> pair
        for a, b in pairs:
            address = str(ipaddress.IPv6Address(b.address))
            packet = struct.pack("!BBHHH", self.ECHO_REQUEST, 0, 0, self.ident, self.sequence)
            try:
                self.sockets[a].sendto(packet, (address, 0))
            except OSError:   # no route at all
                continue
            waiting[(self.sockets[a], address)] = (a, b)
        answered = set()
        deadline = time.monotonic() + wait
        by_fd = {s.fileno(): s for s in {s for s, _ in waiting}}
        while len(answered) < len(waiting):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select(list(by_fd), [], [], left)
            for fd in ready:
                s = by_fd[fd]
                while True:
                    try:
                        data, source = s.recvfrom(1500)
                    except BlockingIOError:
                        break
                    if len(data) < 8:
                        continue
                    kind, _, _, ident, sequence = struct.unpack("!BBHHH", data[:8])
                    key = (s, str(ipaddress.IPv6Address(source[0].split("%")[0])))
                    if (kind == self.ECHO_REPLY and ident == self.ident
                            and sequence == self.sequence and key in waiting):
                        answered.add(key)
        reached = {waiting[key] for key in answered}
        return [pair for pair in pairs if pair not in reached]


class TestBed:
    def __init__(self, name="bed", subnet=None):
        """`subnet`: the "internet" (IPv4), 10.X.0.0/16 by default."""
        # Interface names are at most 15 characters: keep the tag short.
        self.tag = "r6%s%03x" % (name[:3].ljust(3, "x"), os.getpid() % 0xfff)
        self.bridge = self.tag + "br"
        self.bridges = [self.bridge]
        self.cleanups = []   # extra undo steps, run first at cleanup
        self.dir = tempfile.mkdtemp(prefix="re6st-%s-" % name)
        # OpenVPN, as nobody, looks up each node's revoked serials under it
        # (STATE/revoked), as under /var/lib/re6stnet.
        os.chmod(self.dir, 0o711)
        self.hosts = {}
        self.nodes = {}
        self.processes = []
        self.registry = None
        self.registry_host = None
        self.smtp = None
        self.registry_options = []   # given to every start of the registry
        self.hook_dir = None
        self.subnet = ipaddress.IPv4Network(
            subnet or "10.%d.0.0/16" % (40 + os.getpid() % 200))
        # The internet's IPv6, for the hosts given one: unique-local space.
        self.subnet6 = ipaddress.IPv6Network("fd6e:%x::/64" % (os.getpid() & 0xffff))
        self._next_ip = 1
        self._links = 0
        self.keep = os.environ.get("RE6ST_KEEP_TESTBED") == "1"

    # --- life cycle ---

    def __enter__(self):
        # SIGTERM or SIGHUP (ctest's timeout, a closed terminal, kill PID)
        # unwinds like an exception, so that the test bed is still cleaned
        # up. So does SIGINT (Ctrl-C): unittest lets KeyboardInterrupt skip
        # tearDownClass, where the bed is removed.
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            if signal.getsignal(sig) in (signal.SIG_DFL, signal.default_int_handler):
                signal.signal(sig, _raise_system_exit)
        with open(OWNERS_LOCK, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            _sweep_dead_beds()
            self._owner = os.path.join(OWNERS, self.tag)
            with open(self._owner, "w") as f:
                f.write("%d %s\n" % (os.getpid(), _start_time(os.getpid())))
        try:
            # No multicast snooping: babeld's hellos on a LAN are multicast,
            # and a snooping bridge drops them until it has seen MLD reports.
            run(["ip", "link", "add", self.bridge, "type", "bridge", "mcast_snooping", "0"])
            run(["ip", "link", "set", self.bridge, "up"])
            self._make_ca()
            self.hook_dir = self._runnable_hooks()
        except BaseException:
            self.cleanup()
            raise
        return self

    def __exit__(self, *exc):
        self.cleanup()

    def _runnable_hooks(self):
        """None when OpenVPN's user (nobody) can run the build tree's hook
        scripts, as the daemon finds them; else a copy it can run, for
        --hook-dir (a checkout under /root or a private temporary directory:
        the daemon would refuse to start)."""
        hooks = os.path.join(os.path.dirname(PROGRAMS["re6stnet"]), "hooks")
        scripts = [os.path.join(hooks, name) for name in ("ovpn-server", "ovpn-client")]
        check = run(["setpriv", "--reuid", "nobody", "--regid", "nogroup", "--clear-groups",
                     "sh", "-c", 'for f; do [ -r "$f" ] && [ -x "$f" ] || exit 1; done', "-"]
                    + scripts, check=False)
        if check.returncode == 0:
            return None
        copy = tempfile.mkdtemp(prefix="re6st-hooks-")
        self.cleanups.append(lambda: shutil.rmtree(copy, ignore_errors=True))
        os.chmod(copy, 0o755)
        for script in scripts:
            shutil.copy(script, copy)
            os.chmod(os.path.join(copy, os.path.basename(script)), 0o755)
        return copy

    def cleanup(self):
        for undo in reversed(self.cleanups):
            with contextlib.suppress(Exception):
                undo()
        for process in self.processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for process in self.processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(max(0.1, deadline - time.monotonic()))
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        # Whatever still lives in our namespaces is ours too.
        for host in self.hosts.values():
            for pid in host.pids():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            run(["ip", "netns", "del", host.netns], check=False)
        for bridge in self.bridges:
            run(["ip", "link", "del", bridge], check=False)
        with contextlib.suppress(OSError):
            os.unlink(self._owner)
        if self.keep:
            print("test bed kept in", self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    # --- hosts ---

    def add_bridge(self, name):
        """Another broadcast domain (a LAN); returns the bridge's name."""
        bridge = self.tag + name
        run(["ip", "link", "add", bridge, "type", "bridge", "mcast_snooping", "0"])
        self.bridges.append(bridge)
        run(["ip", "link", "set", bridge, "up"])
        return bridge

    def add_host(self, name, ipv4=None, bridge=None, prefixlen=None, gateway=None,
                 stack="ipv4"):
        """A namespace whose eth0 is on `bridge` (the internet by default).
        On the internet, `stack` gives it an IPv4 address ("ipv4"), a
        unique-local IPv6 one ("ipv6") or both ("dual")."""
        ipv6 = None
        if ipv4 is None and bridge is None:
            if stack != "ipv6":
                ipv4 = str(self.subnet.network_address + self._next_ip)
            if stack != "ipv4":
                ipv6 = str(self.subnet6.network_address + self._next_ip)
            self._next_ip += 1
        host = Host(self, name, ipv4, ipv6)
        self.hosts[name] = host
        run(["ip", "netns", "add", host.netns])
        host.run(["ip", "link", "set", "lo", "up"])
        self.attach(host, bridge or self.bridge, "eth0", ipv4,
                    prefixlen or self.subnet.prefixlen)
        if ipv6:
            # Usable at once (no duplicate address detection); its on-link
            # route is the one through which re6stnet sees IPv6 usable.
            host.run(["ip", "-6", "addr", "add", "%s/%d" % (ipv6, self.subnet6.prefixlen),
                      "dev", "eth0", "nodad"])
        if gateway:
            host.run(["ip", "route", "add", "default", "via", gateway])
        return host

    def attach(self, host, bridge, ifname, ipv4=None, prefixlen=24):
        """Plugs `host` into `bridge` through a new interface `ifname`."""
        self._links += 1
        veth = "%sv%d" % (self.tag, self._links)
        run(["ip", "link", "add", veth, "type", "veth", "peer", "name", ifname,
             "netns", host.netns])
        run(["ip", "link", "set", veth, "master", bridge, "up"])
        if ipv4:
            host.run(["ip", "addr", "add", "%s/%d" % (ipv4, prefixlen), "dev", ifname])
        host.run(["ip", "link", "set", ifname, "up"])

    # --- the certificate authority, the registry and its mail ---

    def _make_ca(self):
        self.ca_key = os.path.join(self.dir, "ca.key")
        self.ca_cert = os.path.join(self.dir, "ca.crt")
        run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
             "-out", self.ca_key])
        os.chmod(self.ca_key, 0o600)
        run(["openssl", "req", "-nodes", "-new", "-x509", "-key", self.ca_key,
             "-set_serial", CA_SERIAL, "-days", "30", "-subj", "/CN=re6st test CA",
             "-addext", "basicConstraints=critical,CA:TRUE", "-out", self.ca_cert])

    def start_registry(self, host, private=None, *options):
        """Starts the SMTP capture and re6st-registry on `host`."""
        self.registry_host = host
        if self.smtp is None:
            self.maildir = os.path.join(self.dir, "mail")
            self.smtp = host.popen([PYTHON, "-m", "aiosmtpd", "-n", "-l",
                                    "127.0.0.1:%d" % SMTP_PORT, "-c",
                                    "aiosmtpd.handlers.Mailbox", self.maildir], "smtp.out")
            self._wait_port(host, SMTP_PORT)
        argv = [PROGRAMS["re6st-registry"], str(REGISTRY_PORT),
                "--db", os.path.join(host.dir, "registry.db"),
                "--ca", self.ca_cert, "--key", self.ca_key,
                "--mailhost", "127.0.0.1:%d" % SMTP_PORT, "-v", "2"]
        if private:
            argv += ["--private", private]
        self.registry = host.popen(argv + self.registry_options + list(options),
                                   "registry.out")
        self._wait_port(host, REGISTRY_PORT)
        return self.registry

    def stop_registry(self):
        if self.registry and self.registry.poll() is None:
            self.registry.terminate()
            self.registry.wait(10)

    @property
    def registry_url(self):
        return self.registry_url_for(None)

    def registry_url_for(self, host):
        """The registry's URL as `host` reaches it: over IPv6 when `host`
        has no IPv4 address but an IPv6 one on the internet."""
        if host is not None and host.ipv4 is None and host.ipv6:
            return "http://[%s]:%d/" % (self.registry_host.ipv6, REGISTRY_PORT)
        return "http://%s:%d/" % (self.registry_host.ipv4, REGISTRY_PORT)

    def _wait_port(self, host, port, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            out = host.run(["ss", "-Hltn", "sport = :%d" % port], check=False).stdout
            if out.strip():
                return
            time.sleep(0.05)
        raise TimeoutError("nothing listens on port %d in %s" % (port, host.netns))

    def token_for(self, email, timeout=15):
        """The token of the last mail sent to `email`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(FileNotFoundError):
                for message in reversed(list(mailbox.Maildir(self.maildir, create=False))):
                    if email in message["To"]:
                        body = message.get_payload(decode=True).decode()
                        # The token is alone on its line.
                        found = re.search(r"^\s*([A-Za-z0-9]{8,})\s*$", body, re.M)
                        if found:
                            return found.group(1)
            time.sleep(0.1)
        raise TimeoutError("no token mailed to " + email)

    # --- nodes ---

    def enrol(self, host):
        """Enrols `host` with re6st-conf, the token read from the captured
        mail and typed on stdin; returns the Node."""
        email = "%s@example.com" % host.name
        conf_dir = os.path.join(host.dir, "conf")
        os.makedirs(conf_dir)
        process = subprocess.Popen(
            host.argv([PROGRAMS["re6st-conf"], "--registry", self.registry_url_for(host),
                       "-d", conf_dir, "--email", email]),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            token = self.token_for(email)
            out, _ = process.communicate(token + "\n", timeout=30)
        except BaseException:
            process.kill()
            process.wait()
            raise
        if process.returncode:
            raise RuntimeError("re6st-conf failed on %s: %s" % (host.name, out))
        cn = run(["openssl", "x509", "-in", os.path.join(conf_dir, "cert.crt"), "-noout",
                  "-subject", "-nameopt", "multiline"]).stdout
        cn = re.search(r"commonName\s*=\s*(\S+)", cn).group(1)
        node = Node(host, cn, conf_dir)
        self.nodes[host.name] = node
        return node

    def setup_registry(self, host=None, node_options=(), stack="ipv4"):
        """Starts the registry on `host` (a new internet host "reg" by
        default, of `stack`), which also runs the network's first node:
        enrolled, then the registry restarted with that node's overlay
        address as --private (the order the README gives). The node declares
        itself with --ip, an endpoint per transport of each family it has;
        returns it, not started."""
        host = host or self.add_host("reg", stack=stack)
        self.start_registry(host)
        first = self.enrol(host)
        self.stop_registry()
        self.start_registry(host, first.address)
        # In the order of the servers a node runs by default: UDP first.
        first.options = []
        for proto in ("udp", "udp6", "tcp", "tcp6"):
            address = host.ipv6 if proto.endswith("6") else host.ipv4
            if address:
                first.options += ["--ip", address, "1194", proto]
        first.options += list(node_options)
        # Every new node's first tunnel goes to this one (by bootstrap): it
        # needs room for more clients than a node opens, as the README says.
        if "--max-clients" not in first.options:
            first.options += ["--max-clients", "32"]
        return first

    def build_network(self, count, node_options=(), registry_node_options=()):
        """The registry's node and count - 1 internet nodes n1, n2..., all
        enrolled, none started; the others find the first by bootstrap."""
        nodes = [self.setup_registry(node_options=registry_node_options)]
        for i in range(1, count):
            node = self.enrol(self.add_host("n%d" % i))
            node.options = list(node_options)
            nodes.append(node)
        return nodes

    # --- connectivity ---

    def unreachable_pairs(self, nodes, wait=1, count=1):
        """Every ordered pair (a, b) of `nodes` where a cannot ping b over
        the overlay (no answer to any of `count` pings, 0.2 s apart), all
        pings in parallel."""
        pings = []
        for a in nodes:
            for b in nodes:
                if a is not b:
                    pings.append((a, b, subprocess.Popen(
                        a.host.argv(["ping", "-6", "-n", "-q", "-c", str(count)]
                                    + (["-i", "0.2"] if count > 1 else [])
                                    + ["-W", str(wait), b.address]),
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)))
        return [(a, b) for a, b, p in pings if p.wait() != 0]

    def wait_connected(self, nodes, timeout):
        """Seconds until every node pings every other, or TimeoutError
        listing the pairs that still fail."""
        start = time.monotonic()
        pairs = [(a, b) for a in nodes for b in nodes if a is not b]
        with Prober(nodes) as prober:
            while True:
                failing = prober.failing(pairs)
                if not failing:
                    return time.monotonic() - start
                if time.monotonic() - start > timeout:
                    raise TimeoutError("after %.0f s, %d pairs cannot reach each other: %s" % (
                        timeout, len(failing),
                        ", ".join("%s->%s" % (a.name, b.name) for a, b in failing[:12])))
                time.sleep(0.5)


class BedTestCase(unittest.TestCase):
    """Tests that share one test bed, in the order of their names: `build`
    makes its hosts and nodes once, and the bed is removed after the last
    test, or at once if building it fails."""

    bed_name = "bed"      # the start of its tag (three characters are used)
    bed_subnet = None     # the "internet", 10.X.0.0/16 by default

    @classmethod
    def setUpClass(cls):
        if not is_root():
            raise unittest.SkipTest("needs root for network namespaces")
        cls.bed = TestBed(cls.bed_name, cls.bed_subnet).__enter__()
        try:
            cls.build(cls.bed)
        except BaseException:
            cls.bed.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.bed.cleanup()

    @classmethod
    def build(cls, bed):
        raise NotImplementedError
