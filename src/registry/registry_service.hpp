// What the registry's XML-RPC methods do (docs/re6st-registry.rst), with
// the original's defects fixed (docs/security.rst), free of any XML-RPC or HTTP
// type.
// Failures the caller should read are RequestErrors; anything else is a bug or
// a broken database.
#pragma once

#include "common/certificate_authority.hpp"
#include "common/network_parameters.hpp"
#include "common/prefix.hpp"
#include "common/sqlite.hpp"
#include "registry/issued_certificates.hpp"
#include "registry/mailer.hpp"
#include "registry/peer_directory.hpp"
#include "registry/prefix_allocator.hpp"
#include "registry/revocation_list.hpp"
#include "registry/token_store.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace re6st::registry {

struct ServiceSettings {
    unsigned prefix_length = 16;                                // of the prefixes tokens grant
    std::chrono::seconds certificate_validity{365 * 86400};
    std::chrono::seconds token_lifetime{86400};
    // How long after its certificate expired a node may still renew it; past
    // that its prefix goes back to the pool.
    std::chrono::seconds grace_period{100 * 86400};
    std::string private_address;    // overlay IPv6 address of the registry's node; "" when none
    std::uint16_t port = 0;         // the registry's port, for getPrivateAddress
    std::vector<std::string> bootstrap;   // binary prefixes handed out first
    std::string mail_from;
    // What getNetworkConfig hands out, all set.
    NetworkParameters network_parameters = merge_network_parameters({}, {});
};

// Seconds since the epoch.
using Clock = std::function<std::int64_t()>;
std::int64_t system_clock_now();

class RegistryService {
public:
    // `enrolment_db` holds tokens and the prefix tree; the service locks it
    // itself. `peers` has its own connection and lock, so that issuing a
    // certificate never delays a peer list. Gives the network parameters
    // their version (record_network_config) and signs them.
    RegistryService(ServiceSettings settings, CertificateAuthority ca,
                    sqlite::Database& enrolment_db, PeerDirectory& peers, Mailer& mailer,
                    Clock clock = system_clock_now);

    const Network& network() const { return network_; }

    // Mails a new token to `email`; the token is stored only once the mail is
    // handed over, so a mail failure leaves no usable token.
    void request_token(const std::string& email);

    // Consumes the token, allocates a prefix of its length, signs the CSR for
    // it and records it (in vpn and among the issued certificates), all in
    // one transaction: any failure leaves the token and the prefix tree as
    // they were. Returns the PEM certificate.
    std::string request_certificate(const std::string& token, const std::string& csr_pem);

    // Signs a new certificate for the node the CSR names in its CN ("P/L", as
    // in its certificate), for the key of the certificate last issued for that
    // prefix, and records it in its place, and among the issued
    // certificates with the one it supersedes, in one transaction. Refused (RequestError, invalid;
    // nothing changes) for a malformed CSR, a CN that is no node prefix of
    // the network or has no certificate, another key, or a certificate that
    // expired more than grace_period ago. Returns the PEM certificate.
    std::string renew_certificate(const std::string& csr_pem);

    const std::string& ca_certificate() const { return ca_pem_; }

    // "unchanged" (network_config_unchanged) when `known_version`, decimal
    // text, is the current version; else the signed configuration. Every
    // node calls it every --config-refresh: unless the database changed
    // since the last call (PRAGMA data_version), it reads nothing and signs
    // nothing; a changed set of revoked certificates gives a new version,
    // recorded and signed once.
    std::string network_config_answer(const std::optional<std::string>& known_version);
    NetworkConfig network_config();
    std::string private_address() const;

    // "<prefix> <address>" of a --bootstrap peer if one is known, else of a
    // random peer, never the caller, RSA-encrypted to the certificate issued
    // for `prefix`. A peer with an endpoint of the family of `source` (the
    // request's source address) comes first when there is one.
    std::string bootstrap_peer(const std::string& prefix, std::string_view source = {});

