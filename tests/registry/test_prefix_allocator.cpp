// The buddy allocator of node prefixes over the vpn table: allocation,
// renewal, and release with the merging of free buddies.
#include "registry/prefix_allocator.hpp"
#include "registry/registry_database.hpp"
#include "vpn_rows.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <unistd.h>

using namespace re6st;
using namespace re6st::registry;
using test::vpn_rows;
using test::VpnRows;

namespace {

constexpr std::int64_t expires = 1'800'000'000;   // seconds since the epoch

struct Allocator : ::testing::Test {
    sqlite::Database db = open_registry_database(":memory:", Durability::crash);
    PrefixAllocator allocator{db, 80};

    std::string take(unsigned length)
    {
        auto prefix = allocator.allocate(length);
        EXPECT_TRUE(prefix) << "no /" << length << " left";
        allocator.assign(*prefix, "a@example.org", "cert of " + *prefix, expires);
        return *prefix;
    }
};

}  // namespace

TEST_F(Allocator, NewTreeIsOneFreeRoot)
{
    EXPECT_EQ(vpn_rows(db), (VpnRows{{"", false}}));
}

// Splitting keeps p+"1" free and goes on with p+"0".
TEST_F(Allocator, FirstAllocationSplitsDownToTheLength)
{
    EXPECT_EQ(take(3), "000");
    EXPECT_EQ(vpn_rows(db), (VpnRows{{"1", false}, {"01", false}, {"001", false}, {"000", true}}));
}

// The longest free row not longer than the request is used first, so small
// holes fill before big blocks are split.
TEST_F(Allocator, AllocationsFillTheSmallestHoleFirst)
{
    std::vector<std::string> taken;
    for (int i = 0; i < 8; ++i)
        taken.push_back(take(3));
    EXPECT_EQ(taken, (std::vector<std::string>{"000", "001", "010", "011", "100", "101", "110",
                                               "111"}));
    EXPECT_FALSE(allocator.allocate(3));
    EXPECT_FALSE(allocator.allocate(5));
}

TEST_F(Allocator, MixedLengthsNeverOverlap)
{
    std::vector<std::string> taken;
    for (unsigned length : {4u, 2u, 4u, 1u, 3u, 4u, 4u, 1u})
        if (auto prefix = allocator.allocate(length)) {
            allocator.assign(*prefix, "a@example.org", "c", expires);
            taken.push_back(*prefix);
        }
    // 0000, 01, 0001, 1, 001 fill the space: the last three find no room.
    EXPECT_EQ(taken, (std::vector<std::string>{"0000", "01", "0001", "1", "001"}));
    for (std::size_t i = 0; i < taken.size(); ++i)
        for (std::size_t j = 0; j < taken.size(); ++j)
            if (i != j) {
                EXPECT_FALSE(taken[j].starts_with(taken[i])) << taken[i] << " vs " << taken[j];
            }
    // The rows still partition the space: the sizes 2^-length sum to 1.
    double covered = 0;
    for (const auto& [prefix, allocated] : vpn_rows(db))
        covered += std::ldexp(1.0, -int(prefix.size()));
    EXPECT_DOUBLE_EQ(covered, 1.0);
}

TEST_F(Allocator, LengthOutsideTheNetworkIsRejected)
{
    EXPECT_THROW(allocator.allocate(0), std::invalid_argument);
    EXPECT_THROW(allocator.allocate(81), std::invalid_argument);
    EXPECT_EQ(vpn_rows(db).size(), 1u);
}

TEST_F(Allocator, AssignsOnlyFreeRows)
{
    auto prefix = take(2);
    EXPECT_THROW(allocator.assign(prefix, "b@example.org", "other", expires), std::logic_error);
    EXPECT_THROW(allocator.assign("1111", "b@example.org", "other", expires), std::logic_error);
    EXPECT_EQ(allocator.certificate(prefix), "cert of " + prefix);
}

TEST_F(Allocator, OwnerOfAddressBits)
{
    auto a = take(16);
    auto b = take(16);
    ASSERT_EQ(a, "0000000000000000");
    ASSERT_EQ(b, "0000000000000001");
    std::string host(64, '0');
    host.back() = '1';
    EXPECT_EQ(allocator.owner_of(a + host), a);
    EXPECT_EQ(allocator.owner_of(b + host), b);
    EXPECT_EQ(allocator.owner_of(b), b);
    // Free space has no owner.
    EXPECT_FALSE(allocator.owner_of("0000000000000010" + host));
    EXPECT_FALSE(allocator.owner_of("1" + std::string(79, '0')));
    EXPECT_FALSE(allocator.owner_of(""));
}

TEST_F(Allocator, CertificateOfExactPrefixOnly)
{
    auto a = take(8);
    EXPECT_EQ(allocator.certificate(a), "cert of " + a);
    EXPECT_FALSE(allocator.certificate(a + "0"));
    EXPECT_FALSE(allocator.certificate("1"));   // a free row
    EXPECT_FALSE(allocator.certificate("nonsense"));
}

// --- reclamation ---

