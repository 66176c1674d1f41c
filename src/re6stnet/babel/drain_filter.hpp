// Draining a tunnel before it closes: babeld goes on routing through it
// while it still carries packets, but tells its neighbours on it nothing.
// An nftables rule drops the Babel packets this host sends out of a
// draining tap, so the babeld at the other end misses our hellos one after
// another: with link-quality estimation its cost for us climbs step by
// step, each step makes it ask its other neighbours for routes and for new
// sequence numbers where theirs are unfeasible, and it has moved its
// routes before the tunnel closes; our babeld, told by its IHUs that it no
// longer hears us, does the same. babeld itself is not reconfigured: in
// 1.12 an interface's cost cannot change while it is up, and flushing an
// interface with live neighbours uses freed memory.
#pragma once

#include "re6stnet/process/command.hpp"

#include <string>

namespace re6st {

class DrainFilter {
public:
    explicit DrainFilter(CommandRunner run);

    // Makes the table (replacing one a killed daemon left). On failure
    // (no nft, no nf_tables) logs one warning: tunnels then close without
    // draining.
    void install();
    // Removes the table; best effort.
    void remove();

    void silence(const std::string& tap);
    void restore(const std::string& tap);
    bool installed() const { return installed_; }

    // The nft commands, for tests.
    static std::vector<std::string> install_command();
    static std::vector<std::string> element_command(const char* verb, const std::string& tap);

private:
    CommandRunner run_;
    bool installed_ = false;
};

}  // namespace re6st
