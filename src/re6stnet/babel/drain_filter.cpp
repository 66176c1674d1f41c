// The nftables table that silences babeld on draining taps.
#include "re6stnet/babel/drain_filter.hpp"

#include "common/log.hpp"

namespace re6st {

namespace {

constexpr const char* table = "inet re6stnet";

}  // namespace

DrainFilter::DrainFilter(CommandRunner run) : run_(std::move(run)) {}

// One atomic batch: adding the table first makes the deletion of a
// leftover one succeed when there is none.
std::vector<std::string> DrainFilter::install_command()
{
    std::string t = table;
    return {"nft", "add table " + t + "; delete table " + t + "; add table " + t
                       + " { set draining { type ifname; };"
                         " chain output { type filter hook output priority 0; policy accept;"
                         " oifname @draining udp dport 6696 drop; }; }"};
}

std::vector<std::string> DrainFilter::element_command(const char* verb, const std::string& tap)
{
    return {"nft", std::string(verb) + " element " + table + " draining { \"" + tap + "\" }"};
}

void DrainFilter::install()
{
    auto result = run_(install_command());
    installed_ = result.status == 0;
    if (!installed_)
        log::warning("cannot make the nftables table ", table, " (", result.output,
                     "): tunnels will close without draining their routes first");
}

void DrainFilter::remove()
{
    if (!installed_)
        return;
    installed_ = false;
    auto result = run_({"nft", std::string("delete table ") + table});
    if (result.status != 0)
        log::warning("cannot delete the nftables table ", table, ": ", result.output);
}

void DrainFilter::silence(const std::string& tap)
{
    if (!installed_)
        return;
    auto result = run_(element_command("add", tap));
    if (result.status != 0)
        log::warning("cannot drain ", tap, ": ", result.output);
}

void DrainFilter::restore(const std::string& tap)
{
    if (!installed_)
        return;
    auto result = run_(element_command("delete", tap));
    if (result.status != 0)
        log::debug("nothing to restore on ", tap, ": ", result.output);
}

}  // namespace re6st
