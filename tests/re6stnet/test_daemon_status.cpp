// re6stnet --status and --metrics against a daemon driven as the other
// daemon tests drive it (recording launcher, fake clock, scripted registry,
// fake babeld): the status over the control socket, with babeld's view or
// without it; a client that says nothing holds nobody; no daemon, a clear
// line; the metrics scraped over HTTP, accepted by promtool, and
// documented in docs/metrics.rst.
#include "re6stnet/daemon.hpp"

#include "argv.hpp"
#include "fake_babeld.hpp"
#include "fake_clock.hpp"
#include "loop.hpp"
#include "peers.hpp"
#include "recording_launcher.hpp"
#include "scripted_registry.hpp"
#include "common/listen_address.hpp"
#include "re6stnet/node_status_json.hpp"
#include "re6stnet/status_command.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

using namespace re6st;
using namespace std::chrono_literals;
using test::bits;

namespace {

// Node 1/16 of 2001:db8:42::/48, one server, one client slot, its registry
// calls recorded.
struct StatusNode {
    StatusNode(const test::TempDir& dir, boost::asio::io_context& io, test::FakeClock& clock,
               std::optional<std::string> metrics = std::nullopt)
    {
        std::filesystem::create_directories(dir.path() / "sys/net/ipv6/conf/all");
        dir.write("sys/net/ipv6/conf/all/forwarding", "1\n");
        Config config;
        config.registry = "http://192.0.2.42:9080/";
        config.ca = dir / "ca.crt";
        config.cert = dir / "cert.crt";
        config.key = dir / "cert.key";
        config.pp = {{1194, Transport::udp}};
        config.ip = {{"192.0.2.1", 1194, "udp"}};
        config.upnp = false;
        config.given.connection_count = 2;
        config.log_dir = dir / "log";
        config.state_dir = dir / "state";
        config.run_dir = dir / "run";
        if (metrics)
            config.metrics = parse_listen_address(*metrics);
        Network network(Ipv6Prefix::parse("2001:db8:42::/48"));
        auto now = std::chrono::system_clock::now();
        NodeIdentity id{network,
                        bits(1),
                        network.node_address(bits(1)),
                        network.node_subnet(bits(1)),
                        {now - 1h, now + std::chrono::days(365)},
                        {now - 1h, now + std::chrono::days(3650)}};
        plan = plan_daemon(config, id, "/usr/lib/re6stnet");
        launcher.run_for_real = {"openssl"};
        launcher.on_start = [this](const ProcessSpec& spec, pid_t pid) {
            auto name = spec.argv.at(0);
            if (name == "openvpn")
                name += " " + test::value_after(spec.argv, "--dev");
            names[name] = pid;
        };
        std::filesystem::create_directories(plan.state_dir);
        PeerDb(plan.peer_db, bits(1)).merge({test::peer(2)}, 200, 0);
        auto run = [](const std::vector<std::string>&) { return CommandResult{0, ""}; };
        DaemonServices services{launcher, run, clock, recorded, (dir.path() / "sys").string()};
        services.registry_calls = &calls;
        services.sys_net_dir = (dir.path() / "sysnet").string();
        daemon = std::make_unique<Daemon>(io, plan, std::move(services));
    }

    ~StatusNode() { daemon.reset(); }

    void hook_reports(const std::string& child, const std::string& line)
    {
        auto text = line + "\n";
        ASSERT_EQ(send(launcher.hook_ends.at(names.at(child)).get(), text.data(), text.size(), 0),
                  ssize_t(text.size()));
    }

    test::RecordingLauncher launcher;
    test::ScriptedRegistry registry;
    RegistryCalls calls;
    RecordedRegistry recorded{registry, calls};
    DaemonPlan plan;
    std::unique_ptr<Daemon> daemon;
    std::map<std::string, pid_t> names;
};

// As node 1/16: 2/16 at the end of our tunnel re6stnet0, with 5/16 behind
// it; 3/16 a client of our server.
const char* dump =
    "add interface re6stnet0 up true ipv6 fe80::1\n"
    "add neighbour 1 address fe80::2 if re6stnet0 reach ffff ureach 0000 rxcost 96 txcost 96"
    " rtt 2.500 rtt-cost 0 cost 96\n"
    "add neighbour 2 address fe80::3 if re6st-udp1194 reach ffff ureach 0000 rxcost 96"
    " txcost 96 cost 120\n"
    "add route a prefix 2001:db8:42:2::/64 from ::/0 installed yes id x metric 96 refmetric 0"
    " via fe80::2 if re6stnet0\n"
    "add route b prefix 2001:db8:42:5::/64 from ::/0 installed yes id x metric 192"
    " refmetric 96 via fe80::2 if re6stnet0\n"
    "add route c prefix 2001:db8:42:3::/64 from ::/0 installed yes id x metric 120"
    " refmetric 0 via fe80::3 if re6st-udp1194\n"
    "ok\n";

struct DaemonStatusTest : ::testing::Test {
    test::TempDir dir;
    boost::asio::io_context io;
    test::FakeClock clock{io};

