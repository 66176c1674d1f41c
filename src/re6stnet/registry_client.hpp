// The daemon's calls to the registry, asynchronous: the
// public URL answers getPrivateAddress, getBootstrapPeer, getCa and
// renewCertificate (a node whose certificate expired has no tunnel); the
// private URL,
// reached over the overlay from the node's own address, answers declare,
// getPeerList and reportTunnels; either answers getNetworkConfig. An interface, so that the
// refresh logic is tested without a network; XmlRpcRegistry is the real
// thing.
#pragma once

#include "common/prefix.hpp"
#include "common/url.hpp"
#include "common/xmlrpc_client.hpp"
#include "re6stnet/peer.hpp"

#include <xmlrpc-c/base.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace re6st {

class Registry {
public:
    // Exactly one of `result` and `error` is set; `error` is one line.
    template <class T>
    using Done = std::function<void(std::optional<T> result, const std::string& error)>;

    virtual ~Registry() = default;
    virtual void private_address(Done<std::string> done) = 0;
    // Declares our endpoint list ("ip,port,proto;...").
    virtual void declare(const Url& private_url, const std::string& address,
                         Done<bool> done) = 0;
    // The peers the registry sent that parse; the others are logged.
    virtual void peer_list(const Url& private_url, int count,
                           Done<std::vector<Peer>> done) = 0;
    // The bootstrap peer, still encrypted to our certificate.
    virtual void bootstrap_peer(Done<std::string> done) = 0;
    // The CA certificate the registry serves (PEM), unchecked.
    virtual void ca_certificate(Done<std::string> done) = 0;

    // renewCertificate: a new certificate (PEM, unchecked) for the
    // certificate request `csr`. `refused` tells the registry's refusal
    // (fault 1: it will not renew this certificate) from a failure to ask
    // or to answer.
    using Renewed = std::function<void(std::optional<std::string> certificate,
                                       const std::string& error, bool refused)>;
    virtual void renew_certificate(const std::string& csr, Renewed done) = 0;

    // getNetworkConfig: the network's configuration as the registry sent
    // it, signed and unchecked, or "unchanged" when `version` (the one we
    // have, if any) is the current one. Asked on `private_url` when given,
    // else on the public URL. `no_method` tells a registry that has no such
    // method (one of the 2012 protocol) from a failure to ask or to answer.
    using Configured = std::function<void(std::optional<std::string> answer,
                                          const std::string& error, bool no_method)>;
    virtual void network_config(const std::optional<Url>& private_url,
                                std::optional<std::int64_t> version, Configured done) = 0;

    // reportTunnels: `peers`, the CNs of the nodes we have tunnels to,
    // separated by spaces. `ok` once the registry stored them; else
    // `no_method` tells a registry that has no such method (one older than
    // the method) from a failure to ask or to answer.
    using Reported = std::function<void(bool ok, const std::string& error, bool no_method)>;
    virtual void report_tunnels(const Url& private_url, const std::string& peers,
                                Reported done) = 0;
};

// getPeerList's answer, an array of [prefix, address] pairs: the peers that
// parse, and a line for each that does not. Throws std::exception when the
// answer is not such an array.
struct PeerList {
    std::vector<Peer> peers;
    std::vector<std::string> rejected;
};
PeerList parse_peer_list(const xmlrpc_c::value& answer, const Network& network);

class XmlRpcRegistry final : public Registry {
public:
    XmlRpcRegistry(boost::asio::any_io_executor executor, const Url& public_url,
                   const Network& network, const Ipv6Address& own_address,
                   const std::string& own_prefix, std::chrono::milliseconds timeout);

    void private_address(Done<std::string> done) override;
    void declare(const Url& private_url, const std::string& address,
                 Done<bool> done) override;
    void peer_list(const Url& private_url, int count,
                   Done<std::vector<Peer>> done) override;
    void bootstrap_peer(Done<std::string> done) override;
    void ca_certificate(Done<std::string> done) override;
    void renew_certificate(const std::string& csr, Renewed done) override;
    void network_config(const std::optional<Url>& private_url,
                        std::optional<std::int64_t> version, Configured done) override;
    void report_tunnels(const Url& private_url, const std::string& peers,
                        Reported done) override;

private:
    XmlRpcClient& private_client(const Url& private_url);

    boost::asio::any_io_executor executor_;
    Network network_;
    Ipv6Address own_address_;
    std::string own_prefix_;
    std::chrono::milliseconds timeout_;
    XmlRpcClient public_;
    std::unique_ptr<XmlRpcClient> private_;
};

}  // namespace re6st
