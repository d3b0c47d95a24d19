#pragma once

// Internal to store/: the refusals both stores return in the same words, whatever the database said.

#include <cstdint>
#include <string>

#include <fmt/format.h>

#include "common/error.hpp"

namespace optischema::store::detail {

/// SaveTarget with a name another target has.
[[nodiscard]] inline tl::unexpected<Error> TargetNameTaken(const std::string& name) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("a target named {} already exists: choose another name", name));
}

/// A target id the store does not know.
[[nodiscard]] inline tl::unexpected<Error> NoTarget(std::int64_t id) {
    return MakeError(ErrorCode::kNotFound, fmt::format("no target {}", id));
}

/// CreateUser with a name taken, case-insensitively.
[[nodiscard]] inline tl::unexpected<Error> UserNameTaken(const std::string& username) {
    return MakeError(ErrorCode::kInvalidArgument, fmt::format("a user named {} already exists", username));
}

/// A user id the store does not know.
[[nodiscard]] inline tl::unexpected<Error> NoUser(std::int64_t id) {
    return MakeError(ErrorCode::kNotFound, fmt::format("no user {}", id));
}

/// A recommendation id the store does not know.
[[nodiscard]] inline tl::unexpected<Error> NoRecommendation(const std::string& id) {
    return MakeError(ErrorCode::kNotFound, fmt::format("no recommendation {} in the store", id));
}

/// CreateApiToken refused: the id is taken or the owner unknown.
[[nodiscard]] inline tl::unexpected<Error> ApiTokenRefused(const std::string& id, std::int64_t user_id) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("cannot store API token {}: its id is taken or user {} does not exist", id, user_id));
}

/// An API token id the store does not know.
[[nodiscard]] inline tl::unexpected<Error> NoApiToken(const std::string& id) {
    return MakeError(ErrorCode::kNotFound, fmt::format("no API token {}", id));
}

}  // namespace optischema::store::detail
