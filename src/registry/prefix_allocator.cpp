// The buddy allocator of node prefixes.
#include "registry/prefix_allocator.hpp"

#include <stdexcept>

namespace re6st::registry {

PrefixAllocator::PrefixAllocator(sqlite::Database& db, unsigned max_length)
    : max_length_(max_length),
      longest_free_(db.prepare("SELECT prefix FROM vpn WHERE cert IS NULL AND length(prefix) <= ?"
                               " ORDER BY length(prefix) DESC, prefix LIMIT 1")),
      rename_(db.prepare("UPDATE vpn SET prefix = ?2 WHERE prefix = ?1")),
      insert_free_(db.prepare("INSERT INTO vpn (prefix) VALUES (?)")),
      assign_(db.prepare("UPDATE vpn SET email = ?2, cert = ?3, expires = ?4"
                         " WHERE prefix = ?1 AND cert IS NULL")),
      renew_(db.prepare("UPDATE vpn SET cert = ?2, expires = ?3 WHERE prefix = ?1 AND cert IS NOT NULL")),
      expired_(db.prepare("SELECT prefix FROM vpn WHERE cert IS NOT NULL AND expires < ?"
                          " ORDER BY expires LIMIT ?")),
      release_(db.prepare("UPDATE vpn SET email = NULL, cert = NULL, expires = NULL"
                          " WHERE prefix = ? AND cert IS NOT NULL")),
      is_free_(db.prepare("SELECT 1 FROM vpn WHERE prefix = ? AND cert IS NULL")),
      delete_(db.prepare("DELETE FROM vpn WHERE prefix = ?")),
      floor_(db.prepare("SELECT prefix, cert FROM vpn WHERE prefix <= ? ORDER BY prefix DESC LIMIT 1")),
      certificate_(db.prepare("SELECT cert FROM vpn WHERE prefix = ?"))
{
}

std::optional<std::string> PrefixAllocator::allocate(unsigned length)
{
    if (length == 0 || length > max_length_)
        throw std::invalid_argument("prefix length " + std::to_string(length)
                                    + " outside 1.." + std::to_string(max_length_));
    auto prefix = longest_free_.query_value<std::string>(length);
    if (!prefix)
        return std::nullopt;
    while (prefix->size() < length) {
        rename_.execute(*prefix, *prefix + "1");
        *prefix += "0";
        insert_free_.execute(*prefix);
    }
    return prefix;
}

void PrefixAllocator::assign(const std::string& prefix, const std::string& email,
                             const std::string& cert, std::int64_t expires)
{
    if (assign_.execute(prefix, email, cert, expires) != 1)
        throw std::logic_error("prefix \"" + prefix + "\" is not a free row of the vpn table");
}

void PrefixAllocator::renew(const std::string& prefix, const std::string& cert,
                            std::int64_t expires)
{
    if (renew_.execute(prefix, cert, expires) != 1)
        throw std::logic_error("prefix \"" + prefix + "\" is not an allocated row of the vpn table");
}

std::vector<std::string> PrefixAllocator::expired(std::int64_t before, std::size_t limit)
{
    std::vector<std::string> prefixes;
    auto rows = expired_.query(before, std::int64_t(limit));
    while (rows.next())
        prefixes.push_back(rows.row().get<std::string>(0));
    return prefixes;
}

void PrefixAllocator::release(const std::string& prefix)
{
    if (release_.execute(prefix) != 1)
        throw std::logic_error("prefix \"" + prefix + "\" is not an allocated row of the vpn table");
    // The rows are the leaves of the tree: a row named exactly like the buddy
    // is the buddy whole, never split.
    auto free = prefix;
    while (!free.empty()) {
        auto buddy = free;
        buddy.back() = buddy.back() == '0' ? '1' : '0';
        if (!is_free_.query_value<int>(buddy))
            break;
        delete_.execute(buddy);
        auto parent = free.substr(0, free.size() - 1);
        rename_.execute(free, parent);
        free = std::move(parent);
    }
}

std::optional<std::string> PrefixAllocator::owner_of(std::string_view node_bits)
{
    // The leaves never overlap, so the leaf containing node_bits is the
    // greatest row not after it in string order.
    auto row = floor_.query_row<std::string, std::optional<std::string>>(node_bits);
    if (!row)
        return std::nullopt;
    auto& [prefix, cert] = *row;
    if (!cert || !node_bits.starts_with(prefix))
        return std::nullopt;
    return prefix;
}

std::optional<std::string> PrefixAllocator::certificate(const std::string& prefix)
{
    auto cert = certificate_.query_value<std::optional<std::string>>(prefix);
    if (!cert || !*cert)
        return std::nullopt;
    return **cert;
}

}  // namespace re6st::registry
