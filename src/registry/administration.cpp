// The administration commands on the registry's database.
#include "registry/administration.hpp"

#include "common/certificate.hpp"
#include "common/certificate_serial.hpp"
#include "common/prefix.hpp"
#include "common/utc_time.hpp"
#include "registry/issued_certificates.hpp"
#include "registry/prefix_allocator.hpp"
#include "registry/registry_database.hpp"
#include "registry/token_store.hpp"
#include "registry/tunnel_map.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <ostream>

namespace re6st::registry {

namespace {

std::optional<Network> stored_network(sqlite::Database& db)
{
    auto text = db.prepare("SELECT network FROM network_config WHERE id = 0")
                    .query_value<std::optional<std::string>>();
    if (!text || !*text)
        return std::nullopt;
    try {
        return Network(Ipv6Prefix::parse(**text));
    } catch (const AddressError&) {
        return std::nullopt;
    }
}

struct CertificateFacts {
    std::string serial = "?";
    std::optional<std::int64_t> expires;
};

CertificateFacts facts_of(const std::string& pem)
{
    try {
        auto certificate = Certificate::from_pem(pem);
        return {serial_text(certificate.serial()), std::int64_t(certificate.not_after())};
    } catch (const std::exception&) {
        return {};
    }
}

std::string iso_time(std::int64_t when)
{
    std::time_t t = when;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

std::string json_string(std::string_view text)
{
    std::string out = "\"";
    for (unsigned char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += char(c);
        } else if (c < 0x20) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
            out += escaped;
        } else {
            out += char(c);
        }
    }
    return out + '"';
}

template <class T, class F>
std::string or_null(const std::optional<T>& value, F&& format)
{
    return value ? format(*value) : "null";
}

// Words of a line: no space inside, "-" for none.
std::string word(const std::optional<std::string>& text)
{
    if (!text || text->empty())
        return "-";
    std::string out = *text;
    for (auto& c : out)
        if (c == ' ' || c == '\t' || c == '\n')
            c = '_';
    return out;
}

}  // namespace

std::vector<NodeEntry> list_nodes(sqlite::Database& db)
{
    auto network = stored_network(db);
    std::vector<NodeEntry> nodes;
    auto select = db.prepare(
        "SELECT vpn.prefix, vpn.email, vpn.cert, peers.date, peers.address FROM vpn"
        " LEFT JOIN peers ON peers.prefix = vpn.prefix"
        " WHERE vpn.cert IS NOT NULL ORDER BY vpn.prefix");
    auto rows = select.query();
    while (rows.next()) {
        auto row = rows.row();
        auto prefix = row.get<std::string>(0);
        NodeEntry node;
        node.cn = cn_from_bits(prefix);
        if (network && network->is_node_prefix(prefix))
            node.address = network->node_address(prefix).to_string();
        node.email = row.get<std::optional<std::string>>(1);
        auto facts = facts_of(row.get<std::string>(2));
        node.serial = facts.serial;
        node.expires = facts.expires;
        node.declared = row.get<std::optional<std::int64_t>>(3);
        node.endpoints = row.get<std::optional<std::string>>(4);
        nodes.push_back(std::move(node));
    }
    for (const auto& revocation : RevocationList(db).all()) {
        NodeEntry node;
        node.cn = revocation.cn;
        try {
            auto prefix = bits_from_cn(revocation.cn);
            if (network && network->is_node_prefix(prefix))
                node.address = network->node_address(prefix).to_string();
        } catch (const AddressError&) {
        }
        node.serial = revocation.serial;
        node.expires = revocation.expires;
        node.revoked = true;
        nodes.push_back(std::move(node));
    }
    return nodes;
}

std::string nodes_text(const std::vector<NodeEntry>& nodes)
{
    auto time = [](const std::optional<std::int64_t>& when) {
        return when ? iso_time(*when) : std::string("-");
    };
    std::string text;
    for (const auto& node : nodes)
        text += word(node.cn) + ' ' + word(node.address) + ' ' + word(node.email) + ' '
                + word(node.serial) + ' ' + time(node.expires) + ' ' + time(node.declared) + ' '
                + word(node.endpoints) + ' ' + (node.revoked ? "revoked" : "active") + '\n';
    return text;
}

std::string nodes_json(const std::vector<NodeEntry>& nodes)
{
    auto string = [](const std::string& s) { return json_string(s); };
    auto number = [](std::int64_t n) { return std::to_string(n); };
    std::string json = "[";
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        const auto& node = nodes[i];
        json += i == 0 ? "\n" : ",\n";
        json += "  {\"cn\": " + json_string(node.cn)
                + ", \"address\": " + or_null(node.address, string)
                + ", \"email\": " + or_null(node.email, string)
                + ", \"serial\": " + json_string(node.serial)
                + ", \"expires\": " + or_null(node.expires, number)
                + ", \"declared\": " + or_null(node.declared, number)
                + ", \"endpoints\": " + or_null(node.endpoints, string)
                + ", \"revoked\": " + (node.revoked ? "true" : "false") + "}";
    }
    return json + (nodes.empty() ? "]\n" : "\n]\n");
}

