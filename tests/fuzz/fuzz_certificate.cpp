// Decoding what a certificate says about addresses: the CA that re6st-conf
// fetches from the registry (getCa), whose serial encodes the network; a
// node's certificate, whose CN "<P>/<L>" encodes its prefix; and a CN as a
// peer presents it to the daemon's hooks. The input is tried as each.
#include "fuzz_check.hpp"

#include "common/certificate.hpp"
#include "common/certificate_request.hpp"
#include "common/crypto_error.hpp"
#include "common/prefix.hpp"

#include <openssl/err.h>

using namespace re6st;

namespace {

void cn(std::string_view text)
{
    std::string bits;
    try {
        bits = bits_from_cn(text);
    } catch (const AddressError&) {
        return;
    }
    fuzz::check(!bits.empty() && bits.size() <= 127 && is_bit_string(bits),
                "a CN decodes to 1..127 bits");
    fuzz::check(bits_from_cn(cn_from_bits(bits)) == bits, "bits -> CN -> bits is the identity");
}

void serial(std::span<const std::uint8_t> bytes)
{
    try {
        auto network = Network::from_ca_serial(bytes);
        fuzz::check(network.length() <= 126, "a network leaves room for node prefixes");
        fuzz::check(Ipv6Prefix::parse(network.prefix().to_string()) == network.prefix(),
                    "a network prefix writes and reads back the same");
    } catch (const AddressError&) {
    }
}

void certificate(std::string_view pem)
{
    std::optional<Certificate> certificate;
    try {
        certificate = Certificate::from_pem(pem);
    } catch (const CryptoError&) {
        return;
    }
    try {
        fuzz::check(Certificate::from_pem(certificate->to_pem()).serial() == certificate->serial(),
                    "a certificate writes and reads back the same");
        certificate->serial_hex();
        certificate->is_ca();
        certificate->not_before();
        certificate->not_after();
        serial(certificate->serial());
        cn(certificate->subject_cn());
    } catch (const CryptoError&) {
    }
}

void request(std::string_view pem)
{
    try {
        auto csr = CertificateRequest::from_pem(pem);
        csr.signature_valid();
        csr.key_is_rsa();
        csr.key_bits();
    } catch (const CryptoError&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    auto text = fuzz::text_of(data, size);
    cn(text);
    serial({data, size});
    certificate(text);
    request(text);
    // Nothing left behind for the next input's error messages.
    fuzz::check(ERR_peek_error() == 0, "the OpenSSL error queue is empty after each call");
    return 0;
}
