// The methods through xmlrpc-c, from request XML to response XML:
// types, faults, the caller's address, and the hand-written getPeerList
// response against xmlrpc-c's own encoding.
#include "registry/xmlrpc_methods.hpp"

#include "common/rsa_cipher.hpp"
#include "service_fixture.hpp"

#include <xmlrpc-c/base.hpp>
#include <xmlrpc-c/xml.hpp>

#include <climits>
#include <set>

using namespace re6st;
using namespace re6st::registry;
using namespace re6st::test;
using xmlrpc_c::value;

namespace {

std::vector<value> strings(std::initializer_list<std::string> items)
{
    std::vector<value> values;
    for (const auto& item : items)
        values.push_back(xmlrpc_c::value_string(item));
    return values;
}

class XmlRpc : public ServiceFixture {
protected:
    std::unique_ptr<XmlRpcProcessor> processor;

    void SetUp() override
    {
        ServiceFixture::SetUp();
        processor = std::make_unique<XmlRpcProcessor>(*service, 1 << 20);
    }

    std::string call_xml(const std::string& body, const std::string& source = "192.0.2.100",
                         bool on_mail_pool = false)
    {
        return processor->process(body, CallContext(source, on_mail_pool));
    }

    std::string call(const std::string& method, const xmlrpc_c::paramList& params,
                     const std::string& source = "192.0.2.100", bool on_mail_pool = false)
    {
        std::string body;
        xmlrpc_c::xml::generateCall(method, params, &body);
        return call_xml(body, source, on_mail_pool);
    }

    static xmlrpc_c::rpcOutcome outcome(const std::string& response)
    {
        xmlrpc_c::rpcOutcome result;
        xmlrpc_c::xml::parseResponse(response, &result);
        return result;
    }

    static value result(const std::string& response)
    {
        auto parsed = outcome(response);
        EXPECT_TRUE(parsed.succeeded()) << response;
        return parsed.succeeded() ? parsed.getResult() : value(xmlrpc_c::value_nil());
    }

    static int fault_of(const std::string& response)
    {
        auto parsed = outcome(response);
        EXPECT_FALSE(parsed.succeeded()) << response;
        return parsed.succeeded() ? 0 : parsed.getFault().getCode();
    }

    Enrolled enrol_and_declare(int i)
    {
        auto node = enrol();
        auto declared = result(call("declare", xmlrpc_c::paramList().add(xmlrpc_c::value_array(
                                                   strings({node.ip, "192.0.2." + std::to_string(i)
                                                                         + ",1194,udp"}))),
                                    node.ip));
        EXPECT_EQ(declared.type(), value::TYPE_BOOLEAN);
        EXPECT_TRUE(bool(xmlrpc_c::value_boolean(declared)));
        return node;
    }
};

std::string regenerated(const value& parsed)
{
    std::string xml;
    xmlrpc_c::xml::generateResponse(xmlrpc_c::rpcOutcome(parsed), &xml);
    return xml;
}

}  // namespace

TEST_F(XmlRpc, EnrolmentThroughXml)
{
    auto ca = result(call("getCa", xmlrpc_c::paramList()));
    EXPECT_EQ(std::string(xmlrpc_c::value_string(ca)), service->ca_certificate());

    auto nil = result(call("requestToken", xmlrpc_c::paramList().add(xmlrpc_c::value_string(
                                               "node@example.org")),
                           "192.0.2.100", true));
    EXPECT_EQ(nil.type(), value::TYPE_NIL);

    auto node = make_node();
    auto cert = result(call("requestCertificate",
                            xmlrpc_c::paramList()
                                .add(xmlrpc_c::value_string(mailed_token()))
                                .add(xmlrpc_c::value_string(node.csr_pem))));
    EXPECT_EQ(Certificate::from_pem(std::string(xmlrpc_c::value_string(cert))).subject_cn(), "0/16");

    auto address = result(call("getPrivateAddress", xmlrpc_c::paramList()));
    EXPECT_EQ(std::string(xmlrpc_c::value_string(address)), "http://[2001:db8:42::1]:1234");
}

