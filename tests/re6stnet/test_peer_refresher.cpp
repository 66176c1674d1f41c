// Feeding the peer cache: schedule, retries, bootstrap, bad answers.
#include "re6stnet/peer_refresher.hpp"

#include "common/certificate.hpp"
#include "common/rsa_cipher.hpp"
#include "support/openssl_cli.hpp"
#include "support/temp_dir.hpp"

#include "peers.hpp"
#include "scripted_registry.hpp"

#include <gtest/gtest.h>

#include <deque>

using namespace re6st;
using test::bits;
using test::peer;
using test::ScriptedRegistry;
using namespace std::chrono_literals;
using Clock = PeerRefresher::Clock;

namespace {


struct PeerRefresherTest : ::testing::Test {
    static void SetUpTestSuite()
    {
        keys = new test::TempDir;
        test::openssl_rsa_key(*keys / "ca.key");
        test::openssl_ca(*keys / "ca.key", *keys / "ca.crt");
        test::openssl_csr("rsa:2048", "/CN=1\\/16", *keys / "node.key", *keys / "node.csr");
        test::openssl_tool({"x509", "-req", "-in", *keys / "node.csr", "-CA", *keys / "ca.crt",
                            "-CAkey", *keys / "ca.key", "-set_serial", "7", "-out",
                            *keys / "node.crt"});
    }
    static void TearDownTestSuite() { delete keys; }
    static test::TempDir* keys;

    test::TempDir dir;
    PeerDb db{dir / "peers.db", bits(1)};
    ScriptedRegistry registry;
    Clock::time_point t0 = Clock::now();
    PeerRefresher::Decrypt decrypt = [key = PrivateKey::load(*keys / "node.key")](
                                         const std::string& ciphertext,
                                         PeerRefresher::Decrypted done) {
        try {
            done(rsa_decrypt(key, ciphertext), "");
        } catch (const std::exception& error) {
            done(std::nullopt, error.what());
        }
    };
    PeerRefresher refresher{db, registry, decrypt, PeerRefresher::Settings{.interval = 3600s}};

    std::string encrypted_for_us(const std::string& text)
    {
        return rsa_encrypt(Certificate::load(*keys / "node.crt"), text);
    }
};
test::TempDir* PeerRefresherTest::keys = nullptr;

}  // namespace

TEST_F(PeerRefresherTest, DeclaresThenFetchesPeersThenWaitsAnInterval)
{
    registry.peers = {peer(2), peer(3), peer(1)};   // we are 1
    refresher.set_address("192.0.2.1,1194,udp", t0);
    EXPECT_EQ(refresher.due(), t0);
    refresher.run(t0);
    EXPECT_TRUE(refresher.busy());
    EXPECT_EQ(refresher.due(), Clock::time_point::max());
    registry.answer_all();
    EXPECT_EQ(registry.calls, (std::vector<std::string>{
                                  "getPrivateAddress",
                                  "declare http://[2001:db8:42::1]:9080/ 192.0.2.1,1194,udp",
                                  "getPeerList http://[2001:db8:42::1]:9080/ 200"}));
    EXPECT_EQ(db.size(), 2u);
    EXPECT_EQ(db.config("registry"), "http://[2001:db8:42::1]:9080/");
    EXPECT_EQ(refresher.due(), t0 + 3600s);
}

TEST_F(PeerRefresherTest, CachedPrivateUrlIsUsedWithoutAskingAgain)
{
    db.set_config("registry", "http://[2001:db8:42::9]/");
    refresher.run(t0);
    registry.answer_all();
    EXPECT_EQ(registry.calls,
              (std::vector<std::string>{"getPeerList http://[2001:db8:42::9]:80/ 200"}));
}

