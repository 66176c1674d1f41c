// Keeps the node's certificate and CA certificate current, without a
// restart (docs/re6stnet.rst, CERTIFICATES): renews the certificate through
// the registry when its schedule says, and takes the registry's CA
// certificate when it is a later copy of ours (same key, subject and
// serial), checking it at every renewal and once a day. Every file is
// checked with the openssl tool before it replaces the one in use,
// atomically; the daemon is then told, so that it replaces the OpenVPN
// processes still holding the old one.
#pragma once

#include "re6stnet/certificate_schedule.hpp"
#include "re6stnet/openssl_tool.hpp"
#include "re6stnet/process/process_context.hpp"
#include "re6stnet/registry_client.hpp"

#include <functional>
#include <memory>
#include <string>

namespace re6st {

class CertificateRenewer {
public:
    struct Files {
        std::string ca, cert, key;
    };
    using WallClock = std::function<WallTime()>;
    // `error` is empty on success; `refused` when the registry refused.
    using Renewed = std::function<void(const std::string& error, bool refused)>;

    // How often the CA certificate is checked between renewals.
    static constexpr std::chrono::hours ca_check_period{24};
    // How long before it expires the CA certificate is warned about.
    static constexpr std::chrono::days ca_warning{30};

    CertificateRenewer(const ProcessContext& context, Registry& registry, OpenSslTool openssl,
                       Files files, CertificateDates certificate, CertificateDates ca,
                       WallClock wall = std::chrono::system_clock::now);
    ~CertificateRenewer();

    // Schedules the renewals and the CA checks; warns now if the CA
    // certificate expires soon.
    void start();
    // One attempt now, outside the schedule (a node that starts with an
    // expired certificate); `done` when it is over.
    void renew_now(Renewed done);

    // A file changed: the certificate (renewed) or the CA certificate;
    // `deadline` is when the one it replaced expires.
    std::function<void(WallTime deadline)> changed;

    const CertificateDates& certificate_dates() const { return certificate_; }
    const CertificateDates& ca_dates() const { return ca_; }
    unsigned renewals() const { return renewals_; }

private:
    void schedule(WallTime at);
    void attempt(Renewed done);
    void request_made(const CommandResult& result, Renewed done);
    void answered(const std::optional<std::string>& pem, const std::string& error, bool refused,
                  Renewed done);
    void failed(const std::string& why);
    // Empty when `pem` was checked and installed, else why not.
    std::string install_certificate(const std::string& pem);
    void check_ca();
    void install_ca(const std::string& pem);
    void warn_if_ca_expires();
    // Runs `action` only while this object lives.
    template <class F>
    auto guarded(F action);

    ProcessContext context_;
    Registry& registry_;
    OpenSslTool openssl_;
    Files files_;
    CertificateDates certificate_, ca_;
    WallClock wall_;
    std::unique_ptr<Timer> renewal_timer_, ca_timer_;
    unsigned failures_ = 0, renewals_ = 0;
    bool in_flight_ = false;
    std::string ignored_ca_;   // the last CA certificate refused, warned about once
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace re6st
