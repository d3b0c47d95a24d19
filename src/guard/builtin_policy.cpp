#include "guard/builtin_policy.hpp"

#include <array>
#include <utility>

namespace optischema::guard {
namespace {

struct Risk {
    std::string_view pattern;  // a name, where '*' stands for any run of characters
    std::string_view reason;
};

bool Matches(std::string_view pattern, std::string_view name) {
    const auto star = pattern.find('*');
    if (star == std::string_view::npos) return pattern == name;
    if (!name.starts_with(pattern.substr(0, star))) return false;
    const std::string_view rest = pattern.substr(star + 1);
    for (std::size_t i = star; i <= name.size(); ++i) {
        if (Matches(rest, name.substr(i))) return true;
    }
    return false;
}

// Built-ins that must never run, whatever their volatility: planning can evaluate a STABLE one (the
// *_to_xml family reads views, which may call anything), and the rest act beyond the statement.
constexpr std::array kNever = {
    Risk{"query_to_xml*", "runs the SQL text it is given"},
    Risk{"cursor_to_xml*", "runs the SQL text it is given"},
    Risk{"table_to_xml*", "reads a relation by name, which may be a view calling anything"},
    Risk{"schema_to_xml*", "reads every relation of a schema"},
    Risk{"database_to_xml*", "reads every relation of the database"},
    Risk{"ts_stat", "runs the SQL text it is given"},
    Risk{"ts_rewrite", "can run the SQL text it is given"},
    Risk{"fmgr_*", "validates function bodies"},
    Risk{"plpgsql_*", "is PL/pgSQL's handler"},
    Risk{"binary_upgrade_*", "is for pg_upgrade"},
};

// VOLATILE built-ins have effects or read the clock; a run may use only these, which read.
constexpr std::array<std::string_view, 46> kHarmlessVolatile = {
    "random", "random_normal", "clock_timestamp", "timeofday", "gen_random_uuid", "currval", "lastval",
    "pg_relation_size", "pg_table_size", "pg_indexes_size", "pg_total_relation_size", "pg_database_size",
    "pg_tablespace_size", "pg_is_in_recovery", "pg_current_wal_lsn", "pg_current_wal_insert_lsn",
    "pg_current_wal_flush_lsn", "pg_last_wal_receive_lsn", "pg_last_wal_replay_lsn",
    "pg_last_xact_replay_timestamp", "pg_blocking_pids", "pg_safe_snapshot_blocking_pids", "pg_lock_status",
    "pg_partition_tree", "pg_partition_ancestors", "pg_sequence_last_value", "pg_xact_status", "txid_status",
    "pg_xact_commit_timestamp", "pg_xact_commit_timestamp_origin", "pg_jit_available",
    "pg_notification_queue_usage", "pg_prepared_xact", "pg_stat_have_stats", "pg_collation_actual_version",
    "pg_database_collation_actual_version", "pg_get_multixact_members", "pg_control_checkpoint",
    "pg_control_init", "pg_control_recovery", "pg_control_system", "pg_is_wal_replay_paused",
    "pg_get_wal_replay_pause_state", "bernoulli", "system", "pg_stat_get_xact_*",
};

// Named reasons for the VOLATILE built-ins a planted statement would use, for the message.
constexpr std::array kVolatileRisks = {
    Risk{"pg_terminate_backend", "ends another session"},
    Risk{"pg_cancel_backend", "cancels another session's statement"},
    Risk{"pg_read_*", "reads files on the database server"},
    Risk{"pg_ls_*", "lists directories on the database server"},
    Risk{"pg_stat_file", "reads file metadata on the database server"},
    Risk{"lo_*", "works on large objects, and lo_import/lo_export on files of the database server"},
    Risk{"lowrite", "writes a large object"},
    Risk{"loread", "reads a large object"},
    Risk{"set_config", "changes a setting"},
    Risk{"pg_reload_conf", "reloads the server's configuration"},
    Risk{"pg_rotate_logfile*", "rotates the server's log"},
    Risk{"pg_promote", "promotes a standby"},
    Risk{"pg_switch_wal", "switches the WAL file"},
    Risk{"pg_create_restore_point", "writes a restore point"},
    Risk{"pg_backup_*", "starts or stops a backup"},
    Risk{"pg_wal_replay_*", "pauses or resumes replay"},
    Risk{"pg_*replication*", "changes replication slots or origins"},
    Risk{"pg_logical_*", "consumes or writes logical replication data"},
    Risk{"pg_copy_*_replication_slot", "creates a replication slot"},
    Risk{"nextval", "advances a sequence, which a rollback does not undo"},
    Risk{"setval", "sets a sequence, which a rollback does not undo"},
    Risk{"pg_advisory_*", "takes or releases advisory locks"},
    Risk{"pg_try_advisory_*", "takes advisory locks"},
    Risk{"pg_sleep*", "sleeps"},
    Risk{"pg_stat_reset*", "resets statistics"},
    Risk{"pg_notify", "sends a notification to other sessions"},
    Risk{"pg_log_backend_memory_contexts", "writes to the server's log"},
    Risk{"pg_import_system_collations", "creates collations"},
    Risk{"pg_export_snapshot", "exports a snapshot"},
    Risk{"brin_*", "changes a BRIN index"},
    Risk{"gin_clean_pending_list", "changes a GIN index"},
    Risk{"pg_nextoid", "consumes an OID"},
    Risk{"setseed", "changes the session's random seed"},
};

template <typename List>
std::optional<std::string_view> Find(const List& list, std::string_view name) {
    for (const auto& risk : list) {
        if (Matches(risk.pattern, name)) return risk.reason;
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> BuiltinRefusal(std::string_view name, char volatility, Use use) {
    if (auto reason = Find(kNever, name)) return std::string(*reason);
    if (use == Use::kPlan || volatility != 'v') return std::nullopt;
    for (std::string_view harmless : kHarmlessVolatile) {
        if (Matches(harmless, name)) return std::nullopt;
    }
    if (auto reason = Find(kVolatileRisks, name)) return std::string(*reason);
    return std::string("is VOLATILE: it may act beyond the statement, and OptiSchema runs only built-ins known to "
                       "be harmless");
}

}  // namespace optischema::guard
