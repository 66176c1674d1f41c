// The openssl command-line tool.
#include "re6stnet/openssl_tool.hpp"

#include "common/prefix.hpp"

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
    return output_of({"x509", "-in", certificate, "-noout", "-pubkey"}, certificate)
        == output_of({"pkey", "-in", key, "-pubout"}, key);
}

std::string OpenSslTool::verify(const std::string& certificate, const std::string& ca) const
{
    auto result = run_({program_, "verify", "-CAfile", ca, certificate});
    if (result.status == 0)
        return "";
    // "error 10 at 0 depth lookup: certificate has expired"
    auto at = result.output.find("error ");
    auto line = result.output.substr(at == std::string::npos ? 0 : at);
    return line.substr(0, line.find('\n'));
}

std::vector<std::string> OpenSslTool::decrypt_command(const std::string& key) const
{
    return {program_, "pkeyutl", "-decrypt", "-inkey", key};
}

}  // namespace re6st
