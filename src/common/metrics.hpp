// Prometheus metrics: counter, gauge and histogram families with fixed label
// names, updated from any thread, written in the text exposition format
// 0.0.4. Every family bounds its series: a label either lists the values it
// accepts, or the family caps how many series it keeps.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace re6st::metrics {

// A label of a family: its name and the values it accepts. No values: any
// value, and the family must then be given a series cap.
struct Label {
    std::string name;
    std::vector<std::string> values;
};

// The text format's escaping: in label values \ " and newline; in HELP
// text \ and newline.
std::string escape_label_value(std::string_view value);
std::string escape_help(std::string_view help);

// A sample value as the text format writes it: integers without a decimal
// point, others in the shortest form that reads back the same, +Inf, -Inf,
// NaN.
std::string format_value(double value);

class Counter {
public:
    // `by` must not be negative: a counter only grows.
    void inc(double by = 1);
    double value() const { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<double> value_{0};
};

class Gauge {
public:
    void set(double value) { value_.store(value, std::memory_order_relaxed); }
    void add(double delta);
    double value() const { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<double> value_{0};
};

class Histogram {
public:
    // `bounds`: the buckets' upper bounds, increasing; +Inf is implicit.
    explicit Histogram(const std::vector<double>& bounds);
    void observe(double value);

    struct Snapshot {
        std::vector<std::uint64_t> cumulative;   // per bound, then +Inf
        double sum = 0;
        std::uint64_t count = 0;
    };
    Snapshot snapshot() const;

private:
    const std::vector<double>& bounds_;
    mutable std::mutex mutex_;   // so that a snapshot's buckets, sum and count agree
    std::vector<std::uint64_t> counts_;   // per bucket, not cumulative; last: above every bound
    double sum_ = 0;
};

enum class Type { counter, gauge, histogram };

// What every family has. Thread-safe: series may be added while another
// thread writes the family out.
class Family {
public:
    virtual ~Family() = default;
    const std::string& name() const { return name_; }
    Type type() const { return type_; }
    // Label sets refused because the family was at its cap; their updates
    // were dropped.
    std::size_t dropped() const { return dropped_.load(); }

    // HELP, TYPE and every series, in label order.
    void write(std::string& out) const;

protected:
    // Throws std::invalid_argument for a bad name, label name or cap.
    Family(Type type, std::string name, std::string help, std::vector<Label> labels,
           std::size_t max_series);

    static constexpr std::size_t npos = std::size_t(-1);

    // The position of the series of `values` (one per label), created with
    // `make` (which appends it to the derived class's vector) when new; npos
    // when the family is at its cap. Throws std::invalid_argument for a value
    // a label does not accept or a wrong number of values.
    std::size_t find_or_add(std::initializer_list<std::string_view> values,
                            const std::function<void()>& make);
    // Every combination of the labels' values, when each lists its values,
    // so that the series read 0 from the start.
    void add_every_combination(const std::function<void()>& make);

    virtual void write_series(std::string& out, std::size_t index,
                              const std::string& labels) const = 0;

    mutable std::mutex mutex_;   // guards index_ and the series' vector, not their values
    std::atomic<std::size_t> dropped_{0};

private:
    // With mutex_ held.
    std::size_t add(std::vector<std::string> key, const std::function<void()>& make);

    Type type_;
    std::string name_;
    std::string help_;
    std::vector<Label> labels_;
    std::size_t max_series_;
    // Label values -> position in the derived class's series vector, and
    // the label text each series writes (`a="x",b="y"`).
    std::map<std::vector<std::string>, std::size_t> index_;
    std::vector<std::string> label_text_;
};

// A family of series of type S, each kept at a fixed address for as long as
// the family lives: callers may keep the reference `with` returns.
template <class S>
class SeriesFamily : public Family {
public:
    // The series of these label values (none for a family without labels).
    // At the cap, a new label set gets a series that is never written out.
    S& with(std::initializer_list<std::string_view> values = {})
    {
        auto index = find_or_add(values, [this] { series_.push_back(make()); });
        if (index == npos)
            return *overflow_;
        std::lock_guard lock(mutex_);
        return *series_[index];
    }

protected:
    using Family::Family;
    virtual std::unique_ptr<S> make() const = 0;
    void prepare()
    {
        overflow_ = make();
        add_every_combination([this] { series_.push_back(make()); });
    }
    const S& at(std::size_t index) const { return *series_[index]; }

private:
    std::vector<std::unique_ptr<S>> series_;   // guarded by mutex_
    std::unique_ptr<S> overflow_;
};

class CounterFamily : public SeriesFamily<Counter> {
public:
    // `name` must end in _total.
    CounterFamily(std::string name, std::string help, std::vector<Label> labels,
                  std::size_t max_series);

private:
    std::unique_ptr<Counter> make() const override { return std::make_unique<Counter>(); }
    void write_series(std::string& out, std::size_t index,
                      const std::string& labels) const override;
};

class GaugeFamily : public SeriesFamily<Gauge> {
public:
    GaugeFamily(std::string name, std::string help, std::vector<Label> labels,
                std::size_t max_series);

private:
    std::unique_ptr<Gauge> make() const override { return std::make_unique<Gauge>(); }
    void write_series(std::string& out, std::size_t index,
                      const std::string& labels) const override;
};

class HistogramFamily : public SeriesFamily<Histogram> {
public:
    // `bounds`: finite and strictly increasing. No label may be called "le".
    HistogramFamily(std::string name, std::string help, std::vector<double> bounds,
                    std::vector<Label> labels, std::size_t max_series);

private:
    std::unique_ptr<Histogram> make() const override
    {
        return std::make_unique<Histogram>(bounds_);
    }
    void write_series(std::string& out, std::size_t index,
                      const std::string& labels) const override;

    std::vector<double> bounds_;
    std::vector<std::string> le_;   // each bound as written, then +Inf
};

// The families of one program, written out in the order they were added.
// Thread-safe.
class MetricSet {
public:
    // `max_series` caps a family with a label that lists no values (0 is
    // refused then); a family whose labels all list their values holds every
    // combination, from the start, and needs no cap. A name already taken,
    // or one not made of [a-zA-Z_:][a-zA-Z0-9_:]*, is std::invalid_argument.
    CounterFamily& counter(std::string name, std::string help, std::vector<Label> labels = {},
                           std::size_t max_series = 0);
    GaugeFamily& gauge(std::string name, std::string help, std::vector<Label> labels = {},
                       std::size_t max_series = 0);
    HistogramFamily& histogram(std::string name, std::string help, std::vector<double> bounds,
                               std::vector<Label> labels = {}, std::size_t max_series = 0);

    // Gauges computed at scrape time: `collect` runs at the start of each
    // scrape, on the scraping thread, and sets them.
    void on_scrape(std::function<void()> collect);

    // Runs the collectors, then writes every family. Scrapes run one at a
    // time.
    std::string scrape();

private:
    template <class F>
    F& add(std::unique_ptr<F> family);

    std::mutex mutex_;   // guards families_ and collectors_
    std::vector<std::unique_ptr<Family>> families_;
    std::vector<std::function<void()>> collectors_;
    std::mutex scrape_mutex_;
};

}  // namespace re6st::metrics
