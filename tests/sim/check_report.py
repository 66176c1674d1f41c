"""Runs re6st-sim on small networks and checks that its report is complete
and consistent: every slot filled, degrees within the limits, hop counts of a
connected random graph, failure figures that are probabilities, and as many
tunnels replaced as the daemon's policy closes on full nodes.

Usage: check_report.py PATH-TO-re6st-sim
"""
import re
import subprocess
import sys

SIM = sys.argv[1]


def run(*args):
    result = subprocess.run([SIM, *map(str, args)], capture_output=True, text=True, timeout=60)
    return result.returncode, result.stdout, result.stderr


def stages(report):
    """Splits the report into its 'initial network' and 'after R rounds' parts."""
    parts = re.split(r"^(initial network|after \d+ rounds)", report, flags=re.M)
    return {parts[i]: parts[i] + parts[i + 1] for i in range(1, len(parts), 2)}


def number(pattern, text):
    found = re.search(pattern, text)
    assert found, f"no match for {pattern!r} in:\n{text}"
    return float(found.group(1))


def check_stage(text, nodes, clients, max_clients):
    tunnels = number(r"(\d+) tunnels,", text)
    assert tunnels == nodes * clients, text
    assert number(r"(\d+) client slots left free", text) == 0, text

    lowest = number(r"degree +min (\d+)", text)
    highest = number(r"degree +min \d+, avg [\d.]+, max (\d+)", text)
    average = number(r"degree +min \d+, avg ([\d.]+)", text)
    assert clients <= lowest <= average <= highest <= clients + max_clients, text
    assert abs(average - 2 * clients) < 0.01, text
    histogram = re.search(r"degree histogram +(.*)", text).group(1).split()
    counts = {int(d): int(n) for d, n in (entry.split(":") for entry in histogram)}
    assert sum(counts.values()) == nodes, text
    assert min(counts) == lowest and max(counts) == highest, text

    mean = number(r"hops +avg ([\d.]+)", text)
    longest = number(r"hops +avg [\d.]+, max (\d+)", text)
    # A random graph of degree ~2 * clients: close to log(N) / log(degree).
    assert 1 < mean < 4 and 2 <= longest <= 6, text
    assert number(r"exact: all (\d+) ordered pairs", text) == nodes * (nodes - 1), text
    assert number(r"unreachable pairs (\d+) of", text) == 0, text

    cut = number(r"cut apart\) ([\d.e+-]+) ", text)
    trials = number(r"\((\d+) trials of", text)
    assert 0 <= cut <= 1 and trials == 200, text
    assert number(r"trials of (\d+) dead", text) == nodes // 2, text
    assert 0 <= number(r"isolation only +([\d.e+-]+) ", text) <= 1, text


def main():
    nodes, rounds = 200, 5
    # With room to spare on the servers, every slot fills.
    status, out, err = run(nodes, "--rounds", rounds, "--samples", 200, "--seed", 3,
                           "--max-clients", 20, "--progress")
    assert status == 0, err
    parts = stages(out)
    assert set(parts) == {"initial network", f"after {rounds} rounds"}, out
    for text in parts.values():
        check_stage(text, nodes, clients=10, max_clients=20)
    # Every node is full, so the policy closes refresh-count (1) tunnels each.
    assert number(r"(\d+) tunnels replaced in all", out) == rounds * nodes, out
    assert len(re.findall(r"^round \d+: ", out, flags=re.M)) == rounds, out

    # The same seed gives the same figures, whatever the thread count.
    again = run(nodes, "--rounds", rounds, "--samples", 200, "--seed", 3, "--threads", 1,
                "--max-clients", 20, "--progress")[1]
    strip = lambda text: re.sub(r"(measured in|built in|rounds run in) [\d.]+ s|\d+ threads",
                                "", text)
    assert strip(again) == strip(out), "results depend on the thread count"

    # The daemon's default: as many clients accepted as tunnels opened, so a
    # node never has more than twice its client tunnels; the random filling
    # may leave a few slots free.
    status, out, err = run(nodes, "--rounds", 2, "--samples", 200)
    assert status == 0, err
    for text in stages(out).values():
        free = number(r"(\d+) client slots left free", text)
        assert free <= nodes * 10 // 100, text
        assert number(r"(\d+) tunnels,", text) == nodes * 10 - free, text
        assert number(r"degree +min \d+, avg [\d.]+, max (\d+)", text) <= 20, text

    status, out, err = run(nodes, "--plain", 6, "--samples", 200)
    assert status == 0, err
    check_stage(stages(out)["initial network"], nodes, clients=6, max_clients=nodes)

    status, out, err = run(nodes, "--kill", 2)
    assert status == 2 and "--kill" in err, (status, err)
    print("re6st-sim reports are sane")


main()
