// A node's status as one JSON document, what the control socket answers and
// `re6stnet --status --json` prints; its shape is in docs/metrics.rst.
// Instants are RFC 3339 strings in UTC ("2026-12-07T06:58:55Z"); what is
// unknown is null.
#pragma once

#include "re6stnet/node_status.hpp"

#include <stdexcept>
#include <string>
#include <string_view>

namespace re6st {

class StatusFormatError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// One line, without a final newline.
std::string status_json(const NodeStatus& status);

// Reads back what status_json wrote. Throws StatusFormatError, saying what
// is wrong, for text that is not such a document.
NodeStatus parse_status_json(std::string_view text);

}  // namespace re6st
