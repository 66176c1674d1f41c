// re6st-registry's administration commands: their command lines (the
// server's @FILE option files included), their output and exit status, and
// a token made offline that enrols a node.
#include "registry/admin_command.hpp"
#include "registry/administration.hpp"

#include "common/certificate_request.hpp"
#include "common/certificate_serial.hpp"
#include "common/utc_time.hpp"
#include "service_fixture.hpp"

#include <ctime>
#include <filesystem>
#include <map>
#include <sstream>

using namespace re6st;
using namespace re6st::registry;
using namespace re6st::test;

namespace {

std::string usage_error(AdminVerb verb, const std::vector<std::string>& args,
                        const FileReader& read = read_option_file)
{
    try {
        parse_admin_command(verb, args, read);
        return "accepted";
    } catch (const UsageError& error) {
        return error.what();
    }
}

// The server's option file, as an operator writes it.
const std::map<std::string, std::string> files = {
    {"/etc/re6stnet/re6st-registry.conf",
     "# the registry\n"
     "db /var/lib/re6stnet/registry.db\n"
     "ca /etc/re6stnet/ca.crt\n"
     "key /etc/re6stnet/ca.key\n"
     "mailhost smtp.example.org\n"
     "private 2001:db8:42::1\n"
     "bootstrap 0000000000000001\n"
     "token-lifetime 2h\n"
     "prefix-length 20\n"
     "hello 30\n"
     "smtp-starttls\n"},
};

std::string read_file_of(const std::string& path)
{
    auto found = files.find(path);
    if (found == files.end())
        throw UsageError("cannot read option file " + path);
    return found->second;
}

}  // namespace

TEST(AdminCommand, Verbs)
{
    EXPECT_EQ(admin_verb("nodes"), AdminVerb::nodes);
    EXPECT_EQ(admin_verb("revoke"), AdminVerb::revoke);
    EXPECT_EQ(admin_verb("token"), AdminVerb::token);
    EXPECT_EQ(admin_verb("map"), AdminVerb::map);
    for (auto other : {"", "0", "--db", "Nodes", "@nodes", "8080"})
        EXPECT_FALSE(admin_verb(other)) << other;
}

TEST(AdminCommand, Parsed)
{
    auto nodes = parse_admin_command(AdminVerb::nodes, {"--db", "r.db", "--json"});
    ASSERT_TRUE(nodes);
    EXPECT_EQ(nodes->db, "r.db");
    EXPECT_TRUE(nodes->json);
    EXPECT_FALSE(parse_admin_command(AdminVerb::nodes, {"--db", "r.db"})->json);

    auto revoke = parse_admin_command(AdminVerb::revoke, {"123/16", "--db", "r.db"});
    EXPECT_EQ(revoke->target, "123/16");
    EXPECT_EQ(parse_admin_command(AdminVerb::revoke, {"--db", "r.db", "0a1B"})->target, "0a1B");

    auto token = parse_admin_command(AdminVerb::token, {"--db", "r.db", "a@example.org"});
    EXPECT_EQ(token->target, "a@example.org");
    EXPECT_EQ(token->token_lifetime, std::chrono::seconds(86400));   // the server's default
    EXPECT_EQ(token->prefix_length, 16u);
    token = parse_admin_command(AdminVerb::token, {"--db", "r.db", "a@example.org",
                                                   "--token-lifetime", "90m", "--prefix-length",
                                                   "24"});
    EXPECT_EQ(token->token_lifetime, std::chrono::seconds(5400));
    EXPECT_EQ(token->prefix_length, 24u);

    EXPECT_EQ(parse_admin_command(AdminVerb::map, {"--db", "r.db"})->format, MapFormat::dot);
    EXPECT_EQ(parse_admin_command(AdminVerb::map, {"--db", "r.db", "--format", "json"})->format,
              MapFormat::json);
    EXPECT_EQ(parse_admin_command(AdminVerb::map, {"--db", "r.db", "--format=dot"})->format,
              MapFormat::dot);
}

TEST(AdminCommand, HelpOnItsOwn)
{
    for (auto verb : {AdminVerb::nodes, AdminVerb::revoke, AdminVerb::token, AdminVerb::map}) {
        EXPECT_FALSE(parse_admin_command(verb, {"--help"}));
        EXPECT_FALSE(parse_admin_command(verb, {"--bogus", "-h"}));
        EXPECT_NE(admin_help(verb).find("--db"), std::string::npos);
    }
    EXPECT_NE(admin_help(AdminVerb::nodes).find("--json"), std::string::npos);
    EXPECT_EQ(admin_help(AdminVerb::revoke).find("--json"), std::string::npos);
}

