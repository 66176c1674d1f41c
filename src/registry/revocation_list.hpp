// The revoked certificates (the `revoked` table): each kept until it would
// have expired, when a node would refuse it anyway. Serials are text as
// `openssl x509 -serial` prints them (common/certificate_serial.hpp).
#pragma once

#include "common/sqlite.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace re6st::registry {

struct Revocation {
    std::string serial;
    std::string cn;             // the certificate's, "P/L"
    std::int64_t expires = 0;   // its notAfter, seconds since the epoch
    std::int64_t date = 0;      // when it was revoked, seconds since the epoch
    bool operator==(const Revocation&) const = default;
};

class RevocationList {
public:
    explicit RevocationList(sqlite::Database& db);

    // Records a revocation; false (and nothing changes) when that serial is
    // already revoked.
    bool add(const Revocation& revocation);

    std::optional<Revocation> find(const std::string& serial);

    // Every revocation, in byte order of serial (the order of the signed
    // configuration's revoked line).
    std::vector<Revocation> all();

    // Deletes the revocations of certificates expired before `now`; returns
    // how many.
    int purge(std::int64_t now);

private:
    sqlite::Statement insert_;
    sqlite::Statement find_;
    sqlite::Statement all_;
    sqlite::Statement purge_;
};

}  // namespace re6st::registry
