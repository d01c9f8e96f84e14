#include <sqlite3.h>

/// SQLITE_TRANSIENT is a macro with a cast that Swift cannot import: SQLite copies the bytes before returning.
static inline int csqlite_bind_text_transient(sqlite3_stmt *stmt, int index, const char *text, int length) {
    return sqlite3_bind_text(stmt, index, text, length, SQLITE_TRANSIENT);
}
