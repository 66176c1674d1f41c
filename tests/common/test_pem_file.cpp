// Loading PEM files: whatever goes wrong, the error names the file.
#include "common/pem_file.hpp"

#include "common/certificate.hpp"
#include "common/private_key.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <functional>

using namespace re6st;
using namespace re6st::test;
using namespace std::string_literals;

TEST(PemFile, ReadsTheWholeFile)
{
    TempDir dir;
    std::string contents = "line 1\nline 2\0 after a NUL\n"s;
    EXPECT_EQ(read_pem_file(dir.write("f.pem", contents)), contents);
    EXPECT_EQ(read_pem_file(dir.write("empty.pem", "")), "");
}

TEST(PemFile, LoadErrorsNameTheFile)
{
    TempDir dir;
    dir.write("garbage.pem", "this is not PEM\n");
    struct Loader {
        const char* no_data;   // the error when the file holds no such PEM
        std::function<void(const std::string&)> load;
    };
    const Loader loaders[] = {
        {"no certificate in PEM data", [](const std::string& path) { Certificate::load(path); }},
        {"no private key in PEM data", [](const std::string& path) { PrivateKey::load(path); }},
    };
    struct File {
        std::string path;
        const char* error;   // nullptr: the loader's no_data
    };
    const File files[] = {
        {dir / "missing.pem", "No such file or directory"},
        {dir / "garbage.pem", nullptr},
        {dir.path().string(), nullptr},   // a directory reads as empty
    };
    for (const auto& loader : loaders) {
        for (const auto& file : files) {
            std::string expected = file.path + ": " + (file.error ? file.error : loader.no_data);
            SCOPED_TRACE(expected);
            try {
                loader.load(file.path);
                ADD_FAILURE() << "no error";
            } catch (const CryptoError& error) {
                EXPECT_EQ(std::string(error.what()).rfind(expected, 0), 0u) << error.what();
            }
        }
    }
}