    void settle()
    {
        io.restart();
        io.poll();
    }

    void stop(StatusNode& node)
    {
        bool done = false;
        node.daemon->stop([&] { done = true; });
        ASSERT_TRUE(test::run_until(io, [&] { return done; }));
    }

    // Runs `client` on a thread of its own while the loop runs here;
    // `meanwhile` runs on the loop's thread until the client is done.
    void beside_the_loop(std::function<void()> client, std::function<void()> meanwhile = {})
    {
        std::atomic<bool> done = false;
        std::thread thread([&] {
            client();
            done = true;
            boost::asio::post(io, [] {});   // wakes the loop up
        });
        if (meanwhile)
            meanwhile();
        EXPECT_TRUE(test::run_until(io, [&] { return done.load(); }));
        thread.join();
    }

    std::string ask(const std::string& path, std::function<void()> meanwhile = {})
    {
        std::string answer, error;
        beside_the_loop(
            [&] {
                try {
                    answer = ask_daemon(path, "status", 5s);
                } catch (const std::exception& e) {
                    error = e.what();
                }
            },
            std::move(meanwhile));
        EXPECT_EQ(error, "");
        return answer;
    }
};

const NodeStatus::Tunnel* find_tunnel(const NodeStatus& status, const std::string& peer)
{
    for (const auto& tunnel : status.tunnels)
        if (tunnel.peer == peer)
            return &tunnel;
    return nullptr;
}

// HTTP/1.0 GET of `path` on 127.0.0.1:`port`: the whole answer.
std::string http_get(unsigned short port, const std::string& path)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string answer;
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
        auto request = "GET " + path + " HTTP/1.0\r\n\r\n";
        send(fd, request.data(), request.size(), MSG_NOSIGNAL);
        char buffer[4096];
        ssize_t got;
        while ((got = recv(fd, buffer, sizeof buffer, 0)) > 0)
            answer.append(buffer, std::size_t(got));
    }
    close(fd);
    return answer;
}

}  // namespace

TEST_F(DaemonStatusTest, AnswersItsStatusOnItsControlSocket)
{
    StatusNode node(dir, io, clock);
    std::filesystem::create_directories(dir.path() / "sysnet/re6stnet0/statistics");
    dir.write("sysnet/re6stnet0/statistics/rx_bytes", "4096\n");
    dir.write("sysnet/re6stnet0/statistics/tx_bytes", "1024\n");
    node.daemon->start();
    settle();
    test::FakeBabeld babeld(io, node.plan.babeld.control_socket);
    babeld.default_reply = "ok\n";
    babeld.replies["dump"] = dump;
    node.registry.answer_all();
    settle();
    ASSERT_NO_FATAL_FAILURE(node.hook_reports("openvpn re6stnet0", "route-up 198.51.100.7 1234"));
    ASSERT_NO_FATAL_FAILURE(
        node.hook_reports("openvpn re6st-udp1194", "client-connect " + cn_from_bits(bits(3))));
    test::run_until(io, [] { return false; }, 100ms);

    struct stat mode;
    ASSERT_EQ(stat(node.plan.control_socket.c_str(), &mode), 0);
    EXPECT_TRUE(S_ISSOCK(mode.st_mode));
    EXPECT_EQ(mode.st_mode & 0777, 0600u);

    auto answer = ask(node.plan.control_socket);
    ASSERT_FALSE(answer.empty());
    EXPECT_EQ(answer.back(), '\n');
    auto status = parse_status_json(answer);
    EXPECT_EQ(status.identity.prefix, "1/16");
    EXPECT_EQ(status.identity.address, "2001:db8:42:1::1");
    EXPECT_EQ(status.endpoints.advertised, std::vector<std::string>{"192.0.2.1,1194,udp"});
    EXPECT_TRUE(status.registry.last_refresh);
    EXPECT_TRUE(status.registry.last_declaration);
    EXPECT_FALSE(status.registry.last_error);
    ASSERT_TRUE(status.babel);
    EXPECT_EQ(*status.babel, (NodeStatus::Babel{2, 3}));
    ASSERT_EQ(status.tunnels.size(), 2u);
    const auto* ours = find_tunnel(status, "2/16");
    ASSERT_TRUE(ours);
    EXPECT_EQ(ours->direction, NodeStatus::Tunnel::Direction::client);
    EXPECT_EQ(ours->interface, "re6stnet0");
    EXPECT_EQ(ours->endpoints, std::vector<std::string>{"10.0.0.2:1194"});
    EXPECT_EQ(ours->transport, "udp");
    EXPECT_EQ(ours->state, "up");
    EXPECT_TRUE(ours->up_since);
    EXPECT_EQ(ours->routes, 2u);
    EXPECT_EQ(ours->cost, 96u);
    EXPECT_EQ(ours->rtt_ms, 2.5);
    EXPECT_EQ(ours->rx_bytes, 4096u);
    EXPECT_EQ(ours->tx_bytes, 1024u);
    const auto* theirs = find_tunnel(status, "3/16");
    ASSERT_TRUE(theirs);
    EXPECT_EQ(theirs->direction, NodeStatus::Tunnel::Direction::server);
    EXPECT_EQ(theirs->interface, "re6st-udp1194");
    EXPECT_EQ(theirs->routes, 1u);
    EXPECT_EQ(theirs->cost, 120u);
    ASSERT_EQ(status.servers.size(), 1u);
    EXPECT_EQ(status.servers[0].clients, 1u);
    EXPECT_TRUE(status.servers[0].running);
    EXPECT_EQ(status.peers.known, 1u);
    EXPECT_EQ(status.counters.tunnel_starts, 1u);

    // The command prints it as text.
    std::ostringstream out, err;
    int exit = -1;
    beside_the_loop([&] { exit = show_status(node.plan.run_dir, false, out, err); });
    EXPECT_EQ(exit, 0) << err.str();
    EXPECT_NE(out.str().find("client  re6stnet0      2/16  10.0.0.2:1194 udp"), std::string::npos)
        << out.str();

    stop(node);
    EXPECT_FALSE(std::filesystem::exists(node.plan.control_socket)) << "left after the stop";
}

