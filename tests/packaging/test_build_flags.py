"""A user's or a distribution's build never fails because a compiler warns:
configured with the default options, no file of the project is
compiled with -Werror (but Debian's own hardening flag
-Werror=format-security); with -DRE6ST_WERROR=ON, as the project's test
builds configure it, every file is. And the files on which GCC 12 stopped a
Release build with a false -Wrestrict compile without a warning at the
optimisation level of every optimised build type.

The project is only configured, in scratch directories, with the compiler of
the build directory; of its files only those few are compiled, by the
commands CMake wrote for them. Needs no root.
"""

import itertools
import json
import os
import shlex
import subprocess
import tempfile
import unittest

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
CXX = os.environ.get("RE6ST_CXX_COMPILER", "c++")
DEBIAN_HARDENING = "-Werror=format-security"
# RelWithDebInfo, Release and MinSizeRel (false warnings come from optimisation)
LEVELS = ["-O2", "-O3", "-Os"]
# `"literal" + string` in these made GCC 12 warn at -O3 (a false -Wrestrict)
ONCE_WARNED = ["src/common/atomic_file.cpp", "src/common/log.cpp"]


def compile_commands(directory, *options):
    """{source file: (directory, argv)} of the project configured with `options`."""
    subprocess.run(["cmake", "-S", TOP, "-B", directory, "-DCMAKE_BUILD_TYPE=Release",
                    "-DRE6ST_TESTS=OFF", "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON",
                    "-DCMAKE_CXX_COMPILER=" + CXX, *options],
                   check=True, capture_output=True, text=True)
    with open(os.path.join(directory, "compile_commands.json")) as commands:
        return {os.path.realpath(entry["file"]):
                (entry["directory"], shlex.split(entry["command"]))
                for entry in json.load(commands)}


def werror_flags(argv):
    return [a for a in argv if a.startswith("-Werror") and a != DEBIAN_HARDENING]


class BuildFlags(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.scratch = tempfile.TemporaryDirectory(prefix="re6st-build-flags-")
        cls.default = compile_commands(os.path.join(cls.scratch.name, "default"))
        cls.werror = compile_commands(os.path.join(cls.scratch.name, "werror"),
                                      "-DRE6ST_WERROR=ON")

    @classmethod
    def tearDownClass(cls):
        cls.scratch.cleanup()

    def test_default_build_does_not_fail_on_warnings(self):
        self.assertTrue(self.default)
        self.assertEqual([source for source, (_, argv) in self.default.items()
                          if werror_flags(argv)], [])
        self.assertEqual([source for source, (_, argv) in self.default.items()
                          if "-Wall" not in argv or "-Wextra" not in argv], [])

    def test_test_builds_fail_on_warnings(self):
        self.assertEqual(sorted(self.werror), sorted(self.default))
        self.assertEqual([source for source, (_, argv) in self.werror.items()
                          if "-Werror" not in argv], [])

    def test_optimised_builds_do_not_warn(self):
        for path, level in itertools.product(ONCE_WARNED, LEVELS):
            with self.subTest(source=path, level=level):
                directory, argv = self.werror[os.path.realpath(os.path.join(TOP, path))]
                self.assertIn("-O3", argv)
                output = argv.index("-o") + 1
                command = [level if a == "-O3" else a for a in argv]
                command[output] = os.path.join(self.scratch.name, "object.o")
                result = subprocess.run(command, cwd=directory, capture_output=True, text=True)
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertEqual(result.stderr, "")


if __name__ == "__main__":
    unittest.main()
