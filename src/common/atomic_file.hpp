// Files replaced atomically: written to a temporary file in the same
// directory, flushed to disk, then renamed over the target, so that a crash
// or a full disk leaves the old file or the new one, never a truncated one.
#pragma once

#include "common/unique_fd.hpp"

#include <sys/types.h>

#include <filesystem>
#include <stdexcept>
#include <string_view>

namespace re6st {

// The message names the file and the system's reason.
class FileError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class AtomicFile {
public:
    // Creates the temporary file at once (so an unwritable directory fails
    // before any other work), mode 0600 until commit() gives it `mode`: a
    // key written with 0600 is never readable by others, even for an instant.
    AtomicFile(std::filesystem::path path, mode_t mode);
    // Removes the temporary file unless committed.
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    void write(std::string_view data);   // appends
    // Sets the mode, flushes, renames over the target, flushes the directory.
    void commit();

    const std::filesystem::path& path() const { return path_; }
    // The file written so far, to check it before commit().
    const std::filesystem::path& temporary_path() const { return temporary_; }

private:
    std::filesystem::path path_;
    std::filesystem::path temporary_;
    mode_t mode_;
    UniqueFd fd_;
    bool committed_ = false;
};

void write_file_atomically(const std::filesystem::path& path, std::string_view data, mode_t mode);

}  // namespace re6st
