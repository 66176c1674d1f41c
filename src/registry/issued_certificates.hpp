// Every certificate the registry issued (the `certificates` table), the
// current ones and those a renewal superseded, kept until it expires: what
// a node could still present, so that revoking a node revokes them all.
// Serials are text as `openssl x509 -serial` prints them
// (common/certificate_serial.hpp).
#pragma once

#include "common/sqlite.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace re6st::registry {

struct IssuedCertificate {
    std::string serial;
    std::string cn;             // its subject's, "P/L"
    std::int64_t expires = 0;   // its notAfter, seconds since the epoch
    std::int64_t date = 0;      // when it was issued, seconds since the epoch
    bool operator==(const IssuedCertificate&) const = default;
};

class IssuedCertificates {
public:
    explicit IssuedCertificates(sqlite::Database& db);

    // Records a certificate just issued, in the transaction that stores it
    // in `vpn`. A serial already recorded is an sqlite::Error.
    void record(const IssuedCertificate& certificate);

    std::optional<IssuedCertificate> find(const std::string& serial);

    // The certificates recorded for `cn`, earliest expiry first.
    std::vector<IssuedCertificate> of(const std::string& cn);

    // Forgets the certificates of `cn` (its prefix went back to the pool);
    // returns how many.
    int forget(const std::string& cn);

    // Deletes at most `limit` of the certificates expired before `now`,
    // earliest expiry first; returns how many.
    int purge(std::int64_t now, std::size_t limit);

private:
    sqlite::Statement insert_;
    sqlite::Statement find_;
    sqlite::Statement of_;
    sqlite::Statement forget_;
    sqlite::Statement purge_;
};

}  // namespace re6st::registry
