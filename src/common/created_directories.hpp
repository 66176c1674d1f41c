// Directories made for files about to be written, as "mkdir -p" makes them,
// and removed again when what they were made for fails.
#pragma once

#include <filesystem>
#include <vector>

namespace re6st {

class CreatedDirectories {
public:
    // Creates `directory` and its missing parents, outermost first, each with
    // mode 0755 whatever the umask. Throws a FileError naming the one that
    // could not be made, the others made before it removed again.
    explicit CreatedDirectories(const std::filesystem::path& directory);
    // Removes the directories it made, innermost first, unless kept; one
    // that is no longer empty stays.
    ~CreatedDirectories() { remove(); }
    CreatedDirectories(const CreatedDirectories&) = delete;
    CreatedDirectories& operator=(const CreatedDirectories&) = delete;

    void keep() { created_.clear(); }

private:
    void remove();

    std::vector<std::filesystem::path> created_;   // outermost first
};

}  // namespace re6st
