// The registry's handling of one request, from the raw body of a POST to the
// response body, as its HTTP server hands it over: xmlrpc-c's processCall
// through the methods, on a real SQLite database and a real CA.
//
// Input: the caller's address on the first line (what the HTTP layer reports,
// and what declare and getPeerList authorise by), then the body.
//
// Every input starts from the same scratch database: two enrolled nodes, A
// (prefix 0000000000000000, address 2001:db8:42::1) and B (0000000000000001,
// 2001:db8:42:1::1), both declared, and one unused token, so that every
// method can succeed. The clock stands still.
#include "fuzz_check.hpp"

#include "common/log.hpp"
#include "common/xmlrpc_client.hpp"
#include "registry/call_dispatcher.hpp"
#include "registry/http_server.hpp"
#include "registry/mbox_mailer.hpp"
#include "registry/network_config.hpp"
#include "registry/peer_list_xml.hpp"
#include "registry/registry_database.hpp"
#include "registry/xmlrpc_methods.hpp"
#include "support/openssl_cli.hpp"
#include "support/temp_dir.hpp"

#include <boost/asio/ip/address.hpp>

#include <cstdlib>
#include <filesystem>
#include <system_error>

using namespace re6st;
using namespace re6st::registry;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t max_body = HttpLimits{}.max_body;
// The token the scratch database grants (tokens are 16 base32 characters).
constexpr std::string_view token = "fuzzfuzzfuzzfuzz";

// std::filesystem::copy_file, retried when a signal interrupts it: libFuzzer's
// timeout timer (SIGALRM) interrupts sendfile(), which libstdc++ reports as an
// error instead of retrying.
void copy_file_retrying(const std::filesystem::path& from, const std::filesystem::path& to)
{
    for (;;) {
        try {
            std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing);
            return;
        } catch (const std::filesystem::filesystem_error& error) {
            if (error.code() != std::errc::interrupted)
                throw;
        }
    }
}

class Scene {
public:
    Scene()
    {
        auto template_db = dir_ / "template.db";
        const auto& ca = ca_;
        auto network = Network::from_ca_serial(ca.certificate().serial());
        auto db = open_registry_database(template_db, Durability::crash);
        PrefixAllocator allocator(db, network.max_node_bits());
        TokenStore tokens(db, 86400s);
        PeerDirectory peers(db, {}, now_);
        sqlite::Transaction transaction(db);
        for (const char* email : {"a@example.org", "b@example.org"}) {
            auto prefix = allocator.allocate(16).value();
            auto key = PrivateKey::generate_rsa(2048);
            auto csr = CertificateRequest::create(key, {{"CN", email}});
            auto cert = ca.sign(csr, cn_from_bits(prefix), 365 * 24h, now_);
            allocator.assign(prefix, email, cert.to_pem(), cert.not_after());
            node_keys_.push_back(key.to_pem());
        }
        tokens.add(std::string(token), "c@example.org", 16, now_);
        transaction.commit();
        // The version of the service's parameters, so that no run writes it.
        record_network_config(db, ServiceSettings().network_parameters, now_);
        peers.declare("0000000000000000", "192.0.2.1,1194,udp;192.0.2.1,1194,tcp", now_);
        peers.declare("0000000000000001", "2001:db8::b,1194,udp", now_);
        template_ = std::filesystem::path(template_db);
        ca_key_ = PrivateKey::load(dir_ / "ca.key").to_pem();
    }

    // The response to `body` from `peer`, on a fresh copy of the database.
    std::string process(const std::string& peer, const std::string& body) const
    {
        auto db = dir_ / "registry.db";
        for (const char* suffix : {"", "-wal", "-shm"})
            std::filesystem::remove(db + suffix);
        copy_file_retrying(template_, db);
        std::filesystem::remove(dir_ / "mbox");

        auto enrolment_db = open_registry_database(db, Durability::power_loss);
        auto peer_db = open_registry_database(db, Durability::crash);
        PeerDirectory peers(peer_db, {}, now_, encode_peer_element);
        MboxMailer mailer(dir_ / "mbox");
        ServiceSettings settings;
        settings.private_address = "2001:db8:42::1";
        settings.port = 80;
        settings.mail_from = "registry@example.org";
        auto now = now_;
        RegistryService service(settings, ca_, enrolment_db, peers, mailer,
                                [now] { return now; });
        XmlRpcProcessor processor(service, max_body);
        // As CallDispatcher chooses the pool.
        CallContext context(peer, peek_method_name(body) == "requestToken");
        return processor.process(body, context);
    }

