// Reporting the node's tunnels to the registry.
#include "re6stnet/tunnel_reporter.hpp"

#include "common/log.hpp"

namespace re6st {

std::string tunnel_report_text(const std::set<std::string>& peers)
{
    std::string text;
    for (const auto& cn : peers) {
        if (!text.empty())
            text += ' ';
        text += cn;
    }
    return text;
}

TunnelReporter::TunnelReporter(Registry& registry, Settings settings)
    : registry_(registry), settings_(settings)
{
}

void TunnelReporter::run(Clock::time_point now, const std::set<std::string>& peers,
                         const std::optional<Url>& private_url)
{
    if (busy_ || abandoned_ || !private_url)
        return;
    if (last_call_ && now - *last_call_ < settings_.period)
        return;
    auto text = tunnel_report_text(peers);
    bool changed = text != reported_;
    if (!changed && now - *reported_at_ < settings_.refresh)
        return;
    busy_ = true;
    last_call_ = now;
    registry_.report_tunnels(*private_url, text,
                             [this, text, now](bool ok, const std::string& error, bool no_method) {
                                 busy_ = false;
                                 if (ok) {
                                     reported_ = text;
                                     reported_at_ = now;
                                     log::debug("reported tunnels to the registry: \"", text, "\"");
                                 } else if (no_method) {
                                     abandoned_ = true;
                                     log::info("the registry does not take tunnel reports (",
                                               error, "): not reporting them");
                                 } else {
                                     log::warning("cannot report tunnels to the registry: ", error);
                                 }
                             });
}

}  // namespace re6st
