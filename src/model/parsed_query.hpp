#pragma once

#include <optional>
#include <string>
#include <vector>

namespace optischema::model {

/// A table (or view) the statement reads or writes, as written in the query.
struct RelationRef {
    std::string schema;  // empty when not qualified
    std::string name;
    std::string alias;  // empty when none

    friend bool operator==(const RelationRef&, const RelationRef&) = default;
};

/// Where in the statement a column is used.
enum class ClauseKind { kWhere, kJoin, kGroupBy, kOrderBy };

/// The value a column is compared with.
struct Operand {
    enum class Kind { kNone, kConstant, kParam, kColumn, kList, kSubquery, kOther };
    Kind kind = Kind::kNone;
    std::string text;               // constant text, "$n", "alias.column", or a short description
    int param_number = 0;           // for kParam
    std::vector<std::string> list;  // constants or "$n" of an IN list / ANY(ARRAY[...])

    friend bool operator==(const Operand&, const Operand&) = default;
};

/// One use of a column: `lower(u.email) = $1`, `o.created_at >= '2024-01-01'`, `ORDER BY id DESC`.
struct ColumnUse {
    ClauseKind clause = ClauseKind::kWhere;
    std::string relation;   // the RelationRef name (not alias) it resolves to; empty when ambiguous
    std::string qualifier;  // as written: alias or table name, empty if unqualified
    std::string column;
    std::string expression;  // text of a wrapping expression, e.g. "lower(email)", "payload ->> 'k'"; empty if bare
    std::string op;          // "=", "<", ">=", "<>", "~~" (LIKE), "~~*" (ILIKE), "IN", "IS NULL", "@>", ...
    Operand operand;
    bool negated = false;     // under NOT
    bool descending = false;  // ORDER BY ... DESC
    std::optional<bool> nulls_first;

    friend bool operator==(const ColumnUse&, const ColumnUse&) = default;
};

/// Where a `$n` parameter stands in the statement text.
struct ParamRef {
    int number = 0;    // n of $n
    int location = 0;  // byte offset of the '$' in the text

    friend bool operator==(const ParamRef&, const ParamRef&) = default;
};

/// What OptiSchema needs to know about one SQL statement, extracted from PostgreSQL's parse tree.
struct ParsedQuery {
    std::string statement_type;          // "SELECT", "INSERT", "UPDATE", "DELETE", "OTHER"
    std::vector<RelationRef> relations;  // every table referenced, in order of appearance, distinct
    std::vector<ColumnUse> columns;
    std::optional<Operand> limit;
    std::optional<Operand> offset;
    bool has_subquery = false;
    bool has_cte = false;
    int param_count = 0;                        // highest $n referenced
    std::vector<ParamRef> param_refs;           // every $n occurrence, by location
    int statement_count = 1;                    // statements in the input; only the first is analysed
    std::vector<std::string> updated_columns;   // UPDATE ... SET columns (an index on one ends HOT updates)
    std::vector<std::string> selected_columns;  // columns the top-level select list reads (unqualified names)
    bool selects_star = false;                  // the top-level select list has `*`
    bool ordered = false;                       // the top-level SELECT has ORDER BY: its rows come in a set order

    /// The schema `table` is qualified with in the statement; empty when unqualified or absent.
    [[nodiscard]] std::string SchemaOf(const std::string& table) const {
        for (const auto& r : relations) {
            if (r.name == table) return r.schema;
        }
        return "";
    }
};

}  // namespace optischema::model
