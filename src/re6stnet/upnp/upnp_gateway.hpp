// A UPnP Internet Gateway Device, through miniupnpc. Every
// call blocks on HTTP to the gateway: PortMapper runs them off the loop.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>

namespace re6st {

class UpnpError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class UpnpGateway {
public:
    // Searches for a gateway for `delay` on the default multicast interface
    // (if there is a default route), then on each interface with an IPv4
    // address. Null when none answers.
    static std::unique_ptr<UpnpGateway> discover(std::chrono::milliseconds delay);
    ~UpnpGateway();
    UpnpGateway(const UpnpGateway&) = delete;
    UpnpGateway& operator=(const UpnpGateway&) = delete;

    const std::string& lan_address() const { return lan_address_; }
    std::string external_address() const;

    // Maps a random free external port to `internal_port` of our LAN address
    // for `proto` ("TCP" or "UDP"); returns the external port.
    std::uint16_t map(std::uint16_t internal_port, const std::string& proto,
                      std::chrono::seconds lease, std::mt19937& random) const;
    // Adds the same mapping again, extending its lease.
    void renew(std::uint16_t external_port, std::uint16_t internal_port,
               const std::string& proto, std::chrono::seconds lease) const;
    void unmap(std::uint16_t external_port, const std::string& proto) const;
    // Removes mappings to our LAN address that a previous run left behind;
    // returns how many.
    unsigned remove_stale() const;

    static constexpr const char* description = "re6stnet";

private:
    struct Impl;
    explicit UpnpGateway(std::unique_ptr<Impl> impl, std::string lan_address);
    std::unique_ptr<Impl> impl_;
    std::string lan_address_;
};

}  // namespace re6st
