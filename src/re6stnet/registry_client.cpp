// The registry's XML-RPC methods, as the daemon calls them.
#include "re6stnet/registry_client.hpp"

#include "common/log.hpp"

namespace re6st {

namespace {

// Runs `convert` on a successful result; any failure, including a result of
// the wrong type, becomes the error.
template <class T, class Convert>
XmlRpcClient::Handler handle(Registry::Done<T> done, Convert convert)
{
    return [done = std::move(done), convert](RpcResult result) {
        if (!result.ok()) {
            done(std::nullopt, result.error().what());
            return;
        }
        try {
            done(convert(result.value()), "");
        } catch (const std::exception& error) {
            done(std::nullopt, std::string("unexpected answer from the registry: ")
                                   + error.what());
        }
    };
}

// How a registry without the method answers: xmlrpc-c's "no such method"
// fault, or the message of Python's SimpleXMLRPCServer, which the 2012
// registry ran on (fault 1).
bool no_such_method(const RpcError& error)
{
    return error.kind() == RpcError::Kind::fault
        && (error.code() == -506 || error.detail().find("is not supported") != std::string::npos);
}

// The handler of a call whose answer is a string: `done(answer, "",
// false)`, or `done(nullopt, why, judge(error))` when the call failed.
template <class Done, class Judge>
auto string_answer(Done done, Judge judge)
{
    return [done = std::move(done), judge](RpcResult result) {
        if (!result.ok()) {
            done(std::nullopt, result.error().what(), judge(result.error()));
            return;
        }
        try {
            done(std::string(xmlrpc_c::value_string(result.value())), "", false);
        } catch (const std::exception& error) {
            done(std::nullopt,
                 std::string("unexpected answer from the registry: ") + error.what(), false);
        }
    };
}

}  // namespace

PeerList parse_peer_list(const xmlrpc_c::value& answer, const Network& network)
{
    PeerList list;
    for (const auto& item : xmlrpc_c::value_array(answer).vectorValueValue()) {
        auto pair = xmlrpc_c::value_array(item).vectorValueValue();
        if (pair.size() != 2)
            throw std::runtime_error("a peer is not a [prefix, address] pair");
        std::string prefix = xmlrpc_c::value_string(pair[0]);
        std::string address = xmlrpc_c::value_string(pair[1]);
        try {
            list.peers.push_back(parse_peer(prefix, address, network));
        } catch (const PeerError& error) {
            list.rejected.push_back(error.what());
        }
    }
    return list;
}

XmlRpcRegistry::XmlRpcRegistry(boost::asio::any_io_executor executor, const Url& public_url,
                               const Network& network, const Ipv6Address& own_address,
                               const std::string& own_prefix, std::chrono::milliseconds timeout)
    : executor_(executor), network_(network), own_address_(own_address), own_prefix_(own_prefix),
      timeout_(timeout), public_(executor, public_url, RpcOptions{.timeout = timeout})
{
}

XmlRpcClient& XmlRpcRegistry::private_client(const Url& url)
{
    if (!private_ || !(private_->url() == url)) {
        RpcOptions options{.timeout = timeout_};
        // The registry authorises these calls by their source address.
        options.source = boost::asio::ip::make_address_v6(own_address_.bytes());
        private_ = std::make_unique<XmlRpcClient>(executor_, url, options);
    }
    return *private_;
}

void XmlRpcRegistry::private_address(Done<std::string> done)
{
    public_.call("getPrivateAddress", {}, handle<std::string>(std::move(done), [](const auto& v) {
        return std::string(xmlrpc_c::value_string(v));
    }));
}

void XmlRpcRegistry::declare(const Url& private_url, const std::string& address,
                             Done<bool> done)
{
    std::vector<xmlrpc_c::value> pair{xmlrpc_c::value_string(own_address_.to_string()),
                                      xmlrpc_c::value_string(address)};
    xmlrpc_c::paramList params;
    params.add(xmlrpc_c::value_array(pair));
    private_client(private_url).call("declare", params,
                                     handle<bool>(std::move(done), [](const auto& v) {
                                         return bool(xmlrpc_c::value_boolean(v));
                                     }));
}

void XmlRpcRegistry::peer_list(const Url& private_url, int count, Done<std::vector<Peer>> done)
{
    xmlrpc_c::paramList params;
    params.add(xmlrpc_c::value_int(count));
    params.add(xmlrpc_c::value_string(own_address_.to_string()));
    private_client(private_url).call("getPeerList", params,
                 handle<std::vector<Peer>>(std::move(done), [this](const auto& v) {
                     auto list = parse_peer_list(v, network_);
                     for (const auto& why : list.rejected)
                         log::warning("registry sent a bad peer: ", why);
                     return list.peers;
                 }));
}

void XmlRpcRegistry::bootstrap_peer(Done<std::string> done)
{
    xmlrpc_c::paramList params;
    params.add(xmlrpc_c::value_string(own_prefix_));
    public_.call("getBootstrapPeer", params,
                 handle<std::string>(std::move(done), [](const auto& v) {
                     auto bytes = xmlrpc_c::value_bytestring(v).vectorUcharValue();
                     return std::string(bytes.begin(), bytes.end());
                 }));
}

void XmlRpcRegistry::ca_certificate(Done<std::string> done)
{
    public_.call("getCa", {}, handle<std::string>(std::move(done), [](const auto& v) {
        return std::string(xmlrpc_c::value_string(v));
    }));
}

void XmlRpcRegistry::renew_certificate(const std::string& csr, Renewed done)
{
    xmlrpc_c::paramList params;
    params.add(xmlrpc_c::value_string(csr));
    // Fault 1: the registry judged the request and will not renew (another
    // key, a prefix reclaimed, past the grace period); other faults (-500
    // internal, -506 no such method) may pass.
    public_.call("renewCertificate", params,
                 string_answer(std::move(done), [](const RpcError& error) {
                     return error.kind() == RpcError::Kind::fault && error.code() == 1;
                 }));
}

void XmlRpcRegistry::network_config(const std::optional<Url>& private_url,
                                    std::optional<std::int64_t> version, Configured done)
{
    xmlrpc_c::paramList params;
    if (version)
        params.add(xmlrpc_c::value_string(std::to_string(*version)));
    auto& client = private_url ? private_client(*private_url) : public_;
    client.call("getNetworkConfig", params, string_answer(std::move(done), no_such_method));
}

void XmlRpcRegistry::report_tunnels(const Url& private_url, const std::string& peers,
                                    Reported done)
{
    xmlrpc_c::paramList params;
    params.add(xmlrpc_c::value_string(peers));
    private_client(private_url).call("reportTunnels", params,
                                     [done = std::move(done)](RpcResult result) {
                                         if (result.ok())
                                             done(true, "", false);
                                         else
                                             done(false, result.error().what(),
                                                  no_such_method(result.error()));
                                     });
}

}  // namespace re6st
