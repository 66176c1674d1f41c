// The known peers (the `peers` table) and random samples of them. The table
// is mirrored in memory (a vector plus a hash index, kept in step by declare,
// remove and purge) so that a sample of n peers costs O(n) whatever the table size,
// where the original's ORDER BY random() scanned the whole table. The nodes'
// reports of their tunnels (the `tunnel_reports` table) live on the same
// connection, and go with their node.
#pragma once

#include "common/sqlite.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace re6st::registry {

struct Peer {
    std::string prefix;    // binary node prefix
    std::string address;   // endpoint list "ip,port,proto;..."
    std::int64_t date;     // last declaration, seconds since the epoch
    std::string encoded;   // the directory's Encoder applied to prefix and address
};

// Thread-safe: every member locks the directory.
class PeerDirectory {
public:
    // What a response needs of a peer, computed once per declaration rather
    // than once per response (getPeerList is the registry's hot path).
    using Encoder = std::function<std::string(const std::string& prefix, const std::string& address)>;

    struct Settings {
        std::chrono::seconds expiry{86400};           // a peer not declared for that long goes
        std::chrono::seconds purge_interval{600};     // at most one purge per interval
    };

    // Loads the table and purges it as of `now`.
    PeerDirectory(sqlite::Database& db, Settings settings, std::int64_t now, Encoder encode = {});

    // Inserts or replaces the peer with a fresh date: in the table first, then
    // in memory, so a failed write changes neither.
    void declare(const std::string& prefix, const std::string& address, std::int64_t now);

    // Visits up to n distinct peers chosen at random, never one whose prefix
    // starts `caller_bits` (the caller itself). Returns how many it visited.
    // `visit` runs with the directory locked: it must be quick.
    std::size_t sample(std::size_t n, std::string_view caller_bits,
                       const std::function<void(const Peer&)>& visit);

    // Forgets the peer of `prefix` (whose prefix went back to the pool), and
    // its report of tunnels: in the tables first, then in memory. Returns
    // whether there was a peer.
    bool remove(const std::string& prefix);

    // Replaces the report of the node of `prefix`: `peers` as
    // format_tunnel_report writes it, made at `now`.
    void report_tunnels(const std::string& prefix, const std::string& peers, std::int64_t now);

    std::optional<Peer> find(const std::string& prefix) const;
    std::size_t size() const;

    // Purges the expired peers if the last purge is purge_interval old;
    // returns how many went.
    std::size_t purge_if_due(std::int64_t now);

private:
    // Heterogeneous lookup: a string_view finds a std::string key unallocated.
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
    };

    std::size_t purge(std::int64_t now);   // with mutex_ held
    void add(Peer peer);                   // with mutex_ held; a new prefix
    void erase(std::size_t i);             // with mutex_ held; the last peer moves to i
    void choose(std::size_t k);            // fills chosen_ with k distinct indices
    // The position of the peer whose prefix starts `bits`, if known.
    std::optional<std::size_t> position_of(std::string_view bits) const;

    Settings settings_;
    Encoder encode_;
    sqlite::Statement upsert_;
    sqlite::Statement delete_;
    sqlite::Statement delete_expired_;
    sqlite::Statement upsert_report_;
    sqlite::Statement delete_report_;

    mutable std::mutex mutex_;
    std::vector<Peer> peers_;
    std::unordered_map<std::string, std::size_t, Hash, std::equal_to<>> index_;   // prefix -> position
    std::map<std::size_t, std::size_t> lengths_;   // prefix length -> how many peers have it
    std::int64_t last_purge_;                      // seconds since the epoch
    std::mt19937_64 random_;
    std::vector<std::size_t> chosen_;   // scratch for sample()
    std::vector<bool> taken_;           // scratch for choose(): all false between calls
};

}  // namespace re6st::registry
