// Prometheus metric families and their text exposition.
#include "common/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace re6st::metrics {

namespace {

bool valid_name(std::string_view name, bool colon_allowed)
{
    auto first = [&](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
            || (colon_allowed && c == ':');
    };
    auto other = [&](char c) { return first(c) || (c >= '0' && c <= '9'); };
    return !name.empty() && first(name.front()) && std::all_of(name.begin() + 1, name.end(), other);
}

}  // namespace

std::string escape_label_value(std::string_view value)
{
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        switch (c) {
        case '\\': out += "\\\\"; break;
        case '"': out += "\\\""; break;
        case '\n': out += "\\n"; break;
        default: out += c;
        }
    }
    return out;
}

std::string escape_help(std::string_view help)
{
    std::string out;
    out.reserve(help.size());
    for (char c : help) {
        switch (c) {
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        default: out += c;
        }
    }
    return out;
}

std::string format_value(double value)
{
    if (std::isnan(value))
        return "NaN";
    if (std::isinf(value))
        return value > 0 ? "+Inf" : "-Inf";
    // Integers up to 2^53 are exact in a double: written whole, so that
    // counts and timestamps read as such.
    if (value == std::trunc(value) && std::fabs(value) <= 9007199254740992.0)
        return std::to_string(std::int64_t(value));
    char text[32];
    auto end = std::to_chars(text, text + sizeof text, value).ptr;
    return std::string(text, end);
}

void Counter::inc(double by)
{
    if (by < 0)
        throw std::invalid_argument("a counter cannot decrease");
    value_.fetch_add(by, std::memory_order_relaxed);
}

void Gauge::add(double delta)
{
    value_.fetch_add(delta, std::memory_order_relaxed);
}

Histogram::Histogram(const std::vector<double>& bounds)
    : bounds_(bounds), counts_(bounds.size() + 1, 0)
{
}

void Histogram::observe(double value)
{
    // The first bucket whose bound is >= value: "le" is inclusive.
    auto bucket = std::size_t(std::lower_bound(bounds_.begin(), bounds_.end(), value)
                              - bounds_.begin());
    std::lock_guard lock(mutex_);
    ++counts_[bucket];
    sum_ += value;
}

Histogram::Snapshot Histogram::snapshot() const
{
    Snapshot snapshot;
    std::lock_guard lock(mutex_);
    std::uint64_t total = 0;
    for (auto count : counts_) {
        total += count;
        snapshot.cumulative.push_back(total);
    }
    snapshot.sum = sum_;
    snapshot.count = total;
    return snapshot;
}

Family::Family(Type type, std::string name, std::string help, std::vector<Label> labels,
               std::size_t max_series)
    : type_(type), name_(std::move(name)), help_(std::move(help)), labels_(std::move(labels))
{
    if (!valid_name(name_, true))
        throw std::invalid_argument("invalid metric name \"" + name_ + "\"");
    std::size_t combinations = 1;
    bool any_value = false;
    for (std::size_t i = 0; i < labels_.size(); ++i) {
        const auto& label = labels_[i];
        if (!valid_name(label.name, false) || label.name.starts_with("__"))
            throw std::invalid_argument(name_ + ": invalid label name \"" + label.name + "\"");
        for (std::size_t j = 0; j < i; ++j)
            if (labels_[j].name == label.name)
                throw std::invalid_argument(name_ + ": label \"" + label.name + "\" twice");
        if (label.values.empty())
            any_value = true;
        else
            combinations *= label.values.size();
    }
    auto named_le = [](const Label& label) { return label.name == "le"; };
    if (type_ == Type::histogram && std::any_of(labels_.begin(), labels_.end(), named_le))
        throw std::invalid_argument(name_ + ": a histogram's label cannot be \"le\"");
    if (any_value && max_series == 0)
        throw std::invalid_argument(name_ + ": a label takes any value: the family needs a cap");
    max_series_ = any_value ? max_series : combinations;
}

std::size_t Family::find_or_add(std::initializer_list<std::string_view> values,
                                const std::function<void()>& make)
{
    if (values.size() != labels_.size())
        throw std::invalid_argument(name_ + ": " + std::to_string(labels_.size())
                                    + " label values expected, not "
                                    + std::to_string(values.size()));
    std::vector<std::string> key(values.begin(), values.end());
    std::lock_guard lock(mutex_);
    if (auto found = index_.find(key); found != index_.end())
        return found->second;
    return add(std::move(key), make);
}

std::size_t Family::add(std::vector<std::string> key, const std::function<void()>& make)
{
    std::string text;
    for (std::size_t i = 0; i < key.size(); ++i) {
        const auto& label = labels_[i];
        if (!label.values.empty()
            && std::find(label.values.begin(), label.values.end(), key[i]) == label.values.end())
            throw std::invalid_argument(name_ + ": label " + label.name + " does not take \""
                                        + key[i] + "\"");
        if (i)
            text += ',';
        text += label.name + "=\"" + escape_label_value(key[i]) + '"';
    }
    if (index_.size() >= max_series_) {
        ++dropped_;
        return npos;
    }
    make();
    auto index = label_text_.size();
    label_text_.push_back(std::move(text));
    index_.emplace(std::move(key), index);
    return index;
}