TEST_F(DaemonStatusTest, AnswersWithoutBabeldAfterAShortWait)
{
    StatusNode node(dir, io, clock);
    node.daemon->start();
    settle();
    test::FakeBabeld babeld(io, node.plan.babeld.control_socket);
    babeld.silent = true;
    auto answer = ask(node.plan.control_socket, [&] {
        ASSERT_TRUE(test::run_until(io, [&] {
            return std::find(babeld.requests.begin(), babeld.requests.end(), "dump")
                   != babeld.requests.end();
        }));
        clock.advance(1s);
    });
    auto status = parse_status_json(answer);
    EXPECT_FALSE(status.babel);
    EXPECT_EQ(status.tunnels.size(), 1u);   // connecting to 2/16
    EXPECT_FALSE(status.tunnels.at(0).routes);
    stop(node);
}

// A client that connects and says nothing, or too much, holds nobody.
TEST_F(DaemonStatusTest, ASilentOrRamblingClientHoldsNobody)
{
    StatusNode node(dir, io, clock);
    node.daemon->start();
    settle();
    test::FakeBabeld babeld(io, node.plan.babeld.control_socket);
    babeld.default_reply = "ok\n";
    babeld.replies["dump"] = "ok\n";
    auto connect_to = [&](const std::string& path) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strcpy(address.sun_path, path.c_str());
        EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
        return fd;
    };
    int silent = connect_to(node.plan.control_socket);
    int rambling = connect_to(node.plan.control_socket);
    std::string noise(4096, 'x');
    send(rambling, noise.data(), noise.size(), MSG_NOSIGNAL);
    EXPECT_FALSE(ask(node.plan.control_socket).empty());
    // The rambler was cut off.
    timeval limit{5, 0};
    setsockopt(rambling, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    ssize_t got = -1;
    int error = 0;
    beside_the_loop([&] {
        char byte;
        got = recv(rambling, &byte, 1, 0);
        error = errno;
    });
    // Closed with what it sent unread: a reset, rather than an end.
    EXPECT_TRUE(got == 0 || (got < 0 && error == ECONNRESET)) << got << " " << strerror(error);
    close(silent);
    close(rambling);
    stop(node);
}

TEST_F(DaemonStatusTest, NoDaemonIsOneLineAndExitOne)
{
    std::ostringstream out, err;
    EXPECT_EQ(show_status((dir.path() / "run").string(), false, out, err), 1);
    EXPECT_EQ(out.str(), "");
    auto line = err.str();
    EXPECT_EQ(line.find("re6stnet: no daemon is running with --run "), 0u) << line;
    EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);

    // A socket left behind, that nobody listens on.
    std::filesystem::create_directories(dir.path() / "run");
    auto path = dir.path() / "run/control.sock";
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strcpy(address.sun_path, path.c_str());
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    close(fd);
    std::ostringstream out2, err2;
    EXPECT_EQ(show_status((dir.path() / "run").string(), true, out2, err2), 1);
    EXPECT_EQ(err2.str().find("re6stnet: no daemon is running with --run "), 0u) << err2.str();
}

