#include "guard/gate.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <map>
#include <set>

#include <fmt/format.h>

#include "guard/builtin_policy.hpp"
#include "pg/explain.hpp"
#include "sqlparse/sqlparse.hpp"

namespace optischema::guard {
namespace {

constexpr std::string_view kHowToAllow =
    "if it is safe to run with OptiSchema's privileges, allow it with --allow-function {} (CLI) or "
    "allow_functions = [\"{}\"] under [security] in the server's config";

Error Refused(std::string what) {
    return Error{ErrorCode::kInvalidArgument, "refused to plan or run this statement: " + std::move(what), {}};
}

// The schemas of a search_path setting, as PostgreSQL reads it: comma-separated identifiers, unquoted
// ones folded to lower case, "$user" the session's user; pg_catalog is searched first when not listed.
std::vector<std::string> PathSchemas(std::string_view setting, const std::string& user) {
    std::vector<std::string> out;
    std::string current;
    bool quoted = false;
    bool was_quoted = false;
    auto flush = [&] {
        std::string name = current;
        if (!was_quoted) {
            const auto first = name.find_first_not_of(" \t\n");
            const auto last = name.find_last_not_of(" \t\n");
            name = first == std::string::npos ? std::string() : name.substr(first, last - first + 1);
            std::transform(name.begin(), name.end(), name.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        }
        if (name == "$user") name = user;
        if (!name.empty()) out.push_back(name);
        current.clear();
        was_quoted = false;
    };
    for (std::size_t i = 0; i < setting.size(); ++i) {
        const char c = setting[i];
        if (quoted) {
            if (c == '"' && i + 1 < setting.size() && setting[i + 1] == '"') {
                current += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                current += c;
            }
        } else if (c == '"') {
            quoted = true;
            was_quoted = true;
            current.clear();
        } else if (c == ',') {
            flush();
        } else if (!was_quoted) {
            current += c;
        }
    }
    flush();
    if (std::find(out.begin(), out.end(), "pg_catalog") == out.end()) out.insert(out.begin(), "pg_catalog");
    return out;
}

std::string ArrayLiteral(const std::vector<std::string>& items) {
    std::string out = "{";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += ',';
        out += '"';
        for (char c : items[i]) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
    }
    return out + "}";
}

// One round of the search for what a statement reaches: the functions its names resolve to (those
// behind operators too), the foreign tables among its relations and the relations their views read, and
// the SQL texts of everything attached to those relations that PostgreSQL may evaluate (view bodies;
// index expressions and predicates, constraints, policies and statistics, which the planner folds; for
// a write also defaults, rules and triggers). The caller parses the texts for more names: pg_depend
// cannot be used for them, because it records no dependency on a built-in. The texts are deparsed under
// OptiSchema's pinned search_path, so an object outside pg_catalog is always written schema-qualified.
// Written for a hostile catalog: everything is schema-qualified and the session's search_path is
// pg_catalog first (pg::Connection pins it), so no name here resolves to an object a user made.
constexpr std::string_view kReachableSql = R"SQL(
WITH RECURSIVE
named_rels AS (
    SELECT c.oid FROM ROWS FROM (pg_catalog.unnest($8::pg_catalog.text[]), pg_catalog.unnest($9::pg_catalog.text[])) AS r(sch, name)
    JOIN pg_catalog.pg_namespace n ON n.nspname = r.sch OR (r.sch = '' AND n.nspname = ANY ($1::pg_catalog.text[]))
    JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = r.name),
edges AS (
    SELECT w.ev_class AS src, d.refobjid AS dst FROM pg_catalog.pg_rewrite w
    JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.objid = w.oid
        AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid <> w.ev_class
    UNION ALL SELECT i.inhparent, i.inhrelid FROM pg_catalog.pg_inherits i),
rels AS (SELECT oid FROM named_rels UNION SELECT e.dst FROM rels r JOIN edges e ON e.src = r.oid),
user_rels AS (
    SELECT c.oid, c.relkind, pg_catalog.format('%I.%I', n.nspname, c.relname) AS label
    FROM rels r JOIN pg_catalog.pg_class c ON c.oid = r.oid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')),
named_types AS (
    SELECT t.oid FROM ROWS FROM (pg_catalog.unnest($6::pg_catalog.text[]), pg_catalog.unnest($7::pg_catalog.text[])) AS r(sch, name)
    JOIN pg_catalog.pg_namespace n ON n.nspname = r.sch OR (r.sch = '' AND n.nspname = ANY ($1::pg_catalog.text[]))
    JOIN pg_catalog.pg_type t ON t.typnamespace = n.oid AND t.typname = r.name),
texts AS (
    SELECT pg_catalog.format('view %s', u.label) AS via, pg_catalog.pg_get_viewdef(u.oid) AS body
    FROM user_rels u WHERE u.relkind IN ('v', 'm')
    UNION ALL SELECT pg_catalog.format('an index on %s', u.label), pg_catalog.pg_get_indexdef(i.indexrelid)
    FROM user_rels u JOIN pg_catalog.pg_index i ON i.indrelid = u.oid WHERE i.indexprs IS NOT NULL OR i.indpred IS NOT NULL
    UNION ALL SELECT pg_catalog.format('a constraint on %s', u.label), 'SELECT ' || pg_catalog.pg_get_expr(k.conbin, k.conrelid)
    FROM user_rels u JOIN pg_catalog.pg_constraint k ON k.conrelid = u.oid WHERE k.conbin IS NOT NULL
    UNION ALL SELECT pg_catalog.format('a row security policy on %s', u.label),
           'SELECT ' || pg_catalog.concat_ws(', ', pg_catalog.pg_get_expr(p.polqual, p.polrelid), pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid))
    FROM user_rels u JOIN pg_catalog.pg_policy p ON p.polrelid = u.oid WHERE p.polqual IS NOT NULL OR p.polwithcheck IS NOT NULL
    UNION ALL SELECT pg_catalog.format('statistics on %s', u.label), pg_catalog.pg_get_statisticsobjdef(s.oid)
    FROM user_rels u JOIN pg_catalog.pg_statistic_ext s ON s.stxrelid = u.oid
    UNION ALL SELECT pg_catalog.format('a column default of %s', u.label), 'SELECT ' || pg_catalog.pg_get_expr(a.adbin, a.adrelid)
    FROM user_rels u JOIN pg_catalog.pg_attrdef a ON a.adrelid = u.oid WHERE $10
    UNION ALL SELECT pg_catalog.format('a rule on %s', u.label), pg_catalog.pg_get_ruledef(w.oid)
    FROM user_rels u JOIN pg_catalog.pg_rewrite w ON w.ev_class = u.oid WHERE $10 AND w.ev_type <> '1'
    UNION ALL SELECT pg_catalog.format('a constraint of type %s', pg_catalog.format_type(t.oid, NULL)), 'SELECT ' || pg_catalog.pg_get_expr(k.conbin, 0)
    FROM named_types t JOIN pg_catalog.pg_constraint k ON k.contypid = t.oid WHERE k.conbin IS NOT NULL),
named_operators AS (
    SELECT o.oid, pg_catalog.format('operator %s.%s', n.nspname, o.oprname) AS via
    FROM ROWS FROM (pg_catalog.unnest($4::pg_catalog.text[]), pg_catalog.unnest($5::pg_catalog.text[])) AS r(sch, name)
    JOIN pg_catalog.pg_namespace n ON n.nspname = r.sch OR (r.sch = '' AND n.nspname = ANY ($1::pg_catalog.text[]))
    JOIN pg_catalog.pg_operator o ON o.oprnamespace = n.oid AND o.oprname = r.name),
functions AS (
    SELECT p.oid AS fn, '' AS via
    FROM ROWS FROM (pg_catalog.unnest($2::pg_catalog.text[]), pg_catalog.unnest($3::pg_catalog.text[])) AS r(sch, name)
    JOIN pg_catalog.pg_namespace n ON n.nspname = r.sch OR (r.sch = '' AND n.nspname = ANY ($1::pg_catalog.text[]))
    JOIN pg_catalog.pg_proc p ON p.pronamespace = n.oid AND p.proname = r.name
    UNION ALL SELECT t.tgfoid, pg_catalog.format('a trigger on %s', u.label)
    FROM user_rels u JOIN pg_catalog.pg_trigger t ON t.tgrelid = u.oid WHERE $10 AND NOT t.tgisinternal
    UNION ALL SELECT f.fn, o.via FROM named_operators o JOIN pg_catalog.pg_operator op ON op.oid = o.oid,
        LATERAL (VALUES (op.oprcode::pg_catalog.oid), (op.oprrest::pg_catalog.oid), (op.oprjoin::pg_catalog.oid)) AS f(fn)
    WHERE f.fn <> 0)
SELECT 'function' AS kind, pg_catalog.format('%I.%I(%s)', n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)) AS label,
       pg_catalog.max(f.via) AS via, p.provolatile::pg_catalog.text AS volatility,
       pg_catalog.bool_or(COALESCE(r.rolsuper, false)) AS owner_is_superuser, COALESCE(pg_catalog.min(e.extname), '') AS extension,
       n.nspname::pg_catalog.text AS schema, p.proname::pg_catalog.text AS name
FROM functions f JOIN pg_catalog.pg_proc p ON p.oid = f.fn JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
LEFT JOIN pg_catalog.pg_roles r ON r.oid = p.proowner
LEFT JOIN pg_catalog.pg_depend x ON x.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND x.objid = p.oid AND x.deptype = 'e'
LEFT JOIN pg_catalog.pg_extension e ON e.oid = x.refobjid
GROUP BY p.oid, n.nspname, p.proname, p.provolatile
UNION ALL
SELECT 'foreign table', u.label, '', '', false, '', '', '' FROM user_rels u WHERE u.relkind = 'f'
UNION ALL
SELECT 'text', t.via, '', '', false, '', '', t.body FROM texts t
)SQL";

