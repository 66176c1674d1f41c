// The node's peer cache, STATE/peers.db: known peers and whether a
// tunnel uses them, prefixes never to tunnel to, and the cached private URL of
// the registry. Survives restarts, so a node rejoins without the registry.
#pragma once

#include "common/sqlite.hpp"
#include "re6stnet/peer.hpp"

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace re6st {


class PeerDb {
public:
    enum class Use : int { failed = -1, unused = 0, used = 1 };
    enum class Blacklist : int { lan = 0, self = 1 };

    // Opens or creates the database, upgrading in place a file of an
    // earlier version; every peer starts unused, and our own prefix is
    // blacklisted (and no other as ours). Throws sqlite::Error when the file is corrupt or of a
    // later version.
    PeerDb(const std::string& path, const std::string& own_prefix);

    // Opens the database; if it is corrupt, moves it aside (to
    // PATH.corrupt) and starts an empty one. `moved_aside` tells which.
    static PeerDb open_or_rebuild(const std::string& path, const std::string& own_prefix,
                                  bool* moved_aside = nullptr);

    // Up to `count` peers not in use and not in `exclude`: unused ones first,
    // then those that failed, in random order within each group. A row
    // whose endpoints do not parse (written by hand, or by another
    // version) is dropped, with a warning.
    std::vector<Peer> unused_peers(std::size_t count, const std::set<std::string>& exclude);
    std::size_t unused_count();   // failed ones included
    std::size_t fresh_count();    // unused and not failed
    std::optional<Peer> find(const std::string& prefix);
    std::optional<Use> use_of(const std::string& prefix);

    void set_use(const std::string& prefix, Use use);
    // Forgets a peer (its certificate was revoked); a no-op if unknown.
    void remove(const std::string& prefix);

    // Merges a peer list from the registry, keeping at most `capacity` rows:
    // room is made by dropping random unused peers (failed ones first); peers
    // in use are never dropped; blacklisted prefixes are never stored. `now`
    // in seconds since the epoch.
    void merge(const std::vector<Peer>& peers, std::size_t capacity, std::int64_t now);
    // Adds one peer (the bootstrap peer); false if blacklisted.
    bool add(const Peer& peer, std::int64_t now);

    void blacklist(const std::string& prefix, Blacklist reason);
    void clear_blacklist(Blacklist reason);
    bool is_blacklisted(const std::string& prefix);

    std::optional<std::string> config(const std::string& name);
    void set_config(const std::string& name, const std::string& value);

    std::size_t size();

private:
    sqlite::Database db_;
};

}  // namespace re6st
