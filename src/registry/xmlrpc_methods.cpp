// The XML-RPC methods and the processing of a request body.
#include "registry/xmlrpc_methods.hpp"

#include "common/log.hpp"
#include "common/xml_document_type.hpp"
#include "registry/peer_list_xml.hpp"

#include <openssl/rand.h>
#include <xmlrpc-c/base.hpp>
#include <xmlrpc-c/girerr.hpp>
#include <xmlrpc-c/xml.hpp>

#include <algorithm>
#include <cstdio>

namespace re6st::registry {

using xmlrpc_c::fault;

int fault_code(RequestError::Kind kind)
{
    switch (kind) {
    case RequestError::Kind::invalid: return 1;
    case RequestError::Kind::failed: return 2;
    case RequestError::Kind::refused: return fault::CODE_REQUEST_REFUSED;
    case RequestError::Kind::busy: return fault::CODE_LIMIT_EXCEEDED;
    }
    return fault::CODE_INTERNAL;
}

std::string fault_response(int code, const std::string& message)
{
    std::string xml;
    xmlrpc_c::xml::generateResponse(xmlrpc_c::rpcOutcome(fault(message, fault::code_t(code))), &xml);
    return xml;
}

namespace {

const CallContext& context_of(const xmlrpc_c::callInfo* info)
{
    auto context = dynamic_cast<const CallContext*>(info);
    if (!context)
        throw std::logic_error("call without a CallContext");
    return *context;
}

std::string string_in(const xmlrpc_c::value& value, const char* what)
{
    if (value.type() != xmlrpc_c::value::TYPE_STRING)
        throw fault(std::string(what) + " must be a string", fault::CODE_TYPE);
    return xmlrpc_c::value_string(value);
}

// Every method: its parameters are checked by xmlrpc-c's paramList (faults
// with code -501), its RequestErrors become faults the caller reads, and
// anything else is logged and hidden behind "internal error".
class Method : public xmlrpc_c::method2 {
public:
    Method(const char* name, RegistryService& service) : name_(name), service_(service) {}

    void execute(const xmlrpc_c::paramList& params, const xmlrpc_c::callInfo* info,
                 xmlrpc_c::value* result) final
    {
        auto ended = [this, info](CallOutcome outcome) {
            if (auto context = dynamic_cast<const CallContext*>(info))
                context->record(name_, outcome);
        };
        try {
            *result = call(params, context_of(info));
            ended(CallOutcome::ok);
        } catch (const RequestError& error) {
            ended(CallOutcome::fault);
            throw fault(error.what(), fault::code_t(fault_code(error.kind())));
        } catch (const fault&) {
            ended(CallOutcome::fault);
            throw;
        } catch (const std::exception& error) {
            ended(CallOutcome::error);
            log::error(name_, ": ", error.what());
            throw fault("internal error", fault::CODE_INTERNAL);
        }
    }

protected:
    virtual xmlrpc_c::value call(const xmlrpc_c::paramList& params, const CallContext& context) = 0;

    const char* name_;
    RegistryService& service_;
};

class RequestToken : public Method {
public:
    using Method::Method;
    xmlrpc_c::value call(const xmlrpc_c::paramList& params, const CallContext& context) override
    {
        params.verifyEnd(1);
        auto email = params.getString(0);
        if (!context.on_mail_pool)
            // The dispatcher did not recognise the call (an unusual spelling
            // of the method name): it must not block a general worker on SMTP.
            throw RequestError(RequestError::Kind::invalid,
                               "write the method name of requestToken plainly");
        service_.request_token(email);
        return xmlrpc_c::value_nil();
    }
};

class RequestCertificate : public Method {
public:
    using Method::Method;
    xmlrpc_c::value call(const xmlrpc_c::paramList& params, const CallContext&) override
    {
        params.verifyEnd(2);
        return xmlrpc_c::value_string(
            service_.request_certificate(params.getString(0), params.getString(1)));
    }
};

class RenewCertificate : public Method {
public:
    using Method::Method;
    xmlrpc_c::value call(const xmlrpc_c::paramList& params, const CallContext&) override
    {
        params.verifyEnd(1);
        return xmlrpc_c::value_string(service_.renew_certificate(params.getString(0)));
    }
};

class GetCa : public Method {
public:
    using Method::Method;
    xmlrpc_c::value call(const xmlrpc_c::paramList& params, const CallContext&) override
    {
        params.verifyEnd(0);
        return xmlrpc_c::value_string(service_.ca_certificate());
    }
};

class GetPrivateAddress : public Method {
public:
    using Method::Method;
    xmlrpc_c::value call(const xmlrpc_c::paramList& params, const CallContext&) override
    {
        params.verifyEnd(0);
        return xmlrpc_c::value_string(service_.private_address());
    }
};

// getNetworkConfig() or getNetworkConfig(version): the version the caller
// has, as a string, makes the answer "unchanged" when it is current.
class GetNetworkConfig : public Method {
public:
    using Method::Method;
    xmlrpc_c::value call(const xmlrpc_c::paramList& params, const CallContext&) override
    {
        params.verifyEnd(std::min<std::size_t>(params.size(), 1));
        std::optional<std::string> known;
        if (params.size() == 1)
            known = params.getString(0);
        return xmlrpc_c::value_string(service_.network_config_answer(known));
    }
};

class GetBootstrapPeer : public Method {
public:
    using Method::Method;
    xmlrpc_c::value call(const xmlrpc_c::paramList& params, const CallContext& context) override
    {
        params.verifyEnd(1);
        auto sealed = service_.bootstrap_peer(params.getString(0), context.peer_address);
        return xmlrpc_c::value_bytestring(xmlrpc_c::cbytestring(sealed.begin(), sealed.end()));
    }
};

class Declare : public Method {
public:
    using Method::Method;
    xmlrpc_c::value call(const xmlrpc_c::paramList& params, const CallContext& context) override
    {
        params.verifyEnd(1);
        auto pair = params.getArray(0, 2, 2);
        return xmlrpc_c::value_boolean(service_.declare(string_in(pair[0], "client_ip"),
                                                        string_in(pair[1], "address"),
                                                        context.peer_address));
    }
};

// reportTunnels(peers): true once stored.
class ReportTunnels : public Method {
public:
    using Method::Method;
    xmlrpc_c::value call(const xmlrpc_c::paramList& params, const CallContext& context) override
    {
        params.verifyEnd(1);
        service_.report_tunnels(params.getString(0), context.peer_address);
        return xmlrpc_c::value_boolean(true);
    }
};

// Writes its whole response itself (see peer_list_xml.hpp) and returns a
// placeholder.
class GetPeerList : public Method {
public:
    GetPeerList(const char* name, RegistryService& service, const std::string& placeholder,
                const XmlRpcProcessor::Frame& frame)
        : Method(name, service), placeholder_(placeholder), frame_(frame) {}

