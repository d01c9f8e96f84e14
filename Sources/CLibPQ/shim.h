#ifndef CLIBPQ_SHIM_H
#define CLIBPQ_SHIM_H

// Debian and Ubuntu (libpq-dev) keep the header in /usr/include/postgresql; others in the include root. It is named
// by path rather than through pkg-config, because a pkgConfig system-library target makes SwiftPM add
// `pkg-config --libs libpq` (-lpq) to every executable that depends on it, which is what this module avoids.
#if __has_include(<postgresql/libpq-fe.h>)
#include <postgresql/libpq-fe.h>
#else
#include <libpq-fe.h>
#endif

// The error fields of PQresultErrorField are character-literal macros ('C', 'M', …), which Swift does not import.
enum {
    CLIBPQ_DIAG_SEVERITY = PG_DIAG_SEVERITY_NONLOCALIZED,
    CLIBPQ_DIAG_SQLSTATE = PG_DIAG_SQLSTATE,
    CLIBPQ_DIAG_MESSAGE_PRIMARY = PG_DIAG_MESSAGE_PRIMARY,
    CLIBPQ_DIAG_MESSAGE_DETAIL = PG_DIAG_MESSAGE_DETAIL,
    CLIBPQ_DIAG_MESSAGE_HINT = PG_DIAG_MESSAGE_HINT,
};

// One function-pointer type per libpq function that PGStore calls, taken from the declarations above by the C
// compiler (__typeof__ names no symbol, so nothing is linked). LibPQ.swift casts each dlsym result to its type, so a
// signature can never be transcribed wrongly.
#define CLIBPQ_FUNCTION(name) typedef __typeof__(name) *clibpq_##name##_fn;
CLIBPQ_FUNCTION(PQlibVersion)
CLIBPQ_FUNCTION(PQconnectdb)
CLIBPQ_FUNCTION(PQfinish)
CLIBPQ_FUNCTION(PQstatus)
CLIBPQ_FUNCTION(PQerrorMessage)
CLIBPQ_FUNCTION(PQtransactionStatus)
CLIBPQ_FUNCTION(PQserverVersion)
CLIBPQ_FUNCTION(PQbackendPID)
CLIBPQ_FUNCTION(PQsetNoticeProcessor)
CLIBPQ_FUNCTION(PQexec)
CLIBPQ_FUNCTION(PQexecParams)
CLIBPQ_FUNCTION(PQprepare)
CLIBPQ_FUNCTION(PQexecPrepared)
CLIBPQ_FUNCTION(PQresultStatus)
CLIBPQ_FUNCTION(PQresultErrorMessage)
CLIBPQ_FUNCTION(PQresultErrorField)
CLIBPQ_FUNCTION(PQclear)
CLIBPQ_FUNCTION(PQntuples)
CLIBPQ_FUNCTION(PQnfields)
CLIBPQ_FUNCTION(PQfname)
CLIBPQ_FUNCTION(PQftype)
CLIBPQ_FUNCTION(PQgetvalue)
CLIBPQ_FUNCTION(PQgetlength)
CLIBPQ_FUNCTION(PQgetisnull)
CLIBPQ_FUNCTION(PQcmdTuples)
CLIBPQ_FUNCTION(PQputCopyData)
CLIBPQ_FUNCTION(PQputCopyEnd)
CLIBPQ_FUNCTION(PQgetResult)
CLIBPQ_FUNCTION(PQconsumeInput)
#undef CLIBPQ_FUNCTION

#endif
