// What re6st-registry's administration commands do to the registry's
// database, which the running server shares (SQLite, its busy timeout):
// list the nodes, revoke a certificate, make a token, draw the map. Only the
// file's permissions authorise them; nothing listens.
#pragma once

#include "common/sqlite.hpp"
#include "registry/admin_command.hpp"
#include "registry/revocation_list.hpp"

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace re6st::registry {

// No node or certificate answers to what was asked: exit status 1.
class NotFound : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// One line of `nodes`: a node's current certificate, or a revoked one.
struct NodeEntry {
    std::string cn;
    std::optional<std::string> address;     // overlay address; unknown before a server wrote the network
    std::optional<std::string> email;       // none for a revoked certificate
    std::string serial;                     // as openssl x509 -serial prints it; "?" if unreadable
    std::optional<std::int64_t> expires;    // notAfter, seconds since the epoch
    std::optional<std::int64_t> declared;   // last declare, seconds since the epoch
    std::optional<std::string> endpoints;   // of the last declare
    bool revoked = false;
};

// The nodes with a certificate, by prefix, then the revoked certificates, by
// serial.
std::vector<NodeEntry> list_nodes(sqlite::Database& db);

// "CN ADDRESS EMAIL SERIAL EXPIRES DECLARED ENDPOINTS STATUS\n" per node;
// times as 2027-12-06T18:57:19Z, "-" for what is unknown, STATUS "active" or
// "revoked".
std::string nodes_text(const std::vector<NodeEntry>& nodes);
// A JSON array of objects {"cn", "address", "email", "serial", "expires",
// "declared", "endpoints", "revoked"}; times in seconds since the epoch; null
// for what is unknown.
std::string nodes_json(const std::vector<NodeEntry>& nodes);

struct RevokeResult {
    // What was revoked; with `already`, the revocations found instead.
    std::vector<Revocation> revocations;
    bool already = false;   // nothing was left to revoke: nothing changed
};

// Revokes, in one transaction, the certificates `target` names:
// - a CN ("123/16"): every certificate the registry issued to that node that
//   has not expired, those its renewals superseded (earliest end first),
//   then its current one, even expired (the node could still renew it within
//   the grace period);
// - a serial (as canonical_serial takes it): that certificate, a node's
//   current one or an unexpired one that a renewal superseded.
// Each serial is recorded in `revoked`. When a node's current certificate is
// revoked, its peers row and its tunnel report are removed and its prefix
// freed; revoking a superseded one leaves the node as it is. NotFound if
// there is no such node or certificate.
RevokeResult revoke(sqlite::Database& db, const std::string& target, std::int64_t now);

// Stores a new token for `email`, as requestToken does, and returns it.
std::string make_token(sqlite::Database& db, const AdminCommand& command, std::int64_t now);

// Opens the database (which must exist), runs the command, writes its output
// to `out` and a one-line error to `err`; returns the exit status, 0 or 1.
int run_admin_command(const AdminCommand& command, std::ostream& out, std::ostream& err,
                      std::int64_t now);

}  // namespace re6st::registry
