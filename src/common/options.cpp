// Command lines and @FILE option files.
#include "common/options.hpp"

#include <fstream>
#include <set>
#include <sstream>

namespace po = boost::program_options;

namespace re6st {

namespace {

// One token of the expanded command line, and the option file line it comes
// from (no file: the command line itself).
struct Token {
    std::string text;
    std::string file;
    std::size_t line = 0;
};

// "FILE:LINE: " for a token from an option file, "" for the command line.
std::string origin(const Token& token)
{
    return token.file.empty() ? "" : token.file + ":" + std::to_string(token.line) + ": ";
}

std::vector<Token> tokens_of_file(std::string_view text, const std::string& file_name)
{
    std::vector<Token> tokens;
    std::size_t line_number = 0, start = 0;
    while (start < text.size()) {
        ++line_number;
        auto end = text.find('\n', start);
        auto line = text.substr(start, end == text.npos ? text.npos : end - start);
        start = end == text.npos ? text.size() : end + 1;

        if (auto hash = line.find('#'); hash != line.npos)
            line = line.substr(0, hash);
        if (line.find('\0') != line.npos)
            throw UsageError(file_name + ":" + std::to_string(line_number) + ": NUL character");
        std::istringstream words{std::string(line)};
        std::string word;
        bool first = true;
        while (words >> word) {
            if (first && word.front() != '-' && word.front() != '@')
                word = "--" + word;
            tokens.push_back({std::move(word), file_name, line_number});
            first = false;
        }
    }
    return tokens;
}

}  // namespace

std::vector<std::string> parse_option_file(std::string_view text, std::string_view file_name)
{
    std::vector<std::string> words;
    for (auto& token : tokens_of_file(text, std::string(file_name)))
        words.push_back(std::move(token.text));
    return words;
}

std::string read_option_file(const std::string& path)
{
    std::ifstream file(path, std::ios::binary);
    if (!file)
        throw UsageError("cannot read option file " + path);
    std::ostringstream text;
    text << file.rdbuf();
    if (file.bad())
        throw UsageError("cannot read option file " + path);
    return text.str();
}

namespace {

// Boost.Program_options writes an error message by replacing each placeholder
// (%value%, %canonical_option%...) with the offending text until none is
// left: text that holds the placeholder it replaces makes it loop forever
// (found by fuzzing an option file). Such a token is refused before Boost
// sees it.
void refuse_boost_placeholders(const Token& token)
{
    for (std::string_view placeholder :
         {"%canonical_option%", "%option%", "%original_token%", "%prefix%", "%value%"})
        if (token.text.find(placeholder) != token.text.npos)
            throw UsageError(origin(token) + "argument '" + token.text + "' holds "
                             + std::string(placeholder) + ", which option parsing cannot quote");
}

void expand_into(const std::vector<Token>& args, const FileReader& read,
                 std::set<std::string>& open_files, std::vector<Token>& out)
{
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& arg = args[i];
        if (arg.text == "--") {   // everything after belongs to OpenVPN, verbatim
            out.insert(out.end(), args.begin() + i, args.end());
            return;
        }
        if (arg.text.size() < 2 || arg.text.front() != '@') {
            out.push_back(arg);
            continue;
        }
        auto path = arg.text.substr(1);
        if (!open_files.insert(path).second)
            throw UsageError(origin(arg) + "option file " + path + " includes itself");
        std::string text;
        try {
            text = read(path);
        } catch (const UsageError& error) {
            throw UsageError(origin(arg) + error.what());
        }
        expand_into(tokens_of_file(text, path), read, open_files, out);
        open_files.erase(path);
    }
}

std::vector<Token> expand(const std::vector<std::string>& args, const FileReader& read)
{
    std::vector<Token> command_line;
    for (const auto& arg : args)
        command_line.push_back({arg});
    std::vector<Token> out;
    std::set<std::string> open_files;
    expand_into(command_line, read, open_files, out);
    return out;
}

// Runs Boost's parser. With `step`, keeps there the index of the token at
// which Boost's current step began, that is, where an error arose: Boost
// offers the tokens left to this extra parser (which takes none) first at
// each step of its loop. Its look-ahead for values offers a one-token copy,
// which is not counted: only the loop's own vector, offered first, is.
po::parsed_options run_parser(const std::vector<std::string>& texts,
                              const po::options_description& options,
                              const po::positional_options_description* positional,
                              std::size_t* step = nullptr)
{
    po::command_line_parser parser(texts);
    parser.options(options).style(po::command_line_style::default_style
                                  & ~po::command_line_style::allow_guessing);
    if (positional)
        parser.positional(*positional);
    const std::vector<std::string>* loop_tokens = nullptr;
    if (step)
        parser.extra_style_parser([&](std::vector<std::string>& left) {
            if (!loop_tokens)
                loop_tokens = &left;
            if (&left == loop_tokens)
                *step = texts.size() - left.size();
            return std::vector<po::option>();
        });
    return parser.run();
}

// The index of the token at which each parsed option begins. An option's
// tokens are contiguous and in order; the switches that open a group of short
// options ("-w" of "-wv 2") carry none, and begin at the group's token, which
// the group's last option carries.
std::vector<std::size_t> option_starts(const std::vector<po::option>& options)
{
    std::vector<std::size_t> starts;
    std::size_t next = 0;
    for (const auto& option : options) {
        starts.push_back(next);
        next += option.original_tokens.size();
    }
    return starts;
}

// The positional argument beyond those `positional` allows.
std::size_t extra_positional(const std::vector<std::string>& texts,
                             const po::options_description& options,
                             const po::positional_options_description& positional)
{
    // Without a description of positionals, Boost numbers them and accepts
    // them all.
    auto parsed = run_parser(texts, options, nullptr);
    auto starts = option_starts(parsed.options);
    for (std::size_t i = 0; i < parsed.options.size(); ++i)
        if (parsed.options[i].position_key == int(positional.max_total_count()))
            return starts[i];
    return texts.size();
}

// The index of the first option that po::store refuses: it takes them in
// order and stops at the first bad one, so a prefix of the options fails if
// and only if it holds that one.
std::size_t refused_option(const po::parsed_options& parsed)
{
    if (parsed.options.empty())
        return 0;
    std::size_t good = 0, bad = parsed.options.size();
    while (bad - good > 1) {
        auto middle = good + (bad - good) / 2;
        po::parsed_options prefix(parsed.description);
        prefix.options.assign(parsed.options.begin(), parsed.options.begin() + middle);
        po::variables_map scratch;
        try {
            po::store(prefix, scratch);
            good = middle;
        } catch (const po::error&) {
            bad = middle;
        }
    }
    return bad - 1;
}

std::string origin_of(const std::vector<Token>& tokens, std::size_t index)
{
    return index < tokens.size() ? origin(tokens[index]) : "";
}

po::parsed_options parse_tokens(const std::vector<Token>& tokens,
                                const std::vector<std::string>& texts,
                                const po::options_description& options,
                                const po::positional_options_description& positional)
{
    std::size_t step = texts.size();
    try {
        return run_parser(texts, options, &positional, &step);
    } catch (const po::too_many_positional_options_error& error) {
        throw UsageError(origin_of(tokens, extra_positional(texts, options, positional))
                         + error.what());
    } catch (const po::error& error) {
        throw UsageError(origin_of(tokens, step) + error.what());
    }
}

}  // namespace