bool Allowed(const Allowlist& allow, const std::string& schema, const std::string& name, const std::string& extension,
             bool owner_is_superuser) {
    for (const auto& entry : allow.entries) {
        if (entry == schema + "." + name || entry == schema + ".*") return true;
        if (!extension.empty() && owner_is_superuser && entry == "extension:" + extension) return true;
    }
    return false;
}

std::string Kinds(const std::vector<std::string>& kinds) {
    std::string out;
    for (const auto& k : kinds) {
        if (k == "SelectStmt") continue;
        std::string shown = k.substr(0, k.size() - 4);
        std::transform(shown.begin(), shown.end(), shown.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        out += out.empty() ? shown : ", " + shown;
    }
    return out;
}

const std::set<std::string, std::less<>> kWriteKinds = {"InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt"};

// The statement's own kinds: refused unless every one is a query OptiSchema plans or runs.
Result<bool> CheckStatementKinds(const sqlparse::ReferencedObjects& objects, const GateOptions& options) {
    if (objects.statement_count != 1) {
        return tl::unexpected(Refused(fmt::format("it holds {} statements; pass one at a time", objects.statement_count)));
    }
    if (options.index_ddl) {
        if (objects.statement_kinds != std::vector<std::string>{"IndexStmt"} &&
            objects.statement_kinds != std::vector<std::string>{"DropStmt"}) {
            return tl::unexpected(Refused("expected one CREATE INDEX or DROP INDEX statement"));
        }
        return false;
    }
    bool writes = false;
    for (const auto& kind : objects.statement_kinds) {
        if (kind == "SelectStmt") continue;
        if (kWriteKinds.contains(kind)) {
            writes = true;
            continue;
        }
        return tl::unexpected(Refused(fmt::format(
            "it is or holds a {} statement; OptiSchema plans and runs only SELECT, INSERT, UPDATE, DELETE and MERGE",
            Kinds({kind}))));
    }
    if (objects.creates_table) return tl::unexpected(Refused("SELECT ... INTO creates a table; use a plain SELECT"));
    if (writes && options.use == Use::kRun && !options.allow_writes) {
        return tl::unexpected(Refused(fmt::format(
            "it writes ({}); pass --allow-writes to run it anyway, in a transaction that is rolled back",
            Kinds(objects.statement_kinds))));
    }
    return writes;
}

std::vector<std::string> Schemas(const std::vector<sqlparse::QualifiedName>& names) {
    std::vector<std::string> out;
    for (const auto& n : names) out.push_back(n.schema);
    return out;
}

std::vector<std::string> Names(const std::vector<sqlparse::QualifiedName>& names) {
    std::vector<std::string> out;
    for (const auto& n : names) out.push_back(n.name);
    return out;
}

constexpr int kMaxRounds = 8;

// The names a statement reaches, growing as the texts attached to its relations are parsed.
class Reached {
public:
    std::vector<sqlparse::QualifiedName> functions, operators, types, relations;

    // Adds what `objects` names; a name from a deparsed text that is not qualified is a pg_catalog one
    // (it was deparsed under the pinned search_path). True when something was new.
    bool AddFrom(const sqlparse::ReferencedObjects& objects, const std::string& via, bool deparsed) {
        bool grew = false;
        auto add = [&](std::vector<sqlparse::QualifiedName>& list, sqlparse::QualifiedName name) {
            if (deparsed && name.schema.empty()) name.schema = "pg_catalog";
            if (std::find(list.begin(), list.end(), name) != list.end()) return;
            if (!via.empty()) via_.emplace(name.schema + "." + name.name, via);
            list.push_back(std::move(name));
            grew = true;
        };
        for (const auto& n : objects.functions) add(functions, n);
        for (const auto& n : objects.operators) add(operators, n);
        for (const auto& n : objects.types) add(types, n);
        for (const auto& n : objects.relations) add(relations, n);
        return grew;
    }

    // Parses a text attached to a relation (each once); true when it named something new.
    Result<bool> Parse(const std::string& via, const std::string& text) {
        if (!parsed_.insert(text).second) return false;
        auto objects = sqlparse::FindReferencedObjects(text);
        if (!objects) {
            return tl::unexpected(Refused(fmt::format("OptiSchema cannot read {} ({}), so it cannot check what it calls",
                                                      via, objects.error().message)));
        }
        return AddFrom(*objects, via, true);
    }

    [[nodiscard]] std::string Via(const std::string& schema, const std::string& name) const {
        const auto it = via_.find(schema + "." + name);
        return it == via_.end() ? std::string() : it->second;
    }

private:
    std::set<std::string> parsed_;
    std::map<std::string, std::string> via_;
};

}  // namespace

