// Enrolment: the registry calls, the checks of what it returns, the writes.
#include "conf/enrolment.hpp"

#include "common/atomic_file.hpp"
#include "common/certificate.hpp"
#include "common/certificate_request.hpp"
#include "common/created_directories.hpp"
#include "common/crypto_error.hpp"
#include "common/dh_params.hpp"
#include "common/prefix.hpp"
#include "common/private_key.hpp"
#include "common/xmlrpc_client.hpp"
#include "conf/fingerprint.hpp"
#include "conf/node_files.hpp"

#include <xmlrpc-c/base.hpp>

#include <ctime>
#include <istream>
#include <memory>
#include <optional>
#include <ostream>

namespace re6st::conf {

namespace fs = std::filesystem;

namespace {

// The registry refuses keys under RSA-2048 (docs/security.rst).
constexpr int min_key_bits = 2048;

// The three registry methods re6st-conf needs, each failure worded for the
// step it interrupts.
class Registry {
public:
    explicit Registry(const Url& url) : url_(url) {}

    std::string get_ca() { return string_result("getCa", {}, "sending its CA"); }

    void request_token(const std::string& email)
    {
        xmlrpc_c::paramList params;
        params.add(xmlrpc_c::value_string(email));
        call("requestToken", params, "a token for " + email);
    }

    std::string request_certificate(const std::string& token, const std::string& csr)
    {
        xmlrpc_c::paramList params;
        params.add(xmlrpc_c::value_string(token));
        params.add(xmlrpc_c::value_string(csr));
        return string_result("requestCertificate", params, "the token or the certificate request");
    }

private:
    xmlrpc_c::value call(const std::string& method, const xmlrpc_c::paramList& params,
                         const std::string& refused)
    {
        try {
            return call_blocking(url_, method, params);
        } catch (const RpcError& error) {
            switch (error.kind()) {
            case RpcError::Kind::fault:
                throw EnrolmentError("the registry refused " + refused + ": " + error.what());
            case RpcError::Kind::transport:
            case RpcError::Kind::timeout:
                throw EnrolmentError(std::string("registry unreachable: ") + error.what());
            default:
                throw EnrolmentError(std::string("unexpected answer from the registry: ")
                                     + error.what());
            }
        }
    }

    std::string string_result(const std::string& method, const xmlrpc_c::paramList& params,
                              const std::string& refused)
    {
        auto result = call(method, params, refused);
        if (result.type() != xmlrpc_c::value::TYPE_STRING)
            throw EnrolmentError("unexpected answer from the registry: " + url_.to_string() + ": "
                                 + method + " returned no string");
        return xmlrpc_c::value_string(result);
    }

