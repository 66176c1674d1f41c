// The registry's signed network configuration as a node reads it: the
// answer cut into document and signature, the document parsed. Whatever
// is accepted is in range and encodes back to a document that reads the
// same.
#include "fuzz_check.hpp"

#include "common/network_parameters.hpp"

using namespace re6st;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    auto text = fuzz::text_of(data, size);
    try {
        auto split = split_signed_network_config(text);
        fuzz::check(split.document + "signature " + split.signature_base64 + "\n" == text,
                    "an answer is its document and its signature line");
    } catch (const std::invalid_argument&) {
    }
    try {
        std::vector<std::string> unknown;
        auto config = parse_network_config(text, &unknown);
        check_network_parameters(config.parameters);
        auto again = parse_network_config(
            encode_network_config(config.version, config.parameters, config.revoked));
        fuzz::check(again == config, "an accepted document encodes back to itself");
    } catch (const std::invalid_argument&) {
    }
    return 0;
}
