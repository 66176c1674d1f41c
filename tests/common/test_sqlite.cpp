// The SQLite RAII layer: statements, bound parameters, rows, transactions.
#include "common/sqlite.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <unistd.h>

using namespace re6st::sqlite;

namespace {

// A database file in a fresh directory, removed with it.
class TempDir {
public:
    TempDir()
    {
        std::string pattern = (std::filesystem::temp_directory_path() / "test_sqlite.XXXXXX").string();
        if (!mkdtemp(pattern.data()))
            throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    std::string file(const char* name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

Database table_db()
{
    Database db(":memory:");
    db.exec("CREATE TABLE t (k TEXT PRIMARY KEY NOT NULL, n INTEGER, s TEXT)");
    return db;
}

std::int64_t count(Database& db)
{
    return *db.prepare("SELECT count(*) FROM t").query_value<std::int64_t>();
}

}  // namespace

TEST(Sqlite, BindsAndReadsEveryType)
{
    auto db = table_db();
    auto insert = db.prepare("INSERT INTO t VALUES (?, ?, ?)");
    EXPECT_EQ(insert.execute("a", 42, std::optional<std::string>("x")), 1);
    EXPECT_EQ(insert.execute(std::string("b"), std::int64_t(1) << 40, nullptr), 1);
    EXPECT_EQ(insert.execute(std::string_view("c"), std::optional<int>(), ""), 1);
    EXPECT_EQ(insert.execute("d", true, std::optional<std::string>()), 1);

    auto select = db.prepare("SELECT n, s FROM t WHERE k = ?");
    auto a = select.query_row<int, std::string>("a");
    ASSERT_TRUE(a);
    EXPECT_EQ(*a, std::make_tuple(42, std::string("x")));

    auto b = select.query_row<std::int64_t, std::optional<std::string>>("b");
    ASSERT_TRUE(b);
    EXPECT_EQ(std::get<0>(*b), std::int64_t(1) << 40);
    EXPECT_FALSE(std::get<1>(*b));

    // An empty string is a string, not NULL.
    auto c = select.query_row<std::optional<int>, std::optional<std::string>>("c");
    ASSERT_TRUE(c);
    EXPECT_FALSE(std::get<0>(*c));
    EXPECT_EQ(std::get<1>(*c), "");

    EXPECT_EQ(select.query_value<bool>("d"), true);

    EXPECT_FALSE(select.query_row<int>("missing"));
}

TEST(Sqlite, TextKeepsEmbeddedNulAndUtf8)
{
    auto db = table_db();
    std::string key("a\0b\xc3\xa9", 5);
    db.execute("INSERT INTO t (k) VALUES (?)", key);
    EXPECT_EQ(db.prepare("SELECT k FROM t").query_value<std::string>(), key);
}

TEST(Sqlite, NullIntoNonOptionalIsAnError)
{
    auto db = table_db();
    db.execute("INSERT INTO t (k) VALUES ('a')");
    auto select = db.prepare("SELECT n FROM t");
    EXPECT_THROW(select.query_value<int>(), Error);
    auto value = select.query_value<std::optional<int>>();
    ASSERT_TRUE(value);    // a row was found
    EXPECT_FALSE(*value);  // and its column is NULL
}

TEST(Sqlite, RowsIterateAndStatementsAreReusable)
{
    auto db = table_db();
    auto insert = db.prepare("INSERT INTO t (k, n) VALUES (?1, ?2)");
    for (int i = 0; i < 5; ++i) {
        std::string key = "k";   // appended: GCC 12 -O3 warns on "k" + std::string
        insert.execute(key += std::to_string(i), i * i);
    }

    auto select = db.prepare("SELECT k, n FROM t WHERE n >= ? ORDER BY n");
    for (int pass = 0; pass < 2; ++pass) {
        std::vector<std::pair<std::string, int>> seen;
        auto rows = select.query(4);
        while (rows.next())
            seen.emplace_back(rows.row().get<std::string>(0), rows.row().get<int>(1));
        EXPECT_EQ(seen, (std::vector<std::pair<std::string, int>>{{"k2", 4}, {"k3", 9}, {"k4", 16}}));
    }
}

TEST(Sqlite, WrongParameterCountIsAnError)
{
    auto db = table_db();
    auto insert = db.prepare("INSERT INTO t (k, n) VALUES (?, ?)");
    EXPECT_THROW(insert.execute("a"), Error);
    EXPECT_THROW(insert.execute("a", 1, 2), Error);
    EXPECT_EQ(count(db), 0);
}

TEST(Sqlite, ErrorsCarryCodeAndExplanation)
{
    auto db = table_db();
    db.execute("INSERT INTO t (k) VALUES ('a')");
    try {
        db.execute("INSERT INTO t (k) VALUES ('a')");
        FAIL() << "duplicate key accepted";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), SQLITE_CONSTRAINT_PRIMARYKEY);
        EXPECT_NE(std::string(error.what()).find("UNIQUE constraint failed: t.k"), std::string::npos)
            << error.what();
    }
    try {
        db.prepare("SELEKT 1");
        FAIL() << "bad SQL prepared";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("SELEKT"), std::string::npos) << error.what();
    }
    EXPECT_THROW(db.prepare("SELECT 1; SELECT 2"), Error);
    EXPECT_THROW(db.prepare(""), Error);
}

