// Enrolment tokens (the `tokens` table): random, mailed to an address,
// consumed once by requestCertificate, void after their lifetime.
#pragma once

#include "common/sqlite.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace re6st::registry {

class TokenStore {
public:
    // 16 characters of base32 (lower case): 80 bits from OpenSSL's CSPRNG.
    static std::string generate();

    TokenStore(sqlite::Database& db, std::chrono::seconds lifetime);

    // `now` and dates are seconds since the epoch, as the table stores them.
    void add(const std::string& token, const std::string& email, unsigned prefix_length,
             std::int64_t now);

    struct Grant {
        std::string email;
        unsigned prefix_length;
    };
    enum class Status { valid, unknown, expired };
    struct Taken {
        Status status;
        Grant grant;   // set when valid
    };
    // Deletes a valid token and returns what it grants; an unknown or expired
    // token is left as it is. Run it in the transaction that uses the grant,
    // so that a failure later in the request gives the token back.
    Taken take(const std::string& token, std::int64_t now);

    // Deletes the expired tokens; returns how many.
    int purge(std::int64_t now);

private:
    bool expired(std::int64_t date, std::int64_t now) const;

    std::int64_t lifetime_;   // in seconds
    sqlite::Statement insert_;
    sqlite::Statement select_;
    sqlite::Statement delete_;
    sqlite::Statement purge_;
};

}  // namespace re6st::registry
