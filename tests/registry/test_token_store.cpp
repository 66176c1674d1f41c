// Enrolment tokens: random, single use, expiring (SPEC B.2).
#include "registry/registry_database.hpp"
#include "registry/token_store.hpp"

#include <gtest/gtest.h>

#include <set>

using namespace re6st;
using namespace re6st::registry;
using namespace std::chrono_literals;

namespace {

struct Tokens : ::testing::Test {
    sqlite::Database db = open_registry_database(":memory:", Durability::crash);
    TokenStore store{db, 3600s};

    std::int64_t count()
    {
        return *db.prepare("SELECT count(*) FROM tokens").query_value<std::int64_t>();
    }
};

}  // namespace

// 16 characters of a 32-letter alphabet: 80 bits. No repeats in many draws,
// and every letter of the alphabet turns up.
TEST(TokenGeneration, EightyRandomBits)
{
    std::set<std::string> seen;
    std::set<char> letters;
    for (int i = 0; i < 2000; ++i) {
        auto token = TokenStore::generate();
        ASSERT_EQ(token.size(), 16u);
        ASSERT_EQ(token.find_first_not_of("abcdefghijklmnopqrstuvwxyz234567"), token.npos) << token;
        seen.insert(token);
        letters.insert(token.begin(), token.end());
    }
    EXPECT_EQ(seen.size(), 2000u);
    EXPECT_EQ(letters.size(), 32u);
}

TEST_F(Tokens, ValidTokenIsTakenOnce)
{
    store.add("abcdefghijklmnop", "a@example.org", 16, 1000);
    auto taken = store.take("abcdefghijklmnop", 1001);
    ASSERT_EQ(taken.status, TokenStore::Status::valid);
    EXPECT_EQ(taken.grant.email, "a@example.org");
    EXPECT_EQ(taken.grant.prefix_length, 16u);
    EXPECT_EQ(store.take("abcdefghijklmnop", 1002).status, TokenStore::Status::unknown);
    EXPECT_EQ(count(), 0);
}

TEST_F(Tokens, UnknownTokenChangesNothing)
{
    store.add("abcdefghijklmnop", "a@example.org", 16, 1000);
    EXPECT_EQ(store.take("abcdefghijklmnoq", 1001).status, TokenStore::Status::unknown);
    EXPECT_EQ(store.take("", 1001).status, TokenStore::Status::unknown);
    EXPECT_EQ(count(), 1);
}

// Valid for exactly `lifetime` seconds after it was made.
TEST_F(Tokens, ExpiresAfterItsLifetime)
{
    store.add("aaaaaaaaaaaaaaaa", "a@example.org", 16, 1000);
    store.add("bbbbbbbbbbbbbbbb", "b@example.org", 16, 1000);
    EXPECT_EQ(store.take("aaaaaaaaaaaaaaaa", 1000 + 3599).status, TokenStore::Status::valid);
    EXPECT_EQ(store.take("bbbbbbbbbbbbbbbb", 1000 + 3600).status, TokenStore::Status::expired);
    EXPECT_EQ(count(), 1);   // an expired token stays until purged
}

TEST_F(Tokens, PurgeRemovesOnlyExpiredTokens)
{
    store.add("aaaaaaaaaaaaaaaa", "a@example.org", 16, 1000);
    store.add("bbbbbbbbbbbbbbbb", "b@example.org", 16, 2000);
    EXPECT_EQ(store.purge(1000 + 3599), 0);
    EXPECT_EQ(store.purge(1000 + 3600), 1);
    EXPECT_EQ(store.take("bbbbbbbbbbbbbbbb", 2001).status, TokenStore::Status::valid);
}

// Taken in a transaction that fails, the token is given back.
TEST_F(Tokens, TakeRollsBackWithItsTransaction)
{
    store.add("abcdefghijklmnop", "a@example.org", 16, 1000);
    {
        sqlite::Transaction transaction(db);
        EXPECT_EQ(store.take("abcdefghijklmnop", 1001).status, TokenStore::Status::valid);
    }
    EXPECT_EQ(store.take("abcdefghijklmnop", 1001).status, TokenStore::Status::valid);
}

TEST_F(Tokens, DuplicateTokenIsAnError)
{
    store.add("abcdefghijklmnop", "a@example.org", 16, 1000);
    EXPECT_THROW(store.add("abcdefghijklmnop", "b@example.org", 16, 1000), sqlite::Error);
}
