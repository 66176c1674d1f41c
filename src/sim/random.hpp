// Independent random streams: work split over threads draws from a generator
// of its own per item, so results do not depend on the thread count.
#pragma once

#include <cstdint>
#include <random>

namespace re6st::sim {

// The generator for item `index` of stream `stream` (e.g. a round, a kind of
// trial) under the run's `seed`.
inline std::mt19937_64 random_stream(std::uint64_t seed, std::uint64_t stream, std::uint64_t index)
{
    auto low = [](std::uint64_t value) { return std::uint32_t(value); };
    auto high = [](std::uint64_t value) { return std::uint32_t(value >> 32); };
    std::seed_seq sequence{low(seed), high(seed), low(stream), high(stream), low(index), high(index)};
    return std::mt19937_64(sequence);
}

}  // namespace re6st::sim
