// The RFC 7919 ffdhe2048 group as the openssl tool sees it.
#include "common/dh_params.hpp"

#include "support/openssl_cli.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

using namespace re6st;
using namespace re6st::test;

TEST(DhParams, Ffdhe2048IsAcceptedByOpenssl)
{
    TempDir dir;
    std::string pem = ffdhe2048_pem();
    EXPECT_EQ(pem.rfind("-----BEGIN DH PARAMETERS-----\n", 0), 0u) << pem;
    dir.write("dh2048.pem", pem);

    auto check = run_openssl({"dhparam", "-in", dir / "dh2048.pem", "-check", "-noout"});
    EXPECT_EQ(check.exit_status, 0) << check.output;
    EXPECT_NE(check.output.find("DH parameters appear to be ok"), std::string::npos)
        << check.output;
    std::string text = openssl_tool({"pkeyparam", "-in", dir / "dh2048.pem", "-noout", "-text"});
    EXPECT_NE(text.find("(2048 bit)"), std::string::npos) << text;
    EXPECT_NE(text.find("GROUP: ffdhe2048"), std::string::npos) << text;

    // The same bytes as the group the openssl tool itself knows by name.
    openssl_tool({"genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "group:ffdhe2048", "-out",
             dir / "reference.pem"});
    EXPECT_EQ(pem, dir.read("reference.pem"));
}
