// The SQLite RAII layer.
#include "common/sqlite.hpp"

namespace re6st::sqlite {

Database::Database(const std::string& path, int flags) : path_(path)
{
    sqlite3* db = nullptr;
    int code = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_EXRESCODE, nullptr);
    db_.reset(db);   // sqlite3_open_v2 allocates a handle even when it fails
    if (code != SQLITE_OK)
        throw Error(code, "cannot open database " + path + ": "
                              + (db ? sqlite3_errmsg(db) : sqlite3_errstr(code)));
    sqlite3_extended_result_codes(db, 1);
}

void Database::fail(int code, std::string_view context) const
{
    throw Error(code, path_ + ": " + std::string(context) + ": " + sqlite3_errmsg(db_.get()));
}

void Database::exec(std::string_view sql)
{
    std::string text(sql);
    int code = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, nullptr);
    if (code != SQLITE_OK)
        fail(code, "\"" + text + "\"");
}

Statement Database::prepare(std::string_view sql)
{
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    int code = sqlite3_prepare_v2(db_.get(), sql.data(), int(sql.size()), &stmt, &tail);
    Statement statement(*this, stmt);   // owns stmt from here on
    if (code != SQLITE_OK)
        fail(code, "cannot prepare \"" + std::string(sql) + "\"");
    if (!stmt || tail != sql.data() + sql.size())
        throw Error(SQLITE_MISUSE, path_ + ": prepare wants exactly one statement, not \""
                                       + std::string(sql) + "\"");
    return statement;
}

void Database::set_busy_timeout(int milliseconds)
{
    sqlite3_busy_timeout(db_.get(), milliseconds);
}

bool Database::in_transaction() const { return !sqlite3_get_autocommit(db_.get()); }

// --- Statement ---

Statement::Statement(const Database& db, sqlite3_stmt* stmt) : db_(&db), stmt_(stmt) {}

std::string_view Statement::sql() const
{
    const char* text = stmt_ ? sqlite3_sql(stmt_.get()) : nullptr;
    return text ? text : "";
}

void Statement::check(int code) const
{
    if (code != SQLITE_OK)
        db_->fail(code, "binding a parameter of \"" + std::string(sql()) + "\"");
}

void Statement::bind(int index, std::nullptr_t)
{
    check(sqlite3_bind_null(stmt_.get(), index));
}

void Statement::bind(int index, std::int64_t value)
{
    check(sqlite3_bind_int64(stmt_.get(), index, value));
}

void Statement::bind(int index, std::string_view value)
{
    check(sqlite3_bind_text64(stmt_.get(), index, value.data(), value.size(), SQLITE_TRANSIENT,
                              SQLITE_UTF8));
}

bool Statement::step()
{
    int code = sqlite3_step(stmt_.get());
    if (code == SQLITE_ROW)
        return true;
    if (code == SQLITE_DONE)
        return false;
    // sqlite3_reset returns the same error; resetting releases the statement's
    // locks before the error propagates.
    sqlite3_reset(stmt_.get());
    db_->fail(code, "\"" + std::string(sql()) + "\"");
}

void Statement::reset()
{
    // The error of a failed step was already reported by step().
    sqlite3_reset(stmt_.get());
}

// --- Rows and Row ---

Rows::~Rows()
{
    if (statement_)
        statement_->reset();
}

bool Rows::next()
{
    return statement_->step();
}

Row Rows::row() const { return statement_->row(); }

bool Row::is_null(int column) const
{
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

namespace {

[[noreturn]] void null_column(sqlite3_stmt* stmt, int column)
{
    const char* name = sqlite3_column_name(stmt, column);
    const char* sql = sqlite3_sql(stmt);
    throw Error(SQLITE_MISMATCH, std::string("column ") + (name ? name : "?") + " of \""
                                     + (sql ? sql : "") + "\" is NULL");
}

}  // namespace

template <>
std::int64_t Row::get_value<std::int64_t>(int column) const
{
    if (is_null(column))
        null_column(stmt_, column);
    return sqlite3_column_int64(stmt_, column);
}

template <>
int Row::get_value<int>(int column) const
{
    return static_cast<int>(get_value<std::int64_t>(column));
}

template <>
bool Row::get_value<bool>(int column) const
{
    return get_value<std::int64_t>(column) != 0;
}

std::string_view Row::text(int column) const
{
    auto data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    int size = sqlite3_column_bytes(stmt_, column);   // after the conversion above
    return data ? std::string_view(data, size) : std::string_view();
}

template <>
std::string Row::get_value<std::string>(int column) const
{
    if (is_null(column))
        null_column(stmt_, column);
    return std::string(text(column));
}

// --- Transaction ---

Transaction::Transaction(Database& db) : db_(db)
{
    db_.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction()
{
    // Never throws: a failed ROLLBACK (the connection already rolled back, e.g.
    // after SQLITE_FULL) leaves nothing more to undo.
    if (open_ && db_.in_transaction())
        sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit()
{
    db_.exec("COMMIT");
    open_ = false;
}

}  // namespace re6st::sqlite