    xmlrpc_c::value call(const xmlrpc_c::paramList& params, const CallContext& context) override
    {
        params.verifyEnd(2);
        auto n = params.getInt(0);
        auto client_ip = params.getString(1);
        std::string xml;
        // n is checked by the service; until then it may be anything.
        xml.reserve(512 + 200 * std::size_t(std::clamp(n, 0, 999)));
        xml += frame_.head;
        xml += array_value_head();
        service_.peer_list(n, client_ip, context.peer_address,
                           [&](const Peer& peer) { xml += peer.encoded; });
        xml += array_value_tail();
        xml += frame_.tail;
        auto placeholder = placeholder_ + std::to_string(context.raw_responses.size());
        context.raw_responses.push_back(std::move(xml));
        return xmlrpc_c::value_string(placeholder);
    }

private:
    const std::string& placeholder_;
    const XmlRpcProcessor::Frame& frame_;
};

XmlRpcProcessor::Frame response_frame()
{
    std::string marker = "<value><string>VALUE</string></value>";
    std::string response;
    xmlrpc_c::xml::generateResponse(xmlrpc_c::rpcOutcome(xmlrpc_c::value_string("VALUE")),
                                    &response);
    auto at = response.find(marker);
    return {response.substr(0, at), response.substr(at + marker.size())};
}

std::string random_placeholder()
{
    unsigned char random[16];
    if (RAND_bytes(random, sizeof random) != 1)
        throw std::runtime_error("the system random number generator failed");
    std::string text = "re6st-raw-";
    for (unsigned char byte : random) {
        char hex[3];
        std::snprintf(hex, sizeof hex, "%02x", byte);
        text += hex;
    }
    return text + "-";
}

}  // namespace

XmlRpcProcessor::XmlRpcProcessor(RegistryService& service, std::size_t max_call_size)
    : placeholder_(random_placeholder()), frame_(response_frame())
{
    xmlrpc_limit_set(XMLRPC_XML_SIZE_LIMIT_ID, max_call_size);
    registry_.disableIntrospection();
    add("requestToken", new RequestToken("requestToken", service));
    add("requestCertificate", new RequestCertificate("requestCertificate", service));
    add("renewCertificate", new RenewCertificate("renewCertificate", service));
    add("getCa", new GetCa("getCa", service));
    add("getPrivateAddress", new GetPrivateAddress("getPrivateAddress", service));
    add("getBootstrapPeer", new GetBootstrapPeer("getBootstrapPeer", service));
    add("getNetworkConfig", new GetNetworkConfig("getNetworkConfig", service));
    add("declare", new Declare("declare", service));
    add("getPeerList", new GetPeerList("getPeerList", service, placeholder_, frame_));
    add("reportTunnels", new ReportTunnels("reportTunnels", service));
}

void XmlRpcProcessor::add(std::string_view name, xmlrpc_c::method2* method)
{
    xmlrpc_c::methodPtr owned(method);
    if (std::find(method_names.begin(), method_names.end(), name) == method_names.end())
        throw std::logic_error("method " + std::string(name) + " missing from method_names");
    registry_.addMethod(std::string(name), owned);
}

std::string XmlRpcProcessor::process(const std::string& body, const CallContext& context) const
{
    if (may_declare_document_type(body))
        return fault_response(fault::CODE_PARSE,
                              "document type declarations (and UTF-16) are not allowed");
    std::string response;
    try {
        registry_.processCall(body, &context, &response);
    } catch (const std::exception& error) {
        context.record({}, CallOutcome::error);
        log::error("processing a call: ", error.what());
        return fault_response(fault::CODE_INTERNAL, "internal error");
    }
    auto& raw = context.raw_responses;
    if (raw.empty())
        return response;
    auto value_of = [&](std::size_t i) {
        return "<value><string>" + placeholder_ + std::to_string(i) + "</string></value>";
    };
    // Alone, the call's response is the one its method wrote: no copy.
    if (raw.size() == 1 && response == frame_.head + value_of(0) + frame_.tail)
        return std::move(raw.front());
    // Inside system.multicall, each written value takes its placeholder's place.
    for (std::size_t i = 0; i < raw.size(); ++i) {
        auto placeholder = value_of(i);
        auto value = std::string_view(raw[i]).substr(
            frame_.head.size(), raw[i].size() - frame_.head.size() - frame_.tail.size());
        if (auto at = response.find(placeholder); at != response.npos)
            response.replace(at, placeholder.size(), value);
    }
    return response;
}

}  // namespace re6st::registry
