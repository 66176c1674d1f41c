// The known peers and random samples of them.
#include "registry/peer_directory.hpp"

#include <algorithm>
#include <numeric>

namespace re6st::registry {

PeerDirectory::PeerDirectory(sqlite::Database& db, Settings settings, std::int64_t now,
                             Encoder encode)
    : settings_(settings),
      encode_(std::move(encode)),
      upsert_(db.prepare("INSERT OR REPLACE INTO peers (prefix, address, date) VALUES (?, ?, ?)")),
      delete_(db.prepare("DELETE FROM peers WHERE prefix = ?")),
      delete_expired_(db.prepare("DELETE FROM peers WHERE date <= ?")),
      upsert_report_(db.prepare(
          "INSERT OR REPLACE INTO tunnel_reports (prefix, peers, date) VALUES (?, ?, ?)")),
      delete_report_(db.prepare("DELETE FROM tunnel_reports WHERE prefix = ?")),
      last_purge_(now),
      random_(std::random_device{}())
{
    auto select = db.prepare("SELECT prefix, address, date FROM peers");
    auto rows = select.query();
    while (rows.next()) {
        auto row = rows.row();
        Peer peer{row.get<std::string>(0), row.get<std::string>(1), row.get<std::int64_t>(2), {}};
        if (encode_)
            peer.encoded = encode_(peer.prefix, peer.address);
        add(std::move(peer));
    }
    std::lock_guard lock(mutex_);
    purge(now);
}

void PeerDirectory::declare(const std::string& prefix, const std::string& address,
                            std::int64_t now)
{
    Peer peer{prefix, address, now, encode_ ? encode_(prefix, address) : std::string()};
    std::lock_guard lock(mutex_);
    upsert_.execute(prefix, address, now);
    if (auto found = index_.find(prefix); found != index_.end())
        peers_[found->second] = std::move(peer);
    else
        add(std::move(peer));
}

void PeerDirectory::add(Peer peer)
{
    ++lengths_[peer.prefix.size()];
    index_.emplace(peer.prefix, peers_.size());
    peers_.push_back(std::move(peer));
}

void PeerDirectory::erase(std::size_t i)
{
    if (--lengths_[peers_[i].prefix.size()] == 0)
        lengths_.erase(peers_[i].prefix.size());
    index_.erase(peers_[i].prefix);
    if (i + 1 != peers_.size()) {
        peers_[i] = std::move(peers_.back());
        index_[peers_[i].prefix] = i;
    }
    peers_.pop_back();
}

bool PeerDirectory::remove(const std::string& prefix)
{
    std::lock_guard lock(mutex_);
    delete_.execute(prefix);
    delete_report_.execute(prefix);
    auto found = index_.find(prefix);
    if (found == index_.end())
        return false;
    erase(found->second);
    return true;
}

void PeerDirectory::report_tunnels(const std::string& prefix, const std::string& peers,
                                   std::int64_t now)
{
    std::lock_guard lock(mutex_);
    upsert_report_.execute(prefix, peers, now);
}

void PeerDirectory::choose(std::size_t k)
{
    auto size = peers_.size();
    chosen_.clear();
    if (2 * k >= size) {
        // Dense: a partial Fisher-Yates shuffle of all indices, O(size) <= O(2k).
        chosen_.resize(size);
        std::iota(chosen_.begin(), chosen_.end(), std::size_t(0));
        for (std::size_t i = 0; i < k; ++i) {
            std::uniform_int_distribution<std::size_t> pick(i, size - 1);
            std::swap(chosen_[i], chosen_[pick(random_)]);
        }
        chosen_.resize(k);
        return;
    }
    // Sparse: Floyd's algorithm, k draws whatever the size, then a shuffle
    // because Floyd's order is not uniform. taken_ marks the chosen.
    if (taken_.size() < size)
        taken_.resize(size);
    for (std::size_t j = size - k; j < size; ++j) {
        std::uniform_int_distribution<std::size_t> pick(0, j);
        auto t = pick(random_);
        if (taken_[t])   // then j is free: everything taken is below j
            t = j;
        taken_[t] = true;
        chosen_.push_back(t);
    }
    for (auto t : chosen_)
        taken_[t] = false;
    std::shuffle(chosen_.begin(), chosen_.end(), random_);
}

std::optional<std::size_t> PeerDirectory::position_of(std::string_view bits) const
{
    // Prefixes never overlap, so at most one length matches; there are as
    // many lookups as distinct prefix lengths (usually one).
    for (auto [length, count] : lengths_) {
        if (length > bits.size())
            break;
        if (auto found = index_.find(bits.substr(0, length)); found != index_.end())
            return found->second;
    }
    return std::nullopt;
}

std::size_t PeerDirectory::sample(std::size_t n, std::string_view caller_bits,
                                  const std::function<void(const Peer&)>& visit)
{
    std::lock_guard lock(mutex_);
    auto caller = position_of(caller_bits);
    // One more than asked, in case the caller is among them.
    choose(std::min(n + 1, peers_.size()));
    if (caller) {
        if (auto at = std::find(chosen_.begin(), chosen_.end(), *caller); at != chosen_.end())
            chosen_.erase(at);
    }
    if (chosen_.size() > n)
        chosen_.resize(n);
    // In a large table each peer is a cache miss, twice (the Peer, then its
    // encoding): ask for them all before using any, so that the misses
    // overlap instead of following one another.
    for (auto i : chosen_)
        __builtin_prefetch(&peers_[i].encoded);
    for (auto i : chosen_) {
        const auto& encoded = peers_[i].encoded;
        for (std::size_t line = 0; line < encoded.size(); line += 64)
            __builtin_prefetch(encoded.data() + line);
    }
    for (auto i : chosen_)
        visit(peers_[i]);
    return chosen_.size();
}

std::optional<Peer> PeerDirectory::find(const std::string& prefix) const
{
    std::lock_guard lock(mutex_);
    auto found = index_.find(prefix);
    if (found == index_.end())
        return std::nullopt;
    return peers_[found->second];
}

std::size_t PeerDirectory::size() const
{
    std::lock_guard lock(mutex_);
    return peers_.size();
}

std::size_t PeerDirectory::purge_if_due(std::int64_t now)
{
    std::lock_guard lock(mutex_);
    if (now < last_purge_ + settings_.purge_interval.count())
        return 0;
    return purge(now);
}

std::size_t PeerDirectory::purge(std::int64_t now)
{
    auto limit = now - settings_.expiry.count();   // expired: date <= limit
    delete_expired_.execute(limit);
    last_purge_ = now;
    std::size_t removed = 0;
    for (std::size_t i = 0; i < peers_.size();) {
        if (peers_[i].date > limit) {
            ++i;
            continue;
        }
        erase(i);   // the last peer takes position i, which is looked at again
        ++removed;
    }
    return removed;
}

}  // namespace re6st::registry
