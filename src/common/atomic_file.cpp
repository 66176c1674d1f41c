// Atomic replacement of a file: temporary file, fsync, rename, fsync of the
// directory (without which the rename itself may be lost in a crash).
#include "common/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace re6st {

namespace {

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path, int error)
{
    throw FileError("cannot " + what + " " + path.string() + ": " + std::strerror(error));
}

std::filesystem::path directory_of(const std::filesystem::path& path)
{
    auto directory = path.parent_path();
    return directory.empty() ? "." : directory;
}

}  // namespace

AtomicFile::AtomicFile(std::filesystem::path path, mode_t mode)
    : path_(std::move(path)), mode_(mode)
{
    // A hidden name, so that nothing reading the directory takes it for the
    // real file; mkostemp creates it with mode 0600.
    std::string name = (directory_of(path_) / ("." + path_.filename().string() + ".XXXXXX")).string();
    fd_ = mkostemp(name.data(), O_CLOEXEC);
    if (fd_ < 0)
        fail("create a file in", directory_of(path_), errno);
    temporary_ = name;
}

AtomicFile::~AtomicFile()
{
    if (fd_ >= 0)
        close(fd_);
    if (!committed_)
        unlink(temporary_.c_str());
}

void AtomicFile::write(std::string_view data)
{
    while (!data.empty()) {
        auto written = ::write(fd_, data.data(), data.size());
        if (written < 0 && errno == EINTR)
            continue;
        if (written < 0)
            fail("write", path_, errno);
        data.remove_prefix(std::size_t(written));
    }
}

void AtomicFile::commit()
{
    if (fchmod(fd_, mode_) != 0)
        fail("set the mode of", path_, errno);
    if (fsync(fd_) != 0)
        fail("write", path_, errno);
    int error = close(fd_) == 0 ? 0 : errno;
    fd_ = -1;
    if (error)
        fail("write", path_, error);
    if (rename(temporary_.c_str(), path_.c_str()) != 0)
        fail("replace", path_, errno);
    committed_ = true;
    auto directory = directory_of(path_);
    int directory_fd = open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (directory_fd < 0)
        fail("open", directory, errno);
    error = fsync(directory_fd) == 0 ? 0 : errno;
    close(directory_fd);
    if (error)
        fail("flush", directory, error);
}

void write_file_atomically(const std::filesystem::path& path, std::string_view data, mode_t mode)
{
    AtomicFile file(path, mode);
    file.write(data);
    file.commit();
}

}  // namespace re6st
