// The metrics endpoint on a real loopback socket: 200 with the exposition
// on GET /metrics, 404 elsewhere, 405 for other methods, keep-alive, the
// connection cap, a slow client timed out, and the loop free while a
// scrape takes its time.
#include "common/metrics_server.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

using namespace re6st::metrics;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// The server on its own io thread, on 127.0.0.1 and a free port.
class Running {
public:
    explicit Running(MetricSet& set, ServerLimits limits = {})
    {
        server_ = MetricsServer::bind(io_, {asio::ip::make_address("127.0.0.1"), 0}, set, limits);
        server_->start();
        thread_ = std::thread([this] { io_.run(); });
    }
    ~Running()
    {
        asio::post(io_, [this] {
            server_->stop();
            io_.stop();
        });
        thread_.join();
    }
    tcp::endpoint endpoint() const { return server_->local_endpoint(); }

private:
    asio::io_context io_;
    std::shared_ptr<MetricsServer> server_;
    std::thread thread_;
};

// A blocking client socket.
struct Client {
    asio::io_context io;
    tcp::socket socket{io};

    explicit Client(const tcp::endpoint& endpoint) { socket.connect(endpoint); }

    void send(const std::string& request) { asio::write(socket, asio::buffer(request)); }

    // Everything until the server closes.
    std::string read_all()
    {
        std::string data;
        boost::system::error_code error;
        asio::read(socket, asio::dynamic_buffer(data), error);
        return data;
    }

    // One response, read by its Content-Length.
    std::string read_response()
    {
        std::string data;
        char chunk[4096];
        for (;;) {
            auto header_end = data.find("\r\n\r\n");
            if (header_end != data.npos) {
                auto at = data.find("Content-Length: ");
                auto length = std::stoul(data.substr(at + 16));
                if (data.size() >= header_end + 4 + length)
                    return data;
            }
            auto n = socket.read_some(asio::buffer(chunk));
            data.append(chunk, n);
        }
    }
};

std::string get(const std::string& target, const std::string& method = "GET")
{
    return method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
}

MetricSet& example_set()
{
    static MetricSet set;
    static bool made = false;
    if (!made) {
        set.counter("app_requests_total", "Requests.").with().inc(7);
        made = true;
    }
    return set;
}

}  // namespace

TEST(MetricsServer, ServesTheExposition)
{
    Running running(example_set());
    Client client(running.endpoint());
    client.send(get("/metrics"));
    auto response = client.read_all();
    EXPECT_TRUE(response.starts_with("HTTP/1.1 200 OK\r\n")) << response;
    EXPECT_NE(response.find("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"),
              std::string::npos)
        << response;
    EXPECT_TRUE(response.ends_with("\r\n\r\n"
                                   "# HELP app_requests_total Requests.\n"
                                   "# TYPE app_requests_total counter\n"
                                   "app_requests_total 7\n"))
        << response;
}

TEST(MetricsServer, QueryIgnored)
{
    Running running(example_set());
    Client client(running.endpoint());
    client.send(get("/metrics?name[]=x"));
    EXPECT_TRUE(client.read_all().starts_with("HTTP/1.1 200 OK\r\n"));
}

TEST(MetricsServer, OtherPathsNotFound)
{
    Running running(example_set());
    for (const char* path : {"/", "/metric", "/metrics/", "/RPC2"}) {
        Client client(running.endpoint());
        client.send(get(path));
        EXPECT_TRUE(client.read_all().starts_with("HTTP/1.1 404 Not Found\r\n")) << path;
    }
}

TEST(MetricsServer, OtherMethodsNotAllowed)
{
    Running running(example_set());
    for (const char* method : {"POST", "PUT", "DELETE", "HEAD"}) {
        Client client(running.endpoint());
        client.send(get("/metrics", method));
        auto response = client.read_all();
        EXPECT_TRUE(response.starts_with("HTTP/1.1 405 Method Not Allowed\r\n")) << method;
        EXPECT_NE(response.find("Allow: GET\r\n"), std::string::npos) << method;
    }
}

