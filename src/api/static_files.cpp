#include "api/static_files.hpp"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "common/strings.hpp"

namespace optischema::api {

namespace {

constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kNoCache = "no-cache";

bool IsInside(const std::filesystem::path& root, const std::filesystem::path& file) {
    auto root_it = root.begin();
    auto file_it = file.begin();
    for (; root_it != root.end(); ++root_it, ++file_it) {
        if (file_it == file.end() || *root_it != *file_it) return false;
    }
    return true;
}

std::string WeakEtag(const std::filesystem::path& file, bool gzip) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    const auto mtime = std::filesystem::last_write_time(file, ec).time_since_epoch().count();
    return fmt::format("W/\"{:x}-{:x}{}\"", size, static_cast<unsigned long long>(mtime), gzip ? "-gz" : "");
}

bool EtagMatches(std::string_view if_none_match, std::string_view etag) {
    for (const auto& candidate : Split(if_none_match, ',')) {
        const auto trimmed = Trim(candidate);
        if (trimmed == "*" || trimmed == etag) return true;
        // Weak comparison: W/"x" matches "x".
        if (etag.starts_with("W/") && trimmed == etag.substr(2)) return true;
    }
    return false;
}

bool IsRegularFile(const std::filesystem::path& file) {
    std::error_code ec;
    return std::filesystem::is_regular_file(file, ec);
}

}  // namespace

bool AcceptsGzip(std::string_view accept_encoding) {
    for (const auto& item : Split(accept_encoding, ',')) {
        const auto parts = Split(item, ';');
        const auto coding = Trim(parts[0]);
        if (!EqualsIgnoreCase(coding, "gzip") && coding != "*") continue;
        bool refused = false;
        for (std::size_t i = 1; i < parts.size(); ++i) {
            const auto param = Trim(parts[i]);
            if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
                const auto q = Trim(param.substr(2));
                refused = !q.empty() && q.find_first_not_of("0.") == std::string_view::npos;
            }
        }
        if (!refused) return true;
    }
    return false;
}

std::string_view ContentTypeFor(const std::filesystem::path& file) {
    static const std::pair<std::string_view, std::string_view> kTypes[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".map", "application/json"},
        {".webmanifest", "application/manifest+json"},
        {".txt", "text/plain; charset=utf-8"},
        {".xml", "application/xml"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".gif", "image/gif"},
        {".webp", "image/webp"},
        {".ico", "image/x-icon"},
        {".woff", "font/woff"},
        {".woff2", "font/woff2"},
        {".ttf", "font/ttf"},
        {".wasm", "application/wasm"},
        {".gz", "application/gzip"},
    };
    const std::string extension = file.extension().string();
    for (const auto& [ext, type] : kTypes) {
        if (EqualsIgnoreCase(ext, extension)) return type;
    }
    return "application/octet-stream";
}

StaticFiles::StaticFiles(std::filesystem::path root) {
    std::error_code ec;
    root_ = std::filesystem::weakly_canonical(root, ec);
    if (ec) root_ = std::move(root);
}

HttpResponse StaticFiles::Serve(const HttpRequest& request) const {
    std::filesystem::path relative;
    bool hidden = false;
    for (const auto& raw : Split(request.path, '/')) {
        if (raw.empty()) continue;
        auto segment = PercentDecode(raw);
        if (!segment || *segment == "." || *segment == ".." ||
            segment->find_first_of(std::string_view("/\\\0", 3)) != std::string::npos) {
            return HttpResponse::Error(400, "bad_request", "the path is not allowed");
        }
        if (segment->front() == '.') hidden = true;
        relative /= *segment;
    }
    const bool under_assets = request.path.starts_with("/assets/");
    if (hidden) return HttpResponse::Error(404, "not_found", "no such file");
    if (!relative.empty()) {
        const auto candidate = root_ / relative;
        if (IsRegularFile(candidate)) {
            if (!Contained(candidate)) return HttpResponse::Error(404, "not_found", "no such file");
            return ServeFile(request, candidate, under_assets);
        }
        if (under_assets) return HttpResponse::Error(404, "not_found", "no such file");
    }
    const auto index = root_ / "index.html";
    if (!IsRegularFile(index)) return HttpResponse::Error(404, "not_found", "the dashboard is not installed");
    return ServeFile(request, index, false);
}

bool StaticFiles::Contained(const std::filesystem::path& file) const {
    std::error_code ec;
    const auto real = std::filesystem::canonical(file, ec);  // symbolic links resolved
    return !ec && IsInside(root_, real);
}

HttpResponse StaticFiles::ServeFile(const HttpRequest& request,
                                    const std::filesystem::path& file,
                                    bool immutable) const {
    auto gz = file;
    gz += ".gz";
    const bool has_gz = file.extension() != ".gz" && IsRegularFile(gz) && Contained(gz);
    const bool use_gz = has_gz && AcceptsGzip(request.headers.Get("Accept-Encoding").value_or(""));
    const auto& served = use_gz ? gz : file;

    HttpResponse response;
    response.content_type = std::string(ContentTypeFor(file));
    response.headers.Set("Cache-Control", immutable ? kImmutable : kNoCache);
    if (has_gz) response.headers.Set("Vary", "Accept-Encoding");
    const std::string etag = WeakEtag(served, use_gz);
    response.headers.Set("ETag", etag);
    if (const auto if_none_match = request.headers.Get("If-None-Match");
        if_none_match && EtagMatches(*if_none_match, etag)) {
        response.status = 304;
        return response;
    }
    std::ifstream in(served, std::ios::binary);
    if (!in) return HttpResponse::Error(404, "not_found", "no such file");
    std::ostringstream contents;
    contents << in.rdbuf();
    response.body = std::move(contents).str();
    if (use_gz) response.headers.Set("Content-Encoding", "gzip");
    return response;
}

}  // namespace optischema::api
