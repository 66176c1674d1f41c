// The record of every certificate the registry issued: found by serial and
// by CN, forgotten with its prefix, purged once expired, a bounded number at
// a time.
#include "registry/issued_certificates.hpp"
#include "registry/registry_database.hpp"

#include <gtest/gtest.h>

using namespace re6st;
using namespace re6st::registry;

namespace {

struct Issued : ::testing::Test {
    sqlite::Database db = open_registry_database(":memory:", Durability::crash);
    IssuedCertificates issued{db};

    // 0/16 enrolled, renewed twice; 1/16 enrolled once.
    const IssuedCertificate first{"0A", "0/16", 2000, 100};
    const IssuedCertificate second{"0B", "0/16", 3000, 1100};
    const IssuedCertificate third{"0C", "0/16", 4000, 2100};
    const IssuedCertificate other{"1A", "1/16", 2500, 200};

    void SetUp() override
    {
        // Not in the order of their ends.
        for (const auto* c : {&third, &other, &first, &second})
            issued.record(*c);
    }

    std::int64_t count()
    {
        return *db.prepare("SELECT count(*) FROM certificates").query_value<std::int64_t>();
    }
};

}  // namespace

TEST_F(Issued, FoundBySerialAndByCnEarliestEndFirst)
{
    EXPECT_EQ(issued.find("0B"), second);
    EXPECT_EQ(issued.find("1A"), other);
    EXPECT_FALSE(issued.find("0D"));
    EXPECT_FALSE(issued.find("0b"));   // serials as serial_text writes them
    EXPECT_EQ(issued.of("0/16"), (std::vector<IssuedCertificate>{first, second, third}));
    EXPECT_EQ(issued.of("1/16"), std::vector<IssuedCertificate>{other});
    EXPECT_TRUE(issued.of("2/16").empty());
}

TEST_F(Issued, ASerialIsRecordedOnce)
{
    EXPECT_THROW(issued.record({"0A", "2/16", 9000, 9000}), sqlite::Error);
    EXPECT_EQ(issued.find("0A"), first);
}

TEST_F(Issued, ForgottenWithTheirPrefix)
{
    EXPECT_EQ(issued.forget("0/16"), 3);
    EXPECT_TRUE(issued.of("0/16").empty());
    EXPECT_EQ(issued.of("1/16"), std::vector<IssuedCertificate>{other});
    EXPECT_EQ(issued.forget("0/16"), 0);
}

// Expired: its end before now. At most `limit` rows, earliest end first.
TEST_F(Issued, PurgedOnceExpiredABoundedNumberAtATime)
{
    EXPECT_EQ(issued.purge(2000, 10), 0);   // 0A ends at 2000: not yet expired
    EXPECT_EQ(issued.purge(3001, 2), 2);
    EXPECT_FALSE(issued.find("0A"));
    EXPECT_FALSE(issued.find("1A"));
    EXPECT_EQ(issued.purge(3001, 2), 1);
    EXPECT_FALSE(issued.find("0B"));
    EXPECT_EQ(issued.purge(3001, 2), 0);
    EXPECT_EQ(issued.of("0/16"), std::vector<IssuedCertificate>{third});
    EXPECT_EQ(count(), 1);
}
