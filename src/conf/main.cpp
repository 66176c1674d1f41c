// re6st-conf: enrols a new node with the registry (docs/re6st-conf.rst).
// Exit status: 0 done, 1 enrolment failed, 2 bad command line.
#include "common/options.hpp"
#include "conf/conf_options.hpp"
#include "conf/enrolment.hpp"

#include <iostream>

int main(int argc, char** argv)
{
    using namespace re6st;
    try {
        auto options = conf::parse_conf_options({argv + 1, argv + argc});
        if (!options) {
            std::cout << "Usage: re6st-conf (--registry URL | --server HOST --port PORT) [-d DIR]\n"
                         "                  [--fingerprint ALG:HEX] [--email EMAIL] [--token TOKEN]\n"
                         "                  [-r NAME VALUE]... [--ca-only] [--force]\n"
                         "Enrols this node with a re6stnet registry: writes the CA, a key, its\n"
                         "certificate, DH parameters and re6stnet.conf in DIR.\n\n"
                      << conf::conf_options_description();
            return 0;
        }
        conf::enrol(*options, std::cin, std::cout);
        return 0;
    } catch (const UsageError& error) {
        std::cerr << "re6st-conf: " << error.what() << " (see re6st-conf --help)\n";
        return 2;
    } catch (const std::exception& error) {
        std::cerr << "re6st-conf: " << error.what() << "\n";
        return 1;
    }
}