TEST(MetricsServer, KeepAlive)
{
    Running running(example_set());
    Client client(running.endpoint());
    for (int i = 0; i < 3; ++i) {
        client.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
        auto response = client.read_response();
        EXPECT_TRUE(response.starts_with("HTTP/1.1 200 OK\r\n")) << response;
        EXPECT_TRUE(response.ends_with("app_requests_total 7\n")) << response;
    }
}

TEST(MetricsServer, MalformedRequest)
{
    Running running(example_set());
    Client client(running.endpoint());
    client.send("NOT HTTP\r\n\r\n");
    EXPECT_TRUE(client.read_all().starts_with("HTTP/1.1 400 Bad Request\r\n"));
}

TEST(MetricsServer, SlowClientTimedOut)
{
    ServerLimits limits;
    limits.timeout = 1s;
    Running running(example_set(), limits);
    Client client(running.endpoint());
    client.send("GET /metrics HTTP/1.1\r\n");   // and never the rest
    auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(client.read_all(), "");
    auto waited = std::chrono::steady_clock::now() - started;
    EXPECT_GE(waited, 900ms);
    EXPECT_LT(waited, 5s);
}

TEST(MetricsServer, ConnectionsCapped)
{
    ServerLimits limits;
    limits.max_connections = 2;
    Running running(example_set(), limits);
    Client first(running.endpoint()), second(running.endpoint());
    // Both accepted before the third comes: each gets an answer.
    first.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    second.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_TRUE(first.read_response().starts_with("HTTP/1.1 200"));
    EXPECT_TRUE(second.read_response().starts_with("HTTP/1.1 200"));
    Client third(running.endpoint());
    third.send(get("/metrics"));
    EXPECT_EQ(third.read_all(), "");   // closed unanswered
    first.socket.close();
    // Once one goes, a newcomer is served again (after the server saw it go).
    for (int attempt = 0;; ++attempt) {
        Client again(running.endpoint());
        again.send(get("/metrics"));
        if (again.read_all().starts_with("HTTP/1.1 200"))
            break;
        ASSERT_LT(attempt, 50);
        std::this_thread::sleep_for(20ms);
    }
}

// A collector that takes its time runs off the loop: another connection is
// answered meanwhile.
TEST(MetricsServer, SlowScrapeDoesNotBlockTheLoop)
{
    MetricSet set;
    std::promise<void> release;
    auto released = release.get_future().share();
    set.gauge("app_slow", "Slow.");
    set.on_scrape([released] { released.wait_for(10s); });
    Running running(set);

    Client slow(running.endpoint());
    slow.send(get("/metrics"));
    std::this_thread::sleep_for(100ms);   // the scrape is under way
    Client other(running.endpoint());
    other.send(get("/elsewhere"));
    EXPECT_TRUE(other.read_all().starts_with("HTTP/1.1 404"));
    release.set_value();
    EXPECT_TRUE(slow.read_all().starts_with("HTTP/1.1 200"));
}

TEST(MetricsServer, FailedScrapeIsAnError)
{
    MetricSet set;
    set.on_scrape([] { throw std::runtime_error("database gone"); });
    Running running(set);
    Client client(running.endpoint());
    client.send(get("/metrics"));
    EXPECT_TRUE(client.read_all().starts_with("HTTP/1.1 500"));
}

TEST(MetricsServer, AddressInUse)
{
    MetricSet set;
    Running running(set);
    asio::io_context io;
    try {
        MetricsServer::bind(io, running.endpoint(), set);
        FAIL() << "bound twice";
    } catch (const std::runtime_error& error) {
        EXPECT_NE(std::string(error.what()).find("cannot listen on 127.0.0.1:"), std::string::npos)
            << error.what();
    }
}
