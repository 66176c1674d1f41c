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

// mkostemp's template for a hidden name next to `path`: DIR/.NAME.XXXXXX,
// so that nothing reading the directory takes it for the real file. Appended
// piece by piece: `"." + name` inserts at the front of a string, in which
// GCC 12 at -O3 sees an overlapping memcpy that is not there (-Wrestrict).
std::string temporary_template(const std::filesystem::path& path)
{
    std::string name = ".";
    name += path.filename().native();
    name += ".XXXXXX";
    return (directory_of(path) / name).native();
}

}  // namespace

AtomicFile::AtomicFile(std::filesystem::path path, mode_t mode)
    : path_(std::move(path)), mode_(mode)
{
    // mkostemp creates the file with mode 0600.
    std::string name = temporary_template(path_);
    fd_.reset(mkostemp(name.data(), O_CLOEXEC));
    if (!fd_)
        fail("create a file in", directory_of(path_), errno);
    temporary_ = name;
}

AtomicFile::~AtomicFile()
{
    if (!committed_)
        unlink(temporary_.c_str());
}

void AtomicFile::write(std::string_view data)
{
    while (!data.empty()) {
        auto written = ::write(fd_.get(), data.data(), data.size());
        if (written < 0 && errno == EINTR)
            continue;
        if (written < 0)
            fail("write", path_, errno);
        data.remove_prefix(std::size_t(written));
    }
}

void AtomicFile::commit()
{
    if (fchmod(fd_.get(), mode_) != 0)
        fail("set the mode of", path_, errno);
    if (fsync(fd_.get()) != 0)
        fail("write", path_, errno);
    if (close(fd_.release()) != 0)   // NFS reports write errors here
        fail("write", path_, errno);
    if (rename(temporary_.c_str(), path_.c_str()) != 0)
        fail("replace", path_, errno);
    committed_ = true;
    auto directory = directory_of(path_);
    UniqueFd directory_fd(open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!directory_fd)
        fail("open", directory, errno);
    if (fsync(directory_fd.get()) != 0)
        fail("flush", directory, errno);
}

void write_file_atomically(const std::filesystem::path& path, std::string_view data, mode_t mode)
{
    AtomicFile file(path, mode);
    file.write(data);
    file.commit();
}

}  // namespace re6st
