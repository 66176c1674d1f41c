"""Certificates renewed in place (real registry, OpenVPN and babeld).

The registry issues 5-minute certificates with a 2-minute grace period.
Six nodes run for 12 minutes: each renews its certificate at least twice,
and all-pairs checks every 5 s (a few pings per pair) never find a pair cut
at two checks in a row; no OpenVPN log shows a certificate refused as
expired. Meanwhile two more nodes are stopped once the network has formed:
one is restarted after its certificate has expired, within the grace
period, and is back in full connectivity within 60 s; the other is
restarted past the grace period and exits with the line telling to enrol
it again.
"""

import datetime
import glob
import os
import sys
import time

import testbed

VALIDITY = 300        # --certificate-validity 5m
GRACE = 120           # --grace-period 2m
DURATION = 12 * 60    # of the renewal run, from the first certificate's issue
OPTIONS = ["--hello", "4", "--connection-count", "6", "-v", "1"]


def not_after(node):
    """The notAfter of the node's certificate file, as a Unix time."""
    out = testbed.run(["openssl", "x509", "-in", os.path.join(node.conf_dir, "cert.crt"),
                       "-noout", "-enddate", "-dateopt", "iso_8601"]).stdout
    text = out.strip().split("=", 1)[1]
    return datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def sleep_until(unix_time):
    time.sleep(max(0.0, unix_time - time.time()))


class Renewal(testbed.BedTestCase):
    bed_name = "ren"

    @classmethod
    def build(cls, bed):
        bed.registry_options = ["--certificate-validity", "5m", "--grace-period", "2m"]
        cls.nodes = bed.build_network(6, OPTIONS, OPTIONS)
        cls.late = bed.enrol(bed.add_host("late"))
        cls.gone = bed.enrol(bed.add_host("gone"))
        for node in (cls.late, cls.gone):
            node.options = list(OPTIONS)
        cls.issued = min(not_after(n) for n in cls.nodes) - VALIDITY
        for node in cls.nodes + [cls.late, cls.gone]:
            node.start()

    def pair_checks(self, nodes, wait):
        """Every ordered pair a -> b with no answer to three pings."""
        return {(a.name, b.name) for a, b in self.bed.unreachable_pairs(nodes, wait, count=3)}

    def explain(self, a, b):
        """Both ways between a and b, for a pair found cut twice."""
        source = next(n for n in self.nodes if n.name == a)
        target = next(n for n in self.nodes if n.name == b)
        for line in (source.route_to(target), target.route_to(source)):
            print("  " + line, file=sys.stderr)

    def test_1_renewals_cut_no_pair(self):
        everyone = self.nodes + [self.late, self.gone]
        formed = self.bed.wait_connected(everyone, 120)
        print("8 nodes connected after %.1f s" % formed, file=sys.stderr)
        self.late.stop()
        self.gone.stop()
        late_expiry, gone_expiry = not_after(self.late), not_after(self.gone)

        previous = set()
        cut_twice = []
        cut_since = {}         # pair -> time of the first failed check in a row
        longest = 0.0          # longest time a pair was found cut
        checks = 0
        late_start = late_back = gone_started = gone_status = None
        end = self.issued + DURATION
        while time.time() < end:
            started = time.time()
            checked = self.nodes + ([self.late] if late_start else [])
            failing = self.pair_checks(checked, 1)
            checks += 1
            among_six = {p for p in failing if "late" not in p}
            for pair in sorted(among_six & previous):
                cut_twice.append((round(started - self.issued), pair))
                self.explain(*pair)
            for pair in among_six:
                cut_since.setdefault(pair, started)
            for pair in list(cut_since):
                if pair not in among_six:
                    longest = max(longest, started - cut_since.pop(pair))
            if failing:
                print("t=%4.0f s: cut %s" % (started - self.issued, sorted(failing)),
                      file=sys.stderr)
            previous = among_six

            # The node restarted with an expired certificate: back when no
            # pair with it fails.
            if late_start and late_back is None and not failing - among_six:
                late_back = time.monotonic() - late_start
                print("node with an expired certificate: renewed and fully connected "
                      "%.1f s after its start" % late_back, file=sys.stderr)
            if late_start is None and time.time() > late_expiry + 10:
                late_start = time.monotonic()
                self.late.start()
            # The node restarted past its grace period must exit.
            if gone_started is None and time.time() > gone_expiry + GRACE + 15:
                gone_started = time.monotonic()
                self.gone.start()
            if gone_started and gone_status is None:
                gone_status = self.gone.process.poll()
                if gone_status is None:
                    self.assertLess(time.monotonic() - gone_started, 60,
                                    "the node past its grace period still runs")
            sleep_until(started + 5)

        for pair, since in cut_since.items():
            longest = max(longest, time.time() - since)
        renewals = {n.name: n.log().count("renewed the certificate") for n in self.nodes}
        print("%d checks over %d s; renewals per node: %s; longest a pair was found cut: "
              "%.1f s" % (checks, DURATION, renewals, longest), file=sys.stderr)
        self.assertEqual(cut_twice, [], "pairs cut at two checks in a row")
        for name, count in renewals.items():
            self.assertGreaterEqual(count, 2, name + " renewed fewer than twice")
        for node in self.nodes + [self.late]:
            for log in glob.glob(os.path.join(node.host.dir, "log", "*.log")):
                with open(log, errors="replace") as f:
                    text = f.read()
                self.assertNotIn("certificate has expired", text, log)

        self.assertIsNotNone(late_start, "the late node was not restarted")
        self.assertIn("has expired: renewing it before starting", self.late.log())
        self.assertGreater(not_after(self.late), late_expiry)
        self.assertIsNotNone(late_back, "the node restarted with an expired certificate "
                             "never reached every node")
        self.assertLess(late_back, 60)

        self.assertEqual(gone_status, 1, "the node past its grace period did not exit 1")
        line = [l for l in self.gone.log().splitlines() if "re6st-conf" in l]
        self.assertTrue(line, self.gone.log()[-2000:])
        self.assertIn("enrol this node again with re6st-conf", line[-1])
        print("node past the grace period: " + line[-1], file=sys.stderr)


if __name__ == "__main__":
    testbed.main()
