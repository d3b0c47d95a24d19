#include "sandbox/managed_cluster.hpp"

#include <fstream>

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include "sandbox/process.hpp"

namespace optischema::sandbox {
namespace {

namespace fs = std::filesystem;

constexpr const char* kServerUser = "postgres";  // the account that runs the server when OptiSchema runs as root
constexpr std::size_t kMaxSocketDir = 90;        // unix socket paths are limited to 107 bytes

bool IsRoot() { return ::geteuid() == 0; }

// initdb and pg_ctl run as the server's user when OptiSchema runs as root.
std::vector<std::string> AsOwner(std::vector<std::string> argv) {
    if (IsRoot()) argv.insert(argv.begin(), {"runuser", "-u", kServerUser, "--"});
    return argv;
}

Result<void> GiveToServerUser(const fs::path& dir) {
    if (!IsRoot()) return {};
    const passwd* pw = ::getpwnam(kServerUser);
    if (pw == nullptr) {
        return MakeError(ErrorCode::kPrerequisiteMissing,
                         "running as root, the managed sandbox needs the `postgres` user to run its server: "
                         "install postgresql, or run OptiSchema as an ordinary user");
    }
    if (::chown(dir.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
        return MakeError(ErrorCode::kStorage, fmt::format("cannot hand {} to the postgres user", dir.string()));
    }
    return {};
}

// Where the cluster lives: under base_dir when the server's user can reach it and the socket path is
// short enough, else in a private directory under /tmp whose path is remembered in base_dir.
Result<fs::path> ClusterHome(const fs::path& base_dir, int major, const std::string& name) {
    std::error_code ec;
    fs::create_directories(base_dir, ec);
    if (ec) return MakeError(ErrorCode::kStorage, fmt::format("cannot create {}: {}", base_dir.string(), ec.message()));
    const fs::path pointer = base_dir / fmt::format("{}{}_home", name, major);
    if (std::ifstream in(pointer); in) {
        std::string remembered;
        std::getline(in, remembered);
        if (!remembered.empty() && fs::is_directory(remembered)) return fs::path(remembered);
    }
    fs::path home = base_dir / fmt::format("{}{}", name, major);
    bool usable = (home / "socket").string().size() <= kMaxSocketDir;
    if (usable && IsRoot()) {
        fs::create_directories(home, ec);
        if (auto ok = GiveToServerUser(home); !ok) return tl::unexpected(ok.error());
        auto probe = RunProcess(AsOwner({"test", "-w", home.string()}), "/dev/null");
        usable = probe && *probe == 0;
        if (!usable) fs::remove_all(home, ec);
    }
    if (!usable) {
        std::string tmpl = "/tmp/optischema-sandbox.XXXXXX";
        if (::mkdtemp(tmpl.data()) == nullptr)
            return MakeError(ErrorCode::kStorage, "cannot create a directory in /tmp");
        home = tmpl;
        if (auto ok = GiveToServerUser(home); !ok) return tl::unexpected(ok.error());
    }
    fs::create_directories(home, ec);
    if (usable) {
        fs::remove(pointer, ec);
    } else {
        std::ofstream(pointer) << home.string() << "\n";
    }
    return home;
}

}  // namespace

ManagedCluster::ManagedCluster(fs::path home, fs::path bindir, bool started, fs::path pointer)
    : home_(std::move(home)), pointer_(std::move(pointer)), bindir_(std::move(bindir)), started_(started) {}

ManagedCluster::~ManagedCluster() { (void)Stop(); }

Result<std::unique_ptr<ManagedCluster>> ManagedCluster::Start(const fs::path& base_dir,
                                                              int major_version,
                                                              const ClusterSettings& settings) {
    const fs::path bindir = fmt::format("/usr/lib/postgresql/{}/bin", major_version);
    if (!fs::exists(bindir / "initdb") || !fs::exists(bindir / "pg_ctl")) {
        return MakeError(ErrorCode::kPrerequisiteMissing,
                         fmt::format("the managed sandbox runs the target's PostgreSQL {0}, which is not installed "
                                     "here: install postgresql-{0} (apt install postgresql-{0}), or validate in a "
                                     "staging copy with --sandbox DSN",
                                     major_version));
    }
    auto home = ClusterHome(base_dir, major_version, settings.name);
    if (!home) return tl::unexpected(home.error());
    const fs::path data = *home / "data";
    const fs::path socket = *home / "socket";
    const fs::path log = *home / "server.log";
    if (!fs::exists(data / "PG_VERSION")) {
        std::error_code ec;
        fs::remove_all(data, ec);
        auto mk = RunProcess(AsOwner({"mkdir", "-p", "-m", "0700", data.string(), socket.string()}), "/dev/null");
        if (!mk || *mk != 0) return MakeError(ErrorCode::kStorage, fmt::format("cannot create {}", data.string()));
        const fs::path initdb_log = *home / "initdb.log";
        auto rc = RunProcess(AsOwner({(bindir / "initdb").string(), "--no-sync", "-U", "optischema", "--auth=trust",
                                      "-E", "UTF8", "--locale=C.UTF-8", "-D", data.string()}),
                             initdb_log);
        if (!rc) return tl::unexpected(rc.error());
        if (*rc != 0) {
            return MakeError(ErrorCode::kInternal, fmt::format("initdb of the managed sandbox failed ({}): {}",
                                                               initdb_log.string(), LogTail(initdb_log)));
        }
        // A throwaway cluster: durability is worth nothing here, load speed is.
        const std::string conf = fmt::format(
            "listen_addresses = ''\n"
            "unix_socket_directories = '{}'\n"
            "unix_socket_permissions = 0700\n"
            "port = 5432\n"
            "fsync = off\n"
            "synchronous_commit = off\n"
            "full_page_writes = off\n"
            "max_connections = 20\n"
            "shared_buffers = 128MB\n"
            "max_wal_size = 2GB\n"
            "autovacuum = off\n"
            "lc_messages = 'C'\n"
            "log_min_messages = warning\n",
            socket.string());
        std::string extra;
        for (const auto& line : settings.extra_conf) extra += line + "\n";
        const fs::path conf_part = *home / "optischema.conf";
        std::ofstream(conf_part) << conf << extra;
        auto append = RunProcess(
            AsOwner(
                {"sh", "-c", fmt::format("cat '{}' >> '{}'", conf_part.string(), (data / "postgresql.conf").string())}),
            "/dev/null");
        if (!append || *append != 0) return MakeError(ErrorCode::kStorage, "cannot configure the managed sandbox");
    }
    auto status = RunProcess(AsOwner({(bindir / "pg_ctl").string(), "-D", data.string(), "status"}), "/dev/null");
    if (status && *status == 0) {
        // Another OptiSchema (or a crashed one) left it running: use it, leave stopping to its owner.
        return std::unique_ptr<ManagedCluster>(new ManagedCluster(*home, bindir, false, {}));
    }
    (void)RunProcess(AsOwner({"mkdir", "-p", "-m", "0700", socket.string()}), "/dev/null");
    auto rc = RunProcess(
        AsOwner({(bindir / "pg_ctl").string(), "-D", data.string(), "-l", log.string(), "-w", "-t", "60", "start"}),
        *home / "pg_ctl.log");
    if (!rc) return tl::unexpected(rc.error());
    if (*rc != 0) {
        return MakeError(ErrorCode::kInternal, fmt::format("the managed sandbox's server did not start ({}): {}",
                                                           log.string(), LogTail(log)));
    }
    const fs::path pointer = base_dir / fmt::format("{}{}_home", settings.name, major_version);
    const bool temporary = fs::exists(pointer) && !settings.keep_temporary_home;
    return std::unique_ptr<ManagedCluster>(new ManagedCluster(*home, bindir, true, temporary ? pointer : fs::path()));
}

std::string ManagedCluster::Dsn(const std::string& dbname) const {
    return fmt::format("host={} port=5432 user=optischema dbname={}", (home_ / "socket").string(), dbname);
}

Result<void> ManagedCluster::Stop() {
    if (!started_) return {};
    started_ = false;
    const fs::path data = home_ / "data";
    auto rc = RunProcess(AsOwner({(bindir_ / "pg_ctl").string(), "-D", data.string(), "-m", "fast", "-w", "stop"}),
                         home_ / "pg_ctl.log");
    if (!rc || *rc != 0) {
        return MakeError(ErrorCode::kInternal,
                         fmt::format("could not stop the managed sandbox: see {}", (home_ / "pg_ctl.log").string()));
    }
    if (!pointer_.empty()) {
        // A temporary home is never found again once the data directory goes: do not leave it behind.
        std::error_code ec;
        fs::remove_all(home_, ec);
        fs::remove(pointer_, ec);
    }
    return {};
}

}  // namespace optischema::sandbox
