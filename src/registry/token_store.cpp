// Enrolment tokens.
#include "registry/token_store.hpp"

#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace re6st::registry {

namespace {

constexpr std::string_view alphabet = "abcdefghijklmnopqrstuvwxyz234567";
constexpr std::size_t token_length = 16;   // 5 bits each: 80 bits

}  // namespace

std::string TokenStore::generate()
{
    std::array<unsigned char, token_length * 5 / 8> random;
    if (RAND_bytes(random.data(), int(random.size())) != 1)
        throw std::runtime_error("the system random number generator failed");
    std::string token;
    unsigned buffer = 0, bits = 0;
    for (unsigned char byte : random) {
        buffer = buffer << 8 | byte;
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            token += alphabet[(buffer >> bits) & 31];
        }
    }
    return token;
}

TokenStore::TokenStore(sqlite::Database& db, std::chrono::seconds lifetime)
    : lifetime_(lifetime.count()),
      insert_(db.prepare("INSERT INTO tokens VALUES (?, ?, ?, ?)")),
      select_(db.prepare("SELECT email, prefix_len, date FROM tokens WHERE token = ?")),
      delete_(db.prepare("DELETE FROM tokens WHERE token = ?")),
      purge_(db.prepare("DELETE FROM tokens WHERE date <= ?"))
{
}

bool TokenStore::expired(std::int64_t date, std::int64_t now) const
{
    return date + lifetime_ <= now;
}

void TokenStore::add(const std::string& token, const std::string& email,
                     unsigned prefix_length, std::int64_t now)
{
    insert_.execute(token, email, prefix_length, now);
}

TokenStore::Taken TokenStore::take(const std::string& token, std::int64_t now)
{
    auto row = select_.query_row<std::string, std::int64_t, std::int64_t>(token);
    if (!row)
        return {Status::unknown, {}};
    auto& [email, prefix_length, date] = *row;
    if (expired(date, now))
        return {Status::expired, {}};
    delete_.execute(token);
    return {Status::valid, {std::move(email), unsigned(prefix_length)}};
}

int TokenStore::purge(std::int64_t now)
{
    return purge_.execute(now - lifetime_);
}

}  // namespace re6st::registry
