// The node's copy of its network's configuration (docs/re6stnet.rst,
// NETWORK CONFIGURATION): asked of the registry at start and every
// --config-refresh, checked (the CA's signature, with the openssl tool; the
// format and ranges; a version that never goes back), and kept, the last
// good answer verbatim, in the state directory, from which it is read back
// at start: a node starts with its network's configuration while the
// registry is down. An answer refused is logged once and changes nothing.
#pragma once

#include "common/network_parameters.hpp"
#include "re6stnet/openssl_tool.hpp"
#include "re6stnet/process/process_context.hpp"
#include "re6stnet/registry_client.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace re6st {

class NetworkConfigFetcher {
public:
    struct Settings {
        std::string ca;         // the CA certificate: its key signs the configuration
        std::string cache;      // the last good answer (STATE/network.conf)
        std::string work_dir;   // the files openssl reads are written here (RUN)
        std::string ca_public_key;   // PEM, if already read: else read from `ca`
    };

    NetworkConfigFetcher(const ProcessContext& context, Registry& registry, OpenSslTool openssl,
                         Settings settings);
    ~NetworkConfigFetcher();

    // At start, before the loop runs, blocking on openssl: reads the CA's
    // public key (throws std::runtime_error naming the file if it cannot),
    // then the cached configuration, which becomes current if it still
    // passes every check; logs why not otherwise.
    const std::optional<NetworkConfig>& load();

    // Asks the registry now, then every `period`; set_period() changes it
    // for the next wait.
    void start(std::chrono::milliseconds period);
    void set_period(std::chrono::milliseconds period);

    const std::optional<NetworkConfig>& current() const { return current_; }
    // Asking, or checking an answer.
    bool busy() const { return busy_; }

    // Where to ask: the registry's private URL while the overlay can reach
    // it; none: the public URL, which is asked too when the private fails.
    std::function<std::optional<Url>()> private_url;
    // The last check, the daemon's: empty when a configuration that passed
    // every other check can be used, else why not.
    std::function<std::string(const NetworkConfig&)> judge;
    // A new configuration is current (and cached).
    std::function<void(const NetworkConfig&)> changed;

private:
    void fetch();
    void ask(const std::optional<Url>& url);
    void answered(const std::string& answer);
    void verified(const std::string& answer, bool good);
    // Empty when `answer`, whose signature is good, is now current (and
    // cached if `keep`); else why it was refused.
    std::string adopt(const std::string& answer, bool keep);
    void refuse(const std::string& answer, const std::string& why);
    void failed(const std::string& error);
    void finish();
    // Writes the files openssl reads; returns the signature's and the
    // document's paths. Throws std::invalid_argument for a signature that
    // does not decode, std::runtime_error when a file cannot be written.
    std::pair<std::string, std::string> write_files(const SignedNetworkConfig& signed_config);
    void remove_files();
    template <class F>
    auto guarded(F action);

    ProcessContext context_;
    Registry& registry_;
    OpenSslTool openssl_;
    Settings settings_;
    std::string public_key_file_;
    std::unique_ptr<Timer> timer_;
    std::chrono::milliseconds period_{60000};
    std::optional<NetworkConfig> current_;
    std::string current_answer_;    // verbatim, as cached
    std::string refused_answer_;    // the last refused, not logged again
    std::string last_error_;        // the last failure to ask, not logged again
    bool said_no_method_ = false;   // logged that the registry has no such method
    bool busy_ = false;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace re6st
