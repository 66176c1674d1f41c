// A private scratch directory (mkdtemp) for one test, removed with its
// contents when the test ends, whether it passed or not.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace re6st::test {

class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    // The path of `name` inside the directory.
    std::string operator/(std::string_view name) const { return (path_ / name).string(); }

    std::string write(std::string_view name, std::string_view contents) const;   // its path
    std::string read(std::string_view name) const;

private:
    std::filesystem::path path_;
};

}  // namespace re6st::test
