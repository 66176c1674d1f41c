// Reading a PEM file whole.
#include "common/pem_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace re6st {

std::string read_pem_file(const std::string& path)
{
    std::ifstream file(path, std::ios::binary);
    if (!file)
        throw CryptoError(path + ": " + std::strerror(errno));
    std::ostringstream contents;
    contents << file.rdbuf();
    if (file.bad())
        throw CryptoError(path + ": read error");
    return std::move(contents).str();
}

}  // namespace re6st
