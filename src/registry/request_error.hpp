// A request the registry will not serve, for a reason the caller should read:
// it becomes an XML-RPC fault with this message and the kind's fault code.
#pragma once

#include <stdexcept>
#include <string>

namespace re6st::registry {

class RequestError : public std::runtime_error {
public:
    enum class Kind {
        invalid,       // the request itself is wrong (a parameter's value)
        failed,        // well formed, but cannot be served now (no mail, no peer, no prefix)
        refused,       // the caller is not allowed (source address)
        busy,          // too many requests of this kind pending
    };

    RequestError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
    Kind kind() const { return kind_; }

private:
    Kind kind_;
};

}  // namespace re6st::registry
