// The one XML construct neither end of an XML-RPC exchange accepts: a
// document type declaration. xmlrpc-c's parser (an old expat) expands the
// internal entities it declares without any limit, so a few hundred bytes of
// nested entities ("billion laughs") make gigabytes. XML-RPC has no use for
// one.
#pragma once

#include <string_view>

namespace re6st {

// True when `xml` has a document type declaration, or may have one that a
// byte search does not see: the parser also reads UTF-16, where every ASCII
// character carries a NUL byte. (UTF-8, ASCII and Latin-1, the other
// encodings it reads, spell "<!DOCTYPE" alike; XML has no NUL character.)
bool may_declare_document_type(std::string_view xml);

}  // namespace re6st