TEST(AdminCommand, UsageErrorsNameTheFault)
{
    using V = AdminVerb;
    const std::tuple<V, std::vector<std::string>, std::string> cases[] = {
        {V::nodes, {}, "nodes: option '--db' is required"},
        {V::nodes, {"--db", "r.db", "--bogus"}, "unrecognised option '--bogus'"},
        {V::nodes, {"--db"}, "the required argument for option '--db' is missing"},
        {V::revoke, {"--db", "r.db"}, "revoke: a CN or a serial is required"},
        {V::revoke, {"--db", "r.db", "zz"}, "revoke: not a CN (123/16) or a hex serial: zz"},
        {V::revoke, {"--db", "r.db", "0x1F"}, "revoke: not a CN (123/16) or a hex serial: 0x1F"},
        {V::revoke, {"--db", "r.db", "--json", "1/16"}, "unrecognised option '--json'"},
        {V::token, {"--db", "r.db"}, "token: an e-mail address is required"},
        {V::token, {"--db", "r.db", "nobody"},
         "token: not a plain e-mail address (user@domain): nobody"},
        {V::token, {"--db", "r.db", "a@example.org", "--token-lifetime", "soon"},
         "--token-lifetime soon: "},
        {V::map, {}, "map: option '--db' is required"},
        {V::map, {"--db", "r.db", "--format", "svg"}, "map: --format svg: must be dot or json"},
        {V::map, {"--db", "r.db", "--json"}, "unrecognised option '--json'"},
    };
    for (const auto& [verb, args, expected] : cases) {
        auto error = usage_error(verb, args);
        EXPECT_TRUE(error.starts_with(expected)) << error;
        EXPECT_EQ(error.find('\n'), std::string::npos) << error;
    }
    EXPECT_NE(usage_error(V::revoke, {"--db", "r.db", "1/x"}), "accepted");
    EXPECT_NE(usage_error(V::nodes, {"--db", "r.db", "extra"}), "accepted");
}

TEST(AdminCommand, TheServersOptionFileServes)
{
    auto file = "@/etc/re6stnet/re6st-registry.conf";
    auto nodes = parse_admin_command(AdminVerb::nodes, {file}, read_file_of);
    ASSERT_TRUE(nodes);
    EXPECT_EQ(nodes->db, "/var/lib/re6stnet/registry.db");
    auto token = parse_admin_command(AdminVerb::token, {file, "a@example.org"}, read_file_of);
    EXPECT_EQ(token->token_lifetime, std::chrono::seconds(7200));
    EXPECT_EQ(token->prefix_length, 20u);
    auto revoke = parse_admin_command(AdminVerb::revoke, {file, "1/16"}, read_file_of);
    EXPECT_EQ(revoke->target, "1/16");
    EXPECT_EQ(usage_error(AdminVerb::nodes, {"@/missing"}, read_file_of),
              "cannot read option file /missing");
}

namespace {

class Administration : public ServiceFixture {
protected:
    std::string path() { return dir / "registry.db"; }

