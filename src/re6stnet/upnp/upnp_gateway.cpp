// miniupnpc behind RAII.
#include "re6stnet/upnp/upnp_gateway.hpp"

#include "common/log.hpp"

#include <miniupnpc/miniupnpc.h>
#include <miniupnpc/upnpcommands.h>
#include <miniupnpc/upnperrors.h>

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <fstream>
#include <sstream>
#include <vector>

namespace re6st {

struct UpnpGateway::Impl {
    UPNPUrls urls{};
    IGDdatas data{};
    ~Impl() { FreeUPNPUrls(&urls); }
    const char* control() const { return urls.controlURL; }
    const char* service() const { return data.first.servicetype; }
};

namespace {

std::string upnp_error(const char* what, int code)
{
    return std::string(what) + ": " + strupnperror(code) + " (" + std::to_string(code) + ")";
}

// SSDP goes to a multicast group: without a default route, miniupnpc's
// default interface cannot send it (and says so on stderr).
bool has_default_route()
{
    std::ifstream routes("/proc/net/route");
    std::string line;
    std::getline(routes, line);   // header
    while (std::getline(routes, line)) {
        std::istringstream fields(line);
        std::string interface, destination;
        if (fields >> interface >> destination && destination == "00000000")
            return true;
    }
    return false;
}

std::vector<std::string> ipv4_interfaces()
{
    std::vector<std::string> names;
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0)
        return names;
    for (auto* entry = list; entry; entry = entry->ifa_next)
        if (entry->ifa_addr && entry->ifa_addr->sa_family == AF_INET
            && !(entry->ifa_flags & IFF_LOOPBACK) && (entry->ifa_flags & IFF_UP))
            names.emplace_back(entry->ifa_name);
    freeifaddrs(list);
    return names;
}

}  // namespace

UpnpGateway::UpnpGateway(std::unique_ptr<Impl> impl, std::string lan_address)
    : impl_(std::move(impl)), lan_address_(std::move(lan_address))
{
}

UpnpGateway::~UpnpGateway() = default;

std::unique_ptr<UpnpGateway> UpnpGateway::discover(std::chrono::milliseconds delay)
{
    std::vector<std::string> interfaces;
    if (has_default_route())
        interfaces.push_back("");
    for (auto& name : ipv4_interfaces())
        interfaces.push_back(name);
    for (const auto& interface : interfaces) {
        int error = 0;
        UPNPDev* devices = upnpDiscover(delay.count(), interface.empty() ? nullptr : interface.c_str(),
                                        nullptr, UPNP_LOCAL_PORT_ANY, 0, 2, &error);
        if (!devices)
            continue;
        auto impl = std::make_unique<Impl>();
        char lan[64] = {};
        int found = UPNP_GetValidIGD(devices, &impl->urls, &impl->data, lan, sizeof lan);
        freeUPNPDevlist(devices);
        if (found == 1 || found == 2) {
            log::info("UPnP gateway found", interface.empty() ? "" : " through " + interface,
                      "; our LAN address is ", lan);
            return std::unique_ptr<UpnpGateway>(new UpnpGateway(std::move(impl), lan));
        }
    }
    return nullptr;
}

std::string UpnpGateway::external_address() const
{
    char address[40] = {};
    int code = UPNP_GetExternalIPAddress(impl_->control(), impl_->service(), address);
    if (code != UPNPCOMMAND_SUCCESS || !address[0])
        throw UpnpError(upnp_error("GetExternalIPAddress", code));
    return address;
}

std::uint16_t UpnpGateway::map(std::uint16_t internal_port, const std::string& proto,
                               std::chrono::seconds lease, std::mt19937& random) const
{
    std::uniform_int_distribution<int> ports(1024, 65535);
    auto internal = std::to_string(internal_port);
    auto duration = std::to_string(lease.count());
    int code = 0;
    for (int attempt = 0; attempt < 20; ++attempt) {
        auto external = std::to_string(ports(random));
        char client[16], port[6], desc[80], enabled[4], leased[16];
        if (UPNP_GetSpecificPortMappingEntry(impl_->control(), impl_->service(), external.c_str(),
                                             proto.c_str(), nullptr, client, port, desc,
                                             enabled, leased) == UPNPCOMMAND_SUCCESS)
            continue;   // taken
        code = UPNP_AddPortMapping(impl_->control(), impl_->service(), external.c_str(),
                                   internal.c_str(), lan_address_.c_str(), description,
                                   proto.c_str(), nullptr, duration.c_str());
        if (code == UPNPCOMMAND_SUCCESS)
            return std::stoi(external);
        if (code != 718)   // ConflictInMappingEntry: try another port
            break;
    }
    throw UpnpError(upnp_error(("AddPortMapping " + proto + " " + internal).c_str(), code));
}

void UpnpGateway::renew(std::uint16_t external_port, std::uint16_t internal_port,
                        const std::string& proto, std::chrono::seconds lease) const
{
    int code = UPNP_AddPortMapping(impl_->control(), impl_->service(),
                                   std::to_string(external_port).c_str(),
                                   std::to_string(internal_port).c_str(), lan_address_.c_str(),
                                   description, proto.c_str(), nullptr,
                                   std::to_string(lease.count()).c_str());
    if (code != UPNPCOMMAND_SUCCESS)
        throw UpnpError(upnp_error("AddPortMapping (renewal)", code));
}

void UpnpGateway::unmap(std::uint16_t external_port, const std::string& proto) const
{
    int code = UPNP_DeletePortMapping(impl_->control(), impl_->service(),
                                      std::to_string(external_port).c_str(), proto.c_str(),
                                      nullptr);
    if (code != UPNPCOMMAND_SUCCESS)
        throw UpnpError(upnp_error("DeletePortMapping", code));
}

unsigned UpnpGateway::remove_stale() const
{
    struct Mapping {
        std::string port, proto;
    };
    std::vector<Mapping> stale;
    for (int index = 0; index < 1024; ++index) {
        char external[6], client[16], internal[6], proto[4], desc[80], enabled[4], host[64],
            leased[16];
        if (UPNP_GetGenericPortMappingEntry(impl_->control(), impl_->service(),
                                            std::to_string(index).c_str(), external, client,
                                            internal, proto, desc, enabled, host, leased)
            != UPNPCOMMAND_SUCCESS)
            break;
        if (lan_address_ == client && std::string(desc) == description)
            stale.push_back({external, proto});
    }
    unsigned removed = 0;
    for (const auto& mapping : stale)
        if (UPNP_DeletePortMapping(impl_->control(), impl_->service(), mapping.port.c_str(),
                                   mapping.proto.c_str(), nullptr)
            == UPNPCOMMAND_SUCCESS)
            ++removed;
    return removed;
}

}  // namespace re6st
