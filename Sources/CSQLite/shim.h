#include <sqlite3.h>

/// SQLITE_TRANSIENT is a macro with a cast that Swift cannot import: SQLite copies the bytes before returning.
static inline int csqlite_bind_text_transient(sqlite3_stmt *stmt, int index, const char *text, int length) {
    return sqlite3_bind_text(stmt, index, text, length, SQLITE_TRANSIENT);
}

/// sqlite3_db_config is variadic, which Swift cannot call: keep the WAL when the last connection closes, so that
/// a short command does not pay for a checkpoint and its fsyncs (the WAL is checkpointed as it grows instead).
static inline int csqlite_keep_wal_on_close(sqlite3 *db) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
}