    // Secrets that no log line may hold.
    // Whether `line` shows a secret that the caller did not send itself
    // (`sent`: its request with XML's character references resolved): an
    // e-mail address may hold the token's text, and be logged.
    bool holds_secret(std::string_view line, std::string_view sent) const
    {
        auto shows = [&](std::string_view secret) {
            return line.find(secret) != line.npos && sent.find(secret) == sent.npos;
        };
        if (shows(token) || shows("PRIVATE KEY"))
            return true;
        for (const auto& pem : node_keys_)
            if (shows(key_body(pem)))
                return true;
        return shows(key_body(ca_key_));
    }

private:
    // A CA made with the openssl tool as SPEC A.2 tells operators to.
    static CertificateAuthority make_ca(const test::TempDir& dir)
    {
        test::openssl_rsa_key(dir / "ca.key");
        test::openssl_ca(dir / "ca.key", dir / "ca.crt");
        return CertificateAuthority(Certificate::load(dir / "ca.crt"),
                                    PrivateKey::load(dir / "ca.key"));
    }

    // A line of base64 from the middle of a PEM key.
    static std::string_view key_body(std::string_view pem) { return pem.substr(100, 48); }

    test::TempDir dir_;
    CertificateAuthority ca_ = make_ca(dir_);
    std::int64_t now_ = system_clock_now();
    std::filesystem::path template_;
    std::vector<std::string> node_keys_;
    std::string ca_key_;
};

// The request being processed, as the registry's XML parser reads its text:
// character references (&amp; &#102; &#x66;) resolved.
std::string current_request;

std::string resolve_references(std::string_view xml)
{
    static const std::pair<std::string_view, char> named[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    std::string text;
    for (std::size_t i = 0; i < xml.size();) {
        bool resolved = false;
        for (const auto& [name, c] : named)
            if (xml.substr(i, name.size()) == name) {
                text += c;
                i += name.size();
                resolved = true;
                break;
            }
        if (!resolved && xml.substr(i, 2) == "&#") {
            auto end = xml.find(';', i);
            bool hex = xml.substr(i, 3) == "&#x";
            auto digits = std::string(xml.substr(i + (hex ? 3 : 2), end - i - (hex ? 3 : 2)));
            char* stop = nullptr;
            auto code = end == xml.npos ? 0 : std::strtoul(digits.c_str(), &stop, hex ? 16 : 10);
            if (code > 0 && code < 128 && stop && *stop == '\0') {
                text += char(code);
                i = end + 1;
                resolved = true;
            }
        }
        if (!resolved)
            text += xml[i++];
    }
    return text;
}

const Scene& scene()
{
    static const Scene scene;
    return scene;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    // Every log line, at the highest verbosity, goes through the same checks
    // as it would to stderr.
    scene();
    log::set_verbosity(3);
    log::set_sink([](log::Level level, std::string_view message) {
        auto line = log::format_line(level, message, false);
        fuzz::check(line.find('\n') == line.npos, "a log line is one line");
        fuzz::check(!scene().holds_secret(message, current_request),
                    "no token or key is ever logged");
    });
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    auto text = fuzz::text_of(data, size);
    auto newline = text.find('\n');
    if (newline == text.npos)
        return 0;
    boost::system::error_code error;
    auto address = boost::asio::ip::make_address(std::string(text.substr(0, newline)), error);
    if (error)
        return 0;   // the HTTP layer always knows the caller's address
    std::string body(text.substr(newline + 1));
    if (body.size() > max_body)
        return 0;   // refused by the HTTP layer

    current_request = resolve_references(body);
    auto response = scene().process(client_address_text(address), body);
    auto result = decode_response(200, "OK", response);
    fuzz::check(result.ok() || result.error().kind() == RpcError::Kind::fault,
                "every response is a well-formed XML-RPC result or fault");
    if (!result.ok())
        fuzz::check(result.error().code() != xmlrpc_c::fault::CODE_INTERNAL,
                    "no request is an internal error (a bug or a broken database)");
    return 0;
}
