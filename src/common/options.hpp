// Command lines and @FILE option files, on Boost.Program_options.
//
// An option file holds one option per line; the leading "--" may be omitted,
// "#" starts a comment, and a line "@OTHER" includes another file. Relative
// file names are taken from the current directory, as argparse does. An
// error about an option from a file begins with "FILE:LINE: ".
#pragma once

#include <boost/program_options.hpp>

#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace re6st {

// A bad command line or option file; the message is one line that names the
// option, or the file and line.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The tokens of one option file ("pp 1194 udp" gives "--pp", "1194", "udp");
// "@FILE" lines are kept as single tokens for expand_option_files. Does no I/O.
std::vector<std::string> parse_option_file(std::string_view text, std::string_view file_name);

using FileReader = std::function<std::string(const std::string& path)>;
std::string read_option_file(const std::string& path);   // throws UsageError

// Replaces every "@FILE" argument (before a "--") by the tokens of FILE,
// recursively; a file including itself is an error.
std::vector<std::string> expand_option_files(const std::vector<std::string>& args,
                                             const FileReader& read = read_option_file);

struct CommandLine {
    boost::program_options::variables_map values;
    std::vector<std::string> after_double_dash;   // arguments after "--"

    // The values of a repeatable multi-token option, one group per
    // occurrence, each of exactly `size` values (else a UsageError):
    // "--pp 1194 udp --pp 1195 tcp" gives {{"1194","udp"},{"1195","tcp"}}.
    std::vector<std::vector<std::string>> groups(const std::string& name,
                                                 std::size_t size) const;

    std::map<std::string, std::vector<std::vector<std::string>>> occurrences;
    // For each occurrence, "FILE:LINE: " if it came from an option file,
    // else "": the start of an error message about it.
    std::map<std::string, std::vector<std::string>> origins;
};

// Expands option files, then parses; unknown options, missing or malformed
// values and missing required options are UsageErrors, which begin with
// "FILE:LINE: " when the fault is in an option file. `args` excludes argv[0].
CommandLine parse_command_line(
    const std::vector<std::string>& args,
    const boost::program_options::options_description& options,
    const boost::program_options::positional_options_description& positional = {},
    const FileReader& read = read_option_file);

}  // namespace re6st
