// The revoked serials as files for OpenVPN.
#include "re6stnet/revoked_dir.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>

namespace fs = std::filesystem;

namespace re6st {

std::string decimal_serial(std::string_view hex)
{
    if (hex.empty())
        throw std::invalid_argument("empty serial");
    // Decimal digits, least significant first: multiply by 16 and add.
    std::vector<unsigned> digits{0};
    for (char c : hex) {
        unsigned value;
        if (c >= '0' && c <= '9')
            value = unsigned(c - '0');
        else if (c >= 'A' && c <= 'F')
            value = unsigned(c - 'A' + 10);
        else if (c >= 'a' && c <= 'f')
            value = unsigned(c - 'a' + 10);
        else
            throw std::invalid_argument("bad serial '" + std::string(hex) + "'");
        unsigned carry = value;
        for (auto& digit : digits) {
            auto sum = digit * 16 + carry;
            digit = sum % 10;
            carry = sum / 10;
        }
        for (; carry; carry /= 10)
            digits.push_back(carry % 10);
    }
    while (digits.size() > 1 && digits.back() == 0)
        digits.pop_back();
    std::string text;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it)
        text += char('0' + *it);
    return text;
}

unsigned sync_revoked_dir(const std::string& dir, const std::vector<std::string>& revoked)
{
    auto fail = [&](const std::string& what, const std::error_code& error) {
        throw std::runtime_error("revoked certificates in " + dir + ": cannot " + what + ": "
                                 + error.message());
    };
    std::error_code error;
    fs::create_directories(dir, error);
    if (error)
        fail("create the directory", error);
    fs::permissions(dir, fs::perms(0755), error);
    if (error)
        fail("set its mode", error);
    std::set<std::string> wanted;
    for (const auto& serial : revoked)
        wanted.insert(decimal_serial(serial));
    unsigned added = 0;
    for (const auto& name : wanted) {
        auto path = fs::path(dir) / name;
        if (fs::exists(path, error))
            continue;
        if (!std::ofstream(path))
            fail("write " + name, std::make_error_code(std::errc::io_error));
        fs::permissions(path, fs::perms(0644), error);
        if (error)
            fail("set the mode of " + name, error);
        ++added;
    }
    std::vector<fs::path> stale;
    for (const auto& entry : fs::directory_iterator(dir, error))
        if (!wanted.count(entry.path().filename().string()))
            stale.push_back(entry.path());
    if (error)
        fail("list the directory", error);
    for (const auto& path : stale) {
        fs::remove(path, error);
        if (error)
            fail("remove " + path.filename().string(), error);
    }
    return added;
}

std::string hidden_from_others(const std::string& dir)
{
    std::error_code error;
    auto path = fs::absolute(dir, error);
    if (error)
        return {};
    for (;; path = path.parent_path()) {
        struct stat st {};
        if (stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && !(st.st_mode & S_IXOTH))
            return path.string();
        if (path == path.root_path() || path.empty())
            return {};
    }
}

}  // namespace re6st
