// The getPeerList value written directly.
#include "registry/peer_list_xml.hpp"

#include <stdexcept>

namespace re6st::registry {

namespace {

// xmlrpc-c escapes exactly these three in <string> values.
void append_escaped(std::string& out, std::string_view text)
{
    for (char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n')
                throw std::invalid_argument("control character in an XML-RPC string");
            out += c;
        }
    }
}

void append_string_value(std::string& out, std::string_view text)
{
    out += "<value><string>";
    append_escaped(out, text);
    out += "</string></value>\r\n";
}

}  // namespace

std::string encode_peer_element(std::string_view prefix, std::string_view address)
{
    std::string out;
    out.reserve(100 + prefix.size() + address.size());
    out += "<value><array><data>\r\n";
    append_string_value(out, prefix);
    append_string_value(out, address);
    out += "</data></array></value>\r\n";
    return out;
}

std::string_view array_value_head()
{
    return "<value><array><data>\r\n";
}

std::string_view array_value_tail()
{
    return "</data></array></value>";
}

}  // namespace re6st::registry
