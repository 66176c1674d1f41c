// The screening of untrusted XML, and the parser behaviour that makes it
// necessary: xmlrpc-c expands entities, in UTF-16 as well as in UTF-8.
#include "common/xml_document_type.hpp"

#include <gtest/gtest.h>
#include <xmlrpc-c/base.hpp>
#include <xmlrpc-c/xml.hpp>

using namespace re6st;

namespace {

// UTF-16, little- or big-endian, of ASCII text, with a byte order mark.
std::string utf16(const std::string& ascii, bool big_endian = false)
{
    std::string text = big_endian ? "\xFE\xFF" : "\xFF\xFE";
    for (char c : ascii)
        text += big_endian ? std::string{'\0', c} : std::string{c, '\0'};
    return text;
}

// A response whose string is entity a<depth>: 10^(depth+1) characters.
std::string laughs(int depth, const std::string& encoding = "UTF-8")
{
    std::string xml = "<?xml version='1.0' encoding='" + encoding
                      + "'?><!DOCTYPE r [<!ENTITY a0 'aaaaaaaaaa'>";
    for (int i = 1; i <= depth; ++i) {
        xml += "<!ENTITY a" + std::to_string(i) + " '";
        for (int j = 0; j < 10; ++j)
            xml += "&a" + std::to_string(i - 1) + ";";
        xml += "'>";
    }
    return xml + "]><methodResponse><params><param><value><string>&a" + std::to_string(depth)
           + ";</string></value></param></params></methodResponse>";
}

const std::string plain = "<?xml version='1.0'?><methodResponse><params><param><value>"
                          "<string>&lt;!DOCTYPE is only text here</string></value>"
                          "</param></params></methodResponse>";

}  // namespace

TEST(XmlDocumentType, RefusedWhereverTheParserWouldReadOne)
{
    struct Case {
        const char* what;
        std::string xml;
        bool refused;
    };
    const Case cases[] = {
        {"an ordinary response, \"<!DOCTYPE\" escaped in a string", plain, false},
        {"Latin-1 bytes", "<?xml version='1.0' encoding='ISO-8859-1'?><methodResponse>"
                          "<params><param><value><string>caf\xE9</string></value></param>"
                          "</params></methodResponse>", false},
        {"empty", "", false},
        {"billion laughs", laughs(9), true},
        {"a declaration without entities", "<?xml version='1.0'?>\n<!DOCTYPE\tmethodResponse>"
                                           "<methodResponse/>", true},
        {"billion laughs in UTF-16LE", utf16(laughs(9, "UTF-16")), true},
        {"billion laughs in UTF-16BE", utf16(laughs(9, "UTF-16"), true), true},
        {"UTF-16 without a declaration", utf16(plain), true},
    };
    for (const auto& [what, xml, refused] : cases)
        EXPECT_EQ(may_declare_document_type(xml), refused) << what;
}

// Why UTF-16 is refused outright: the parser reads it and expands its
// entities, and there "<!DOCTYPE" is not those bytes.
TEST(XmlDocumentType, ParserExpandsEntitiesInUtf16Too)
{
    for (const auto& xml : {laughs(2), utf16(laughs(2, "UTF-16")), utf16(laughs(2, "UTF-16"), true)}) {
        xmlrpc_c::rpcOutcome outcome;
        xmlrpc_c::xml::parseResponse(xml, &outcome);
        ASSERT_TRUE(outcome.succeeded());
        EXPECT_EQ(std::string(xmlrpc_c::value_string(outcome.getResult())), std::string(1000, 'a'));
    }
}