// Any caller may renew: the CSR's signature proves it holds the key of the
// certificate on record.
TEST_F(XmlRpc, RenewalThroughXml)
{
    auto node = enrol();
    auto csr = CertificateRequest::create(node.key, {{"CN", "0/16"}}).to_pem();
    auto pem = std::string(xmlrpc_c::value_string(
        result(call("renewCertificate", xmlrpc_c::paramList().add(xmlrpc_c::value_string(csr))))));
    auto renewed = Certificate::from_pem(pem);
    EXPECT_EQ(renewed.subject_cn(), "0/16");
    EXPECT_TRUE(renewed.matches_key(node.key));

    auto stranger = make_node();
    auto response = call("renewCertificate",
                         xmlrpc_c::paramList().add(xmlrpc_c::value_string(
                             CertificateRequest::create(stranger.key, {{"CN", "0/16"}}).to_pem())));
    auto refused = outcome(response);
    ASSERT_FALSE(refused.succeeded());
    EXPECT_EQ(refused.getFault().getCode(), 1);
    EXPECT_EQ(refused.getFault().getDescription(),
              "the certificate request's key is not the key of the certificate of 0/16");
}

// requestToken blocks on SMTP: off the mail pool it is refused, not run.
TEST_F(XmlRpc, RequestTokenOnlyOnTheMailPool)
{
    auto response = call("requestToken",
                         xmlrpc_c::paramList().add(xmlrpc_c::value_string("node@example.org")));
    EXPECT_EQ(fault_of(response), 1);
    EXPECT_TRUE(read_file(dir / "mbox").empty());
}

// The bytes of the hand-written response are xmlrpc-c's encoding of the
// values they hold; the values are the declared peers but the caller.
TEST_F(XmlRpc, PeerListIsXmlrpcCEncoding)
{
    std::vector<Enrolled> nodes;
    for (int i = 0; i < 6; ++i)
        nodes.push_back(enrol_and_declare(i));
    auto response = call("getPeerList",
                         xmlrpc_c::paramList().add(xmlrpc_c::value_int(200)).add(
                             xmlrpc_c::value_string(nodes[0].ip)),
                         nodes[0].ip);
    auto parsed = result(response);
    EXPECT_EQ(response, regenerated(parsed));

    std::set<std::string> prefixes;
    for (const auto& item : xmlrpc_c::value_array(parsed).vectorValueValue()) {
        auto pair = xmlrpc_c::value_array(item).vectorValueValue();
        ASSERT_EQ(pair.size(), 2u);
        prefixes.insert(xmlrpc_c::value_string(pair[0]));
        EXPECT_EQ(std::string(xmlrpc_c::value_string(pair[1])),
                  peers.find(xmlrpc_c::value_string(pair[0]))->address);
    }
    std::set<std::string> expected;
    for (std::size_t i = 1; i < nodes.size(); ++i)
        expected.insert(nodes[i].prefix);
    EXPECT_EQ(prefixes, expected);
}

