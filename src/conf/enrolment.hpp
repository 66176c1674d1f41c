// Enrolment of a node (docs/re6st-conf.rst): fetch the CA, obtain a token, have the key
// certified, write the files. Everything is checked before anything is
// written, so a failure leaves the directory as it was.
#pragma once

#include "conf/conf_options.hpp"

#include <iosfwd>
#include <stdexcept>

namespace re6st::conf {

// One line naming what failed: the registry, the token, the directory, the
// certificate.
class EnrolmentError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Prompts for the e-mail address and the token on `out` and reads them from
// `in` (a terminal or a pipe); reports progress on `out`.
void enrol(const ConfOptions& options, std::istream& in, std::ostream& out);

}  // namespace re6st::conf