Result<void> ValidateAllowEntry(std::string_view entry) {
    const auto dot = entry.find('.');
    const bool extension = entry.starts_with("extension:") && entry.size() > 10;
    const bool qualified = dot != std::string_view::npos && dot > 0 && dot + 1 < entry.size() &&
                           entry.find('.', dot + 1) == std::string_view::npos;
    if (extension || qualified) return {};
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("cannot read the allowed function \"{}\": write schema.function, schema.* or "
                                 "extension:name (e.g. public.my_func, app.*, extension:pg_trgm)",
                                 entry));
}

Result<Cleared> Clear(pg::Connection& conn, std::string sql, const GateOptions& options) {
    auto objects = sqlparse::FindReferencedObjects(sql);
    if (!objects) return tl::unexpected(objects.error());
    auto writes = CheckStatementKinds(*objects, options);
    if (!writes) return tl::unexpected(writes.error());

    auto path = conn.TargetSearchPath();
    if (!path) return tl::unexpected(path.error());
    const std::string& setting = *path;
    const auto schemas = PathSchemas(setting, conn.User());

    // What the statement names, then what the texts attached to its relations name, until nothing new.
    Reached reached;
    reached.AddFrom(*objects, "", false);
    for (int round = 0;; ++round) {
        if (round == kMaxRounds) {
            return tl::unexpected(Refused(fmt::format(
                "its views and the objects attached to them nest more than {} levels deep", kMaxRounds)));
        }
        const std::vector<std::optional<std::string>> params = {
            ArrayLiteral(schemas),
            ArrayLiteral(Schemas(reached.functions)), ArrayLiteral(Names(reached.functions)),
            ArrayLiteral(Schemas(reached.operators)), ArrayLiteral(Names(reached.operators)),
            ArrayLiteral(Schemas(reached.types)), ArrayLiteral(Names(reached.types)),
            ArrayLiteral(Schemas(reached.relations)), ArrayLiteral(Names(reached.relations)),
            std::string(*writes ? "true" : "false")};
        auto rows = conn.Query(kReachableSql, params);
        if (!rows) return tl::unexpected(rows.error());
        bool grew = false;
        for (const auto& row : *rows) {
            const std::string kind = row[0].value_or("");
            const std::string label = row[1].value_or("");
            if (kind == "text") {
                auto found = reached.Parse(label, row[7].value_or(""));
                if (!found) return tl::unexpected(found.error());
                grew = grew || *found;
                continue;
            }
            if (kind == "foreign table") {
                if (options.use == Use::kRun) {
                    return tl::unexpected(Refused(fmt::format(
                        "it reads the foreign table {}, and running it would reach another server; explain it "
                        "without --analyze",
                        label)));
                }
                continue;
            }
            const std::string schema = row[6].value_or("");
            const std::string name = row[7].value_or("");
            std::string via = row[2].value_or("");
            if (via.empty()) via = reached.Via(schema, name);
            const std::string from = via.empty() ? std::string() : fmt::format(" (reached through {})", via);
            const std::string volatility = row[3].value_or("v");
            if (schema == "pg_catalog") {
                if (auto reason = BuiltinRefusal(name, volatility.empty() ? 'v' : volatility[0], options.use)) {
                    return tl::unexpected(Refused(fmt::format(
                        "it calls {}{}, which {}; OptiSchema never runs it with its own privileges{}", label, from,
                        *reason, options.use == Use::kRun ? " (explain without --analyze still shows the plan)" : "")));
                }
                continue;
            }
            const bool owner_is_superuser = row[4].value_or("f") == "t";
            const std::string extension = row[5].value_or("");
            if (Allowed(options.allow, schema, name, extension, owner_is_superuser)) continue;
            const std::string entry = extension.empty() ? fmt::format("{}.{}", schema, name) : "extension:" + extension;
            return tl::unexpected(Refused(fmt::format(
                "it can call {}{}, a function outside pg_catalog that OptiSchema cannot know to be harmless "
                "(planning alone evaluates IMMUTABLE and STABLE functions); {}",
                label, from, fmt::format(kHowToAllow, entry, entry))));
        }
        if (!grew) break;
    }

    Cleared cleared;
    cleared.sql_ = std::move(sql);
    cleared.search_path_ = setting;
    cleared.use_ = options.use;
    cleared.writes_ = *writes;
    return cleared;
}

