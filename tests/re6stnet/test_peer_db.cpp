// The node's peer cache.
#include "re6stnet/peer_db.hpp"

#include "common/sqlite.hpp"
#include "peers.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <tuple>

using namespace re6st;

namespace {

const std::string self = "0000000000000001";

int user_version(const std::string& path)
{
    return *sqlite::Database(path).prepare("PRAGMA user_version").query_value<int>();
}

class PeerDbTest : public ::testing::Test {
protected:
    std::string path() const { return dir_ / "peers.db"; }
    // The version of a cache made from scratch.
    int new_cache_version() const
    {
        PeerDb{dir_ / "new.db", self};
        return user_version(dir_ / "new.db");
    }

    static std::vector<Peer> peers(int first, int count)
    {
        std::vector<Peer> out;
        for (int i = first; i < first + count; ++i)
            out.push_back(test::peer(i));
        return out;
    }

    test::TempDir dir_;
};

}  // namespace

TEST_F(PeerDbTest, MergeStoresPeersButNeverOurselves)
{
    PeerDb db(path(), self);
    auto list = peers(1, 5);   // peer 1 is us
    db.merge(list, 200, 1000);
    EXPECT_EQ(db.size(), 4u);
    EXPECT_FALSE(db.find(self));
    EXPECT_EQ(db.find(list[1].prefix), list[1]);
}

TEST_F(PeerDbTest, UnusedPeersExcludeUsedOnesAndPreferNeverFailed)
{
    PeerDb db(path(), self);
    auto list = peers(2, 4);
    db.merge(list, 200, 1000);
    db.set_use(list[0].prefix, PeerDb::Use::used);
    db.set_use(list[1].prefix, PeerDb::Use::failed);
    auto unused = db.unused_peers(10, {});
    ASSERT_EQ(unused.size(), 3u);
    EXPECT_EQ(unused.back(), list[1]);   // the failed one comes last
    EXPECT_EQ(db.unused_count(), 3u);
    EXPECT_EQ(db.unused_peers(1, {}).size(), 1u);
    auto excluded = db.unused_peers(10, {list[2].prefix, list[3].prefix});
    EXPECT_EQ(excluded, std::vector<Peer>{list[1]});
}

TEST_F(PeerDbTest, CapacityDropsUnusedPeersNeverUsedOnes)
{
    PeerDb db(path(), self);
    auto first = peers(2, 10);
    db.merge(first, 10, 1000);
    for (int i = 0; i < 4; ++i)
        db.set_use(first[i].prefix, PeerDb::Use::used);
    db.merge(peers(100, 20), 10, 2000);
    EXPECT_EQ(db.size(), 10u);
    for (int i = 0; i < 4; ++i)
        EXPECT_TRUE(db.find(first[i].prefix)) << i;
}

TEST_F(PeerDbTest, MergeRefreshesKnownAddresses)
{
    PeerDb db(path(), self);
    db.merge(peers(2, 1), 200, 1000);
    auto moved = peers(2, 1);
    moved[0].endpoints = parse_endpoints("198.51.100.9,1194,udp");
    db.merge(moved, 200, 2000);
    EXPECT_EQ(db.find(moved[0].prefix)->address(), "198.51.100.9,1194,udp");
    EXPECT_EQ(db.size(), 1u);
}

TEST_F(PeerDbTest, BlacklistedPrefixesAreDroppedAndNeverStored)
{
    PeerDb db(path(), self);
    auto list = peers(2, 3);
    db.merge(list, 200, 1000);
    db.blacklist(list[0].prefix, PeerDb::Blacklist::lan);
    EXPECT_FALSE(db.find(list[0].prefix));
    db.merge(list, 200, 2000);
    EXPECT_FALSE(db.find(list[0].prefix));
    EXPECT_FALSE(db.add(list[0], 2000));
    db.clear_blacklist(PeerDb::Blacklist::lan);
    EXPECT_TRUE(db.add(list[0], 3000));
    EXPECT_TRUE(db.is_blacklisted(self));   // clearing LAN entries keeps ourselves
}

// Enrolled again, a node has a new prefix; its old one may be given to
// another node, a peer like any other.
TEST_F(PeerDbTest, OnlyTheCurrentPrefixIsBlacklistedAsOurs)
{
    {
        PeerDb db(path(), self);
        db.blacklist(test::bits(9), PeerDb::Blacklist::lan);
    }
    PeerDb db(path(), test::bits(2));
    EXPECT_TRUE(db.is_blacklisted(test::bits(2)));
    EXPECT_FALSE(db.is_blacklisted(self));
    EXPECT_TRUE(db.is_blacklisted(test::bits(9)));
    EXPECT_TRUE(db.add(test::peer(1), 1000));
}

TEST_F(PeerDbTest, SurvivesRestartsWithEveryPeerUnused)
{
    auto list = peers(2, 3);
    {
        PeerDb db(path(), self);
        db.merge(list, 200, 1000);
        db.set_use(list[0].prefix, PeerDb::Use::used);
        db.set_use(list[1].prefix, PeerDb::Use::failed);
        db.set_config("registry", "http://[2001:db8:42::1]/");
    }
    PeerDb db(path(), self);
    EXPECT_EQ(db.unused_count(), 3u);
    EXPECT_EQ(db.config("registry"), "http://[2001:db8:42::1]/");
    EXPECT_FALSE(db.config("other"));
}

