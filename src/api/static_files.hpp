#pragma once

#include <filesystem>
#include <string_view>

#include "api/http_message.hpp"

namespace optischema::api {

/// True when an Accept-Encoding value accepts gzip (and does not give it q=0).
[[nodiscard]] bool AcceptsGzip(std::string_view accept_encoding);

/// The Content-Type for a file name's extension; application/octet-stream when unknown.
[[nodiscard]] std::string_view ContentTypeFor(const std::filesystem::path& file);

/// Serves the built dashboard from one directory: files by path, index.html for "/" and as the
/// single-page-app fallback for paths that are not files (except under /assets/, where a missing file
/// is a 404), a precompressed `.gz` sibling when the client accepts gzip, weak ETags with 304, and
/// Cache-Control: immutable for /assets/ (hashed names), no-cache otherwise. Refuses "..", ".",
/// hidden files, encoded slashes and symlinks that lead outside the directory. Thread-safe.
class StaticFiles {
public:
    explicit StaticFiles(std::filesystem::path root);

    /// The response for a GET or HEAD of request.path (the caller keeps /api/ paths away from here).
    [[nodiscard]] HttpResponse Serve(const HttpRequest& request) const;

private:
    /// True when `file`, its symbolic links resolved, lies under the root.
    [[nodiscard]] bool Contained(const std::filesystem::path& file) const;
    [[nodiscard]] HttpResponse ServeFile(const HttpRequest& request,
                                         const std::filesystem::path& file,
                                         bool immutable) const;

    std::filesystem::path root_;  // canonical
};

}  // namespace optischema::api
