// Calls run off the HTTP thread; requestToken on its own bounded pool, so a
// mail server that does not answer delays no other method (SPEC B.5).
#include "registry/call_dispatcher.hpp"

#include "service_fixture.hpp"

#include <xmlrpc-c/base.hpp>
#include <xmlrpc-c/xml.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <future>
#include <mutex>
#include <set>
#include <thread>

using namespace re6st::registry;
using namespace re6st::test;

TEST(PeekMethodName, PlainNames)
{
    struct Case {
        const char* body;
        const char* name;
    };
    for (auto [body, name] : {
             Case{"<?xml version='1.0'?><methodCall><methodName>requestToken</methodName>", "requestToken"},
             Case{"<methodCall>\n<methodName>\n  getCa \t</methodName>", "getCa"},
             Case{"<methodName>requestToken", ""},
             Case{"<methodName></methodName>", ""},
             Case{"<methodCall><params/>", ""},
             Case{"", ""},
             Case{"<methodName>request&#84;oken</methodName>", "request&#84;oken"},
         })
        EXPECT_EQ(peek_method_name(body), name) << body;
}

namespace {

std::string call_body(const std::string& method, const xmlrpc_c::paramList& params)
{
    std::string body;
    xmlrpc_c::xml::generateCall(method, params, &body);
    return body;
}

int fault_code_of(const std::string& response)
{
    xmlrpc_c::rpcOutcome outcome;
    xmlrpc_c::xml::parseResponse(response, &outcome);
    return outcome.succeeded() ? 0 : outcome.getFault().getCode();
}

class Dispatcher : public ServiceFixture {};

}  // namespace

// The mail "server" is a FIFO nobody reads: sending blocks in open() until
// the test starts reading, like an SMTP server that does not answer.
TEST_F(Dispatcher, StalledMailDelaysNobodyAndIsBounded)
{
    auto fifo = dir / "stalled-mail";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    MboxMailer stalled(fifo);
    make(&stalled);
    XmlRpcProcessor processor(*service, 1 << 20);
    CallDispatcher dispatcher(processor, {2, 1, 2});

    auto token_call = call_body("requestToken",
                                xmlrpc_c::paramList().add(xmlrpc_c::value_string("a@example.org")));
    std::vector<std::future<std::string>> tokens;
    for (int i = 0; i < 3; ++i) {
        auto done = std::make_shared<std::promise<std::string>>();
        tokens.push_back(done->get_future());
        dispatcher.dispatch(token_call, "192.0.2.1",
                            [done](std::string response) { done->set_value(std::move(response)); });
    }
    // The third exceeds the queue of two: refused at once.
    ASSERT_EQ(tokens[2].wait_for(std::chrono::seconds(0)), std::future_status::ready);
    EXPECT_EQ(fault_code_of(tokens[2].get()), -509);

    // Other methods go on.
    for (int i = 0; i < 5; ++i) {
        std::promise<std::string> done;
        auto answer = done.get_future();
        dispatcher.dispatch(call_body("getCa", xmlrpc_c::paramList()), "192.0.2.1",
                            [&done](std::string response) { done.set_value(std::move(response)); });
        ASSERT_EQ(answer.wait_for(std::chrono::seconds(10)), std::future_status::ready);
        EXPECT_EQ(fault_code_of(answer.get()), 0);
    }
    EXPECT_NE(tokens[0].wait_for(std::chrono::milliseconds(0)), std::future_status::ready);

    // Unblock the mail: both queued requests complete.
    // Each open of the FIFO lasts until every writer has closed it: one mail,
    // or both when the second mailer opened it before the first closed it.
    // Mails are counted by their mbox "From " lines.
    std::thread reader([&] {
        std::string mbox;
        auto mails = [&] {
            std::size_t count = mbox.starts_with("From ") ? 1 : 0;
            for (auto at = mbox.find("\nFrom "); at != mbox.npos; at = mbox.find("\nFrom ", at + 1))
                ++count;
            return count;
        };
        while (mails() < 2) {
            int fd = ::open(fifo.c_str(), O_RDONLY);
            char buffer[4096];
            ssize_t got;
            while ((got = ::read(fd, buffer, sizeof buffer)) > 0)
                mbox.append(buffer, std::size_t(got));
            ::close(fd);
        }
    });
    for (int i = 0; i < 2; ++i) {
        ASSERT_EQ(tokens[i].wait_for(std::chrono::seconds(30)), std::future_status::ready);
        EXPECT_EQ(fault_code_of(tokens[i].get()), 0);
    }
    reader.join();
    dispatcher.join();
    EXPECT_EQ(enrolment_db.prepare("SELECT count(*) FROM tokens").query_value<int>(), 2);
}

// The observer hears of every call once answered, refused ones included.
TEST_F(Dispatcher, ObserverToldOfEachCall)
{
    XmlRpcProcessor processor(*service, 1 << 20);
    std::mutex mutex;
    std::multiset<std::pair<std::string, CallOutcome>> seen;
    CallDispatcher dispatcher(processor, {1, 1, 0},
                              [&](std::string_view method, const CallContext& context,
                                  std::chrono::steady_clock::duration elapsed) {
                                  EXPECT_GE(elapsed.count(), 0);
                                  std::lock_guard lock(mutex);
                                  seen.emplace(method, context.outcome());
                              });
    std::vector<std::future<std::string>> answers;
    for (const auto& body :
         {call_body("getCa", xmlrpc_c::paramList()),
          call_body("getCa", xmlrpc_c::paramList().add(xmlrpc_c::value_int(1))),
          call_body("requestToken", xmlrpc_c::paramList().add(xmlrpc_c::value_string("a@b.c")))}) {
        auto done = std::make_shared<std::promise<std::string>>();
        answers.push_back(done->get_future());
        dispatcher.dispatch(body, "192.0.2.1",
                            [done](std::string response) { done->set_value(std::move(response)); });
    }
    for (auto& answer : answers)
        ASSERT_EQ(answer.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    dispatcher.join();
    std::lock_guard lock(mutex);
    // The token request, over a queue of 0, is refused: a fault.
    EXPECT_EQ(seen, (std::multiset<std::pair<std::string, CallOutcome>>{
                        {"getCa", CallOutcome::ok},
                        {"getCa", CallOutcome::fault},
                        {"requestToken", CallOutcome::fault}}));
}
