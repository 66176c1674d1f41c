// The openssl command-line tool.
#include "re6stnet/openssl_tool.hpp"

#include "common/prefix.hpp"

#include <ctime>
#include <optional>
#include <sstream>
#include <stdexcept>

namespace re6st {

OpenSslTool::OpenSslTool(CommandRunner run, std::string program)
    : run_(std::move(run)), program_(std::move(program))
{
}

std::string OpenSslTool::output_of(const std::vector<std::string>& arguments,
                                   const std::string& file) const
{
    std::vector<std::string> argv{program_};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    auto result = run_(argv);
    if (result.status != 0) {
        auto first_line = result.output.substr(0, result.output.find('\n'));
        throw std::runtime_error(file + ": " + (first_line.empty() ? "openssl failed" : first_line));
    }
    return result.output;
}

// "serial=0120010DB80042"
std::vector<std::uint8_t> OpenSslTool::serial(const std::string& certificate) const
{
    auto text = output_of({"x509", "-in", certificate, "-noout", "-serial"}, certificate);
    if (text.rfind("serial=", 0) == 0) {
        try {
            return serial_from_hex(text.substr(7));
        } catch (const AddressError&) {
        }
    }
    throw std::runtime_error(certificate + ": unexpected serial \"" + text + "\"");
}

// "subject=\n    commonName                = 1/16\n..."
std::string OpenSslTool::subject_cn(const std::string& certificate) const
{
    std::istringstream lines(output_of(
        {"x509", "-in", certificate, "-noout", "-subject", "-nameopt", "multiline"}, certificate));
    std::string line, cn;
    int found = 0;
    while (std::getline(lines, line)) {
        auto start = line.find_first_not_of(' ');
        if (start == std::string::npos || line.compare(start, 10, "commonName") != 0)
            continue;
        auto equals = line.find(" = ", start);
        if (equals == std::string::npos)
            continue;
        cn = line.substr(equals + 3);
        ++found;
    }
    if (found != 1)
        throw std::runtime_error(certificate + ": the subject has " + std::to_string(found)
                                 + " common names, not one");
    return cn;
}

bool OpenSslTool::matches_key(const std::string& certificate, const std::string& key) const
{
    return public_key(certificate) == output_of({"pkey", "-in", key, "-pubout"}, key);
}

std::string OpenSslTool::public_key(const std::string& certificate) const
{
    return output_of({"x509", "-in", certificate, "-noout", "-pubkey"}, certificate);
}

// "subject=O = Acme, CN = 1/16" without the prefix
std::string OpenSslTool::subject(const std::string& certificate) const
{
    auto text = output_of({"x509", "-in", certificate, "-noout", "-subject", "-nameopt", "RFC2253"},
                          certificate);
    if (text.rfind("subject=", 0) != 0)
        throw std::runtime_error(certificate + ": unexpected subject \"" + text + "\"");
    return text.substr(8);
}

// "notBefore=2026-12-06 18:52:02Z\nnotAfter=2027-12-06 18:52:02Z"
CertificateDates OpenSslTool::dates(const std::string& certificate) const
{
    std::istringstream lines(output_of(
        {"x509", "-in", certificate, "-noout", "-dates", "-dateopt", "iso_8601"}, certificate));
    std::optional<WallTime> not_before, not_after;
    std::string line;
    while (std::getline(lines, line)) {
        auto equals = line.find('=');
        if (equals == std::string::npos)
            continue;
        std::tm fields{};
        const char* end = strptime(line.c_str() + equals + 1, "%Y-%m-%d %H:%M:%SZ", &fields);
        if (!end || *end)
            continue;
        auto time = std::chrono::system_clock::from_time_t(timegm(&fields));
        auto name = line.substr(0, equals);
        if (name == "notBefore")
            not_before = time;
        else if (name == "notAfter")
            not_after = time;
    }
    if (!not_before || !not_after)
        throw std::runtime_error(certificate + ": cannot read its dates");
    return {*not_before, *not_after};
}

std::string OpenSslTool::verify(const std::string& certificate, const std::string& ca,
                                bool check_time) const
{
    std::vector<std::string> argv{program_, "verify", "-CAfile", ca};
    if (!check_time)
        argv.push_back("-no_check_time");
    argv.push_back(certificate);
    auto result = run_(argv);
    if (result.status == 0)
        return "";
    // "error 10 at 0 depth lookup: certificate has expired"
    auto at = result.output.find("error ");
    auto line = result.output.substr(at == std::string::npos ? 0 : at);
    return line.substr(0, line.find('\n'));
}

std::vector<std::string> OpenSslTool::request_command(const std::string& certificate,
                                                      const std::string& key) const
{
    return {program_, "x509", "-x509toreq", "-in", certificate, "-signkey", key};
}

std::vector<std::string> OpenSslTool::decrypt_command(const std::string& key) const
{
    return {program_, "pkeyutl", "-decrypt", "-inkey", key};
}

std::vector<std::string> OpenSslTool::verify_signature_command(const std::string& public_key,
                                                               const std::string& signature,
                                                               const std::string& data) const
{
    return {program_, "dgst", "-sha256", "-verify", public_key, "-signature", signature, data};
}

bool OpenSslTool::signature_verified(const CommandResult& result)
{
    return result.status == 0 && result.output.find("Verified OK") != std::string::npos;
}

bool OpenSslTool::verify_signature(const std::string& public_key, const std::string& signature,
                                   const std::string& data) const
{
    return signature_verified(run_(verify_signature_command(public_key, signature, data)));
}

}  // namespace re6st
