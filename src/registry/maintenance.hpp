// The registry's background work: prefixes whose certificate expired more
// than --grace-period ago go back to the pool, expired tokens, the
// revocations of expired certificates and the records of expired
// certificates are deleted, and the CA certificate's end is announced. A timer on the registry's
// io_context starts each run on a thread of its own, so that the HTTP thread
// never waits for the database.
#pragma once

#include "common/certificate.hpp"
#include "registry/registry_service.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace re6st::registry {

// Time between runs: a quarter of the grace period, within 10 s and 1 h, so
// that a prefix is reclaimed at most a quarter late.
std::chrono::seconds maintenance_interval(std::chrono::seconds grace_period);

// How long before the CA certificate's end the registry warns.
inline constexpr std::chrono::seconds ca_warning_period = std::chrono::days(30);

// The warning due at `now` (seconds since the epoch) about the CA certificate:
// when it expires within ca_warning_period, or has expired; nullopt otherwise.
std::optional<std::string> ca_expiry_warning(const Certificate& ca, std::int64_t now);

class Maintenance {
public:
    struct Report {
        std::size_t prefixes = 0;   // reclaimed
        int tokens = 0;             // deleted
        int revocations = 0;        // deleted, their certificates expired
        std::size_t certificates = 0;   // records of expired certificates deleted
    };

    // `batch`: the most prefixes freed, or certificate records deleted, in
    // one transaction; the enrolment lock is released between transactions.
    Maintenance(boost::asio::io_context& io, RegistryService& service, Certificate ca,
                std::size_t batch = 100, Clock clock = system_clock_now);
    ~Maintenance();
    Maintenance(const Maintenance&) = delete;
    Maintenance& operator=(const Maintenance&) = delete;

    // One run on the calling thread: reclaims, purges and logs what it did
    // (a failure is logged, and the next run tries again); checks the CA
    // certificate when the last check is a day old.
    Report run();

    // A run at once, then one every maintenance_interval(). Call on the
    // io_context's thread, or before it runs.
    void start();
    // No run after this one; waits for the run in progress, which stops
    // between two transactions. Call on the io_context's thread, or after it
    // stopped.
    void stop();

private:
    void run_then_schedule();
    void schedule();

    boost::asio::io_context& io_;
    RegistryService& service_;
    Certificate ca_;
    std::size_t batch_;
    Clock clock_;
    std::chrono::seconds interval_;
    boost::asio::steady_timer timer_;
    boost::asio::thread_pool worker_{1};
    std::atomic<bool> stopped_{false};
    std::int64_t next_ca_check_ = 0;   // seconds since the epoch; on the worker
};

}  // namespace re6st::registry