TEST_F(PeerRefresherTest, FailuresAreRetriedSoonerThenLater)
{
    registry.reachable = false;
    refresher.run(t0);
    registry.answer_all();
    EXPECT_EQ(refresher.due(), t0 + 5s);
    refresher.run(t0 + 5s);
    registry.answer_all();
    EXPECT_EQ(refresher.due(), t0 + 15s);
    refresher.run(t0 + 15s);
    registry.answer_all();
    EXPECT_EQ(refresher.due(), t0 + 35s);
    refresher.run(t0 + 35s);
    registry.answer_all();
    EXPECT_EQ(refresher.due(), t0 + 65s);   // at most 30 s apart
    registry.reachable = true;
    refresher.run(t0 + 65s);
    registry.answer_all();
    EXPECT_EQ(refresher.due(), t0 + 65s + 3600s);
}

TEST_F(PeerRefresherTest, CorruptCachedPrivateUrlIsAskedForAgain)
{
    db.set_config("registry", "not a url");
    refresher.run(t0);
    registry.answer_all();
    EXPECT_EQ(registry.calls.front(), "getPrivateAddress");
    EXPECT_EQ(db.config("registry"), "http://[2001:db8:42::1]:9080/");
}

TEST_F(PeerRefresherTest, UnusablePrivateUrlIsAFailure)
{
    registry.private_url = "ftp://nowhere";
    refresher.run(t0);
    registry.answer_all();
    EXPECT_FALSE(db.config("registry"));
    EXPECT_EQ(refresher.due(), t0 + 5s);
}

TEST_F(PeerRefresherTest, RefusedDeclarationStillFetchesPeers)
{
    registry.accept_declare = false;
    registry.peers = {peer(2)};
    refresher.set_address("192.0.2.1,1194,udp", t0);
    refresher.run(t0);
    registry.answer_all();
    EXPECT_EQ(db.size(), 1u);
}

TEST_F(PeerRefresherTest, NewNodeBootstrapsWhenThePrivateUrlIsOutOfReach)
{
    registry.reachable = false;   // no tunnel yet, no route to the private URL
    registry.bootstrap = encrypted_for_us(bits(2) + " 10.0.0.2,1194,udp;10.0.0.2,1194,tcp");
    refresher.want_peers(t0);
    refresher.run(t0);
    registry.answer_all();   // getPrivateAddress, getPeerList fail
    EXPECT_EQ(refresher.due(), t0);   // the bootstrap is due at once
    refresher.run(t0);
    registry.answer_all();
    EXPECT_EQ(registry.calls.back(), "getBootstrapPeer");
    auto found = db.find(bits(2));
    ASSERT_TRUE(found);
    EXPECT_EQ(found->address(), "10.0.0.2,1194,udp;10.0.0.2,1194,tcp");
    // Still starving: another bootstrap peer a second later, then 2 s...
    EXPECT_EQ(refresher.due(), t0 + 1s);
    refresher.run(t0 + 1s);
    registry.answer_all();
    EXPECT_EQ(refresher.due(), t0 + 3s);
    // ...until the tunnels have what they need: then the refresh, retried.
    refresher.satisfied();
    EXPECT_EQ(refresher.due(), t0 + 5s);
}

TEST_F(PeerRefresherTest, BootstrapPeerThatIsNotForUsIsRejected)
{
    registry.reachable = false;
    registry.bootstrap = std::string(256, 'x');   // not decryptable with our key
    refresher.want_peers(t0);
    refresher.run(t0);
    registry.answer_all();
    refresher.run(t0);
    registry.answer_all();
    EXPECT_EQ(db.size(), 0u);
    EXPECT_EQ(refresher.due(), t0 + 1s);   // the bootstrap, again
}

TEST_F(PeerRefresherTest, BootstrapPeerMustBeWellFormed)
{
    registry.reachable = false;
    for (const auto& text : {std::string("no-space"), bits(2) + " not-an-address",
                             std::string("0x1 10.0.0.2,1194,udp"), bits(1) + " 10.0.0.1,1,udp"}) {
        PeerRefresher fresh(db, registry, decrypt, {});
        registry.bootstrap = encrypted_for_us(text);
        registry.calls.clear();
        fresh.want_peers(t0);
        fresh.run(t0);
        registry.answer_all();
        fresh.run(t0);
        registry.answer_all();
        EXPECT_EQ(registry.calls.back(), "getBootstrapPeer") << text;
        EXPECT_EQ(db.size(), 0u) << text;   // the last one is ourselves
    }
}