// Inside system.multicall the hand-written value lands where xmlrpc-c put
// the placeholder, once per call.
TEST_F(XmlRpc, PeerListInsideMulticall)
{
    auto a = enrol_and_declare(1);
    auto b = enrol_and_declare(2);
    auto peer_list_call = [&](int n) {
        return xmlrpc_c::value_struct(std::map<std::string, value>{
            {"methodName", xmlrpc_c::value_string("getPeerList")},
            {"params", xmlrpc_c::value_array({xmlrpc_c::value_int(n), xmlrpc_c::value_string(a.ip)})}});
    };
    auto ca_call = xmlrpc_c::value_struct(std::map<std::string, value>{
        {"methodName", xmlrpc_c::value_string("getCa")},
        {"params", xmlrpc_c::value_array(std::vector<value>())}});
    auto response = call("system.multicall",
                         xmlrpc_c::paramList().add(xmlrpc_c::value_array(
                             {peer_list_call(5), ca_call, peer_list_call(1)})),
                         a.ip);
    auto parsed = result(response);
    EXPECT_EQ(response, regenerated(parsed));
    auto results = xmlrpc_c::value_array(parsed).vectorValueValue();
    ASSERT_EQ(results.size(), 3u);
    for (std::size_t i : {0u, 2u}) {
        auto list = xmlrpc_c::value_array(xmlrpc_c::value_array(results[i]).vectorValueValue().at(0))
                        .vectorValueValue();
        ASSERT_EQ(list.size(), 1u);
        EXPECT_EQ(std::string(xmlrpc_c::value_string(xmlrpc_c::value_array(list[0]).vectorValueValue()[0])),
                  b.prefix);
    }
    EXPECT_EQ(std::string(xmlrpc_c::value_string(
                  xmlrpc_c::value_array(results[1]).vectorValueValue().at(0))),
              service->ca_certificate());
}

TEST_F(XmlRpc, BootstrapPeerIsBase64)
{
    auto a = enrol_and_declare(1);
    auto b = enrol_and_declare(2);
    auto sealed = result(call("getBootstrapPeer",
                              xmlrpc_c::paramList().add(xmlrpc_c::value_string(a.prefix))));
    ASSERT_EQ(sealed.type(), value::TYPE_BYTESTRING);
    auto bytes = xmlrpc_c::value_bytestring(sealed).vectorUcharValue();
    EXPECT_EQ(rsa_decrypt(a.key, std::string(bytes.begin(), bytes.end())),
              b.prefix + " 192.0.2.2,1194,udp");
}

// The caller's address is the one the HTTP layer saw, not what it claims.
TEST_F(XmlRpc, DeclareFromAnotherAddressIsFalse)
{
    auto node = enrol();
    auto declared = result(call("declare",
                                xmlrpc_c::paramList().add(xmlrpc_c::value_array(
                                    strings({node.ip, "192.0.2.1,1194,udp"}))),
                                "2001:db8:42:1234::1"));
    EXPECT_FALSE(bool(xmlrpc_c::value_boolean(declared)));
    EXPECT_EQ(peers.size(), 0u);
}

// reportTunnels(peers): true from the node itself; from elsewhere -507, a
// bad report 1, a wrong parameter -501; only the first is stored.
TEST_F(XmlRpc, ReportTunnelsThroughXml)
{
    using xmlrpc_c::paramList;
    using xmlrpc_c::value_string;
    auto node = enrol();
    auto stored = result(call("reportTunnels", paramList().add(value_string("2/16 1/16")), node.ip));
    EXPECT_TRUE(bool(xmlrpc_c::value_boolean(stored)));
    EXPECT_EQ(fault_of(call("reportTunnels", paramList().add(value_string("3/16")))), -507);
    EXPECT_EQ(fault_of(call("reportTunnels", paramList().add(value_string("3/x")), node.ip)), 1);
    EXPECT_EQ(fault_of(call("reportTunnels", paramList().add(xmlrpc_c::value_int(3)), node.ip)),
              -501);
    EXPECT_EQ(fault_of(call("reportTunnels", paramList(), node.ip)), -501);
    auto select = peer_db.prepare("SELECT peers FROM tunnel_reports");
    EXPECT_EQ(select.query_value<std::string>(), "1/16 2/16");
}

