// posix_spawn of the openssl tool with a pipe collecting its output.
#include "support/openssl_cli.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <stdexcept>
#include <system_error>

extern char** environ;

namespace re6st::test {

namespace {

class Fd {
public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    ~Fd() { reset(); }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }
    void reset()
    {
        if (fd_ >= 0)
            close(fd_);
        fd_ = -1;
    }

private:
    int fd_;
};

class SpawnActions {
public:
    SpawnActions() { posix_spawn_file_actions_init(&actions_); }
    ~SpawnActions() { posix_spawn_file_actions_destroy(&actions_); }
    SpawnActions(const SpawnActions&) = delete;
    SpawnActions& operator=(const SpawnActions&) = delete;
    posix_spawn_file_actions_t* get() { return &actions_; }

private:
    posix_spawn_file_actions_t actions_;
};

[[noreturn]] void fail(const char* what)
{
    throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

CommandResult run_openssl(const std::vector<std::string>& arguments)
{
    int ends[2];
    if (pipe2(ends, O_CLOEXEC) != 0)
        fail("pipe2");
    Fd read_end(ends[0]), write_end(ends[1]);

    SpawnActions actions;
    posix_spawn_file_actions_addopen(actions.get(), 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(actions.get(), write_end.get(), 1);
    posix_spawn_file_actions_adddup2(actions.get(), write_end.get(), 2);

    std::string program = "/usr/bin/openssl";
    std::vector<char*> argv{program.data()};
    std::vector<std::string> copies(arguments);
    for (auto& argument : copies)
        argv.push_back(argument.data());
    argv.push_back(nullptr);

    pid_t pid;
    if (int error = posix_spawn(&pid, program.c_str(), actions.get(), nullptr, argv.data(),
                                environ))
        throw std::system_error(error, std::generic_category(), "posix_spawn openssl");
    write_end.reset();

    CommandResult result{-1, {}};
    char buffer[4096];
    for (ssize_t size; (size = read(read_end.get(), buffer, sizeof buffer)) != 0;) {
        if (size > 0)
            result.output.append(buffer, std::size_t(size));
        else if (errno != EINTR)
            break;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            fail("waitpid");
    if (WIFEXITED(status))
        result.exit_status = WEXITSTATUS(status);
    return result;
}

std::string openssl_tool(const std::vector<std::string>& arguments)
{
    CommandResult result = run_openssl(arguments);
    if (result.exit_status != 0) {
        std::string command = "openssl";
        for (const auto& argument : arguments)
            command += " " + argument;
        throw std::runtime_error(command + " exited with " + std::to_string(result.exit_status)
                                 + ":\n" + result.output);
    }
    return result.output;
}

void openssl_rsa_key(const std::string& key_file, int bits)
{
    openssl_tool({"genpkey", "-algorithm", "RSA", "-pkeyopt",
             "rsa_keygen_bits:" + std::to_string(bits), "-out", key_file});
}

void openssl_ca(const std::string& key_file, const std::string& cert_file,
                const std::string& serial, const std::string& subject)
{
    openssl_tool({"req", "-nodes", "-new", "-x509", "-key", key_file, "-set_serial", serial, "-days",
             "365", "-subj", subject, "-addext", "basicConstraints=critical,CA:TRUE", "-out",
             cert_file});
}

void openssl_csr(const std::string& newkey, const std::string& subject,
                 const std::string& key_file, const std::string& csr_file)
{
    openssl_tool({"req", "-new", "-newkey", newkey, "-nodes", "-keyout", key_file, "-subj", subject,
             "-out", csr_file});
}

void tamper_csr_signature(const std::string& csr_file, const std::string& out_file)
{
    std::string der_file = out_file + ".der";
    openssl_tool({"req", "-in", csr_file, "-outform", "DER", "-out", der_file});
    std::fstream der(der_file, std::ios::in | std::ios::out | std::ios::binary);
    der.seekg(-1, std::ios::end);   // the last byte belongs to the signature
    char last = char(der.get() ^ 1);
    der.seekp(-1, std::ios::end);
    der.put(last);
    if (!der.flush())
        throw std::runtime_error("cannot tamper with " + der_file);
    der.close();
    openssl_tool({"req", "-inform", "DER", "-in", der_file, "-out", out_file});
}

}  // namespace re6st::test
