#include "gat/core/error.h"

namespace gat::detail {

void assert_fail(const char* expr, const char* file, int line, const std::string& msg) {
  throw InternalError(concat("internal error: GAT_ASSERT(", expr, ") failed at ", file, ":", line,
                             msg.empty() ? "" : ": ", msg));
}

}  // namespace gat::detail
