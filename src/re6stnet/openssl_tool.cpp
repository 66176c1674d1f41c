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

namespace {

// Each parser reads its part of the output of `openssl x509 -noout` with
// its options, alone or with the others'.

// "serial=0120010DB80042"
std::vector<std::uint8_t> parse_serial(const std::string& text, const std::string& certificate)
{
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind("serial=", 0) != 0)
            continue;
        try {
            return serial_from_hex(line.substr(7));
        } catch (const AddressError&) {
            break;
        }
    }
    throw std::runtime_error(certificate + ": unexpected serial \"" + text + "\"");
}

// "subject=\n    commonName                = 1/16\n..." (-nameopt multiline)
std::string parse_cn(const std::string& text, const std::string& certificate)
{
    std::istringstream lines(text);
    std::string line, cn;
    int found = 0;
    while (std::getline(lines, line)) {
        auto start = line.find_first_not_of(' ');
        if (start == 0 || start == std::string::npos
            || line.compare(start, 10, "commonName") != 0)
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

// "notBefore=2026-12-06 18:52:02Z\nnotAfter=2027-12-06 18:52:02Z" (-dateopt iso_8601)
CertificateDates parse_dates(const std::string& text, const std::string& certificate)
{
    std::istringstream lines(text);
    std::optional<WallTime> not_before, not_after;
    std::string line;
    while (std::getline(lines, line)) {
        auto equals = line.find('=');
        if (equals == std::string::npos)
            continue;
        auto name = line.substr(0, equals);
        if (name != "notBefore" && name != "notAfter")
            continue;
        std::tm fields{};
        const char* end = strptime(line.c_str() + equals + 1, "%Y-%m-%d %H:%M:%SZ", &fields);
        if (!end || *end)
            continue;
        auto time = std::chrono::system_clock::from_time_t(timegm(&fields));
        (name == "notBefore" ? not_before : not_after) = time;
    }
    if (!not_before || !not_after)
        throw std::runtime_error(certificate + ": cannot read its dates");
    return {*not_before, *not_after};
}

// The PEM block, ending with a newline (the command's output may have lost
// its last one).
std::string parse_public_key(const std::string& text, const std::string& file)
{
    const std::string begin = "-----BEGIN PUBLIC KEY-----", end = "-----END PUBLIC KEY-----";
    auto first = text.find(begin);
    auto last = first == std::string::npos ? first : text.find(end, first);
    if (last == std::string::npos)
        throw std::runtime_error(file + ": cannot read its public key");
    return text.substr(first, last + end.size() - first) + "\n";
}

const std::vector<std::string> serial_options{"-serial"};
const std::vector<std::string> cn_options{"-subject", "-nameopt", "multiline"};
const std::vector<std::string> dates_options{"-dates", "-dateopt", "iso_8601"};
const std::vector<std::string> public_key_options{"-pubkey"};

}  // namespace

std::string OpenSslTool::x509_output(const std::string& certificate,
                                     std::initializer_list<std::vector<std::string>> options) const
{
    std::vector<std::string> arguments{"x509", "-in", certificate, "-noout"};
    for (const auto& some : options)
        arguments.insert(arguments.end(), some.begin(), some.end());
    return output_of(arguments, certificate);
}

std::vector<std::uint8_t> OpenSslTool::serial(const std::string& certificate) const
{
    return parse_serial(x509_output(certificate, {serial_options}), certificate);
}

std::string OpenSslTool::subject_cn(const std::string& certificate) const
{
    return parse_cn(x509_output(certificate, {cn_options}), certificate);
}

CertificateDates OpenSslTool::dates(const std::string& certificate) const
{
    return parse_dates(x509_output(certificate, {dates_options}), certificate);
}

// As openssl writes it: compared with another, or written to a file.
std::string OpenSslTool::public_key(const std::string& certificate) const
{
    return x509_output(certificate, {public_key_options});
}

CertificateFields OpenSslTool::fields(const std::string& certificate, bool with_cn) const
{
    auto text = with_cn ? x509_output(certificate, {serial_options, cn_options, dates_options,
                                                    public_key_options})
                        : x509_output(certificate,
                                      {serial_options, dates_options, public_key_options});
    return {parse_serial(text, certificate), with_cn ? parse_cn(text, certificate) : "",
            parse_dates(text, certificate), parse_public_key(text, certificate)};
}

bool OpenSslTool::matches_key(const std::string& certificate, const std::string& key) const
{
    return public_key(certificate) == output_of({"pkey", "-in", key, "-pubout"}, key);
}

bool OpenSslTool::key_matches(const std::string& public_key, const std::string& key) const
{
    return public_key == parse_public_key(output_of({"pkey", "-in", key, "-pubout"}, key), key);
}

// "subject=O = Acme, CN = 1/16" without the prefix
std::string OpenSslTool::subject(const std::string& certificate) const
{
    auto text = x509_output(certificate, {{"-subject", "-nameopt", "RFC2253"}});
    if (text.rfind("subject=", 0) != 0)
        throw std::runtime_error(certificate + ": unexpected subject \"" + text + "\"");
    return text.substr(8);
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