TEST(Sqlite, OpenErrorNamesTheFile)
{
    try {
        Database db("/nonexistent-directory/x.db");
        FAIL() << "opened a file in a missing directory";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("/nonexistent-directory/x.db"), std::string::npos)
            << error.what();
    }
    TempDir dir;
    EXPECT_THROW(Database(dir.file("absent.db"), SQLITE_OPEN_READWRITE), Error);
}

TEST(Sqlite, TransactionCommits)
{
    auto db = table_db();
    {
        Transaction transaction(db);
        EXPECT_TRUE(db.in_transaction());
        db.execute("INSERT INTO t (k) VALUES ('a')");
        transaction.commit();
        EXPECT_FALSE(db.in_transaction());
    }
    EXPECT_EQ(count(db), 1);
}

TEST(Sqlite, TransactionRollsBackOnException)
{
    auto db = table_db();
    db.execute("INSERT INTO t (k, n) VALUES ('a', 1)");
    auto update = db.prepare("UPDATE t SET n = n + 1");
    try {
        Transaction transaction(db);
        update.execute();
        db.execute("INSERT INTO t (k) VALUES ('b')");
        db.execute("INSERT INTO t (k) VALUES ('b')");   // throws: duplicate key
        transaction.commit();
        FAIL() << "duplicate key accepted";
    } catch (const Error&) {
    }
    EXPECT_FALSE(db.in_transaction());
    EXPECT_EQ(count(db), 1);
    EXPECT_EQ(db.prepare("SELECT n FROM t").query_value<int>(), 1);
}

TEST(Sqlite, TransactionRollsBackWithAnOpenQuery)
{
    auto db = table_db();
    db.execute("INSERT INTO t (k) VALUES ('a')");
    auto select = db.prepare("SELECT k FROM t");
    {
        Transaction transaction(db);
        db.execute("INSERT INTO t (k) VALUES ('b')");
        auto rows = select.query();
        ASSERT_TRUE(rows.next());
        // rows still open when the transaction is abandoned
    }
    EXPECT_EQ(count(db), 1);
}

// Two connections on one WAL file: once a query's rows are gone, the reader
// sees the writer's commits (an unreset statement would pin its snapshot).
TEST(Sqlite, FinishedQueriesReleaseTheirSnapshot)
{
    TempDir dir;
    Database writer(dir.file("wal.db"));
    writer.exec("PRAGMA journal_mode=WAL; CREATE TABLE t (k TEXT PRIMARY KEY)");
    Database reader(dir.file("wal.db"));
    auto select = reader.prepare("SELECT k FROM t ORDER BY k");
    auto insert = writer.prepare("INSERT INTO t VALUES (?)");

    insert.execute("a");
    insert.execute("b");
    {
        auto rows = select.query();
        ASSERT_TRUE(rows.next());   // reads "a", leaves "b" unread
        insert.execute("c");        // WAL: the writer is not blocked
        ASSERT_TRUE(rows.next());
        EXPECT_EQ(rows.row().get<std::string>(0), "b");
        EXPECT_FALSE(rows.next());  // same snapshot: "c" not visible
    }
    auto rows = select.query();
    int seen = 0;
    while (rows.next())
        ++seen;
    EXPECT_EQ(seen, 3);
}

TEST(Sqlite, BusyWriterFailsAfterTimeout)
{
    TempDir dir;
    Database first(dir.file("busy.db"));
    first.exec("PRAGMA journal_mode=WAL; CREATE TABLE t (k TEXT)");
    Database second(dir.file("busy.db"));
    second.set_busy_timeout(50);
    Transaction holding(first);
    try {
        Transaction blocked(second);
        FAIL() << "two writers at once";
    } catch (const Error& error) {
        EXPECT_EQ(error.code() & 0xff, SQLITE_BUSY) << error.what();
    }
    EXPECT_FALSE(second.in_transaction());
}
