"""Each program's manual page documents exactly the options its --help lists,
and every page renders without a warning.

The options of a page are those named in the terms of its OPTIONS section,
as man(1) shows it: a line indented like a term, followed by its indented
description. Those of --help are the option column of Boost's listing. The
pages are the ones the build made from docs/*.rst; the programs the ones it
built. Needs no root.
"""

import os
import re
import subprocess
import unittest

BUILD_DIR = os.environ.get("RE6ST_BUILD_DIR") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "build")
PROGRAMS = {   # name: (binary, manual page)
    "re6stnet": ("src/re6stnet/re6stnet", "docs/re6stnet.8"),
    "re6st-registry": ("src/registry/re6st-registry", "docs/re6st-registry.8"),
    "re6st-conf": ("src/conf/re6st-conf", "docs/re6st-conf.1"),
}
# Pages of no program: name: manual page.
OTHER_PAGES = {
    "re6stnet-metrics": "docs/re6stnet-metrics.7",
}
OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z])(?![\w-])")


def help_options(binary):
    out = subprocess.run([binary, "--help"], check=True, capture_output=True, text=True).stdout
    options = set()
    for line in out.splitlines():
        # "  -h [ --help ]     ...", "  --registry URL     ..."
        found = re.match(r"^  (?:(-\w) \[ (--[\w-]+) \]|(--[\w-]+))", line)
        if found:
            options.update(o for o in found.groups() if o)
    return options


def render(page):
    result = subprocess.run(["man", "--warnings", "-E", "UTF-8", "-l", page],
                            capture_output=True, text=True,
                            env=dict(os.environ, MANWIDTH="100"))
    return result


def manual_options(text):
    lines = text.splitlines()
    start = lines.index("OPTIONS")
    end = next(i for i in range(start + 1, len(lines)) if re.match(r"^[A-Z]", lines[i]))
    options = set()
    for term, following in zip(lines[start:end], lines[start + 1:end + 1]):
        if re.match(r"^ {7}\S", term) and re.match(r"^ {14}\S", following):
            options.update(OPTION.findall(term))
    return options


class Manuals(unittest.TestCase):
    def test_every_option_in_both(self):
        for name, (binary, page) in PROGRAMS.items():
            with self.subTest(program=name):
                in_help = help_options(os.path.join(BUILD_DIR, binary))
                rendered = render(os.path.join(BUILD_DIR, page))
                self.assertEqual(rendered.returncode, 0, rendered.stderr)
                in_manual = manual_options(rendered.stdout)
                self.assertIn("--help", in_help)
                self.assertEqual(sorted(in_help - in_manual), [],
                                 "in %s --help but not in its manual page" % name)
                self.assertEqual(sorted(in_manual - in_help), [],
                                 "in the manual page of %s but not in its --help" % name)

    def test_pages_render_without_warnings(self):
        pages = {name: page for name, (_, page) in PROGRAMS.items()}
        pages.update(OTHER_PAGES)
        for name, page in pages.items():
            with self.subTest(program=name):
                rendered = render(os.path.join(BUILD_DIR, page))
                self.assertEqual(rendered.stderr, "")
                section = page.rsplit(".", 1)[1]
                # The header names the section the page is installed in.
                with open(os.path.join(BUILD_DIR, page)) as troff:
                    header = next(line for line in troff if line.startswith(".TH "))
                self.assertEqual(header.split()[2].strip('"'), section, header)


if __name__ == "__main__":
    unittest.main(verbosity=2)
