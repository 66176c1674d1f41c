// The buddy allocator of node prefixes over the rows of the `vpn` table
// (docs/re6st-registry.rst, METHODS). The rows are the leaves of a binary tree
// of bit strings: a row with a certificate is allocated, a row without one is
// free. Nothing else writes the table, but the schema upgrade
// (registry_database.cpp).
#pragma once

#include "common/sqlite.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace re6st::registry {

class PrefixAllocator {
public:
    // `max_length`: the longest prefix the network can hold (bits).
    PrefixAllocator(sqlite::Database& db, unsigned max_length);

    // Takes the longest free row not longer than `length` and splits it until
    // it has `length` bits: each split keeps p+"1" free and goes on with
    // p+"0". Returns the new prefix (still without certificate: assign() it in
    // the same transaction), or nullopt when no free row is short enough.
    std::optional<std::string> allocate(unsigned length);

    // Records the owner of an allocated prefix and its certificate, which
    // expires at `expires` (notAfter, seconds since the epoch).
    void assign(const std::string& prefix, const std::string& email, const std::string& cert,
                std::int64_t expires);

    // Replaces the certificate of an allocated prefix (same owner).
    void renew(const std::string& prefix, const std::string& cert, std::int64_t expires);

    // The allocated prefixes whose certificate expired before `before`
    // (seconds since the epoch), earliest expiry first, at most `limit`.
    std::vector<std::string> expired(std::int64_t before, std::size_t limit);

    // Frees an allocated prefix (owner and certificate gone), then merges
    // free buddies: while p+"0" and p+"1" are both free rows they become the
    // one free row p, so that freeing everything gives back the root ''.
    void release(const std::string& prefix);

    // The allocated prefix whose bits start `node_bits` (the bits of an
    // address after the network prefix), if any.
    std::optional<std::string> owner_of(std::string_view node_bits);

    // The PEM certificate issued for exactly this prefix, if any.
    std::optional<std::string> certificate(const std::string& prefix);

private:
    unsigned max_length_;
    sqlite::Statement longest_free_;
    sqlite::Statement rename_;
    sqlite::Statement insert_free_;
    sqlite::Statement assign_;
    sqlite::Statement renew_;
    sqlite::Statement expired_;
    sqlite::Statement release_;
    sqlite::Statement is_free_;
    sqlite::Statement delete_;
    sqlite::Statement floor_;
    sqlite::Statement certificate_;
};

}  // namespace re6st::registry
