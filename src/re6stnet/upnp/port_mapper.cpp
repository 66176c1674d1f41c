// The UPnP worker thread.
#include "re6stnet/upnp/port_mapper.hpp"

#include "common/log.hpp"
#include "re6stnet/upnp/upnp_gateway.hpp"

#include <boost/asio/post.hpp>

namespace re6st {

PortMapper::PortMapper(boost::asio::io_context& io, std::vector<ServerPort> servers,
                       Settings settings, Mapped mapped)
    : io_(io), servers_(std::move(servers)), settings_(settings), mapped_(std::move(mapped)),
      worker_([this] { work(); })
{
}

PortMapper::~PortMapper()
{
    stop();
}

void PortMapper::stop()
{
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (worker_.joinable())
        worker_.join();
}

bool PortMapper::wait(std::chrono::seconds duration)
{
    std::unique_lock lock(mutex_);
    return !wake_.wait_for(lock, duration, [this] { return stopping_; });
}

void PortMapper::work()
{
    std::mt19937 random{std::random_device{}()};
    struct Mapping {
        std::uint16_t external, internal;
        std::string proto;
    };
    auto post = [this](std::vector<Endpoint> endpoints) {
        boost::asio::post(io_, [this, alive = std::weak_ptr(alive_),
                                endpoints = std::move(endpoints)] {
            if (alive.lock())
                mapped_(endpoints);
        });
    };
    for (;;) {
        {
            std::lock_guard lock(mutex_);
            if (stopping_)
                return;
        }
        auto gateway = UpnpGateway::discover(settings_.discovery);
        if (!gateway) {
            log::info("no UPnP gateway found; retrying in ", settings_.rediscover.count(), " s");
            post({});
            if (!wait(settings_.rediscover))
                return;
            continue;
        }
        std::vector<Mapping> mappings;
        std::vector<Endpoint> endpoints;
        try {
            if (unsigned stale = gateway->remove_stale())
                log::info("removed ", stale, " UPnP mappings left by a previous run");
            auto external_ip = gateway->external_address();
            for (const auto& server : servers_) {
                std::string proto = server.transport == Transport::tcp ? "TCP" : "UDP";
                auto port = gateway->map(server.port, proto, settings_.lease, random);
                mappings.push_back({port, server.port, proto});
                endpoints.push_back({external_ip, port, server.client_proto()});
                log::info("UPnP: ", external_ip, ":", port, "/", proto, " forwarded to ",
                          gateway->lan_address(), ":", server.port);
            }
        } catch (const UpnpError& error) {
            log::warning("UPnP: ", error.what());
        }
        post(endpoints);
        // Renew at half the lease until stopped or the gateway fails us.
        bool healthy = !endpoints.empty();
        while (healthy && wait(settings_.lease / 2)) {
            try {
                for (const auto& m : mappings)
                    gateway->renew(m.external, m.internal, m.proto, settings_.lease);
                log::debug("UPnP mappings renewed");
            } catch (const UpnpError& error) {
                log::warning("UPnP: ", error.what(), "; mapping again");
                healthy = false;
            }
        }
        for (const auto& m : mappings) {
            try {
                gateway->unmap(m.external, m.proto);
                log::info("UPnP: removed the mapping of port ", m.external, "/", m.proto);
            } catch (const UpnpError& error) {
                log::warning("UPnP: ", error.what());
            }
        }
        if (!healthy && !wait(settings_.rediscover))
            return;
    }
}

}  // namespace re6st
