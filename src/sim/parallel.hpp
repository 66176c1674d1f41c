// Splits independent work items (one BFS per node, one failure trial) over
// threads. Each worker gets a contiguous range, so it can keep its own scratch
// buffers; callers write results to per-item slots, so the outcome does not
// depend on the thread count.
#pragma once

#include <algorithm>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace re6st::sim {

// Calls work(begin, end) on `threads` threads over [0, count); rethrows the
// first exception a worker threw.
template <class Work>
void parallel_for(std::size_t count, unsigned threads, const Work& work)
{
    std::size_t workers = std::max<std::size_t>(1, std::min<std::size_t>(threads, count));
    if (workers == 1) {
        work(std::size_t(0), count);
        return;
    }
    std::vector<std::exception_ptr> errors(workers);
    {
        std::vector<std::jthread> pool;
        for (std::size_t w = 0; w < workers; ++w)
            pool.emplace_back([&, w] {
                try {
                    work(count * w / workers, count * (w + 1) / workers);
                } catch (...) {
                    errors[w] = std::current_exception();
                }
            });
    }
    for (const auto& error : errors)
        if (error)
            std::rethrow_exception(error);
}

}  // namespace re6st::sim
