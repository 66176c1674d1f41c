// Tells systemd how a Type=notify service is doing (the sd_notify protocol:
// a datagram to the unix socket named by $NOTIFY_SOCKET), so that
// "systemctl start" returns only once the service works. Does nothing when
// not run by systemd.
#pragma once

#include <string_view>

namespace re6st {

// Sends `state` ("READY=1", "STOPPING=1"...); false when it could not.
bool notify_service(std::string_view state);

}  // namespace re6st
