// A RegistryService on a real CA, a real SQLite file and an mbox mailer, with
// a clock the test sets: the fixture of the service and XML-RPC tests.
#pragma once

#include "registry/mbox_mailer.hpp"
#include "registry/peer_list_xml.hpp"
#include "registry/registry_database.hpp"
#include "registry/registry_service.hpp"
#include "registry/request_error.hpp"
#include "test_ca.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <memory>
#include <regex>
#include <sstream>

namespace re6st::test {

using namespace re6st::registry;
using namespace std::chrono_literals;

inline std::string read_file(const std::string& path)
{
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

// Every row of the tables that requests write, to check that a refused
// request changed nothing.
inline std::string dump(sqlite::Database& db)
{
    std::string out;
    for (auto sql : {"SELECT prefix, email, cert, expires FROM vpn ORDER BY prefix",
                     "SELECT token, email, prefix_len, date FROM tokens ORDER BY token",
                     "SELECT prefix, address, date FROM peers ORDER BY prefix",
                     "SELECT serial, cn, expires, date FROM certificates ORDER BY serial"}) {
        auto statement = db.prepare(sql);
        auto rows = statement.query();
        int columns = statement.column_count();
        while (rows.next()) {
            for (int i = 0; i < columns; ++i)
                out += std::string(rows.row().get<std::optional<std::string>>(i).value_or("NULL")) + "|";
            out += "\n";
        }
        out += "--\n";
    }
    return out;
}

inline RequestError::Kind kind_of(const std::function<void()>& call)
{
    try {
        call();
    } catch (const RequestError& error) {
        return error.kind();
    }
    ADD_FAILURE() << "no RequestError";
    return RequestError::Kind::busy;
}

struct Enrolled {
    std::string prefix;   // binary
    std::string certificate;
    PrivateKey key;
    std::string ip;       // node address
};

class ServiceFixture : public ::testing::Test {
protected:
    TempDir dir;
    // The CA is valid from when it was made, so it is made first (once per
    // run), then the fake clock starts at the real time.
    const TestCa& ca = TestCa::get();
    const std::int64_t t0 = system_clock_now();
    std::int64_t now = t0;
    sqlite::Database enrolment_db = open_registry_database(dir / "registry.db", Durability::power_loss);
    sqlite::Database peer_db = open_registry_database(dir / "registry.db", Durability::crash);
    PeerDirectory peers{peer_db, {86400s, 600s}, now, encode_peer_element};
    MboxMailer mailer{dir / "mbox"};
    ServiceSettings settings = [] {
        ServiceSettings s;
        s.token_lifetime = 3600s;
        s.private_address = "2001:db8:42::1";
        s.port = 1234;
        s.mail_from = "registry@example.org";
        return s;
    }();
    std::unique_ptr<RegistryService> service;

    void SetUp() override { make(); }

    void make(Mailer* other_mailer = nullptr)
    {
        service = std::make_unique<RegistryService>(settings, ca.authority(), enrolment_db,
                                                    peers, other_mailer ? *other_mailer : mailer,
                                                    [this] { return now; });
    }

    // The token of the last mail.
    std::string mailed_token()
    {
        static const std::regex token("\n([a-z2-7]{16})\n");
        auto text = read_file(dir / "mbox");
        std::string last;
        for (std::sregex_iterator i(text.begin(), text.end(), token), end; i != end; ++i)
            last = (*i)[1];
        return last;
    }

    std::string token(const std::string& email = "node@example.org")
    {
        service->request_token(email);
        return mailed_token();
    }

    Enrolled enrol(const std::string& email = "node@example.org")
    {
        auto node = make_node();
        auto pem = service->request_certificate(token(email), node.csr_pem);
        auto prefix = bits_from_cn(Certificate::from_pem(pem).subject_cn());
        return {prefix, pem, node.key, service->network().node_address(prefix).to_string()};
    }

    std::vector<std::string> peer_list(int n, const std::string& ip)
    {
        std::vector<std::string> seen;
        service->peer_list(n, ip, ip, [&](const Peer& peer) { seen.push_back(peer.prefix); });
        return seen;
    }
};

}  // namespace re6st::test