// Malformed calls are faults with a code that says why, and change nothing.
TEST_F(XmlRpc, NetworkConfigThroughXml)
{
    using xmlrpc_c::paramList;
    using xmlrpc_c::value_string;
    auto full = result(call("getNetworkConfig", paramList()));
    ASSERT_EQ(full.type(), value::TYPE_STRING);
    std::string answer = value_string(full);
    EXPECT_EQ(answer, service->network_config_answer(std::nullopt));
    auto version = std::to_string(parse_network_config(split_signed_network_config(answer).document)
                                      .version);

    auto unchanged = result(call("getNetworkConfig", paramList().add(value_string(version))));
    EXPECT_EQ(std::string(value_string(unchanged)), "unchanged");
    auto older = result(call("getNetworkConfig", paramList().add(value_string("1"))));
    EXPECT_EQ(std::string(value_string(older)), answer);

    EXPECT_EQ(fault_of(call("getNetworkConfig", paramList().add(xmlrpc_c::value_int(1)))), -501);
    EXPECT_EQ(fault_of(call("getNetworkConfig",
                            paramList().add(value_string(version)).add(value_string(version)))),
              -501);
}

TEST_F(XmlRpc, BadCallsAreFaults)
{
    auto node = enrol_and_declare(1);
    auto before = dump(enrolment_db);
    using xmlrpc_c::paramList;
    using xmlrpc_c::value_array;
    using xmlrpc_c::value_int;
    using xmlrpc_c::value_string;
    struct Case {
        const char* what;
        std::string response;
        int code;
    };
    std::string deep = "<?xml version='1.0'?><methodCall><methodName>getCa</methodName><params><param>";
    for (int i = 0; i < 5000; ++i)
        deep += "<value><array><data>";
    // 10^9 characters from 300 bytes, if the parser expanded them.
    std::string laughs = "<?xml version='1.0'?><!DOCTYPE call [<!ENTITY a0 'aaaaaaaaaa'>";
    for (int i = 1; i < 10; ++i) {
        laughs += "<!ENTITY a" + std::to_string(i) + " '";
        for (int j = 0; j < 10; ++j)
            laughs += "&a" + std::to_string(i - 1) + ";";
        laughs += "'>";
    }
    laughs += "]><methodCall><methodName>getPrivateAddress</methodName><params><param><value>"
              "<string>&a9;</string></value></param></params></methodCall>";
    // The same in UTF-16LE, which the parser reads too: "<!DOCTYPE" is other bytes there.
    std::string laughs16 = "\xFF\xFE";
    for (char c : laughs)
        laughs16 += {c, '\0'};
    std::string huge = "<?xml version='1.0'?><methodCall><methodName>requestToken</methodName>"
                       "<params><param><value><string>"
                       + std::string(1 << 20, 'a') + "</string></value></param></params></methodCall>";
    for (const auto& [what, response, code] : {
             Case{"malformed XML", call_xml("<methodCall><methodName>getCa"), -503},
             Case{"not XML-RPC", call_xml("<?xml version='1.0'?><html/>"), -503},
             Case{"empty body", call_xml(""), -503},
             Case{"too deep", call_xml(deep), -503},
             Case{"entity expansion", call_xml(laughs), -503},
             Case{"entity expansion in UTF-16", call_xml(laughs16), -503},
             Case{"too large", call_xml(huge), -503},
             Case{"unknown method", call("getEverything", paramList()), -506},
             Case{"introspection", call("system.listMethods", paramList()), -508},
             Case{"getCa with a parameter", call("getCa", paramList().add(value_int(1))), -501},
             Case{"n is a string", call("getPeerList", paramList().add(value_string("5")).add(value_string(node.ip)), node.ip), -501},
             Case{"n missing", call("getPeerList", paramList().add(value_string(node.ip)), node.ip), -501},
             Case{"n out of range", call("getPeerList", paramList().add(value_int(1000)).add(value_string(node.ip)), node.ip), 1},
             Case{"n huge", call("getPeerList", paramList().add(value_int(INT_MAX)).add(value_string(node.ip)), node.ip), 1},
             Case{"getPeerList from elsewhere", call("getPeerList", paramList().add(value_int(5)).add(value_string(node.ip))), -507},
             Case{"declare with two parameters", call("declare", paramList().add(value_string(node.ip)).add(value_string("x")), node.ip), -501},
             Case{"declare with one string", call("declare", paramList().add(value_array(strings({node.ip}))), node.ip), -501},
             Case{"declare with integers", call("declare", paramList().add(value_array({value_int(1), value_int(2)})), node.ip), -501},
             Case{"declare with a bad address", call("declare", paramList().add(value_array(strings({node.ip, "x"}))), node.ip), 1},
             Case{"requestCertificate with a bad CSR", call("requestCertificate", paramList().add(value_string("aaaaaaaaaaaaaaaa")).add(value_string("x"))), 1},
             Case{"requestCertificate with an integer", call("requestCertificate", paramList().add(value_int(1)).add(value_string("x"))), -501},
             Case{"renewCertificate with a bad CSR", call("renewCertificate", paramList().add(value_string("x"))), 1},
             Case{"renewCertificate without a CSR", call("renewCertificate", paramList()), -501},
             Case{"renewCertificate with an integer", call("renewCertificate", paramList().add(value_int(1))), -501},
             Case{"requestToken with a bad address", call("requestToken", paramList().add(value_string("x")), "192.0.2.1", true), 1},
             Case{"getBootstrapPeer for a stranger", call("getBootstrapPeer", paramList().add(value_string("1111"))), 1},
         })
        EXPECT_EQ(fault_of(response), code) << what << "\n" << response.substr(0, 600);
    EXPECT_EQ(dump(enrolment_db), before);
    EXPECT_EQ(peers.size(), 1u);
}

