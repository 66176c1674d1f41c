"""Figures the kernel keeps about a process, for the benchmarks."""


def status_kib(pid, field):
    """A "kB" field of /proc/PID/status (VmRSS, VmHWM...), in KiB."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)
