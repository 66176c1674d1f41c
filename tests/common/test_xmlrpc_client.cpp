// The XML-RPC client against a real server: Python's SimpleXMLRPCServer
// (tests/common/xmlrpc_test_server.py) on loopback, IPv4 and IPv6.
#include "common/xmlrpc_client.hpp"

#include "support/process.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>
#include <xmlrpc-c/base.hpp>

#include <chrono>

using namespace re6st;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using Kind = RpcError::Kind;

namespace {

class TestServer {
public:
    explicit TestServer(const std::string& bind = "127.0.0.1", const std::string& mode = "xmlrpc")
        : process_({test::python3, RE6ST_TEST_DIR "/xmlrpc_test_server.py", "--bind", bind,
                    "--mode", mode})
    {
        auto line = process_.read_line(10s);
        if (!line)
            throw std::runtime_error("test server did not start: " + process_.err());
        url_ = Url::parse("http://" + (bind.find(':') != bind.npos ? "[" + bind + "]" : bind)
                          + ":" + *line + "/");
    }
    const Url& url() const { return url_; }

private:
    test::Process process_;
    Url url_;
};

// One call through the synchronous wrapper, the error captured.
RpcError call_error(const Url& url, const std::string& method,
                    const xmlrpc_c::paramList& params = {}, const RpcOptions& options = {})
{
    try {
        call_blocking(url, method, params, options);
    } catch (const RpcError& error) {
        return error;
    }
    throw std::runtime_error(method + " succeeded");
}

xmlrpc_c::paramList params(std::initializer_list<xmlrpc_c::value> values)
{
    xmlrpc_c::paramList list;
    for (const auto& value : values)
        list.add(value);
    return list;
}

}  // namespace

TEST(XmlRpcClient, ResultTypesOverIpv4AndIpv6)
{
    for (const char* bind : {"127.0.0.1", "::1"}) {
        TestServer server(bind);
        SCOPED_TRACE(server.url().to_string());

        auto text = call_blocking(server.url(), "echo", params({xmlrpc_c::value_string("héllo <&>")}));
        EXPECT_EQ(std::string(xmlrpc_c::value_string(text)), "héllo <&>");

        auto number = call_blocking(server.url(), "echo", params({xmlrpc_c::value_int(-42)}));
        EXPECT_EQ(int(xmlrpc_c::value_int(number)), -42);

        auto flag = call_blocking(server.url(), "echo", params({xmlrpc_c::value_boolean(true)}));
        EXPECT_TRUE(bool(xmlrpc_c::value_boolean(flag)));

        std::vector<xmlrpc_c::value> pair{xmlrpc_c::value_string("0000000000000001"),
                                          xmlrpc_c::value_string("192.0.2.1,1194,udp")};
        std::vector<xmlrpc_c::value> rows{xmlrpc_c::value_array(pair), xmlrpc_c::value_array(pair)};
        auto array = call_blocking(server.url(), "echo", params({xmlrpc_c::value_array(rows)}));
        auto got = xmlrpc_c::value_array(array).vectorValueValue();
        ASSERT_EQ(got.size(), 2u);
        auto row = xmlrpc_c::value_array(got[1]).vectorValueValue();
        ASSERT_EQ(row.size(), 2u);
        EXPECT_EQ(std::string(xmlrpc_c::value_string(row[1])), "192.0.2.1,1194,udp");

        auto bytes = xmlrpc_c::value_bytestring(
                         call_blocking(server.url(), "binary", params({xmlrpc_c::value_int(300)})))
                         .vectorUcharValue();
        ASSERT_EQ(bytes.size(), 300u);
        for (std::size_t i = 0; i < bytes.size(); ++i)
            ASSERT_EQ(bytes[i], i % 256) << i;

        EXPECT_EQ(call_blocking(server.url(), "nothing", {}).type(), xmlrpc_c::value::TYPE_NIL);
    }
}

TEST(XmlRpcClient, HostNameIsResolved)
{
    TestServer server;
    auto url = server.url();
    url.host = "localhost";
    auto text = call_blocking(url, "echo", params({xmlrpc_c::value_string("by name")}));
    EXPECT_EQ(std::string(xmlrpc_c::value_string(text)), "by name");
}

TEST(XmlRpcClient, FaultCarriesCodeAndMessage)
{
    TestServer server;
    auto error = call_error(server.url(), "fault",
                            params({xmlrpc_c::value_int(7), xmlrpc_c::value_string("token refused")}));
    EXPECT_EQ(error.kind(), Kind::fault);
    EXPECT_EQ(error.code(), 7);
    EXPECT_EQ(error.detail(), "token refused");
    EXPECT_EQ(std::string(error.what()), server.url().to_string() + ": fault: fault 7: token refused");
}

TEST(XmlRpcClient, UnknownMethodIsAFault)
{
    TestServer server;
    auto error = call_error(server.url(), "noSuchMethod");
    EXPECT_EQ(error.kind(), Kind::fault);
    EXPECT_NE(error.detail().find("noSuchMethod"), std::string::npos) << error.what();
}

