// Fetching, checking and keeping the network's configuration.
#include "re6stnet/network_config_fetcher.hpp"

#include "common/atomic_file.hpp"
#include "common/log.hpp"
#include "re6stnet/process/command.hpp"

#include <xmlrpc-c/base64.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace re6st {

namespace {

using namespace std::chrono_literals;

constexpr auto verify_timeout = 10s;   // openssl checking a signature

void write_file(const std::string& path, std::string_view data)
{
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file.write(data.data(), std::streamsize(data.size()));
    if (!file.flush())
        throw std::runtime_error("cannot write " + path);
}

std::string first_line(const std::string& text)
{
    return text.substr(0, text.find('\n'));
}

std::string seconds(std::chrono::milliseconds duration)
{
    return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(duration).count())
        + " s";
}

}  // namespace

template <class F>
auto NetworkConfigFetcher::guarded(F action)
{
    return [alive = std::weak_ptr<bool>(alive_), action = std::move(action)](auto&&... args) {
        if (alive.lock())
            action(std::forward<decltype(args)>(args)...);
    };
}

NetworkConfigFetcher::NetworkConfigFetcher(const ProcessContext& context, Registry& registry,
                                           OpenSslTool openssl, Settings settings)
    : context_(context), registry_(registry), openssl_(std::move(openssl)),
      settings_(std::move(settings)), timer_(context.clock.make_timer())
{
}

NetworkConfigFetcher::~NetworkConfigFetcher()
{
    remove_files();
    if (!public_key_file_.empty())
        std::filesystem::remove(public_key_file_);
}

const std::optional<NetworkConfig>& NetworkConfigFetcher::load()
{
    public_key_file_ = settings_.work_dir + "/network-ca.pub";
    write_file(public_key_file_, settings_.ca_public_key.empty()
                                     ? openssl_.public_key(settings_.ca)
                                     : settings_.ca_public_key);
    std::ifstream file(settings_.cache, std::ios::binary);
    if (!file) {
        log::debug("no network configuration kept in ", settings_.cache);
        return current_;
    }
    std::ostringstream text;
    text << file.rdbuf();
    std::string answer = text.str(), why;
    try {
        auto [signature, document] = write_files(split_signed_network_config(answer));
        bool good = openssl_.verify_signature(public_key_file_, signature, document);
        remove_files();
        why = good ? adopt(answer, false) : "its signature is not the CA's";
    } catch (const std::exception& error) {
        remove_files();
        why = error.what();
    }
    if (why.empty())
        log::info("network configuration version ", current_->version, " read from ",
                  settings_.cache);
    else
        log::warning("the network configuration kept in ", settings_.cache, " is ignored: ", why);
    return current_;
}

void NetworkConfigFetcher::start(std::chrono::milliseconds period)
{
    period_ = period;
    fetch();
}

void NetworkConfigFetcher::set_period(std::chrono::milliseconds period)
{
    period_ = period;
    if (!busy_)
        context_.clock.wait_for(*timer_, period_, [this] { fetch(); });
}

void NetworkConfigFetcher::fetch()
{
    if (busy_)
        return;
    busy_ = true;
    ask(private_url ? private_url() : std::nullopt);
}

void NetworkConfigFetcher::ask(const std::optional<Url>& url)
{
    std::optional<std::int64_t> version;
    if (current_)
        version = current_->version;
    registry_.network_config(url, version, guarded([this, url](std::optional<std::string> answer,
                                                                const std::string& error,
                                                                bool no_method) {
        if (answer) {
            answered(*answer);
        } else if (no_method) {
            if (!said_no_method_)
                log::warning("the registry gives no network configuration: ",
                             current_ ? "keeping version " + std::to_string(current_->version)
                                      : std::string("using the options and the defaults"));
            said_no_method_ = true;
            finish();
        } else if (url) {
            log::debug("registry: getNetworkConfig: ", error, "; asking the public URL");
            ask(std::nullopt);
        } else {
            failed(error);
        }
    }));
}