    Url url_;
};

std::string read_answer(std::istream& in, std::ostream& out, const std::string& prompt,
                        const std::string& what)
{
    out << prompt << std::flush;
    std::string line;
    std::getline(in, line);
    auto first = line.find_first_not_of(" \t\r");
    auto last = line.find_last_not_of(" \t\r");
    if (first == line.npos)
        throw EnrolmentError("no " + what + " given" + (in ? "" : " (end of input)"));
    return line.substr(first, last - first + 1);
}

PrivateKey existing_or_new_key(const NodeFiles& files, std::ostream& out)
{
    if (!fs::exists(files.key())) {
        out << "Generating a new RSA-" << min_key_bits << " key\n";
        return PrivateKey::generate_rsa(min_key_bits);
    }
    auto key = PrivateKey::load(files.key().string());
    if (!key.is_rsa() || key.bits() < min_key_bits)
        throw EnrolmentError(files.key().string() + " is not an RSA key of at least "
                             + std::to_string(min_key_bits)
                             + " bits: remove it to have a new one generated");
    out << "Reusing the key in " << files.key().string() << "\n";
    return key;
}

// The CA as sent by the registry, and the network its serial encodes. It
// came over plain HTTP: with --fingerprint, anything but that very
// certificate is refused before the registry is called again; without, its
// fingerprint is printed for the operator to check.
std::pair<Certificate, Network> check_ca(const std::string& pem, const ConfOptions& options,
                                         std::ostream& out)
{
    auto unusable = [&](const std::exception& error) {
        std::string message = "the CA certificate from ";
        message += options.registry.to_string();
        message += " is not usable: ";
        message += error.what();
        return EnrolmentError(message);
    };
    auto ca = [&] {
        try {
            return Certificate::from_pem(pem);
        } catch (const std::exception& error) {
            throw unusable(error);
        }
    }();
    const auto& pin = options.fingerprint;
    Fingerprint actual{pin ? pin->digest : "sha256", ""};
    actual.value = ca.fingerprint(actual.digest);
    if (pin && actual != *pin) {
        std::string message = "the registry's CA certificate has fingerprint ";
        message += actual.to_string();
        message += " but --fingerprint is ";
        message += pin->to_string();
        message += ": refusing it";
        throw EnrolmentError(message);
    }
    auto network = [&] {
        try {
            return Network::from_ca_serial(ca.serial());
        } catch (const std::exception& error) {
            throw unusable(error);
        }
    }();
    out << "The registry's CA certificate, of network " << network.prefix().to_string()
        << ", has fingerprint " << actual.to_string()
        << (pin ? ", as --fingerprint says\n" : " (unchecked: no --fingerprint given)\n");
    return {ca, network};
}

// The certificate must be for our key, signed by the CA, and name a node
// prefix inside the network; returns that prefix's bits.
std::string check_certificate(const Certificate& certificate, const PrivateKey& key,
                              const Certificate& ca, const Network& network)
{
    if (!certificate.matches_key(key))
        throw EnrolmentError("the certificate from the registry is not for our key");
    if (auto reason = verify_certificate(certificate, ca); !reason.empty())
        throw EnrolmentError("the certificate from the registry does not verify against its CA: "
                             + reason);
    try {
        auto bits = bits_from_cn(certificate.subject_cn());
        network.node_subnet(bits);   // throws when it does not fit the network
        return bits;
    } catch (const std::exception& error) {
        throw EnrolmentError("the certificate from the registry names no node of network "
                             + network.prefix().to_string() + ": " + error.what());
    }
}

// Fails now, before a token is requested or spent, when the directory
// cannot be made or written. The directories and the temporary files are
// only made for good once all is known: a run interrupted at a prompt
// (Ctrl-C) leaves nothing behind.
void check_writable(const NodeFiles& files)
{
    CreatedDirectories directories(files.directory);
    AtomicFile probe(files.ca(), 0644);
}

// An existing certificate is replaced only with --force. An expired one is
// what a node has once the registry no longer renews it: the message says
// how to enrol it again.
[[noreturn]] void refuse_existing_certificate(const NodeFiles& files)
{
    std::optional<std::time_t> expiry;
    try {
        expiry = Certificate::load(files.cert().string()).not_after();
    } catch (const std::exception&) {
        // Not a certificate: it is replaced all the same.
    }
    auto message = files.cert().string();
    if (expiry && *expiry < std::time(nullptr)) {
        std::tm utc;
        gmtime_r(&*expiry, &utc);
        char date[32];
        std::strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC", &utc);
        message += " expired on ";
        message += date;
        message += ": re6st-conf --force enrols this node again, with the same key";
    } else {
        message += " exists: re6st-conf --force replaces it";
    }
    throw EnrolmentError(message);
}

void fetch_ca_only(const ConfOptions& options, const NodeFiles& files, std::ostream& out)
{
    check_writable(files);
    Registry registry(options.registry);
    auto [ca, network] = check_ca(registry.get_ca(), options, out);
    CreatedDirectories directories(files.directory);
    write_file_atomically(files.ca(), ca.to_pem(), 0644);
    directories.keep();
    out << "Wrote " << files.ca().string() << ", the CA of network " << network.prefix().to_string()
        << "\n";
}

}  // namespace

void enrol(const ConfOptions& options, std::istream& in, std::ostream& out)
{
    try {
        NodeFiles files(options.directory);
        if (options.ca_only)
            return fetch_ca_only(options, files, out);

        auto option_file = daemon_option_file(options.registry, files);
        if (fs::exists(files.cert()) && !options.force)
            refuse_existing_certificate(files);

        check_writable(files);
        Registry registry(options.registry);
        auto [ca, network] = check_ca(registry.get_ca(), options, out);

        auto key = existing_or_new_key(files, out);
        std::string csr;
        try {
            csr = CertificateRequest::create(key, options.subject).to_pem();
        } catch (const CryptoError& error) {
            throw EnrolmentError(std::string("cannot make the certificate request: ")
                                 + error.what());
        }

        auto token = options.token;
        if (!token) {
            auto email = options.email;
            if (!email)
                email = read_answer(in, out, "E-mail address: ", "e-mail address");
            registry.request_token(*email);
            out << "A token was sent to " << *email << "\n";
            token = read_answer(in, out, "Token: ", "token");
        }

        auto certificate_pem = registry.request_certificate(*token, csr);
        auto certificate = [&] {
            try {
                return Certificate::from_pem(certificate_pem);
            } catch (const CryptoError& error) {
                throw EnrolmentError(std::string("the registry sent no usable certificate: ")
                                     + error.what());
            }
        }();
        auto bits = check_certificate(certificate, key, ca, network);

        // All written before any is renamed, so that a failure leaves none.
        // Key first: after a crash between two renames the next run finds
        // the key and reuses it.
        CreatedDirectories directories(files.directory);
        std::vector<std::unique_ptr<AtomicFile>> writes;
        auto write = [&](const fs::path& path, mode_t mode, const std::string& content) {
            writes.push_back(std::make_unique<AtomicFile>(path, mode));
            writes.back()->write(content);
        };
        if (!fs::exists(files.key()))
            write(files.key(), 0600, key.to_pem());
        write(files.cert(), 0644, certificate.to_pem());
        write(files.ca(), 0644, ca.to_pem());
        if (!fs::exists(files.dh()))
            write(files.dh(), 0644, ffdhe2048_pem());
        write(files.option_file(), 0644, option_file);
        for (auto& file : writes)
            file->commit();
        directories.keep();

        out << "This node is " << network.node_address(bits).to_string() << " in network "
            << network.prefix().to_string() << ".\n"
            << (files.option_file() == "/etc/re6stnet/re6stnet.conf"
                    ? "Start it with: systemctl start re6stnet (or re6stnet @"
                          + files.option_file().string() + ")\n"
                    : "Start it with: re6stnet @" + files.option_file().string() + "\n");
    } catch (const FileError& error) {
        throw EnrolmentError(error.what());
    } catch (const CryptoError& error) {
        throw EnrolmentError(error.what());
    } catch (const fs::filesystem_error& error) {
        throw EnrolmentError(error.what());
    }
}

}  // namespace re6st::conf
