#include "common/error.hpp"

namespace optischema {

std::string Error::ToString() const {
    if (sqlstate.empty()) return message;
    return message + " (SQLSTATE " + sqlstate + ")";
}

}  // namespace optischema