// Each method says how it ended, for the metrics: several inside
// system.multicall, none for an unknown method.
TEST_F(XmlRpc, CallsSayHowTheyEnded)
{
    using xmlrpc_c::paramList;
    using Ran = std::vector<std::pair<std::string_view, CallOutcome>>;
    auto ran = [&](const std::string& method, const paramList& params) {
        std::string body;
        xmlrpc_c::xml::generateCall(method, params, &body);
        CallContext context("192.0.2.100", false);
        processor->process(body, context);
        Ran result;
        for (const auto& one : context.ran)
            result.emplace_back(one.method, one.outcome);
        return std::pair(result, context.outcome());
    };
    EXPECT_EQ(ran("getCa", paramList()),
              std::pair(Ran{{"getCa", CallOutcome::ok}}, CallOutcome::ok));
    EXPECT_EQ(ran("getCa", paramList().add(xmlrpc_c::value_int(1))),
              std::pair(Ran{{"getCa", CallOutcome::fault}}, CallOutcome::fault));
    EXPECT_EQ(ran("getEverything", paramList()), std::pair(Ran{}, CallOutcome::fault));

    auto call = [](const char* method, std::vector<value> params) {
        return xmlrpc_c::value_struct(std::map<std::string, value>{
            {"methodName", xmlrpc_c::value_string(method)},
            {"params", xmlrpc_c::value_array(params)}});
    };
    EXPECT_EQ(ran("system.multicall",
                  paramList().add(xmlrpc_c::value_array(
                      {call("getCa", {}), call("getCa", {xmlrpc_c::value_int(1)})}))),
              std::pair(Ran{{"getCa", CallOutcome::ok}, {"getCa", CallOutcome::fault}},
                        CallOutcome::fault));

    // A database that fails under the method: the registry's own error.
    enrolment_db.exec("DROP TABLE tokens");
    EXPECT_EQ(ran("requestCertificate",
                  paramList().add(xmlrpc_c::value_string("aaaaaaaaaaaaaaaa"))
                      .add(xmlrpc_c::value_string(make_node().csr_pem))),
              std::pair(Ran{{"requestCertificate", CallOutcome::error}}, CallOutcome::error));
}

TEST(FaultResponse, CarriesCodeAndMessage)
{
    xmlrpc_c::rpcOutcome parsed;
    xmlrpc_c::xml::parseResponse(fault_response(-509, "too many <things>"), &parsed);
    ASSERT_FALSE(parsed.succeeded());
    EXPECT_EQ(parsed.getFault().getCode(), -509);
    EXPECT_EQ(parsed.getFault().getDescription(), "too many <things>");
}
