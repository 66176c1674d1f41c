// Loading the PEM files that options name (CA, certificate, key, CSR): any
// error, from opening the file to decoding it, names the file.
#pragma once

#include "common/crypto_error.hpp"

#include <string>

namespace re6st {

// The whole file; CryptoError "<path>: <system reason>" when unreadable.
std::string read_pem_file(const std::string& path);

// T::from_pem of the file's contents.
template <class T>
T load_pem_file(const std::string& path)
{
    std::string pem = read_pem_file(path);
    try {
        return T::from_pem(pem);
    } catch (const CryptoError& error) {
        throw CryptoError(path + ": " + error.what());
    }
}

}  // namespace re6st
