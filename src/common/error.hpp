#pragma once

#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace optischema {

/// What kind of failure an Error is; the CLI maps it to an exit code and the API to an HTTP status.
enum class ErrorCode {
    kInvalidArgument,      // the user gave something malformed (DSN, flag, SQL)
    kConnectionFailed,     // server unreachable, authentication failed, database missing
    kPrerequisiteMissing,  // an extension, a preload library or a privilege is missing
    kQueryFailed,          // a statement failed on the server (see sqlstate)
    kParseError,           // SQL that PostgreSQL's parser rejects
    kNotFound,
    kStorage,          // the local store could not be read or written
    kConflict,         // someone else changed it first (e.g. another instance stored a snapshot): nothing was written
    kUnauthenticated,  // credentials were sent but are not valid (an API token revoked, expired or unknown)
    kForbidden,        // who asked may not do this (a role too low, a token asking for more than its creator has)
    kInternal,
};

/// An expected failure: a message that says what happened and what to do, plus the SQLSTATE when
/// the server sent one.
struct Error {
    ErrorCode code = ErrorCode::kInternal;
    std::string message;
    std::string sqlstate;

    /// "message" or "message (SQLSTATE xxxxx)".
    [[nodiscard]] std::string ToString() const;
};

template <typename T>
using Result = tl::expected<T, Error>;

/// Builds the unexpected side of a Result.
[[nodiscard]] inline tl::unexpected<Error> MakeError(ErrorCode code, std::string message, std::string sqlstate = {}) {
    return tl::unexpected<Error>(Error{code, std::move(message), std::move(sqlstate)});
}

}  // namespace optischema
