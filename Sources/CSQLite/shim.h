#include <sqlite3.h>

/// SQLITE_TRANSIENT is a macro with a cast that Swift cannot import: SQLite copies the bytes before returning.
static inline int csqlite_bind_text_transient(sqlite3_stmt *stmt, int index, const char *text, int length) {
    return sqlite3_bind_text(stmt, index, text, length, SQLITE_TRANSIENT);
}

/// The same for a BLOB: SQLite copies the bytes (a zero-length blob is bound as an empty blob, not NULL).
static inline int csqlite_bind_blob_transient(sqlite3_stmt *stmt, int index, const void *bytes, int length) {
    return sqlite3_bind_blob(stmt, index, length > 0 ? bytes : "", length, SQLITE_TRANSIENT);
}
