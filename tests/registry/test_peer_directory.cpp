// The known peers: kept in step with the peers table, sampled at random
// without the caller, purged on schedule (SPEC A.3, B.6, B.7).
#include "registry/peer_directory.hpp"
#include "registry/registry_database.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bitset>
#include <map>
#include <set>

using namespace re6st;
using namespace re6st::registry;
using namespace std::chrono_literals;

namespace {

std::string prefix(unsigned i) { return std::bitset<16>(i).to_string(); }

std::string address(unsigned i) { return "192.0.2." + std::to_string(i % 250) + ",1194,udp"; }

std::map<std::string, std::pair<std::string, std::int64_t>> table(sqlite::Database& db)
{
    std::map<std::string, std::pair<std::string, std::int64_t>> result;
    auto query = db.prepare("SELECT prefix, address, date FROM peers");
    auto rows = query.query();
    while (rows.next())
        result[rows.row().get<std::string>(0)] = {rows.row().get<std::string>(1),
                                                  rows.row().get<std::int64_t>(2)};
    return result;
}

std::vector<std::string> sample(PeerDirectory& peers, std::size_t n, std::string_view caller = "x")
{
    std::vector<std::string> seen;
    auto count = peers.sample(n, caller, [&](const Peer& peer) { seen.push_back(peer.prefix); });
    EXPECT_EQ(count, seen.size());
    return seen;
}

constexpr std::int64_t t0 = 1'700'000'000;

struct Directory : ::testing::Test {
    sqlite::Database db = open_registry_database(":memory:", Durability::crash);
    PeerDirectory::Settings settings{86400s, 600s};
    PeerDirectory peers{db, settings, t0,
                        [](const std::string& p, const std::string& a) { return p + "|" + a; }};

    void declare(unsigned count, std::int64_t now = t0)
    {
        for (unsigned i = 0; i < count; ++i)
            peers.declare(prefix(i), address(i), now);
    }
};

}  // namespace

TEST_F(Directory, DeclareStoresInTableAndMemory)
{
    peers.declare(prefix(1), address(1), t0);
    auto found = peers.find(prefix(1));
    ASSERT_TRUE(found);
    EXPECT_EQ(found->address, address(1));
    EXPECT_EQ(found->date, t0);
    EXPECT_EQ(found->encoded, prefix(1) + "|" + address(1));
    EXPECT_EQ(table(db)[prefix(1)], std::pair(address(1), t0));
    EXPECT_FALSE(peers.find(prefix(2)));
}

TEST_F(Directory, DeclareAgainReplaces)
{
    peers.declare(prefix(1), address(1), t0);
    peers.declare(prefix(1), address(7), t0 + 5);
    EXPECT_EQ(peers.size(), 1u);
    EXPECT_EQ(peers.find(prefix(1))->address, address(7));
    EXPECT_EQ(peers.find(prefix(1))->encoded, prefix(1) + "|" + address(7));
    EXPECT_EQ(table(db).size(), 1u);
    EXPECT_EQ(table(db)[prefix(1)], std::pair(address(7), t0 + 5));
}

// A failed write leaves memory as it was: the two stay in step.
TEST_F(Directory, FailedWriteChangesNothing)
{
    declare(3);
    db.exec("DROP TABLE peers");
    EXPECT_THROW(peers.declare(prefix(9), address(9), t0), sqlite::Error);
    EXPECT_EQ(peers.size(), 3u);
    EXPECT_FALSE(peers.find(prefix(9)));
}

TEST_F(Directory, LoadsTheTable)
{
    declare(50);
    PeerDirectory reloaded(db, settings, t0, {});
    EXPECT_EQ(reloaded.size(), 50u);
    EXPECT_EQ(reloaded.find(prefix(42))->address, address(42));
}

TEST_F(Directory, EmptyDirectoryGivesNothing)
{
    EXPECT_TRUE(sample(peers, 10).empty());
}

TEST_F(Directory, SampleIsDistinctAndOfTheRightSize)
{
    declare(100);
    for (std::size_t n : {1u, 7u, 49u, 50u, 51u, 99u, 100u, 200u, 999u}) {
        auto seen = sample(peers, n);
        EXPECT_EQ(seen.size(), std::min<std::size_t>(n, 100)) << n;
        EXPECT_EQ(std::set(seen.begin(), seen.end()).size(), seen.size()) << n;
    }
}

// The caller is never among the peers, whatever n: its bits start with its prefix.
TEST_F(Directory, SampleNeverReturnsTheCaller)
{
    declare(20);
    std::string caller = prefix(5) + std::string(63, '0') + "1";
    for (std::size_t n : {1u, 5u, 19u, 20u, 100u})
        for (int round = 0; round < 50; ++round) {
            auto seen = sample(peers, n, caller);
            EXPECT_EQ(std::count(seen.begin(), seen.end(), prefix(5)), 0);
            EXPECT_EQ(seen.size(), std::min<std::size_t>(n, 19));
        }
}

