// Command lines and @FILE option files.
#include "common/options.hpp"

#include <fstream>
#include <set>
#include <sstream>

namespace po = boost::program_options;

namespace re6st {

std::vector<std::string> parse_option_file(std::string_view text, std::string_view file_name)
{
    std::vector<std::string> tokens;
    std::size_t line_number = 0, start = 0;
    while (start < text.size()) {
        ++line_number;
        auto end = text.find('\n', start);
        auto line = text.substr(start, end == text.npos ? text.npos : end - start);
        start = end == text.npos ? text.size() : end + 1;

        if (auto hash = line.find('#'); hash != line.npos)
            line = line.substr(0, hash);
        if (line.find('\0') != line.npos)
            throw UsageError(std::string(file_name) + ":" + std::to_string(line_number)
                             + ": NUL character");
        std::istringstream words{std::string(line)};
        std::string word;
        bool first = true;
        while (words >> word) {
            if (first && word.front() != '-' && word.front() != '@')
                word = "--" + word;
            tokens.push_back(std::move(word));
            first = false;
        }
    }
    return tokens;
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
void refuse_boost_placeholders(const std::string& token)
{
    for (std::string_view placeholder :
         {"%canonical_option%", "%option%", "%original_token%", "%prefix%", "%value%"})
        if (token.find(placeholder) != token.npos)
            throw UsageError("argument '" + token + "' holds " + std::string(placeholder)
                             + ", which option parsing cannot quote");
}

void expand_into(const std::vector<std::string>& args, const FileReader& read,
                 std::set<std::string>& open_files, std::vector<std::string>& out)
{
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& arg = args[i];
        if (arg == "--") {   // everything after belongs to OpenVPN, verbatim
            out.insert(out.end(), args.begin() + i, args.end());
            return;
        }
        if (arg.size() < 2 || arg.front() != '@') {
            out.push_back(arg);
            continue;
        }
        auto path = arg.substr(1);
        if (!open_files.insert(path).second)
            throw UsageError("option file " + path + " includes itself");
        expand_into(parse_option_file(read(path), path), read, open_files, out);
        open_files.erase(path);
    }
}

}  // namespace

std::vector<std::string> expand_option_files(const std::vector<std::string>& args,
                                             const FileReader& read)
{
    std::vector<std::string> out;
    std::set<std::string> open_files;
    expand_into(args, read, open_files, out);
    return out;
}

CommandLine parse_command_line(const std::vector<std::string>& args,
                               const po::options_description& options,
                               const po::positional_options_description& positional,
                               const FileReader& read)
{
    auto expanded = expand_option_files(args, read);
    CommandLine result;
    for (auto dash = expanded.begin(); dash != expanded.end(); ++dash)
        if (*dash == "--") {
            result.after_double_dash.assign(dash + 1, expanded.end());
            expanded.erase(dash, expanded.end());
            break;
        }
    for (const auto& token : expanded)
        refuse_boost_placeholders(token);
    try {
        auto parsed = po::command_line_parser(expanded)
                          .options(options)
                          .positional(positional)
                          .style(po::command_line_style::default_style
                                 & ~po::command_line_style::allow_guessing)
                          .run();
        for (const auto& option : parsed.options)
            result.occurrences[option.string_key].push_back(option.value);
        po::store(parsed, result.values);
        po::notify(result.values);
    } catch (const po::error& error) {
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
    for (const auto& group : found->second)
        if (group.size() != size)
            throw UsageError("option '--" + name + "' takes " + std::to_string(size)
                             + " values, not " + std::to_string(group.size()));
    return found->second;
}

}  // namespace re6st
