// mkdtemp under $TMPDIR, removal with std::filesystem.
#include "support/temp_dir.hpp"

#include <stdlib.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <system_error>

namespace re6st::test {

TempDir::TempDir()
{
    std::string pattern = (std::filesystem::temp_directory_path() / "re6st-test-XXXXXX").string();
    if (!mkdtemp(pattern.data()))
        throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
    path_ = pattern;
}

TempDir::~TempDir()
{
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::write(std::string_view name, std::string_view contents) const
{
    std::string file = *this / name;
    std::ofstream out(file, std::ios::binary);
    out.write(contents.data(), std::streamsize(contents.size()));
    if (!out.flush())
        throw std::system_error(errno, std::generic_category(), "write " + file);
    return file;
}

std::string TempDir::read(std::string_view name) const
{
    std::ifstream in(*this / name, std::ios::binary);
    if (!in)
        throw std::system_error(errno, std::generic_category(), "read " + (*this / name));
    std::ostringstream contents;
    contents << in.rdbuf();
    return std::move(contents).str();
}

}  // namespace re6st::test