TEST_F(PeerDbTest, CorruptFileIsMovedAsideAndRebuilt)
{
    {
        std::ofstream file(path());
        file << std::string(8192, 'x');
    }
    bool moved = false;
    auto db = PeerDb::open_or_rebuild(path(), self, &moved);
    EXPECT_TRUE(moved);
    EXPECT_EQ(db.size(), 0u);
    EXPECT_TRUE(std::filesystem::exists(path() + ".corrupt"));
    db.merge(peers(2, 2), 200, 1000);
    EXPECT_EQ(db.size(), 2u);
}

// A cache of a later re6stnet (after a downgrade) is neither read nor
// moved aside: the message says what to do.
TEST_F(PeerDbTest, CacheOfALaterVersionIsRefused)
{
    {
        PeerDb db(path(), self);
        db.merge(peers(2, 2), 200, 1000);
    }
    sqlite::Database(path()).exec("PRAGMA user_version = 99");
    try {
        PeerDb::open_or_rebuild(path(), self);
        ADD_FAILURE() << "opened";
    } catch (const sqlite::Error& error) {
        EXPECT_EQ(error.what(), path() + " is a peer cache of version 99, newer than this "
                                         "re6stnet's (" + std::to_string(new_cache_version())
                                    + "): remove it, and the cache is made again from the "
                                      "registry");
    }
    EXPECT_FALSE(std::filesystem::exists(path() + ".corrupt"));
    EXPECT_EQ(user_version(path()), 99);
}

TEST_F(PeerDbTest, HealthyFileIsKept)
{
    {
        PeerDb db(path(), self);
        db.merge(peers(2, 2), 200, 1000);
    }
    bool moved = true;
    auto db = PeerDb::open_or_rebuild(path(), self, &moved);
    EXPECT_FALSE(moved);
    EXPECT_EQ(db.size(), 2u);
}

// A cache written by re6stnet 0.1.0 (data/peers-0.1.0.db.txt says how), of
// version 0, is upgraded in place to the version of a new cache, with every
// row kept; only the used flags start afresh, as at every start.
TEST_F(PeerDbTest, CacheOfVersion010OpensWithNothingLost)
{
    std::filesystem::copy_file(TEST_DATA_DIR "/peers-0.1.0.db", path());
    bool moved = true;
    {
        auto db = PeerDb::open_or_rebuild(path(), self, &moved);
        EXPECT_EQ(db.size(), 6u);
        EXPECT_EQ(db.find(test::bits(6))->address(),
                  "198.51.100.6,1194,udp;198.51.100.6,1194,tcp");
        EXPECT_EQ(db.fresh_count(), 6u);
        EXPECT_TRUE(db.is_blacklisted(test::bits(8)));
        EXPECT_EQ(db.config("registry"), "http://[2001:db8:42::1]/");
    }
    EXPECT_FALSE(moved);
    EXPECT_FALSE(std::filesystem::exists(path() + ".corrupt"));

    EXPECT_EQ(user_version(path()), new_cache_version());
    EXPECT_GT(user_version(path()), 0);

    sqlite::Database file(path());
    std::vector<std::tuple<std::string, std::string, int, std::int64_t>> peers;
    auto select = file.prepare("SELECT prefix, address, used, date FROM peers ORDER BY prefix");
    for (auto rows = select.query(); rows.next();) {
        auto row = rows.row();
        peers.emplace_back(row.get<std::string>(0), row.get<std::string>(1), row.get<int>(2),
                           row.get<std::int64_t>(3));
    }
    EXPECT_EQ(peers, (decltype(peers){
                         {test::bits(2), "10.0.0.2,1194,udp", 0, 1765000000},
                         {test::bits(3), "10.0.0.3,1194,udp", 0, 1765000000},
                         {test::bits(4), "10.0.0.4,1194,udp", 0, 1765000000},
                         {test::bits(5), "10.0.0.5,1194,udp", 0, 1765000000},
                         {test::bits(6), "198.51.100.6,1194,udp;198.51.100.6,1194,tcp", 0,
                          1765000000},
                         {test::bits(7), "203.0.113.7,1195,tcp", 0, 1765000100},
                     }));
    std::vector<std::pair<std::string, int>> blacklist;
    auto listed = file.prepare("SELECT prefix, flag FROM blacklist ORDER BY prefix");
    for (auto rows = listed.query(); rows.next();)
        blacklist.emplace_back(rows.row().get<std::string>(0), rows.row().get<int>(1));
    EXPECT_EQ(blacklist, (decltype(blacklist){{self, 1}, {test::bits(8), 0}, {test::bits(9), 0}}));
    EXPECT_EQ(file.prepare("SELECT group_concat(name || '=' || value) FROM config")
                  .query_value<std::string>(),
              "registry=http://[2001:db8:42::1]/");
}