TEST_F(Allocator, ReleasingOneOfTwoSiblingsMergesNothing)
{
    EXPECT_EQ(take(1), "0");
    EXPECT_EQ(take(1), "1");
    allocator.release("0");
    EXPECT_EQ(vpn_rows(db), (VpnRows{{"0", false}, {"1", true}}));
    EXPECT_FALSE(allocator.certificate("0"));
    EXPECT_EQ(db.prepare("SELECT count(*) FROM vpn WHERE email IS NULL AND cert IS NULL"
                         " AND expires IS NULL").query_value<int>(),
              1);
}

TEST_F(Allocator, ReleasingBothSiblingsMergesThemIntoTheirParent)
{
    take(2);   // 00, with 01 and 1 free
    EXPECT_EQ(take(2), "01");
    allocator.release("01");
    EXPECT_EQ(vpn_rows(db), (VpnRows{{"00", true}, {"01", false}, {"1", false}}));
    allocator.release("00");
    EXPECT_EQ(vpn_rows(db), (VpnRows{{"", false}}));
}

// Merging goes on up the tree while the buddy is free, and stops at the
// first buddy that is allocated or split.
TEST_F(Allocator, MergingStopsAtAnAllocatedOrSplitBuddy)
{
    EXPECT_EQ(take(3), "000");
    EXPECT_EQ(take(3), "001");
    EXPECT_EQ(take(2), "01");
    EXPECT_EQ(take(3), "100");
    allocator.release("01");   // buddy 00 is split
    EXPECT_EQ(vpn_rows(db), (VpnRows{{"000", true}, {"001", true}, {"01", false}, {"100", true},
                              {"101", false}, {"11", false}}));
    allocator.release("000");   // buddy 001 is allocated
    allocator.release("001");   // 000+001 -> 00, 00+01 -> 0; 1 is split
    EXPECT_EQ(vpn_rows(db), (VpnRows{{"0", false}, {"100", true}, {"101", false}, {"11", false}}));
    allocator.release("100");
    EXPECT_EQ(vpn_rows(db), (VpnRows{{"", false}}));
}

TEST_F(Allocator, AWholeTreeGoesBackToTheRoot)
{
    std::vector<std::string> taken;
    for (unsigned length : {16u, 16u, 16u, 20u, 3u, 16u})
        taken.push_back(take(length));
    EXPECT_GT(vpn_rows(db).size(), 20u);
    for (const auto& prefix : taken)
        allocator.release(prefix);
    EXPECT_EQ(vpn_rows(db), (VpnRows{{"", false}}));
    // And the space is whole again: the first allocation is as in a new tree.
    EXPECT_EQ(take(16), std::string(16, '0'));
}

TEST_F(Allocator, OnlyAllocatedRowsAreReleased)
{
    take(2);
    EXPECT_THROW(allocator.release("01"), std::logic_error);   // free
    EXPECT_THROW(allocator.release("0"), std::logic_error);    // split
    EXPECT_THROW(allocator.release("0000"), std::logic_error);   // none
}

TEST_F(Allocator, ExpiredPrefixesEarliestFirst)
{
    for (std::int64_t date : {300, 100, 200, 400}) {
        auto prefix = allocator.allocate(4);
        allocator.assign(*prefix, "a@example.org", "c", date);
    }
    // 0000: 300, 0001: 100, 0010: 200, 0011: 400
    EXPECT_EQ(allocator.expired(300, 10), (std::vector<std::string>{"0001", "0010"}));
    EXPECT_EQ(allocator.expired(301, 2), (std::vector<std::string>{"0001", "0010"}));
    EXPECT_EQ(allocator.expired(100, 10), std::vector<std::string>());
    EXPECT_EQ(allocator.expired(1000, 10).size(), 4u);
}

TEST_F(Allocator, RenewReplacesTheCertificateOfAnAllocatedRow)
{
    auto prefix = take(4);
    allocator.renew(prefix, "new", expires + 1);
    EXPECT_EQ(allocator.certificate(prefix), "new");
    EXPECT_EQ(allocator.expired(expires + 1, 10), std::vector<std::string>());
    EXPECT_THROW(allocator.renew("1", "c", 0), std::logic_error);   // free
}

// A failed request rolls its allocation back: the next one gets the same prefix.
TEST_F(Allocator, AllocationRollsBackWithItsTransaction)
{
    auto before = vpn_rows(db);
    {
        sqlite::Transaction transaction(db);
        EXPECT_EQ(allocator.allocate(16), std::string(16, '0'));
    }
    EXPECT_EQ(vpn_rows(db), before);
    EXPECT_EQ(take(16), std::string(16, '0'));
}

// Reopening the file finds the tree as it was, and never adds a second root.
TEST(RegistryDatabase, ReopenKeepsTheTree)
{
    auto path = ::testing::TempDir() + "/reopen_" + std::to_string(::getpid()) + ".db";
    {
        auto db = open_registry_database(path, Durability::power_loss);
        PrefixAllocator allocator(db, 80);
        allocator.assign(*allocator.allocate(4), "a@example.org", "c", expires);
    }
    auto db = open_registry_database(path, Durability::crash);
    EXPECT_EQ(vpn_rows(db).size(), 5u);   // 0000 and four free buddies, no ''
    EXPECT_EQ(db.prepare("PRAGMA journal_mode").query_value<std::string>(), "wal");
    for (auto suffix : {"", "-wal", "-shm"})
        std::remove((path + suffix).c_str());
}
