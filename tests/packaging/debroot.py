"""Fresh Debian 12 roots for the package tests, and machines booted from them.

The base root is made once by mmdebstrap (priority "important", what a fresh
Debian 12 server has) from the Debian mirror this machine's apt uses, and
kept as a tarball under /var/cache/re6stnet-tests; it is remade when older
than a week. Each test unpacks its own copy, so the host's own packages are
never touched. Commands run inside with systemd-nspawn; packages apt
downloads there are kept in the same cache, so a second run fetches nothing.

A Machine is systemd booted in such a root (an overlay over it, so several
machines share one installed root) inside a network namespace of the
caller's: the units run under real systemd, with their hardening. Needs
root.
"""

import contextlib
import fcntl
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

CACHE = "/var/cache/re6stnet-tests"
BASE_MAX_AGE = 7 * 24 * 3600
SUITE = "bookworm"
NSPAWN = ["systemd-nspawn", "--quiet", "--register=no", "--keep-unit"]


def debian_sources():
    """The host's apt sources of Debian's own archive, as sources.list
    lines: the mirror, the updates and the security suites."""
    out = subprocess.run(["apt-cache", "policy"], check=True, capture_output=True,
                         text=True).stdout
    lines = []
    # " 500 http://deb.debian.org/debian bookworm/main amd64 Packages"
    # followed by "     release v=12,o=Debian,...".
    entries = re.findall(r"^\s*\d+ (\S+) (\S+)/(\S+) \S+ Packages\n\s+release (\S+)", out, re.M)
    for uri, suite, component, release in entries:
        if "o=Debian" in release.split(",") and suite.startswith(SUITE):
            line = "deb %s %s %s" % (uri, suite, component)
            if line not in lines:
                lines.append(line)
    if not lines:
        raise RuntimeError("apt has no source of Debian %s" % SUITE)
    return lines


