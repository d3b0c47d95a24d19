#include "common/error.hpp"

namespace optischema {

std::string Error::ToString() const {
    if (sqlstate.empty()) return message;
    return message + " (SQLSTATE " + sqlstate + ")";
}

std::string_view ErrorCodeName(ErrorCode code) {
    switch (code) {
        case ErrorCode::kInvalidArgument:
            return "invalid_argument";
        case ErrorCode::kConnectionFailed:
            return "connection_failed";
        case ErrorCode::kPrerequisiteMissing:
            return "prerequisite_missing";
        case ErrorCode::kQueryFailed:
            return "query_failed";
        case ErrorCode::kParseError:
            return "parse_error";
        case ErrorCode::kNotFound:
            return "not_found";
        case ErrorCode::kStorage:
            return "storage";
        case ErrorCode::kInternal:
            return "internal";
    }
    return "internal";
}

}  // namespace optischema
