// A small RAII layer over SQLite: a connection, prepared statements with bound
// parameters, result rows that release the statement when they go away, and
// transactions that roll back unless committed.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

namespace re6st::sqlite {

// Any SQLite failure. The message names the database file (or the statement)
// and carries SQLite's own explanation; code() is the extended result code.
class Error : public std::runtime_error {
public:
    Error(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
    int code() const { return code_; }

private:
    int code_;
};

class Statement;

// A connection. Not safe for concurrent use: one thread at a time.
class Database {
public:
    // Opens (and by default creates) the file; ":memory:" gives a private
    // in-memory database.
    explicit Database(const std::string& path,
                      int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);

    // Runs SQL text without parameters (several statements allowed).
    void exec(std::string_view sql);
    Statement prepare(std::string_view sql);
    // prepare + execute, for statements run once.
    template <class... Args>
    int execute(std::string_view sql, const Args&... args);

    // How long a statement waits for another connection's lock before failing
    // with SQLITE_BUSY.
    void set_busy_timeout(int milliseconds);

    bool in_transaction() const;
    sqlite3* get() const { return db_.get(); }

    [[noreturn]] void fail(int code, std::string_view context) const;

private:
    struct Closer {
        void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
    };
    std::string path_;
    std::unique_ptr<sqlite3, Closer> db_;
};

// One row of a running query; only valid until the next step.
class Row {
public:
    explicit Row(sqlite3_stmt* stmt) : stmt_(stmt) {}

    // T is std::int64_t, int, bool, std::string, or std::optional of one of
    // them (NULL gives nullopt; a NULL read as a non-optional type is an
    // Error).
    template <class T> T get(int column) const;

private:
    bool is_null(int column) const;
    std::string_view text(int column) const;   // valid until the next step
    template <class T> T get_value(int column) const;
    sqlite3_stmt* stmt_;
};

// The rows of a query. Resets the statement when destroyed, so an unfinished
// SELECT never holds its read snapshot (which in WAL mode would pin old data).
class Rows {
public:
    explicit Rows(Statement& statement) : statement_(&statement) {}
    Rows(Rows&& other) noexcept : statement_(std::exchange(other.statement_, nullptr)) {}
    Rows& operator=(Rows&&) = delete;
    ~Rows();

    // Advances to the next row; false when there is none.
    bool next();
    Row row() const;

private:
    Statement* statement_;
};

class Statement {
public:
    Statement(const Database& db, sqlite3_stmt* stmt);
    Statement(Statement&&) noexcept = default;
    Statement& operator=(Statement&&) noexcept = default;

    // Parameters are numbered from 1, as in "?1" or in order of "?".
    // Accepted: integers, bool, strings, nullptr (NULL) and std::optional of
    // those.

    // Binds, runs to completion, resets; returns the number of rows changed.
    template <class... Args>
    int execute(const Args&... args);

    // Binds and starts a query; iterate with Rows::next(). Rows refers to
    // the statement, so a temporary statement cannot be queried this way.
    template <class... Args>
    Rows query(const Args&... args) &;
    template <class... Args>
    Rows query(const Args&... args) && = delete;

    // The first row of a query, if any, as a tuple of the requested types.
    template <class... Columns, class... Args>
    std::optional<std::tuple<Columns...>> query_row(const Args&... args);

    // The first column of the first row, if any.
    template <class T, class... Args>
    std::optional<T> query_value(const Args&... args);

    bool step();     // true: a row is available
    void reset();    // ends the current execution; bindings are kept
    Row row() const { return Row(stmt_.get()); }
    int column_count() const { return sqlite3_column_count(stmt_.get()); }

private:
    template <class... Args>
    void bind_all(const Args&... args);
    std::string_view sql() const;

    void bind(int index, std::nullptr_t);
    void bind(int index, std::int64_t value);
    void bind(int index, std::string_view value);
    template <class T> void bind(int index, const std::optional<T>& value)
    {
        if (value)
            bind(index, *value);
        else
            bind(index, nullptr);
    }
    template <class T>
        requires std::is_integral_v<T>
    void bind(int index, T value) { bind(index, static_cast<std::int64_t>(value)); }
    void bind(int index, const std::string& value) { bind(index, std::string_view(value)); }
    void bind(int index, const char* value) { bind(index, std::string_view(value)); }

    void check(int code) const;

    struct Finalizer {
        void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
    };
    const Database* db_;
    std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
};

// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless commit()
// succeeded, so an exception anywhere in between undoes everything. The
// write lock is taken at once, so a transaction that reads then writes
// cannot fail half-way with SQLITE_BUSY.
class Transaction {
public:
    explicit Transaction(Database& db);
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    ~Transaction();

    void commit();

private:
    Database& db_;
    bool open_ = true;
};

// --- templates ---

template <class... Args>
int Database::execute(std::string_view sql, const Args&... args)
{
    return prepare(sql).execute(args...);
}

template <class... Args>
void Statement::bind_all(const Args&... args)
{
    reset();
    sqlite3_clear_bindings(stmt_.get());
    int expected = sqlite3_bind_parameter_count(stmt_.get());
    if (expected != int(sizeof...(Args)))
        throw Error(SQLITE_RANGE, "statement \"" + std::string(sql()) + "\" takes "
                                      + std::to_string(expected) + " parameters, not "
                                      + std::to_string(sizeof...(Args)));
    int index = 0;
    (bind(++index, args), ...);
}

template <class... Args>
int Statement::execute(const Args&... args)
{
    bind_all(args...);
    Rows rows(*this);
    while (rows.next()) {}
    return sqlite3_changes(sqlite3_db_handle(stmt_.get()));
}

template <class... Args>
Rows Statement::query(const Args&... args) &
{
    bind_all(args...);
    return Rows(*this);
}

template <class... Columns, class... Args>
std::optional<std::tuple<Columns...>> Statement::query_row(const Args&... args)
{
    Rows rows = query(args...);
    if (!rows.next())
        return std::nullopt;
    Row row = rows.row();
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
        return std::tuple<Columns...>{row.get<Columns>(int(I))...};
    }(std::index_sequence_for<Columns...>());
}

template <class T, class... Args>
std::optional<T> Statement::query_value(const Args&... args)
{
    auto found = query_row<T>(args...);
    if (!found)
        return std::nullopt;
    return std::get<0>(std::move(*found));
}

namespace detail {
template <class T> struct is_optional : std::false_type {};
template <class T> struct is_optional<std::optional<T>> : std::true_type {};
}  // namespace detail

template <> std::int64_t Row::get_value<std::int64_t>(int column) const;
template <> int Row::get_value<int>(int column) const;
template <> bool Row::get_value<bool>(int column) const;
template <> std::string Row::get_value<std::string>(int column) const;

template <class T>
T Row::get(int column) const
{
    if constexpr (detail::is_optional<T>::value) {
        if (is_null(column))
            return std::nullopt;
        return get_value<typename T::value_type>(column);
    } else {
        return get_value<T>(column);
    }
}

}  // namespace re6st::sqlite