void Family::add_every_combination(const std::function<void()>& make)
{
    auto any_value = [](const Label& label) { return label.values.empty(); };
    if (std::any_of(labels_.begin(), labels_.end(), any_value))
        return;
    // An odometer over the labels' values, the last label turning fastest.
    std::vector<std::size_t> digit(labels_.size(), 0);
    std::lock_guard lock(mutex_);
    for (;;) {
        std::vector<std::string> key;
        for (std::size_t i = 0; i < labels_.size(); ++i)
            key.push_back(labels_[i].values[digit[i]]);
        if (!index_.contains(key))
            add(std::move(key), make);
        std::size_t i = labels_.size();
        while (i > 0 && ++digit[i - 1] == labels_[i - 1].values.size())
            digit[--i] = 0;
        if (i == 0)
            return;
    }
}

void Family::write(std::string& out) const
{
    static constexpr const char* type_names[] = {"counter", "gauge", "histogram"};
    out += "# HELP " + name_ + ' ' + escape_help(help_) + '\n';
    out += "# TYPE " + name_ + ' ' + type_names[int(type_)] + '\n';
    std::lock_guard lock(mutex_);
    for (const auto& [values, index] : index_)
        write_series(out, index, label_text_[index]);
}

namespace {

// `name{labels} value`, or `name value` without labels.
void write_sample(std::string& out, std::string_view name, const std::string& labels,
                  const std::string& value)
{
    out += name;
    if (!labels.empty()) {
        out += '{';
        out += labels;
        out += '}';
    }
    out += ' ';
    out += value;
    out += '\n';
}

}  // namespace

CounterFamily::CounterFamily(std::string name, std::string help, std::vector<Label> labels,
                             std::size_t max_series)
    : SeriesFamily(Type::counter, std::move(name), std::move(help), std::move(labels), max_series)
{
    if (!this->name().ends_with("_total"))
        throw std::invalid_argument("counter " + this->name() + ": the name must end in _total");
    prepare();
}

void CounterFamily::write_series(std::string& out, std::size_t index,
                                 const std::string& labels) const
{
    write_sample(out, name(), labels, format_value(at(index).value()));
}

GaugeFamily::GaugeFamily(std::string name, std::string help, std::vector<Label> labels,
                         std::size_t max_series)
    : SeriesFamily(Type::gauge, std::move(name), std::move(help), std::move(labels), max_series)
{
    prepare();
}

void GaugeFamily::write_series(std::string& out, std::size_t index,
                               const std::string& labels) const
{
    write_sample(out, name(), labels, format_value(at(index).value()));
}

HistogramFamily::HistogramFamily(std::string name, std::string help, std::vector<double> bounds,
                                 std::vector<Label> labels, std::size_t max_series)
    : SeriesFamily(Type::histogram, std::move(name), std::move(help), std::move(labels),
                   max_series),
      bounds_(std::move(bounds))
{
    for (std::size_t i = 0; i < bounds_.size(); ++i)
        if (!std::isfinite(bounds_[i]) || (i > 0 && bounds_[i] <= bounds_[i - 1]))
            throw std::invalid_argument(this->name()
                                        + ": bucket bounds must be finite and increasing");
    for (double bound : bounds_)
        le_.push_back(format_value(bound));
    le_.push_back("+Inf");
    prepare();
}

void HistogramFamily::write_series(std::string& out, std::size_t index,
                                   const std::string& labels) const
{
    auto snapshot = at(index).snapshot();
    auto bucket = name() + "_bucket";
    auto prefix = labels.empty() ? std::string() : labels + ',';
    for (std::size_t i = 0; i < le_.size(); ++i)
        write_sample(out, bucket, prefix + "le=\"" + le_[i] + '"',
                     std::to_string(snapshot.cumulative[i]));
    write_sample(out, name() + "_sum", labels, format_value(snapshot.sum));
    write_sample(out, name() + "_count", labels, std::to_string(snapshot.count));
}

template <class F>
F& MetricSet::add(std::unique_ptr<F> family)
{
    std::lock_guard lock(mutex_);
    for (const auto& other : families_)
        if (other->name() == family->name())
            throw std::invalid_argument("metric " + family->name() + " defined twice");
    auto& added = *family;
    families_.push_back(std::move(family));
    return added;
}

CounterFamily& MetricSet::counter(std::string name, std::string help, std::vector<Label> labels,
                                  std::size_t max_series)
{
    return add(std::make_unique<CounterFamily>(std::move(name), std::move(help),
                                               std::move(labels), max_series));
}

GaugeFamily& MetricSet::gauge(std::string name, std::string help, std::vector<Label> labels,
                              std::size_t max_series)
{
    return add(std::make_unique<GaugeFamily>(std::move(name), std::move(help), std::move(labels),
                                             max_series));
}

HistogramFamily& MetricSet::histogram(std::string name, std::string help,
                                      std::vector<double> bounds, std::vector<Label> labels,
                                      std::size_t max_series)
{
    return add(std::make_unique<HistogramFamily>(std::move(name), std::move(help),
                                                 std::move(bounds), std::move(labels),
                                                 max_series));
}

void MetricSet::on_scrape(std::function<void()> collect)
{
    std::lock_guard lock(mutex_);
    collectors_.push_back(std::move(collect));
}

std::string MetricSet::scrape()
{
    std::lock_guard scraping(scrape_mutex_);
    std::vector<std::function<void()>> collectors;
    std::vector<const Family*> families;
    {
        std::lock_guard lock(mutex_);
        collectors = collectors_;
        for (const auto& family : families_)
            families.push_back(family.get());
    }
    for (const auto& collect : collectors)
        collect();
    std::string out;
    for (const auto* family : families)
        family->write(out);
    return out;
}

}  // namespace re6st::metrics
