// The registry's methods.
#include "registry/registry_service.hpp"

#include "common/certificate_serial.hpp"
#include "common/crypto_error.hpp"
#include "common/duration.hpp"
#include "common/endpoint.hpp"
#include "common/log.hpp"
#include "common/rsa_cipher.hpp"
#include "common/utc_time.hpp"
#include "registry/network_config.hpp"
#include "registry/request_error.hpp"
#include "registry/tunnel_report.hpp"

#include <algorithm>
#include <optional>
#include <random>

namespace re6st::registry {

namespace {

using Kind = RequestError::Kind;

RequestError invalid(const std::string& message) { return RequestError(Kind::invalid, message); }

// The family of a request's source address; none when it is not an address.
// An IPv4 client of a dual-stack socket shows as ::ffff:a.b.c.d.
std::optional<AddressFamily> source_family(std::string_view source)
{
    if (source.starts_with("::ffff:") && source.find('.') != source.npos)
        return AddressFamily::ipv4;
    try {
        return parse_endpoint(std::string(source) + ",1,udp").family();
    } catch (const EndpointError&) {
        return std::nullopt;
    }
}

bool has_endpoint_of(const Peer& peer, AddressFamily family)
{
    try {
        for (const auto& endpoint : parse_endpoints(peer.address))
            if (endpoint.family() == family)
                return true;
    } catch (const EndpointError&) {
    }
    return false;
}

// How many random peers getBootstrapPeer looks through for one the caller's
// family can reach.
constexpr std::size_t bootstrap_sample = 50;

template <class T>
const T& pick_at_random(const std::vector<T>& items)
{
    thread_local std::mt19937 random(std::random_device{}());
    return items[std::uniform_int_distribution<std::size_t>(0, items.size() - 1)(random)];
}

// The request in `pem` (the method's `parameter`), signed by the key it
// carries.
CertificateRequest signed_request(const std::string& pem, const std::string& parameter)
{
    std::optional<CertificateRequest> csr;
    try {
        csr = CertificateRequest::from_pem(pem);
    } catch (const CryptoError&) {
        throw invalid(parameter + " is not a PEM certificate request");
    }
    if (!csr->signature_valid())
        throw invalid("the certificate request's signature does not match its key");
    return std::move(*csr);
}

// "24 hours", "90 minutes", "1 second": the largest unit that divides it.
std::string in_words(std::chrono::seconds duration)
{
    auto count = duration.count();
    const char* unit = "second";
    if (count >= 3600 && count % 3600 == 0) {
        count /= 3600;
        unit = "hour";
    } else if (count >= 60 && count % 60 == 0) {
        count /= 60;
        unit = "minute";
    }
    return std::to_string(count) + " " + unit + (count == 1 ? "" : "s");
}

}  // namespace

std::int64_t system_clock_now()
{
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

RegistryService::RegistryService(ServiceSettings settings, CertificateAuthority ca,
                                 sqlite::Database& enrolment_db, PeerDirectory& peers,
                                 Mailer& mailer, Clock clock)
    : settings_(std::move(settings)),
      ca_(std::move(ca)),
      network_(Network::from_ca_serial(ca_.certificate().serial())),
      ca_pem_(ca_.certificate().to_pem()),
      peers_(peers),
      mailer_(mailer),
      clock_(std::move(clock)),
      enrolment_db_(enrolment_db),
      tokens_(enrolment_db, settings_.token_lifetime),
      allocator_(enrolment_db, network_.max_node_bits()),
      revocations_(enrolment_db),
      issued_(enrolment_db),
      data_version_(enrolment_db.prepare("PRAGMA data_version"))
{
    if (settings_.prefix_length == 0 || settings_.prefix_length > network_.max_node_bits())
        throw std::invalid_argument("prefix length " + std::to_string(settings_.prefix_length)
                                    + " does not fit in network " + network_.prefix().to_string());
    check_network_parameters(settings_.network_parameters);
    std::lock_guard lock(enrolment_mutex_);
    data_version_seen_ = data_version_.query_value<std::int64_t>().value_or(0);
    revoked_ = revocations_.all();
    publish_network_config();
    // For the administration commands, which have no CA to tell it.
    enrolment_db_.execute("UPDATE network_config SET network = ? WHERE id = 0",
                          network_.prefix().to_string());
}

std::string RegistryService::network_config_answer(const std::optional<std::string>& known_version)
{
    std::lock_guard lock(enrolment_mutex_);
    sync_revocations();
    if (known_version == network_config_version_)
        return std::string(network_config_unchanged);
    return network_config_signed_;
}

NetworkConfig RegistryService::network_config()
{
    std::lock_guard lock(enrolment_mutex_);
    sync_revocations();
    return network_config_;
}

void RegistryService::sync_revocations()
{
    // Read before the table: a revocation committed in between is read
    // again next time.
    auto version = data_version_.query_value<std::int64_t>().value_or(0);
    if (version == data_version_seen_)
        return;
    data_version_seen_ = version;
    auto current = revocations_.all();
    if (current == revoked_)
        return;
    auto by_serial = [](const Revocation& a, const Revocation& b) { return a.serial < b.serial; };
    for (const auto& revocation : current) {
        if (std::binary_search(revoked_.begin(), revoked_.end(), revocation, by_serial))
            continue;
        log::info("certificate ", revocation.serial, " of ", revocation.cn, " revoked on ",
                  utc_time(revocation.date));
        try {
            auto prefix = bits_from_cn(revocation.cn);
            // Unless the prefix went to a new node since.
            if (!allocator_.certificate(prefix) && peers_.remove(prefix))
                log::info("forgot the peer ", revocation.cn, ": its certificate is revoked");
        } catch (const AddressError&) {
            // Not a node's CN: there is no peer to forget.
        }
    }
    revoked_ = std::move(current);
    publish_network_config();
    log::info("network configuration version ", network_config_.version, ": ", revoked_.size(),
              " revoked certificates");
}

void RegistryService::publish_network_config()
{
    std::vector<std::string> serials;
    for (const auto& revocation : revoked_)
        serials.push_back(revocation.serial);
    network_config_ = record_network_config(enrolment_db_, settings_.network_parameters,
                                            clock_(), serials);
    network_config_version_ = std::to_string(network_config_.version);
    network_config_signed_ = sign_network_config(network_config_, ca_);
}

std::optional<Revocation> RegistryService::revoked_owner(std::string_view node_bits)
{
    std::optional<Revocation> latest;
    for (const auto& revocation : revoked_) {
        try {
            // Of those revoked together, the one that ends last: the node's
            // current certificate of the time.
            if (node_bits.starts_with(bits_from_cn(revocation.cn))
                && (!latest || revocation.date > latest->date
                    || (revocation.date == latest->date && revocation.expires > latest->expires)))
                latest = revocation;
        } catch (const AddressError&) {
        }
    }
    return latest;
}

void RegistryService::refuse_revoked(const char* method, const Revocation& revocation) const
{
    log::warning(method, ": refused ", revocation.cn, ": its certificate ", revocation.serial,
                 " was revoked on ", utc_time(revocation.date));
    throw RequestError(Kind::refused, "the certificate of " + revocation.cn + " was revoked");
}

void RegistryService::request_token(const std::string& email)
{
    if (!is_mail_address(email))
        throw invalid("not a plain e-mail address (user@domain): \"" + email + "\"");
    auto token = TokenStore::generate();
    MailMessage message{settings_.mail_from, email, "[re6stnet] Token Request",
                        "Hello,\n\n"
                        "Your token to join the re6st network "
                            + network_.prefix().to_string() + " is:\n\n"
                            + token + "\n\n"
                            "Give it to re6st-conf (--token) within "
                            + in_words(settings_.token_lifetime) + ". It can be used once.\n"};
    try {
        mailer_.send(message);
    } catch (const MailError& error) {
        log::error("requestToken: ", error.what());
        throw RequestError(Kind::failed, "could not mail a token to " + email);
    }

    std::lock_guard lock(enrolment_mutex_);
    auto now = clock_();
    sqlite::Transaction transaction(enrolment_db_);
    tokens_.purge(now);
    tokens_.add(token, email, settings_.prefix_length, now);
    transaction.commit();
    log::info("requestToken: mailed a token to ", email);
}

std::string RegistryService::request_certificate(const std::string& token,
                                                 const std::string& csr_pem)
{
    // Everything about the CSR is checked before the database is touched.
    auto csr = signed_request(csr_pem, "req");
    if (!csr.key_is_rsa() || csr.key_bits() < CertificateAuthority::min_key_bits)
        throw invalid("the certificate request's key must be RSA of at least "
                      + std::to_string(CertificateAuthority::min_key_bits) + " bits");

    std::lock_guard lock(enrolment_mutex_);
    auto now = clock_();
    sqlite::Transaction transaction(enrolment_db_);
    auto taken = tokens_.take(token, now);
    switch (taken.status) {
    case TokenStore::Status::valid: break;
    case TokenStore::Status::unknown: throw invalid("unknown or already used token");
    case TokenStore::Status::expired: throw invalid("expired token: request a new one");
    }
    auto prefix = allocator_.allocate(taken.grant.prefix_length);
    if (!prefix) {
        log::error("requestCertificate: no free /", taken.grant.prefix_length,
                   " prefix left in the network");
        throw RequestError(Kind::failed, "no free prefix left in the network");
    }
    auto cn = cn_from_bits(*prefix);
    auto cert = issue(csr, cn, now);
    auto pem = cert.to_pem();
    allocator_.assign(*prefix, taken.grant.email, pem, cert.not_after());
    issued_.record({serial_text(cert.serial()), cn, std::int64_t(cert.not_after()), now});
    transaction.commit();
    log::info("requestCertificate: issued ", cn, " (", network_.node_subnet(*prefix).to_string(),
              ") to ", taken.grant.email);
    return pem;
}

Certificate RegistryService::issue(const CertificateRequest& csr, const std::string& cn,
                                   std::int64_t now) const
{
    try {
        return ca_.sign(csr, cn, settings_.certificate_validity, now);
    } catch (const CryptoError& error) {
        throw invalid(std::string("cannot issue a certificate for this request: ") + error.what());
    }
}

std::string RegistryService::renew_certificate(const std::string& csr_pem)
{
    // Everything about the CSR alone is checked before the database is touched.
    auto csr = signed_request(csr_pem, "csr");
    std::string prefix;
    try {
        prefix = bits_from_cn(csr.subject_cn());
    } catch (const CryptoError&) {
        throw invalid("the certificate request must have one subject CN: the node's prefix, "
                      "as in its certificate");
    } catch (const AddressError& error) {   // quotes the CN
        throw invalid(error.what());
    }
    auto cn = cn_from_bits(prefix);
    if (!network_.is_node_prefix(prefix))
        throw invalid(cn + " is not a node prefix of network " + network_.prefix().to_string());

    std::lock_guard lock(enrolment_mutex_);
    auto now = clock_();
    // Before the transaction: it may record and sign a new configuration,
    // in a transaction of its own, and write the peers through the other
    // connection.
    sync_revocations();
    sqlite::Transaction transaction(enrolment_db_);
    auto stored = allocator_.certificate(prefix);
    if (!stored) {
        if (auto revocation = revoked_owner(prefix); revocation && revocation->cn == cn)
            refuse_revoked("renewCertificate", *revocation);
        throw invalid("no certificate is on record for " + cn
                      + ": enrol the node with re6st-conf");
    }
    auto current = Certificate::from_pem(*stored);
    auto serial = serial_text(current.serial());
    for (const auto& revocation : revoked_)
        if (revocation.serial == serial)
            refuse_revoked("renewCertificate", revocation);
    if (csr.public_key_der() != current.public_key_der())
        throw invalid("the certificate request's key is not the key of the certificate of " + cn);
    if (now - current.not_after() > settings_.grace_period.count())
        throw invalid("the certificate of " + cn + " expired on " + utc_time(current.not_after())
                      + ", more than " + format_duration(settings_.grace_period)
                      + " ago: enrol the node again with re6st-conf");
    auto renewed = issue(csr, cn, now);
    auto pem = renewed.to_pem();
    allocator_.renew(prefix, pem, renewed.not_after());
    issued_.record({serial_text(renewed.serial()), cn, std::int64_t(renewed.not_after()), now});
    transaction.commit();
    log::info("renewCertificate: renewed ", cn, " (", network_.node_subnet(prefix).to_string(),
              ") until ", utc_time(renewed.not_after()));
    return pem;
}

int RegistryService::purge_revocations()
{
    std::lock_guard lock(enrolment_mutex_);
    int purged = 0;
    {
        sqlite::Transaction transaction(enrolment_db_);
        purged = revocations_.purge(clock_());
        transaction.commit();
    }
    if (purged > 0)
        data_version_seen_ = -1;   // this connection's own commit leaves data_version as it was
    sync_revocations();
    return purged;
}

std::vector<std::string> RegistryService::reclaim_prefixes(std::size_t limit)
{
    std::vector<std::string> freed;
    {
        std::lock_guard lock(enrolment_mutex_);
        auto now = clock_();
        sqlite::Transaction transaction(enrolment_db_);
        freed = allocator_.expired(now - settings_.grace_period.count(), limit);
        for (const auto& prefix : freed) {
            allocator_.release(prefix);
            // Its node is gone: a new one may get the prefix, and its CN.
            issued_.forget(cn_from_bits(prefix));
        }
        transaction.commit();
    }
    // After the commit: a peer left behind by a failure here goes after
    // --peer-expiry, as the node can no longer declare.
    for (const auto& prefix : freed) {
        peers_.remove(prefix);
        log::debug("reclaimed ", cn_from_bits(prefix), " (",
                   network_.node_subnet(prefix).to_string(), ")");
    }
    return freed;
}

int RegistryService::purge_certificates(std::size_t limit)
{
    std::lock_guard lock(enrolment_mutex_);
    sqlite::Transaction transaction(enrolment_db_);
    auto purged = issued_.purge(clock_(), limit);
    transaction.commit();
    return purged;
}

int RegistryService::purge_tokens()
{
    std::lock_guard lock(enrolment_mutex_);
    auto now = clock_();
    sqlite::Transaction transaction(enrolment_db_);
    auto purged = tokens_.purge(now);
    transaction.commit();
    return purged;
}

std::string RegistryService::private_address() const
{
    if (settings_.private_address.empty())
        throw RequestError(Kind::failed, "this registry has no private address (--private)");
    return "http://[" + settings_.private_address + "]:" + std::to_string(settings_.port);
}

std::string RegistryService::bootstrap_peer(const std::string& prefix, std::string_view source)
{
    if (!network_.is_node_prefix(prefix))
        throw invalid("not a binary node prefix: \"" + prefix + "\"");
    std::optional<std::string> cert;
    {
        std::lock_guard lock(enrolment_mutex_);
        sync_revocations();
        cert = allocator_.certificate(prefix);
        if (!cert)
            if (auto revocation = revoked_owner(prefix);
                revocation && revocation->cn == cn_from_bits(prefix))
                refuse_revoked("getBootstrapPeer", *revocation);
    }
    if (!cert)
        throw invalid("no certificate was issued for prefix " + prefix);

    // First a --bootstrap peer, then a random one, with an endpoint of the
    // caller's family: an IPv6-only node can do nothing with an IPv4 one.
    // Without such a peer, any.
    auto family = source_family(source);
    auto reachable = [&](const Peer& peer) { return !family || has_endpoint_of(peer, *family); };
    std::vector<Peer> bootstrap, bootstrap_reachable;
    for (const auto& candidate : settings_.bootstrap)
        if (candidate != prefix)
            if (auto peer = peers_.find(candidate)) {
                if (reachable(*peer))
                    bootstrap_reachable.push_back(*peer);
                bootstrap.push_back(std::move(*peer));
            }
    std::optional<Peer> chosen, chosen_reachable;
    if (!bootstrap_reachable.empty())
        chosen = pick_at_random(bootstrap_reachable);
    else {
        peers_.sample(bootstrap_sample, prefix, [&](const Peer& peer) {
            if (!chosen)
                chosen = peer;
            if (!chosen_reachable && reachable(peer))
                chosen_reachable = peer;
        });
        if (chosen_reachable)
            chosen = chosen_reachable;
        else if (!bootstrap.empty())
            chosen = pick_at_random(bootstrap);
    }
    if (!chosen)
        throw RequestError(Kind::failed, "no bootstrap peer known yet: try again later");

    log::info("getBootstrapPeer: sending ", chosen->prefix, " to ", prefix);
    auto plaintext = chosen->prefix + " " + chosen->address;
    try {
        return rsa_encrypt(Certificate::from_pem(*cert), plaintext);
    } catch (const CryptoError& error) {
        log::error("getBootstrapPeer: cannot encrypt to ", prefix, ": ", error.what());
        throw RequestError(Kind::failed, "cannot encrypt the bootstrap peer to your certificate");
    }
}

std::optional<std::string> RegistryService::authorised_caller(const char* method,
                                                              const std::string& client_ip,
                                                              std::string_view source) const
{
    auto claimed = Ipv6Address::try_parse(client_ip);
    if (!claimed)
        throw invalid("client_ip is not an IPv6 address: \"" + client_ip + "\"");
    auto real = Ipv6Address::try_parse(source);
    if (!real || *real != *claimed || !network_.contains(*claimed)) {
        log::warning(method, ": refused a call from ", source, " claiming ", client_ip,
                     ": the source must be the claimed address, inside ",
                     network_.prefix().to_string());
        return std::nullopt;
    }
    return bits_of(*claimed, network_.length(), 128 - network_.length());
}

bool RegistryService::declare(const std::string& client_ip, const std::string& address,
                              std::string_view source)
{
    auto caller = authorised_caller("declare", client_ip, source);
    if (!caller)
        return false;
    std::string canonical;
    try {
        canonical = format_endpoints(parse_endpoints(address));
    } catch (const EndpointError& error) {
        throw invalid(error.what());
    }
    auto prefix = caller_prefix("declare", *caller);
    if (!prefix) {
        log::warning("declare: refused ", client_ip, ": no certificate covers that address");
        return false;
    }
    peers_.declare(*prefix, canonical, clock_());
    log::debug("declare: ", *prefix, " at ", canonical);
    return true;
}

std::optional<std::string> RegistryService::caller_prefix(const char* method,
                                                         const std::string& caller)
{
    std::lock_guard lock(enrolment_mutex_);
    sync_revocations();
    auto prefix = allocator_.owner_of(caller);
    if (!prefix)
        if (auto revocation = revoked_owner(caller))
            refuse_revoked(method, *revocation);
    return prefix;
}

void RegistryService::report_tunnels(const std::string& peers, std::string_view source)
{
    // The source names the node, so a node speaks only for itself.
    std::optional<std::string> caller;
    if (Ipv6Address::try_parse(source))
        caller = authorised_caller("reportTunnels", std::string(source), source);
    else
        log::warning("reportTunnels: refused a call from ", source, ": not over IPv6");
    if (!caller)
        throw RequestError(Kind::refused,
                           "reportTunnels must come from a node's address, inside "
                               + network_.prefix().to_string());
    auto prefix = caller_prefix("reportTunnels", *caller);
    if (!prefix) {
        log::warning("reportTunnels: refused ", source, ": no certificate covers that address");
        throw RequestError(Kind::refused, "no certificate covers " + std::string(source));
    }
    std::vector<std::string> bits;
    try {
        bits = parse_tunnel_report(peers, network_, *prefix);
    } catch (const TunnelReportError& error) {
        throw invalid(error.what());
    }
    peers_.report_tunnels(*prefix, format_tunnel_report(bits), clock_());
    log::debug("reportTunnels: ", cn_from_bits(*prefix), " has ", bits.size(), " tunnels");
}

std::size_t RegistryService::peer_list(int n, const std::string& client_ip,
                                       std::string_view source,
                                       const std::function<void(const Peer&)>& visit)
{
    if (n <= 0 || n >= 1000)
        throw invalid("n must be between 1 and 999, not " + std::to_string(n));
    auto caller = authorised_caller("getPeerList", client_ip, source);
    if (!caller)
        throw RequestError(Kind::refused, "getPeerList must come from client_ip, inside "
                                              + network_.prefix().to_string());
    {
        std::lock_guard lock(enrolment_mutex_);
        sync_revocations();
        // Only when something is revoked: the hot path stays one lock and
        // one PRAGMA.
        if (!revoked_.empty() && !allocator_.owner_of(*caller))
            if (auto revocation = revoked_owner(*caller))
                refuse_revoked("getPeerList", *revocation);
    }
    if (auto purged = peers_.purge_if_due(clock_()))
        log::info("getPeerList: forgot ", purged, " peers not declared for too long");
    return peers_.sample(std::size_t(n), *caller, visit);
}

}  // namespace re6st::registry
