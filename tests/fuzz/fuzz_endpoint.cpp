// The endpoint list a peer advertises ("ip,port,proto;..."), which the
// registry stores from declare and every node reads from getPeerList and
// its peer cache.
#include "common/endpoint.hpp"
#include "fuzz_check.hpp"

using namespace re6st;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::vector<Endpoint> endpoints;
    try {
        endpoints = parse_endpoints(fuzz::text_of(data, size));
    } catch (const EndpointError&) {
        return 0;
    }
    for (const auto& endpoint : endpoints) {
        fuzz::check(endpoint.port != 0, "a parsed port is never 0");
        fuzz::check(is_client_proto(endpoint.proto), "a parsed protocol is a client protocol");
    }
    // What parses formats back to a list that parses to the same endpoints.
    fuzz::check(parse_endpoints(format_endpoints(endpoints)) == endpoints,
                "format_endpoints(parse_endpoints(x)) parses to the same list");
    return 0;
}