    // `source` is the request's real source address (text, as the HTTP layer
    // reports it). declare and peer_list serve only a caller whose source is
    // inside the network and equals the client_ip it claims.

    // Records the endpoints `address` of the node that owns `client_ip`.
    // Returns false (and logs) when the caller is not authorised or owns no
    // certificate.
    bool declare(const std::string& client_ip, const std::string& address, std::string_view source);

    // Records the peers (a tunnel report, tunnel_report.hpp) that the node
    // owning `source` has tunnels to, replacing its last report. Refused
    // (RequestError, refused) unless `source` is inside the network and a
    // certificate covers it; a malformed report is invalid. Nothing is
    // stored when it throws.
    void report_tunnels(const std::string& peers, std::string_view source);

    // Visits up to n random known peers, never the caller; purges expired
    // peers when due. An unauthorised caller is a RequestError (refused).
    std::size_t peer_list(int n, const std::string& client_ip, std::string_view source,
                          const std::function<void(const Peer&)>& visit);

    // Background work (see Maintenance).

    // Frees, in one transaction, at most `limit` prefixes whose certificate
    // expired more than grace_period ago, earliest expiry first, with the
    // record of every certificate issued for them, and forgets their peers.
    // Returns the binary prefixes freed.
    std::vector<std::string> reclaim_prefixes(std::size_t limit);

    // Deletes, in one transaction, at most `limit` records of issued
    // certificates that have expired, earliest expiry first; returns how
    // many.
    int purge_certificates(std::size_t limit);

    // Deletes the tokens past their lifetime; returns how many.
    int purge_tokens();

    // Deletes the revocations of certificates that have expired since (no
    // node accepts them anyway); returns how many. The network configuration
    // follows.
    int purge_revocations();

    const ServiceSettings& settings() const { return settings_; }

private:
    // `csr` signed for `cn`, valid --certificate-validity from `now`; a
    // request the CA cannot sign is a RequestError.
    Certificate issue(const CertificateRequest& csr, const std::string& cn,
                      std::int64_t now) const;
    // The caller's node bits (after the network prefix) if authorised.
    std::optional<std::string> authorised_caller(const char* method, const std::string& client_ip,
                                                 std::string_view source) const;

    // Takes in the revocations another process (re6st-registry revoke)
    // wrote: forgets the revoked peers, records and signs the new network
    // configuration. Cheap when nothing changed (PRAGMA data_version);
    // every request that a revocation concerns runs it first. With
    // enrolment_mutex_ held and no transaction open on its connection.
    void sync_revocations();
    void publish_network_config();
    // The revocation of the certificate last issued for a prefix that
    // `node_bits` start (or equal), if no certificate holds that prefix now:
    // the latest revocation, and of those made at once the latest end.
    std::optional<Revocation> revoked_owner(std::string_view node_bits);
    // One log line and a fault.
    [[noreturn]] void refuse_revoked(const char* method, const Revocation& revocation) const;
    // The prefix whose certificate covers the caller's node bits, once the
    // revocations are taken in; a revoked node's call is refused (fault);
    // none when no certificate covers the caller.
    std::optional<std::string> caller_prefix(const char* method, const std::string& caller);

    ServiceSettings settings_;
    CertificateAuthority ca_;
    Network network_;
    std::string ca_pem_;
    PeerDirectory& peers_;
    Mailer& mailer_;
    Clock clock_;

    std::mutex enrolment_mutex_;   // guards the connection and all below
    sqlite::Database& enrolment_db_;
    TokenStore tokens_;
    PrefixAllocator allocator_;
    RevocationList revocations_;
    IssuedCertificates issued_;
    sqlite::Statement data_version_;
    // PRAGMA data_version when revoked_ was read; it changes when another
    // connection commits. -1: read again.
    std::int64_t data_version_seen_ = -1;
    std::vector<Revocation> revoked_;   // by serial

    NetworkConfig network_config_;
    std::string network_config_version_;   // its version as decimal text
    std::string network_config_signed_;
};

}  // namespace re6st::registry
