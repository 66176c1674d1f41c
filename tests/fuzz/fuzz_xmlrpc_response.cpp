// What a registry answers to re6st-conf and to the daemon: the raw HTTP
// response, read by Beast's parser with the client's limits, then decoded by
// decode_response as the client does. Whoever answers on the registry's
// address (or a man in the middle of its plain HTTP) chooses these bytes.
#include "fuzz_check.hpp"

#include "common/xmlrpc_client.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

using namespace re6st;
namespace http = boost::beast::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const std::size_t limit = RpcOptions{}.max_response_bytes;

    // As XmlRpcClient reads: the header alone (async_read_header), then the
    // body under the size limit (async_read, which parses eagerly). Beast
    // 1.74 forgets a response's body_limit error when it parses eagerly from
    // the header on: the order matters.
    http::response_parser<http::string_body> parser;
    parser.body_limit(limit);
    boost::asio::const_buffer input(data, size);
    boost::beast::error_code error;
    auto read = [&](auto done) {
        while (!done()) {
            if (input.size() == 0) {
                // Everything there is was sent: the server closed the connection.
                if (parser.got_some())
                    parser.put_eof(error);
                else
                    error = http::error::end_of_stream;
                return;
            }
            auto used = parser.put(input, error);
            input += used;
            if (error == http::error::need_more) {
                error = {};
                if (used == 0)
                    input = {};   // what is left is not enough for the parser
                continue;
            }
            if (error)
                return;
        }
    };
    parser.eager(false);
    read([&] { return parser.is_header_done(); });
    if (error)
        return 0;
    parser.eager(true);
    read([&] { return parser.is_done(); });
    if (error || !parser.is_done())
        return 0;

    const auto& response = parser.get();
    fuzz::check(response.body().size() <= limit, "the body limit holds");
    auto result = decode_response(response.result_int(), response.reason(), response.body());
    if (result.ok()) {
        fuzz::check(response.result_int() == 200, "only a 200 response carries a result");
        result.value().type();
    } else {
        fuzz::check(result.error().kind() == RpcError::Kind::http_status
                        || result.error().kind() == RpcError::Kind::bad_response
                        || result.error().kind() == RpcError::Kind::fault,
                    "a response is a result, an HTTP status, a bad response or a fault");
        fuzz::check(std::string_view(result.error().what()).find('\n') == std::string_view::npos,
                    "an error message is one line");
    }
    return 0;
}
