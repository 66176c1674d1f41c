// The node address, the network's unreachable route, IPv6 forwarding.
#include "re6stnet/network_setup.hpp"

#include "common/log.hpp"

#include <fstream>
#include <stdexcept>

namespace re6st {

namespace {

std::string join(const std::vector<std::string>& argv)
{
    std::string text;
    for (const auto& arg : argv)
        text += (text.empty() ? "" : " ") + arg;
    return text;
}

}  // namespace

NetworkSetup::NetworkSetup(CommandRunner run, NodeAddressing addressing, std::string sysctl_dir)
    : run_(std::move(run)), addressing_(std::move(addressing)), sysctl_dir_(std::move(sysctl_dir))
{
}

std::string NetworkSetup::forwarding_path() const
{
    return sysctl_dir_ + "/net/ipv6/conf/all/forwarding";
}

void NetworkSetup::run_or_throw(const std::vector<std::string>& argv)
{
    auto result = run_(argv);
    if (result.status != 0)
        throw std::runtime_error("'" + join(argv) + "' failed: " + result.output);
    log::debug("ran '", join(argv), "'");
}

void NetworkSetup::apply()
{
    const auto& a = addressing_;
    auto address = a.address.to_string() + "/" + std::to_string(a.subnet.length());
    if (a.interface != "lo")
        run_or_throw({"ip", "link", "set", "dev", a.interface, "up"});
    // "replace" also takes over an address a killed daemon left behind.
    run_or_throw({"ip", "-6", "address", "replace", address, "dev", a.interface, "nodad"});
    run_or_throw({"ip", "-6", "route", "replace", "unreachable", a.network.to_string()});
    log::info("node address ", address, " on ", a.interface);

    std::ifstream current(forwarding_path());
    std::string value;
    current >> value;
    if (value != "1") {
        std::ofstream forwarding(forwarding_path());
        forwarding << "1\n";
        forwarding.flush();
        if (!forwarding)
            throw std::runtime_error("cannot enable IPv6 forwarding in " + forwarding_path());
        enabled_forwarding_ = true;
        log::info("enabled IPv6 forwarding (net.ipv6.conf.all.forwarding)");
    }
}

void NetworkSetup::undo()
{
    const auto& a = addressing_;
    auto address = a.address.to_string() + "/" + std::to_string(a.subnet.length());
    for (const auto& argv : std::vector<std::vector<std::string>>{
             {"ip", "-6", "address", "del", address, "dev", a.interface},
             {"ip", "-6", "route", "del", "unreachable", a.network.to_string()},
         }) {
        auto result = run_(argv);
        if (result.status != 0)
            log::warning("'", join(argv), "' failed: ", result.output);
    }
    if (enabled_forwarding_) {
        std::ofstream forwarding(forwarding_path());
        forwarding << "0\n";
        enabled_forwarding_ = false;
    }
}

}  // namespace re6st
