// Writes a revoked directory with the daemon's own code, for tests that
// hand it to a real OpenVPN: write_revoked_dir DIR [SERIAL...], serials in
// hex as `openssl x509 -serial` prints them.
#include "re6stnet/revoked_dir.hpp"

#include <exception>
#include <iostream>

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::cerr << "usage: write_revoked_dir DIR [SERIAL...]\n";
        return 2;
    }
    try {
        re6st::sync_revoked_dir(argv[1], {argv + 2, argv + argc});
    } catch (const std::exception& error) {
        std::cerr << "write_revoked_dir: " << error.what() << '\n';
        return 1;
    }
    return 0;
}