TEST(XmlRpcClient, MultiLineFaultBecomesOneLine)
{
    TestServer server;
    auto error = call_error(server.url(), "fault",
                            params({xmlrpc_c::value_int(1), xmlrpc_c::value_string("a\nb")}));
    EXPECT_EQ(error.detail(), "a\nb");
    EXPECT_EQ(std::string(error.what()).find('\n'), std::string::npos);
}

TEST(XmlRpcClient, HttpStatusOtherThan200)
{
    TestServer server;
    auto url = server.url();
    url.path = "/nowhere";
    auto error = call_error(url, "echo", params({xmlrpc_c::value_int(1)}));
    EXPECT_EQ(error.kind(), Kind::http_status);
    EXPECT_EQ(error.code(), 404);
    EXPECT_EQ(std::string(error.what()), url.to_string() + ": echo: HTTP status 404 Not Found");
}

TEST(XmlRpcClient, ConnectionRefused)
{
    // A bound socket that does not listen: connecting to it is refused.
    asio::io_context io;
    asio::ip::tcp::socket closed(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    auto url = Url::from_host_port("127.0.0.1", closed.local_endpoint().port());

    auto error = call_error(url, "getCa");
    EXPECT_EQ(error.kind(), Kind::transport);
    EXPECT_EQ(std::string(error.what()), url.to_string() + ": getCa: cannot connect to "
                                             + url.host_port() + ": Connection refused");
}

TEST(XmlRpcClient, ServerThatNeverAnswersTimesOut)
{
    TestServer server("127.0.0.1", "silent");
    RpcOptions options;
    options.timeout = 300ms;
    auto start = std::chrono::steady_clock::now();
    auto error = call_error(server.url(), "getCa", {}, options);
    auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(error.kind(), Kind::timeout);
    EXPECT_EQ(std::string(error.what()),
              server.url().to_string() + ": getCa: timed out after 300 ms waiting for the response");
    EXPECT_GE(elapsed, 300ms);
    EXPECT_LT(elapsed, 3s);
}

TEST(XmlRpcClient, ServerThatHangsUp)
{
    TestServer server("127.0.0.1", "hang-up");
    auto error = call_error(server.url(), "getCa");
    EXPECT_EQ(error.kind(), Kind::transport);
    EXPECT_NE(std::string(error.what()).find("connection closed before a complete response"),
              std::string::npos) << error.what();
}

TEST(XmlRpcClient, ResponseThatIsNotXmlRpc)
{
    TestServer server("127.0.0.1", "not-xml");
    auto error = call_error(server.url(), "getCa");
    EXPECT_EQ(error.kind(), Kind::bad_response);
    EXPECT_NE(std::string(error.what()).find("malformed XML-RPC response"), std::string::npos)
        << error.what();
}

// A fake registry, or a man in the middle, answering a few hundred bytes of
// nested entities: refused before the parser could expand them.
TEST(XmlRpcClient, ResponseWithADocumentTypeIsRefused)
{
    for (const char* mode : {"laughs", "laughs-utf16"}) {
        SCOPED_TRACE(mode);
        TestServer server("127.0.0.1", mode);
        auto start = std::chrono::steady_clock::now();
        auto error = call_error(server.url(), "getCa");
        EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
        EXPECT_EQ(error.kind(), Kind::bad_response);
        EXPECT_EQ(std::string(error.what()),
                  server.url().to_string()
                      + ": getCa: response refused: a document type declaration (or UTF-16 text, "
                        "which may hide one) could exhaust memory by entity expansion");
    }
}

TEST(XmlRpcClient, ResponseSizeLimit)
{
    TestServer server;
    RpcOptions options;
    options.max_response_bytes = 100'000;
    auto under = call_blocking(server.url(), "text", params({xmlrpc_c::value_int(90'000)}), options);
    EXPECT_EQ(std::string(xmlrpc_c::value_string(under)).size(), 90'000u);

    auto error = call_error(server.url(), "text", params({xmlrpc_c::value_int(100'001)}), options);
    EXPECT_EQ(error.kind(), Kind::bad_response);
    EXPECT_EQ(std::string(error.what()),
              server.url().to_string() + ": text: response larger than 100000 bytes");
}

TEST(XmlRpcClient, EndlessResponseIsCutAtTheLimit)
{
    TestServer server("127.0.0.1", "flood");
    RpcOptions options;
    options.max_response_bytes = 200'000;
    auto error = call_error(server.url(), "getPeerList", {}, options);
    EXPECT_EQ(error.kind(), Kind::bad_response);
    EXPECT_EQ(std::string(error.what()),
              server.url().to_string() + ": getPeerList: response larger than 200000 bytes");
}

TEST(XmlRpcClient, DefaultLimitTakesALargePeerList)
{
    // getPeerList(999) is about 170 KB; xmlrpc-c must parse well beyond that.
    TestServer server;
    auto text = call_blocking(server.url(), "text", params({xmlrpc_c::value_int(900'000)}));
    EXPECT_EQ(std::string(xmlrpc_c::value_string(text)).size(), 900'000u);
}

TEST(XmlRpcClient, BindsTheSourceAddress)
{
    TestServer server;   // on 127.0.0.1; all of 127/8 is local
    RpcOptions options;
    options.source = asio::ip::make_address("127.0.0.2");
    auto seen = call_blocking(server.url(), "client_address", {}, options);
    EXPECT_EQ(std::string(xmlrpc_c::value_string(seen)), "127.0.0.2");

    options.source = asio::ip::make_address("127.0.0.3");
    auto seen_again = call_blocking(server.url(), "client_address", {}, options);
    EXPECT_EQ(std::string(xmlrpc_c::value_string(seen_again)), "127.0.0.3");
}

TEST(XmlRpcClient, SourceAddressThatIsNotLocal)
{
    TestServer server;
    RpcOptions options;
    options.source = asio::ip::make_address("192.0.2.1");   // never sent: bind fails first
    auto error = call_error(server.url(), "client_address", {}, options);
    EXPECT_EQ(error.kind(), Kind::transport);
    EXPECT_EQ(std::string(error.what()),
              server.url().to_string()
                  + ": client_address: cannot bind to the source address 192.0.2.1: "
                    "Cannot assign requested address");
}

TEST(XmlRpcClient, SourceAddressOfAnotherFamily)
{
    TestServer server("::1");
    RpcOptions options;
    options.source = asio::ip::make_address("127.0.0.1");
    auto error = call_error(server.url(), "client_address", {}, options);
    EXPECT_EQ(error.kind(), Kind::transport);
    EXPECT_EQ(std::string(error.what()),
              server.url().to_string()
                  + ": client_address: cannot reach ::1 from the source address 127.0.0.1 of "
                    "another family");
}

// The daemon's situation: one event loop, several calls in flight; a
// server that never answers must not delay calls to one that does.
TEST(XmlRpcClient, CallsInFlightDoNotWaitForEachOther)
{
    TestServer good, silent("127.0.0.1", "silent");
    asio::io_context io;
    RpcOptions options;
    options.timeout = 1s;
    XmlRpcClient slow(io.get_executor(), silent.url(), options);
    XmlRpcClient fast(io.get_executor(), good.url(), options);

    std::vector<std::string> order;
    for (int i = 0; i < 3; ++i)
        slow.call("getCa", {}, [&](RpcResult result) {
            EXPECT_EQ(result.error().kind(), Kind::timeout);
            order.push_back("timeout");
        });
    for (int i = 0; i < 3; ++i)
        fast.call("echo", params({xmlrpc_c::value_int(i)}), [&, i](RpcResult result) {
            EXPECT_EQ(int(xmlrpc_c::value_int(result.value())), i);
            order.push_back("answer");
        });
    io.run();
    EXPECT_EQ(order, (std::vector<std::string>{"answer", "answer", "answer", "timeout", "timeout",
                                               "timeout"}));
}

TEST(XmlRpcClient, CancelCompletesEveryCallAsCancelled)
{
    TestServer silent("127.0.0.1", "silent");
    asio::io_context io;
    XmlRpcClient client(io.get_executor(), silent.url());
    int cancelled = 0;
    for (int i = 0; i < 2; ++i)
        client.call("getCa", {}, [&](RpcResult result) {
            EXPECT_EQ(result.error().kind(), Kind::cancelled);
            EXPECT_EQ(std::string(result.error().what()),
                      silent.url().to_string() + ": getCa: call cancelled");
            ++cancelled;
        });
    io.run_for(200ms);   // connected and waiting
    EXPECT_EQ(cancelled, 0);
    client.cancel();
    io.run();
    EXPECT_EQ(cancelled, 2);
}

TEST(XmlRpcClient, DestroyedClientDropsItsHandlers)
{
    TestServer silent("127.0.0.1", "silent");
    asio::io_context io;
    bool called = false;
    {
        XmlRpcClient client(io.get_executor(), silent.url());
        client.call("getCa", {}, [&](RpcResult) { called = true; });
        io.run_for(100ms);
    }
    auto start = std::chrono::steady_clock::now();
    io.run();   // returns at once: nothing is left pending
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
    EXPECT_FALSE(called);
}

TEST(XmlRpcClient, HandlerNeverRunsInsideCall)
{
    asio::io_context io;
    asio::ip::tcp::socket closed(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    XmlRpcClient client(io.get_executor(), Url::from_host_port("127.0.0.1", closed.local_endpoint().port()));
    bool called = false;
    client.call("getCa", {}, [&](RpcResult result) {
        EXPECT_FALSE(result.ok());
        called = true;
    });
    EXPECT_FALSE(called);
    io.run();
    EXPECT_TRUE(called);
}
