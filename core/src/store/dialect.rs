//! SQL written once for both backends: the `both!` macro compiles a block of methods for
//! [`SqliteStore`] and [`PgStore`], and [`Dialect::sql`] adapts the placeholders.

pub(super) use super::postgres::PgStore;
pub(super) use super::sqlite::SqliteStore;

/// Each method, written once, compiled for both backends; `Self::sql` adapts the placeholders
/// (`?` for SQLite, `$n` for PostgreSQL).
macro_rules! both {
    ($($body:tt)*) => {
        impl $crate::store::dialect::SqliteStore { $($body)* }
        impl $crate::store::dialect::PgStore { $($body)* }
    };
}

/// Rewrites `?` placeholders as `$1, $2, …` for PostgreSQL.
pub(super) fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(c);
        }
    }
    out
}

pub(super) trait Dialect {
    /// Appended to a `SELECT` that picks a row to claim: PostgreSQL skips rows another
    /// transaction is claiming; SQLite has one writer at a time and needs nothing.
    const SKIP_LOCKED: &'static str;

    fn sql_owned(sql: String) -> String;

    fn sql(sql: &'static str) -> String {
        Self::sql_owned(sql.to_string())
    }
}

impl Dialect for SqliteStore {
    const SKIP_LOCKED: &'static str = "";

    fn sql_owned(sql: String) -> String {
        sql
    }
}

impl Dialect for PgStore {
    const SKIP_LOCKED: &'static str = " FOR UPDATE SKIP LOCKED";

    fn sql_owned(sql: String) -> String {
        numbered(&sql)
    }
}

pub(super) use both;