@contextlib.contextmanager
def cache_lock():
    """Held while the cache is written: tests of other worktrees share it."""
    os.makedirs(CACHE, exist_ok=True)
    with open(os.path.join(CACHE, "lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def base_tarball():
    path = os.path.join(CACHE, SUITE + "-important.tar")
    with cache_lock():
        fresh = os.path.exists(path) and time.time() - os.path.getmtime(path) < BASE_MAX_AGE
        if not fresh:
            partial = path + ".partial"
            run(["mmdebstrap", "--quiet", "--format=tar", "--variant=important",
                 "--include=systemd-sysv,man-db", SUITE, partial] + debian_sources())
            os.replace(partial, path)
    return path


def run(argv, check=True, **kw):
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.STDOUT)
    kw.setdefault("text", True)
    result = subprocess.run(argv, **kw)
    if check and result.returncode:
        raise RuntimeError("%s exited %d:\n%s%s" % (" ".join(argv), result.returncode,
                                                     result.stdout or "", result.stderr or ""))
    return result


def forget_propagation_dir(machine):
    """nspawn leaves its mount propagation directory behind when /run is not
    a tmpfs (it refuses to remove files from a disk): remove it."""
    shutil.rmtree("/run/systemd/nspawn/propagate/" + machine, ignore_errors=True)


class Root:
    """A fresh Debian root in a temporary directory, removed on exit."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="re6st-root-")
        self.path = os.path.join(self.dir, "root")

    def __enter__(self):
        try:
            os.mkdir(self.path)
            run(["tar", "-C", self.path, "-xf", base_tarball()])
        except BaseException:
            self.cleanup()
            raise
        return self

    def __exit__(self, *exc):
        self.cleanup()

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def run(self, command, check=True, input=None, bind=()):
        """Runs the shell command `command` as root in the root (not booted),
        on the host's network; returns the CompletedProcess, the command's
        standard error in its stdout."""
        machine = "r6root%d" % os.getpid()
        argv = NSPAWN + ["-D", self.path, "--machine=" + machine, "--as-pid2", "--pipe",
                         "--setenv=DEBIAN_FRONTEND=noninteractive"]
        argv += ["--bind=%s:%s" % b for b in bind]
        argv += ["--chdir=/root", "/bin/bash", "-ec", "exec 2>&1\n" + command]
        result = run(argv, check=False, input=input, stderr=subprocess.PIPE,
                     stdin=None if input is not None else subprocess.DEVNULL)
        forget_propagation_dir(machine)
        if check and result.returncode:
            raise AssertionError("in the root, %r exited %d:\n%s%s" % (
                command, result.returncode, result.stdout, result.stderr))
        return result

    def install(self, command, deb, input=None):
        """Copies `deb` to /root and runs `command` (apt-get install ./...)
        there, apt's downloads kept in the cache."""
        shutil.copy(deb, os.path.join(self.path, "root"))
        archives = os.path.join(CACHE, "apt-archives")
        with cache_lock():
            os.makedirs(os.path.join(archives, "partial"), exist_ok=True)
            bind = [(archives, "/var/cache/apt/archives")]
            self.run("apt-get update -qq", bind=bind)
            return self.run(command, input=input, bind=bind)


class Machine:
    """systemd booted in an overlay over `root`, in network namespace
    `netns`; stopped (and its overlay removed) on exit."""

    def __init__(self, root, name, netns):
        self.root = root
        self.name = name
        self.machine = "r6%s%d" % (name, os.getpid())
        self.netns = netns
        self.dir = tempfile.mkdtemp(prefix="re6st-machine-%s-" % name)
        self.merged = os.path.join(self.dir, "merged")
        self.process = None
        self.leader = None

    def __enter__(self):
        try:
            self._boot()
        except BaseException:
            self.cleanup()
            raise
        return self

    def __exit__(self, *exc):
        self.cleanup()

    def _boot(self, timeout=60):
        for d in ("upper", "work", "merged"):
            os.mkdir(os.path.join(self.dir, d))
        run(["mount", "-t", "overlay", "overlay", "-o",
             "lowerdir=%s,upperdir=%s/upper,workdir=%s/work" % (self.root.path, self.dir, self.dir),
             self.merged])
        self.console = open(os.path.join(self.dir, "console.log"), "w")
        self.process = subprocess.Popen(
            NSPAWN + ["-D", self.merged, "--boot", "--machine=" + self.machine,
                      "--network-namespace-path=/run/netns/" + self.netns,
                      "--bind=/dev/net/tun", "--capability=CAP_NET_ADMIN",
                      "--console=read-only"],
            stdin=subprocess.DEVNULL, stdout=self.console, stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + timeout
        while self.leader is None:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("%s did not boot: %s" % (self.name, self.console_log()))
            self.leader = self._init_pid()
            time.sleep(0.1)
        # "degraded" is fine: some of a server's units make no sense in a
        # container. Only a boot that does not finish is a failure.
        state = None
        while time.monotonic() < deadline:
            state = self.sh("systemctl is-system-running", check=False).stdout.strip()
            if state in ("running", "degraded"):
                return
            time.sleep(0.3)
        raise RuntimeError("%s: boot did not finish (%s): %s" % (self.name, state,
                                                                  self.console_log()))

    def _init_pid(self):
        """The container's PID 1 (seen from here), once nspawn started it:
        nspawn's first children are intermediate processes."""
        pending = [self.process.pid]
        while pending:
            pid = pending.pop()
            with contextlib.suppress(OSError):
                with open("/proc/%d/status" % pid) as status:
                    nspid = re.search(r"^NSpid:\s+(.*)$", status.read(), re.M).group(1).split()
                if pid != self.process.pid and nspid[-1] == "1":
                    return pid
                with open("/proc/%d/task/%d/children" % (pid, pid)) as children:
                    pending += [int(c) for c in children.read().split()]
        return None

    def console_log(self):
        with open(os.path.join(self.dir, "console.log"), errors="replace") as f:
            return f.read()[-4000:]

    def argv(self, argv):
        """`argv` run inside the machine: its namespaces, its root, a clean
        environment."""
        return (["nsenter", "--target", str(self.leader), "--mount", "--uts", "--ipc", "--net",
                 "--pid", "--root", "env", "-i", "--chdir=/root",
                 "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                 "HOME=/root", "LANG=C.UTF-8"] + list(argv))

    def sh(self, command, check=True, input=None, timeout=120):
        result = run(self.argv(["/bin/bash", "-ec", command]), check=False, input=input,
                     stdin=None if input is not None else subprocess.DEVNULL, timeout=timeout)
        if check and result.returncode:
            raise AssertionError("on %s, %r exited %d:\n%s" % (
                self.name, command, result.returncode, result.stdout))
        return result

    def popen(self, command, **kw):
        return subprocess.Popen(self.argv(["/bin/bash", "-ec", command]), **kw)

    def path(self, inside):
        """The host path of a file of the machine."""
        return os.path.join(self.merged, inside.lstrip("/"))

    def cleanup(self):
        if self.process is not None and self.process.poll() is None:
            # SIGTERM to nspawn powers the machine off; then it is killed.
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None:
            self.console.close()
        forget_propagation_dir(self.machine)
        run(["umount", self.merged], check=False)
        shutil.rmtree(self.dir, ignore_errors=True)
