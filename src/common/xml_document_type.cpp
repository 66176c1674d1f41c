// Screening of untrusted XML before xmlrpc-c parses it.
#include "common/xml_document_type.hpp"

namespace re6st {

bool may_declare_document_type(std::string_view xml)
{
    return xml.find("<!DOCTYPE") != xml.npos || xml.find('\0') != xml.npos;
}

}  // namespace re6st
