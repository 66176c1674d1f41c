// mkdir -p, one component at a time, remembering what it made.
#include "common/created_directories.hpp"

#include "common/atomic_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace re6st {

CreatedDirectories::CreatedDirectories(const std::filesystem::path& directory)
{
    std::filesystem::path path;
    for (const auto& component : directory) {
        path /= component;
        if (mkdir(path.c_str(), 0755) == 0) {
            created_.push_back(path);
            // mkdir applied the umask.
            if (chmod(path.c_str(), 0755) == 0)
                continue;
        } else if (errno == EEXIST) {
            // A file in the way fails at the next component, or when a file
            // is created in it, as "Not a directory".
            continue;
        }
        auto error = errno;
        remove();
        throw FileError("cannot create the directory " + path.string() + ": "
                        + std::strerror(error));
    }
}

void CreatedDirectories::remove()
{
    for (auto made = created_.rbegin(); made != created_.rend(); ++made)
        rmdir(made->c_str());
    created_.clear();
}

}  // namespace re6st
