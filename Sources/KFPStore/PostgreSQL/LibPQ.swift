import CLibPQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - The libpq function table

/// The libpq functions PGStore calls, resolved with `dlsym` from a libpq loaded with `dlopen` on first use.
///
/// kfpm does not link libpq: linking it costs every command 3–5 ms of start-up (libpq pulls in Kerberos, LDAP and
/// TLS), although only `postgresql://` stores need it. Each field's type is the C compiler's own type of the
/// declaration in libpq-fe.h (see `CLIBPQ_FUNCTION` in the CLibPQ shim), so no signature is transcribed by hand.
///
/// The table is immutable once loaded and C function pointers are `Sendable`, so one shared table serves every
/// thread; libpq itself is thread-safe as long as each connection is used by one thread at a time.
package struct LibPQ: Sendable {
    /// The file names tried, in order, by `shared`: the runtime package's soname (Debian: libpq5), then the
    /// development symlink (libpq-dev) for systems that have only that.
    package static let defaultLibraryNames = ["libpq.so.5", "libpq.so"]

    let libVersion: clibpq_PQlibVersion_fn
    let connectdb: clibpq_PQconnectdb_fn
    let finish: clibpq_PQfinish_fn
    let status: clibpq_PQstatus_fn
    let errorMessage: clibpq_PQerrorMessage_fn
    let transactionStatus: clibpq_PQtransactionStatus_fn
    let serverVersion: clibpq_PQserverVersion_fn
    let backendPID: clibpq_PQbackendPID_fn
    let setNoticeProcessor: clibpq_PQsetNoticeProcessor_fn
    let exec: clibpq_PQexec_fn
    let execParams: clibpq_PQexecParams_fn
    let prepare: clibpq_PQprepare_fn
    let execPrepared: clibpq_PQexecPrepared_fn
    let resultStatus: clibpq_PQresultStatus_fn
    let resultErrorMessage: clibpq_PQresultErrorMessage_fn
    let resultErrorField: clibpq_PQresultErrorField_fn
    let clear: clibpq_PQclear_fn
    let ntuples: clibpq_PQntuples_fn
    let nfields: clibpq_PQnfields_fn
    let fname: clibpq_PQfname_fn
    let ftype: clibpq_PQftype_fn
    let getvalue: clibpq_PQgetvalue_fn
    let getlength: clibpq_PQgetlength_fn
    let getisnull: clibpq_PQgetisnull_fn
    let cmdTuples: clibpq_PQcmdTuples_fn
    let putCopyData: clibpq_PQputCopyData_fn
    let putCopyEnd: clibpq_PQputCopyEnd_fn
    let getResult: clibpq_PQgetResult_fn
    let consumeInput: clibpq_PQconsumeInput_fn

    /// The table for the whole process: libpq is loaded the first time a PostgreSQL store is opened, never at
    /// start-up (a `static let` is initialised lazily, once, thread-safely). A failure is kept too, so a missing
    /// libpq is reported the same way each time without trying again.
    private static let loaded: Result<LibPQ, PostgresError> = Result { () throws(PostgresError) in
        try load(names: defaultLibraryNames)
    }

    /// The process's libpq, loaded on first use.
    package static func shared() throws(PostgresError) -> LibPQ {
        try loaded.get()
    }

    /// libpq's version as `PQlibVersion` gives it (e.g. 150020 for 15.20).
    package var version: Int { Int(libVersion()) }

    // MARK: - Loading

    /// Loads the first of `names` that `dlopen` finds (`RTLD_NOW | RTLD_LOCAL`: every symbol bound now, none added
    /// to the global namespace) and resolves every function. Tests call it with other names; kfpm uses `shared()`.
    package static func load(names: [String]) throws(PostgresError) -> LibPQ {
        var reasons: [String] = []
        var handle: UnsafeMutableRawPointer?
        for name in names {
            handle = dlopen(name, RTLD_NOW | RTLD_LOCAL)
            if handle != nil { break }
            reasons.append(dlerror().map { String(cString: $0) } ?? "\(name): cannot be loaded")
        }
        guard let handle else {
            throw PostgresError(
                kind: .libraryMissing, message: "PostgreSQL stores need libpq (Debian: apt-get install libpq5)",
                detail: reasons.joined(separator: "; "))
        }
        // Once loaded, the handle is never closed: the table's pointers must stay valid for the life of the process.
        do {
            return try resolve(SymbolResolver(handle: handle))
        } catch {
            dlclose(handle)
            throw error
        }
    }

    /// The table, every function looked up in `symbols`.
    private static func resolve(_ symbols: SymbolResolver) throws(PostgresError) -> LibPQ {
        LibPQ(
            libVersion: try symbols.resolve("PQlibVersion"),
            connectdb: try symbols.resolve("PQconnectdb"),
            finish: try symbols.resolve("PQfinish"),
            status: try symbols.resolve("PQstatus"),
            errorMessage: try symbols.resolve("PQerrorMessage"),
            transactionStatus: try symbols.resolve("PQtransactionStatus"),
            serverVersion: try symbols.resolve("PQserverVersion"),
            backendPID: try symbols.resolve("PQbackendPID"),
            setNoticeProcessor: try symbols.resolve("PQsetNoticeProcessor"),
            exec: try symbols.resolve("PQexec"),
            execParams: try symbols.resolve("PQexecParams"),
            prepare: try symbols.resolve("PQprepare"),
            execPrepared: try symbols.resolve("PQexecPrepared"),
            resultStatus: try symbols.resolve("PQresultStatus"),
            resultErrorMessage: try symbols.resolve("PQresultErrorMessage"),
            resultErrorField: try symbols.resolve("PQresultErrorField"),
            clear: try symbols.resolve("PQclear"),
            ntuples: try symbols.resolve("PQntuples"),
            nfields: try symbols.resolve("PQnfields"),
            fname: try symbols.resolve("PQfname"),
            ftype: try symbols.resolve("PQftype"),
            getvalue: try symbols.resolve("PQgetvalue"),
            getlength: try symbols.resolve("PQgetlength"),
            getisnull: try symbols.resolve("PQgetisnull"),
            cmdTuples: try symbols.resolve("PQcmdTuples"),
            putCopyData: try symbols.resolve("PQputCopyData"),
            putCopyEnd: try symbols.resolve("PQputCopyEnd"),
            getResult: try symbols.resolve("PQgetResult"),
            consumeInput: try symbols.resolve("PQconsumeInput"))
    }

    /// Looks symbols up in one loaded library and casts them to the function types the CLibPQ shim declares.
    private struct SymbolResolver {
        let handle: UnsafeMutableRawPointer

        /// The function `name`, typed as `F` (the function type, inferred from the field it initialises).
        func resolve<F>(_ name: String) throws(PostgresError) -> F {
            guard let address = dlsym(handle, name) else {
                throw PostgresError(
                    kind: .libraryMissing, message: "the libpq found lacks \(name); kfpm needs libpq 10 or later",
                    detail: dlerror().map { String(cString: $0) })
            }
            precondition(MemoryLayout<F>.size == MemoryLayout<UnsafeMutableRawPointer>.size, "not a C function type")
            return unsafeBitCast(address, to: F.self)
        }
    }

    // MARK: - Helpers over the raw functions

    /// `PQerrorMessage` as a Swift string (libpq's last error on the connection, usually ending in a newline).
    func errorText(_ connection: OpaquePointer) -> String {
        errorMessage(connection).map { String(cString: $0) } ?? ""
    }

    /// One field of a failed result (`CLIBPQ_DIAG_*`), or nil when the server (or libpq) did not set it.
    func errorField(_ result: OpaquePointer, _ code: Int) -> String? {
        resultErrorField(result, Int32(code)).map { String(cString: $0) }
    }
}

/// A notice processor that drops notices. libpq's default prints each NOTICE and WARNING to stderr (for example
/// "NOTICE: schema "kfpm" already exists, skipping"), which would garble kfpm's own output.
let discardNotices: PQnoticeProcessor = { _, _ in }
