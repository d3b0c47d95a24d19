#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.hpp"

namespace optischema::pg {

/// Checks that a DSN is a well-formed libpq URI or key=value string; the error says how to write one.
[[nodiscard]] Result<void> ValidateDsn(const std::string& dsn);

/// Whether this libpq has a connection option of that name (PQconndefaults).
[[nodiscard]] bool IsLibpqKeyword(std::string_view keyword);

/// The options the DSN sets (non-empty values), by keyword; none when it is malformed.
[[nodiscard]] std::vector<std::string> DsnKeywords(const std::string& dsn);

/// The libpq keywords a DSN from an untrusted source (targets added through the API) may not use: they
/// make the server read files on its own disk (passfile, service, servicefile, sslkey, sslcert,
/// sslpassword for the key, sslrootcert, sslcrl, sslcrldir), write one (sslkeylogfile), or send what the
/// host's .pgpass holds for one host to another address (hostaddr).
inline constexpr std::string_view kServerSideDsnKeywords[] = {"passfile", "service",   "servicefile",  "hostaddr",
                                                              "sslkey",   "sslcert",   "sslpassword",  "sslrootcert",
                                                              "sslcrl",   "sslcrldir", "sslkeylogfile"};

/// Refuses a DSN that sets one of kServerSideDsnKeywords not in `allowed`: the error names the keyword
/// and `allow_hint`, the setting that allows it.
[[nodiscard]] Result<void> CheckUntrustedDsn(const std::string& dsn,
                                             const std::vector<std::string>& allowed,
                                             std::string_view allow_hint);

/// The DSN in key=value form, kept from what the server's own files and environment hold for its
/// trusted connections: passfile and (unless set) sslcert and sslkey name a path that cannot exist, so
/// neither ~/.pgpass, PGPASSFILE nor ~/.postgresql/postgresql.crt is read; a DSN without a password gets
/// an empty one, so PGPASSWORD is not sent. Keywords the DSN sets itself are left as they are. An error
/// when PGSERVICE is set in the environment, as libpq would apply that service (and its password) and
/// a DSN cannot turn it off.
[[nodiscard]] Result<std::string> ConfineUntrustedDsn(const std::string& dsn);

/// The DSN without its password, safe for logs, the store and the screen. Empty DSN gives "(libpq defaults)".
[[nodiscard]] std::string RedactDsn(const std::string& dsn);

}  // namespace optischema::pg