std::vector<std::string> expand_option_files(const std::vector<std::string>& args,
                                             const FileReader& read)
{
    std::vector<std::string> texts;
    for (auto& token : expand(args, read))
        texts.push_back(std::move(token.text));
    return texts;
}

CommandLine parse_command_line(const std::vector<std::string>& args,
                               const po::options_description& options,
                               const po::positional_options_description& positional,
                               const FileReader& read)
{
    auto tokens = expand(args, read);
    CommandLine result;
    for (auto dash = tokens.begin(); dash != tokens.end(); ++dash)
        if (dash->text == "--") {
            for (auto after = dash + 1; after != tokens.end(); ++after)
                result.after_double_dash.push_back(after->text);
            tokens.erase(dash, tokens.end());
            break;
        }
    std::vector<std::string> texts;
    for (const auto& token : tokens) {
        refuse_boost_placeholders(token);
        texts.push_back(token.text);
    }

    auto parsed = parse_tokens(tokens, texts, options, positional);
    auto starts = option_starts(parsed.options);
    try {
        po::store(parsed, result.values);
    } catch (const po::error& error) {
        auto refused = refused_option(parsed);
        auto at = refused < starts.size() ? starts[refused] : tokens.size();
        throw UsageError(origin_of(tokens, at) + error.what());
    }
    for (std::size_t i = 0; i < parsed.options.size(); ++i) {
        const auto& option = parsed.options[i];
        result.occurrences[option.string_key].push_back(option.value);
        result.origins[option.string_key].push_back(origin_of(tokens, starts[i]));
    }
    try {
        po::notify(result.values);
    } catch (const po::error& error) {   // a required option is missing: no line to name
        throw UsageError(error.what());
    }
    return result;
}

std::vector<std::vector<std::string>> CommandLine::groups(const std::string& name,
                                                         std::size_t size) const
{
    auto found = occurrences.find(name);
    if (found == occurrences.end())
        return {};
    const auto& where = origins.at(name);
    for (std::size_t i = 0; i < found->second.size(); ++i)
        if (auto given = found->second[i].size(); given != size)
            throw UsageError(where[i] + "option '--" + name + "' takes " + std::to_string(size)
                             + " values, not " + std::to_string(given));
    return found->second;
}

}  // namespace re6st