RevokeResult revoke(sqlite::Database& db, const std::string& target, std::int64_t now)
{
    // The allocator's longest prefix only matters to allocate().
    PrefixAllocator allocator(db, 127);
    RevocationList revocations(db);
    IssuedCertificates issued(db);
    sqlite::Transaction transaction(db);
    // Set when the node goes: its current certificate is revoked.
    std::optional<std::string> prefix;
    std::vector<Revocation> wanted;
    if (target.find('/') != target.npos) {
        prefix = bits_from_cn(target);
        auto pem = allocator.certificate(*prefix);
        if (!pem)
            throw NotFound("no node " + target + " holds a certificate");
        auto current = Certificate::from_pem(*pem);
        auto cn = cn_from_bits(*prefix);
        auto serial = serial_text(current.serial());
        // The certificates its renewals superseded, same key: an expired one
        // is refused by every node anyway.
        for (const auto& certificate : issued.of(cn))
            if (certificate.expires >= now && certificate.serial != serial)
                wanted.push_back({certificate.serial, cn, certificate.expires, now});
        // The current one even expired: within the grace period the node
        // could still renew it.
        wanted.push_back({serial, cn, std::int64_t(current.not_after()), now});
    } else {
        auto serial = canonical_serial(target);
        if (!serial)
            throw NotFound("not a CN or a serial: " + target);
        if (auto known = revocations.find(*serial))
            return {{*known}, true};
        // A current certificate first: its node goes with it, and so do the
        // certificates its renewals superseded, as for its CN.
        {
            auto select = db.prepare("SELECT prefix, cert FROM vpn WHERE cert IS NOT NULL");
            auto rows = select.query();
            while (rows.next()) {
                auto pem = rows.row().get<std::string>(1);
                if (facts_of(pem).serial == *serial) {
                    prefix = rows.row().get<std::string>(0);
                    break;
                }
            }
        }
        if (prefix) {
            auto cn = cn_from_bits(*prefix);
            for (const auto& certificate : issued.of(cn))
                if (certificate.expires >= now && certificate.serial != *serial)
                    wanted.push_back({certificate.serial, cn, certificate.expires, now});
            auto current = Certificate::from_pem(*allocator.certificate(*prefix));
            wanted.push_back({*serial, cn, std::int64_t(current.not_after()), now});
        }
        // Else one that a renewal superseded: its node keeps its prefix and
        // its current certificate.
        if (!prefix) {
            auto superseded = issued.find(*serial);
            if (!superseded)
                throw NotFound("no certificate on record has serial " + *serial);
            if (superseded->expires < now)
                throw NotFound("certificate " + *serial + " of " + superseded->cn + " expired on "
                               + utc_time(superseded->expires) + ": nothing to revoke");
            wanted.push_back({*serial, superseded->cn, superseded->expires, now});
        }
    }
    RevokeResult result;
    for (const auto& revocation : wanted)
        if (revocations.add(revocation))
            result.revocations.push_back(revocation);
    if (result.revocations.empty()) {
        result.already = true;
        for (const auto& revocation : wanted)
            result.revocations.push_back(*revocations.find(revocation.serial));
    }
    if (prefix) {
        db.execute("DELETE FROM peers WHERE prefix = ?", *prefix);
        db.execute("DELETE FROM tunnel_reports WHERE prefix = ?", *prefix);
        allocator.release(*prefix);
        // Every certificate of the node is revoked or expired: the records
        // go, so that the next node given the prefix answers for its own.
        issued.forget(cn_from_bits(*prefix));
    }
    transaction.commit();
    return result;
}

std::string make_token(sqlite::Database& db, const AdminCommand& command, std::int64_t now)
{
    auto network = stored_network(db);
    unsigned longest = network ? network->max_node_bits() : 127;
    if (command.prefix_length == 0 || command.prefix_length > longest)
        throw NotFound("--prefix-length " + std::to_string(command.prefix_length) + ": must be 1.."
                       + std::to_string(longest)
                       + (network ? " in network " + network->prefix().to_string() : ""));
    TokenStore tokens(db, command.token_lifetime);
    auto token = TokenStore::generate();
    sqlite::Transaction transaction(db);
    tokens.purge(now);
    tokens.add(token, command.target, command.prefix_length, now);
    transaction.commit();
    return token;
}

int run_admin_command(const AdminCommand& command, std::ostream& out, std::ostream& err,
                      std::int64_t now)
{
    try {
        // Never create a database: a wrong path must not look like an
        // empty network.
        struct stat st;
        if (::stat(command.db.c_str(), &st) != 0)
            throw NotFound("--db " + command.db + ": " + std::strerror(errno));
        auto db = open_registry_database(command.db, Durability::power_loss);
        switch (command.verb) {
        case AdminVerb::nodes: {
            auto nodes = list_nodes(db);
            out << (command.json ? nodes_json(nodes) : nodes_text(nodes));
            break;
        }
        case AdminVerb::revoke: {
            auto result = revoke(db, command.target, now);
            for (const auto& r : result.revocations)
                out << (result.already ? "already revoked " : "revoked ") << r.cn << " serial "
                    << r.serial << " expiring " << utc_time(r.expires) << "\n";
            break;
        }
        case AdminVerb::token:
            out << make_token(db, command, now) << "\n";
            break;
        case AdminVerb::map: {
            auto map = read_tunnel_map(db, stored_network(db), now);
            out << (command.format == MapFormat::json ? tunnel_map_json(map) : tunnel_map_dot(map));
            break;
        }
        }
        out.flush();
        return 0;
    } catch (const std::exception& error) {
        err << "re6st-registry: " << error.what() << "\n";
        return 1;
    }
}

}  // namespace re6st::registry