TEST_F(PeerRefresherTest, WhenEveryPeerIsInUseRefreshesAtMostEveryMinute)
{
    registry.peers = {peer(2)};
    refresher.run(t0);
    registry.answer_all();
    db.set_use(bits(2), PeerDb::Use::used);
    refresher.want_peers(t0 + 1s);
    EXPECT_EQ(refresher.due(), t0 + 60s);
    refresher.run(t0 + 60s);
    registry.answer_all();
    EXPECT_EQ(registry.calls.back(), "getPeerList http://[2001:db8:42::1]:9080/ 200");
    EXPECT_EQ(refresher.due(), t0 + 120s);   // still starving, reachable: no bootstrap
    refresher.satisfied();
    EXPECT_EQ(refresher.due(), t0 + 120s);
}

TEST_F(PeerRefresherTest, NewEndpointsAreDeclaredAtOnce)
{
    refresher.run(t0);
    registry.answer_all();
    refresher.set_address("198.51.100.7,1194,udp", t0 + 10s);
    EXPECT_EQ(refresher.due(), t0 + 10s);
    refresher.set_address("198.51.100.7,1194,udp", t0 + 11s);   // unchanged: nothing new
    EXPECT_EQ(refresher.due(), t0 + 10s);
}

TEST_F(PeerRefresherTest, TunnelComingUpCutsTheRetryDelayShort)
{
    registry.reachable = false;
    refresher.run(t0);
    registry.answer_all();
    refresher.run(t0 + 5s);
    registry.answer_all();
    EXPECT_EQ(refresher.due(), t0 + 15s);
    refresher.tunnel_up(t0 + 6s);
    EXPECT_EQ(refresher.due(), t0 + 7s);
    // Babel has no route over the new tunnel yet: every second, for 10 s.
    for (auto at : {7s, 8s, 9s}) {
        refresher.run(t0 + at);
        registry.answer_all();
        EXPECT_EQ(refresher.due(), t0 + at + 1s);
    }
    registry.reachable = true;
    refresher.run(t0 + 10s);
    registry.answer_all();
    EXPECT_EQ(refresher.due(), t0 + 10s + 3600s);
    refresher.tunnel_up(t0 + 20s);   // nothing failed: nothing to hurry
    EXPECT_EQ(refresher.due(), t0 + 10s + 3600s);
}

TEST_F(PeerRefresherTest, FailuresSoonAfterATunnelCameUpAreRetriedEverySecond)
{
    registry.reachable = false;
    refresher.tunnel_up(t0);
    refresher.run(t0 + 9s);
    registry.answer_all();
    EXPECT_EQ(refresher.due(), t0 + 10s);
    refresher.run(t0 + 10s);   // the tunnel is 10 s old: the usual delays again
    registry.answer_all();
    EXPECT_EQ(refresher.due(), t0 + 15s);
    refresher.run(t0 + 15s);
    registry.answer_all();
    EXPECT_EQ(refresher.due(), t0 + 25s);
}

TEST_F(PeerRefresherTest, BootstrapPeerAlreadyFailingIsNoProgress)
{
    registry.reachable = false;
    db.add(peer(2), 0);
    db.set_use(bits(2), PeerDb::Use::failed);   // its server has no slot for us
    registry.bootstrap = encrypted_for_us(peer(2).prefix + " " + peer(2).address());
    refresher.want_peers(t0);
    refresher.run(t0);
    registry.answer_all();
    refresher.run(t0);
    registry.answer_all();
    EXPECT_EQ(registry.calls.back(), "getBootstrapPeer");
    EXPECT_EQ(refresher.due(), t0 + 1s);   // asks again, whatever the refresh delay
    registry.bootstrap = encrypted_for_us(peer(3).prefix + " " + peer(3).address());
    refresher.run(t0 + 1s);
    registry.answer_all();
    EXPECT_EQ(registry.calls.back(), "getBootstrapPeer");
    EXPECT_TRUE(db.find(bits(3)));
    refresher.satisfied();   // the tunnels use it
    EXPECT_EQ(refresher.due(), t0 + 5s);   // the refresh, retried
}