Result<void> InStatementTransaction(pg::Connection& conn,
                                    const Cleared& statement,
                                    const std::function<Result<void>()>& body,
                                    std::string_view isolation) {
    const std::string begin = fmt::format("BEGIN{}{}{}", isolation.empty() ? "" : " ", isolation,
                                          statement.writes() ? "" : " READ ONLY");
    return conn.InRolledBackTransaction(begin, statement.search_path(), body);
}

Result<void> OnStatementSearchPath(pg::Connection& conn,
                                   const Cleared& statement,
                                   const std::function<Result<void>()>& body) {
    return conn.OnSearchPath(statement.search_path(), body);
}

Result<std::string> ExplainJson(pg::Connection& conn, std::string_view options, const Cleared& statement) {
    if (options.find("ANALYZE") != std::string_view::npos && statement.use() != Use::kRun) {
        return MakeError(ErrorCode::kInternal, "EXPLAIN ANALYZE of a statement cleared only to be planned");
    }
    std::string plan;
    auto ok = InStatementTransaction(conn, statement, [&]() -> Result<void> {
        auto json = pg::ExplainJson(conn, options, statement.sql());
        if (!json) return tl::unexpected(json.error());
        plan = std::move(*json);
        return {};
    });
    if (!ok) return tl::unexpected(ok.error());
    return plan;
}

Result<std::string> GenericPlanJson(pg::Connection& conn,
                                    std::string_view options,
                                    const Cleared& statement,
                                    int param_count) {
    if (conn.ServerVersionNum() >= 160000) {
        return ExplainJson(conn, fmt::format("GENERIC_PLAN, {}", options), statement);
    }
    std::string nulls;
    for (int i = 0; i < param_count; ++i) nulls += i == 0 ? "NULL" : ", NULL";
    std::string plan;
    auto ok = InStatementTransaction(conn, statement, [&]() -> Result<void> {
        if (auto set = conn.Execute("SET LOCAL plan_cache_mode = force_generic_plan"); !set) return set;
        if (auto prepared = conn.Execute("PREPARE optischema_generic AS " + statement.sql()); !prepared) return prepared;
        auto json = pg::ExplainJson(conn, options,
                                    "EXECUTE optischema_generic" + (param_count > 0 ? "(" + nulls + ")" : std::string()));
        // A prepared statement outlives the transaction.
        (void)conn.Execute("DEALLOCATE optischema_generic");
        if (!json) return tl::unexpected(json.error());
        plan = std::move(*json);
        return {};
    });
    if (!ok) return tl::unexpected(ok.error());
    return plan;
}

}  // namespace optischema::guard