void NetworkConfigFetcher::answered(const std::string& answer)
{
    said_no_method_ = false;
    last_error_.clear();
    if (answer == network_config_unchanged || answer == current_answer_) {
        log::debug("the network configuration is unchanged");
        finish();
        return;
    }
    if (answer == refused_answer_) {
        log::debug("the registry still sends the network configuration refused before");
        finish();
        return;
    }
    std::pair<std::string, std::string> files;
    try {
        files = write_files(split_signed_network_config(answer));
    } catch (const std::invalid_argument& error) {
        refuse(answer, error.what());
        finish();
        return;
    } catch (const std::exception& error) {
        failed(error.what());
        return;
    }
    auto [signature, document] = files;
    run_command_async(context_, openssl_.verify_signature_command(public_key_file_, signature,
                                                                  document),
                      "", verify_timeout, guarded([this, answer](CommandResult result) {
                          remove_files();
                          if (!OpenSslTool::signature_verified(result))
                              refuse(answer, "its signature is not the CA's (openssl: "
                                                 + first_line(result.output) + ")");
                          else if (auto why = adopt(answer, true); !why.empty())
                              refuse(answer, why);
                          finish();
                      }));
}

std::string NetworkConfigFetcher::adopt(const std::string& answer, bool keep)
{
    NetworkConfig config;
    std::vector<std::string> unknown;
    try {
        config = parse_network_config(split_signed_network_config(answer).document, &unknown);
    } catch (const std::invalid_argument& error) {
        return error.what();
    }
    auto version = std::to_string(config.version);
    if (current_ && config.version < current_->version)
        return "version " + version + " is older than ours, "
            + std::to_string(current_->version);
    if (current_ && config.version == current_->version)
        return "version " + version + " is ours, with other contents";
    if (judge)
        if (auto why = judge(config); !why.empty())
            return why;
    std::string names;
    for (const auto& name : unknown)
        names += (names.empty() ? "" : ", ") + name;
    if (!names.empty())
        log::info("network configuration version ", version,
                  ": parameters this node does not know are ignored: ", names);
    if (keep) {
        try {
            write_file_atomically(settings_.cache, answer, 0644);
        } catch (const FileError& error) {
            log::warning("cannot keep the network configuration: ", error.what());
        }
    }
    current_ = config;
    current_answer_ = answer;
    refused_answer_.clear();
    if (changed)
        changed(config);
    return "";
}

void NetworkConfigFetcher::refuse(const std::string& answer, const std::string& why)
{
    if (answer == refused_answer_)
        return;
    refused_answer_ = answer;
    log::warning("the registry's network configuration is refused: ", why, "; ",
                 current_ ? "keeping version " + std::to_string(current_->version)
                          : std::string("using the options and the defaults"));
}

void NetworkConfigFetcher::failed(const std::string& error)
{
    if (error != last_error_)
        log::warning("registry: getNetworkConfig: ", error, "; asking again in ",
                     seconds(period_));
    else
        log::debug("registry: getNetworkConfig: ", error);
    last_error_ = error;
    finish();
}

void NetworkConfigFetcher::finish()
{
    busy_ = false;
    context_.clock.wait_for(*timer_, period_, [this] { fetch(); });
}

std::pair<std::string, std::string> NetworkConfigFetcher::write_files(
    const SignedNetworkConfig& signed_config)
{
    std::vector<unsigned char> bytes;
    try {
        bytes = xmlrpc_c::bytesFromBase64(signed_config.signature_base64);
    } catch (const std::exception& error) {
        throw std::invalid_argument(std::string("the signature is not base64: ") + error.what());
    }
    std::pair<std::string, std::string> paths{settings_.work_dir + "/network-config.sig",
                                              settings_.work_dir + "/network-config.txt"};
    write_file(paths.first, {reinterpret_cast<const char*>(bytes.data()), bytes.size()});
    write_file(paths.second, signed_config.document);
    return paths;
}

void NetworkConfigFetcher::remove_files()
{
    std::error_code ignored;
    std::filesystem::remove(settings_.work_dir + "/network-config.sig", ignored);
    std::filesystem::remove(settings_.work_dir + "/network-config.txt", ignored);
}

}  // namespace re6st