    // Exit status, standard output, standard error.
    std::tuple<int, std::string, std::string> run(const std::vector<std::string>& args,
                                                  AdminVerb verb)
    {
        auto command = parse_admin_command(verb, args);
        std::ostringstream out, err;
        auto status = run_admin_command(*command, out, err, now);
        return {status, out.str(), err.str()};
    }
};

std::string iso(std::int64_t when)
{
    char text[32];
    std::time_t t = when;
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

}  // namespace

TEST_F(Administration, NodesOneLineEachThenTheRevoked)
{
    auto a = enrol("a@example.org");
    auto b = enrol("b@example.org");
    ASSERT_TRUE(service->declare(a.ip, "192.0.2.1,1194,udp;192.0.2.1,1194,tcp", a.ip));
    auto cert_a = Certificate::from_pem(a.certificate);
    auto cert_b = Certificate::from_pem(b.certificate);
    auto [status, out, err] = run({"--db", path()}, AdminVerb::nodes);
    EXPECT_EQ(status, 0);
    EXPECT_EQ(err, "");
    EXPECT_EQ(out, "0/16 " + a.ip + " a@example.org " + serial_text(cert_a.serial()) + " "
                       + iso(cert_a.not_after()) + " " + iso(now)
                       + " 192.0.2.1,1194,udp;192.0.2.1,1194,tcp active\n"
                       + "1/16 " + b.ip + " b@example.org " + serial_text(cert_b.serial()) + " "
                       + iso(cert_b.not_after()) + " - - active\n");

    auto [revoked, printed, _] = run({"--db", path(), "1/16"}, AdminVerb::revoke);
    EXPECT_EQ(revoked, 0);
    EXPECT_EQ(printed, "revoked 1/16 serial " + serial_text(cert_b.serial()) + " expiring "
                           + utc_time(cert_b.not_after()) + "\n");
    auto [status2, listed, err2] = run({"--db", path()}, AdminVerb::nodes);
    EXPECT_EQ(status2, 0);
    EXPECT_NE(listed.find("\n1/16 " + b.ip + " - " + serial_text(cert_b.serial()) + " "
                          + iso(cert_b.not_after()) + " - - revoked\n"),
              std::string::npos)
        << listed;
}

TEST_F(Administration, NodesAsJson)
{
    auto a = enrol("a@example.org");
    // Whatever the table holds comes out as valid JSON.
    enrolment_db.execute("UPDATE vpn SET email = 'a\"quote@example.org' WHERE cert IS NOT NULL");
    auto cert = Certificate::from_pem(a.certificate);
    auto [status, out, err] = run({"--db", path(), "--json"}, AdminVerb::nodes);
    EXPECT_EQ(status, 0);
    EXPECT_EQ(out, "[\n  {\"cn\": \"0/16\", \"address\": \"" + a.ip
                       + "\", \"email\": \"a\\\"quote@example.org\", \"serial\": \""
                       + serial_text(cert.serial()) + "\", \"expires\": "
                       + std::to_string(cert.not_after())
                       + ", \"declared\": null, \"endpoints\": null, \"revoked\": false}\n]\n");
    run({"--db", path(), "0/16"}, AdminVerb::revoke);
    auto [status2, out2, err2] = run({"--db", path(), "--json"}, AdminVerb::nodes);
    EXPECT_EQ(out2, "[\n  {\"cn\": \"0/16\", \"address\": \"" + a.ip
                        + "\", \"email\": null, \"serial\": \"" + serial_text(cert.serial())
                        + "\", \"expires\": " + std::to_string(cert.not_after())
                        + ", \"declared\": null, \"endpoints\": null, \"revoked\": true}\n]\n");
}

TEST_F(Administration, NotFoundIsExitOneAndOneLine)
{
    enrol();
    const std::pair<std::vector<std::string>, std::string> cases[] = {
        {{"--db", path(), "1/16"}, "re6st-registry: no node 1/16 holds a certificate\n"},
        {{"--db", path(), "0ABC"}, "re6st-registry: no certificate on record has serial 0ABC\n"},
        {{"--db", dir / "missing.db", "0/16"},
         "re6st-registry: --db " + dir / "missing.db" + ": No such file or directory\n"},
    };
    for (const auto& [args, expected] : cases) {
        auto [status, out, err] = run(args, AdminVerb::revoke);
        EXPECT_EQ(status, 1);
        EXPECT_EQ(out, "");
        EXPECT_EQ(err, expected);
    }
    EXPECT_FALSE(std::filesystem::exists(dir / "missing.db"));   // never created
}

// A node renewed twice holds three certificates of one key: revoking it
// revokes the three, one line each, the current one last.
TEST_F(Administration, RevokeCnPrintsEveryCertificateItRevoked)
{
    auto node = enrol();
    std::vector<Certificate> certificates{Certificate::from_pem(node.certificate)};
    for (int i = 0; i < 2; ++i) {
        now += 3600;
        certificates.push_back(Certificate::from_pem(service->renew_certificate(
            CertificateRequest::create(node.key, {{"CN", "0/16"}}).to_pem())));
    }
    auto line = [](const char* verb, const Certificate& c) {
        return std::string(verb) + " 0/16 serial " + serial_text(c.serial()) + " expiring "
               + utc_time(c.not_after()) + "\n";
    };
    // An old one alone, by serial: the node keeps its prefix.
    auto [status, out, err] = run({"--db", path(), serial_text(certificates[0].serial())},
                                  AdminVerb::revoke);
    EXPECT_EQ(status, 0);
    EXPECT_EQ(err, "");
    EXPECT_EQ(out, line("revoked", certificates[0]));
    auto [again, out_again, err_again] =
        run({"--db", path(), serial_text(certificates[0].serial())}, AdminVerb::revoke);
    EXPECT_EQ(again, 0);
    EXPECT_EQ(out_again, line("already revoked", certificates[0]));

    auto [status2, out2, err2] = run({"--db", path(), "0/16"}, AdminVerb::revoke);
    EXPECT_EQ(status2, 0);
    EXPECT_EQ(err2, "");
    EXPECT_EQ(out2, line("revoked", certificates[1]) + line("revoked", certificates[2]));
    for (const auto& c : certificates) {
        auto [status3, out3, err3] = run({"--db", path(), serial_text(c.serial())},
                                         AdminVerb::revoke);
        EXPECT_EQ(out3, line("already revoked", c));
    }
}

TEST_F(Administration, TokenEnrolsANode)
{
    auto [status, out, err] = run({"--db", path(), "offline@example.org", "--token-lifetime", "1h"},
                                  AdminVerb::token);
    ASSERT_EQ(status, 0);
    ASSERT_EQ(out.size(), 17u);   // 16 characters and a newline
    auto token = out.substr(0, 16);
    EXPECT_EQ(enrolment_db.prepare("SELECT email FROM tokens WHERE token = ?")
                  .query_value<std::string>(token),
              "offline@example.org");
    auto node = make_node();
    auto pem = service->request_certificate(token, node.csr_pem);
    EXPECT_EQ(Certificate::from_pem(pem).subject_cn(), "0/16");
    EXPECT_EQ(enrolment_db.prepare("SELECT email FROM vpn WHERE prefix = '0000000000000000'")
                  .query_value<std::string>(),
              "offline@example.org");
    // Its lifetime is the one given: an hour later, gone.
    auto [status2, out2, err2] = run({"--db", path(), "late@example.org", "--token-lifetime", "1h"},
                                     AdminVerb::token);
    now += 3601;
    auto late = make_node();
    EXPECT_EQ(kind_of([&] { service->request_certificate(out2.substr(0, 16), late.csr_pem); }),
              RequestError::Kind::invalid);
}

TEST_F(Administration, TokenPrefixLengthMustFitTheNetwork)
{
    auto [status, out, err] = run({"--db", path(), "a@example.org", "--prefix-length", "200"},
                                  AdminVerb::token);
    EXPECT_EQ(status, 1);
    EXPECT_EQ(out, "");
    EXPECT_TRUE(err.starts_with("re6st-registry: --prefix-length 200: must be 1..")) << err;
}

// The map of what the nodes reported, read from the database the registry
// writes.
TEST_F(Administration, MapOfTheReports)
{
    auto a = enrol("a@example.org");
    auto b = enrol("b@example.org");
    enrol("c@example.org");
    service->report_tunnels("1/16", a.ip);
    now += 700;
    service->report_tunnels("0/16 2/16", b.ip);
    auto [status, out, err] = run({"--db", path()}, AdminVerb::map);
    EXPECT_EQ(status, 0);
    EXPECT_EQ(err, "");
    EXPECT_EQ(out,
              "graph re6st {\n"
              "  node [shape=box];\n"
              "  \"0/16\" [label=\"0/16\\n2001:db8:42::1\", style=dashed, color=grey, "
              "fontcolor=grey];\n"
              "  \"1/16\" [label=\"1/16\\n2001:db8:42:1::1\"];\n"
              "  \"2/16\" [label=\"2/16\\n2001:db8:42:2::1\", style=dashed, color=grey, "
              "fontcolor=grey];\n"
              "  \"0/16\" -- \"1/16\";\n"
              "  \"1/16\" -- \"2/16\";\n"
              "}\n");
    auto [json_status, json, json_err] = run({"--db", path(), "--format", "json"}, AdminVerb::map);
    EXPECT_EQ(json_status, 0);
    EXPECT_NE(json.find("{\"prefix\": \"0/16\", \"address\": \"2001:db8:42::1\", \"reported\": "
                        + std::to_string(t0) + ", \"stale\": true}"),
              std::string::npos)
        << json;

    // Revoked, a node leaves the map with its report.
    revoke(enrolment_db, "1/16", now);
    auto [after_status, after, after_err] = run({"--db", path()}, AdminVerb::map);
    EXPECT_EQ(after.find("1/16"), std::string::npos) << after;
    EXPECT_EQ(after.find(" -- "), std::string::npos) << after;
}
