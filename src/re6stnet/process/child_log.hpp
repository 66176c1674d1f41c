// A child's log file under --log. The daemon writes it from a pipe rather
// than giving the child the file, so that SIGHUP (or SIGUSR1) can reopen it
// after logrotate moved it, whatever the child is.
#pragma once

#include "common/unique_fd.hpp"

#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>

namespace re6st {

class ChildLog {
public:
    // Opens (creates, appends to) the file; throws std::system_error naming it.
    ChildLog(boost::asio::io_context& io, std::string path);
    ~ChildLog();
    ChildLog(const ChildLog&) = delete;
    ChildLog& operator=(const ChildLog&) = delete;

    // A new pipe whose output lands in the file until every holder of the
    // returned write end (the child and its own children) has closed it.
    // Pass it as ProcessSpec::output_fd, then let it go.
    UniqueFd attach();

    // Reopens the file by name, for logrotate.
    void reopen();

    const std::string& path() const { return path_; }

private:
    struct Reader;
    void write(const char* data, std::size_t size);

    boost::asio::io_context& io_;
    std::string path_;
    UniqueFd file_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace re6st