namespace {

// {family: type} of the exposition's TYPE lines.
std::map<std::string, std::string> exposed_families(const std::string& exposition)
{
    std::map<std::string, std::string> types;
    std::istringstream lines(exposition);
    std::string line;
    while (std::getline(lines, line))
        if (line.starts_with("# TYPE ")) {
            std::istringstream words(line.substr(7));
            std::string name, type;
            words >> name >> type;
            types[name] = type;
        }
    return types;
}

// {family: type} of the definition terms of docs/metrics.rst about the node.
std::map<std::string, std::string> documented_families()
{
    std::ifstream file(std::string(DOCS_DIR) + "/metrics.rst");
    std::ostringstream text;
    text << file.rdbuf();
    std::map<std::string, std::string> types;
    std::regex term(R"(^``(re6stnet_\w+)(?:\{[^}]*\})?`` \((counter|gauge|histogram)\)$)",
                    std::regex::multiline);
    auto all = text.str();
    for (std::sregex_iterator it(all.begin(), all.end(), term), end; it != end; ++it)
        types[(*it)[1]] = (*it)[2];
    return types;
}

}  // namespace

TEST_F(DaemonStatusTest, MetricsAreScrapedCheckedAndDocumented)
{
    StatusNode node(dir, io, clock, "127.0.0.1:0");
    node.daemon->start();
    settle();
    test::FakeBabeld babeld(io, node.plan.babeld.control_socket);
    babeld.default_reply = "ok\n";
    babeld.replies["dump"] = dump;
    node.registry.answer_all();
    settle();
    ASSERT_NO_FATAL_FAILURE(node.hook_reports("openvpn re6stnet0", "route-up 198.51.100.7 1234"));
    test::run_until(io, [] { return false; }, 100ms);
    auto endpoint = node.daemon->metrics_endpoint();
    ASSERT_TRUE(endpoint);

    std::string answer;
    beside_the_loop([&] { answer = http_get(endpoint->port(), "/metrics"); });
    auto body = answer.find("\r\n\r\n");
    ASSERT_NE(body, answer.npos) << answer;
    EXPECT_EQ(answer.find("HTTP/1.0 200"), 0u) << answer;
    auto exposition = answer.substr(body + 4);
    for (const auto* sample :
         {"re6stnet_tunnels{direction=\"client\",state=\"up\"} 1\n",
          "re6stnet_tunnels{direction=\"server\",state=\"up\"} 0\n",
          "re6stnet_tunnel_starts_total 1\n", "re6stnet_babeld_up 1\n",
          "re6stnet_babeld_neighbours 2\n", "re6stnet_babeld_routes_installed 3\n",
          "re6stnet_peer_cache_known_peers 1\n",
          "re6stnet_registry_requests_total{method=\"getPeerList\",outcome=\"ok\"} 1\n",
          "re6stnet_registry_request_duration_seconds_count{method=\"declare\"} 1\n",
          "re6stnet_child_restarts_total{program=\"babeld\"} 0\n", "re6stnet_upnp_enabled 0\n"})
        EXPECT_NE(exposition.find(sample), exposition.npos) << sample << exposition;
    EXPECT_NE(exposition.find("re6stnet_build_info{version=\""), exposition.npos);

    // The manual lists exactly what is served.
    EXPECT_EQ(documented_families(), exposed_families(exposition));

    // promtool's lint (Debian package prometheus): silent and successful.
    if (!std::filesystem::exists("/usr/bin/promtool")) {
        stop(node);
        GTEST_SKIP() << "no promtool (Debian package prometheus)";
    }
    test::Process promtool({"/usr/bin/promtool", "check", "metrics"}, {.pipe_stdin = true});
    promtool.write_stdin(exposition);
    promtool.close_stdin();
    EXPECT_EQ(promtool.wait(30s), 0);
    EXPECT_EQ(promtool.out() + promtool.err(), "");
    stop(node);
}

TEST_F(DaemonStatusTest, AMetricsAddressInUseStopsTheStart)
{
    boost::asio::ip::tcp::acceptor taken(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    auto address = "127.0.0.1:" + std::to_string(taken.local_endpoint().port());
    StatusNode node(dir, io, clock, address);
    try {
        node.daemon->start();
        FAIL() << "started";
    } catch (const std::runtime_error& error) {
        EXPECT_EQ(std::string(error.what()).find("--metrics: cannot listen on " + address), 0u)
            << error.what();
    }
    node.daemon.reset();
    EXPECT_FALSE(std::filesystem::exists(node.plan.control_socket));
}