// Each peer is as likely as any other, in both the dense and the sparse
// sampling: counts over many draws stay within a wide band of the mean.
TEST_F(Directory, SampleIsUniform)
{
    declare(1000);
    for (std::size_t n : {10u, 600u}) {
        std::map<std::string, int> hits;
        int rounds = 200'000 / int(n);
        for (int round = 0; round < rounds; ++round)
            for (const auto& p : sample(peers, n))
                ++hits[p];
        double mean = double(rounds) * double(n) / 1000;
        EXPECT_EQ(hits.size(), 1000u) << n;
        for (const auto& [p, count] : hits)
            EXPECT_NEAR(count, mean, 0.5 * mean) << p << " with n=" << n;
    }
}

// The order is random too: the first peer of a sample is not always the same.
TEST_F(Directory, SampleOrderIsRandom)
{
    declare(1000);
    std::set<std::string> first;
    for (int round = 0; round < 100; ++round)
        first.insert(sample(peers, 5).front());
    EXPECT_GT(first.size(), 50u);
}

// Peers not declared for `expiry` go, at most once per purge interval.
TEST_F(Directory, PurgeOnSchedule)
{
    peers.declare(prefix(1), address(1), t0 - 86400 + 100);   // expires at t0 + 100
    peers.declare(prefix(2), address(2), t0);                 // expires at t0 + 86400
    peers.declare(prefix(3), address(3), t0 - 86400 + 700);   // expires at t0 + 700
    EXPECT_EQ(peers.purge_if_due(t0 + 599), 0u);   // the load purged at t0: not due yet
    EXPECT_EQ(peers.size(), 3u);
    EXPECT_EQ(peers.purge_if_due(t0 + 600), 1u);
    EXPECT_FALSE(peers.find(prefix(1)));
    EXPECT_EQ(table(db).count(prefix(1)), 0u);

    // The next purge waits a full interval after the last one, even though
    // prefix(3) has expired meanwhile.
    EXPECT_EQ(peers.purge_if_due(t0 + 1199), 0u);
    EXPECT_TRUE(peers.find(prefix(3)));
    EXPECT_EQ(peers.purge_if_due(t0 + 1200), 1u);
    EXPECT_FALSE(peers.find(prefix(3)));
    EXPECT_EQ(peers.purge_if_due(t0 + 86399), 0u);   // prefix(2) still fresh
    EXPECT_EQ(peers.purge_if_due(t0 + 86400), 0u);   // expired, but not due
    EXPECT_EQ(peers.purge_if_due(t0 + 86399 + 600), 1u);
    EXPECT_EQ(peers.size(), 0u);
    EXPECT_TRUE(table(db).empty());
}

TEST_F(Directory, LoadPurgesExpiredRows)
{
    declare(10, t0);
    peers.declare(prefix(3), address(3), t0 + 1000);   // renewed
    PeerDirectory later(db, settings, t0 + 86400, {});
    EXPECT_EQ(later.size(), 1u);
    EXPECT_TRUE(later.find(prefix(3)));
    EXPECT_EQ(table(db).size(), 1u);
}

// Removal from the middle keeps the index right for the peers that move.
TEST_F(Directory, PurgeKeepsIndexConsistent)
{
    for (unsigned i = 0; i < 100; ++i)
        peers.declare(prefix(i), address(i), i % 2 ? t0 : t0 - 86400);
    EXPECT_EQ(peers.purge_if_due(t0 + 600), 50u);
    for (unsigned i = 0; i < 100; ++i) {
        auto found = peers.find(prefix(i));
        EXPECT_EQ(bool(found), bool(i % 2)) << i;
        if (found) {
            EXPECT_EQ(found->address, address(i));
        }
    }
    peers.declare(prefix(0), address(0), t0 + 600);
    EXPECT_EQ(peers.size(), 51u);
    EXPECT_EQ(sample(peers, 100).size(), 51u);
}

// A peer whose prefix was reclaimed goes from the table and from memory; the
// peers that move in memory stay found.
TEST_F(Directory, RemoveKeepsIndexConsistent)
{
    declare(10);
    EXPECT_TRUE(peers.remove(prefix(3)));
    EXPECT_FALSE(peers.remove(prefix(3)));
    EXPECT_FALSE(peers.remove("1111"));
    EXPECT_EQ(peers.size(), 9u);
    EXPECT_EQ(table(db).size(), 9u);
    EXPECT_FALSE(table(db).count(prefix(3)));
    EXPECT_FALSE(peers.find(prefix(3)));
    for (unsigned i = 0; i < 10; ++i)
        if (i != 3) {
            EXPECT_EQ(peers.find(prefix(i))->address, address(i)) << i;
        }
    EXPECT_EQ(sample(peers, 100).size(), 9u);
    peers.declare(prefix(3), address(3), t0);
    EXPECT_EQ(peers.size(), 10u);
}
