#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Location

/// Where a PostgreSQL store lives, parsed from the `--store` argument: a libpq connection URI
/// (`postgresql://[user[:password]@][host][:port][,…][/dbname][?param=value&…]`, or `postgres://`), plus kfpm's own
/// `schema` parameter.
///
/// Three forms come out of it:
/// - `connectionURI`, for libpq: the URI without `schema` (libpq rejects parameters it does not know), with
///   `connect_timeout=10` added unless the URI or `PGCONNECT_TIMEOUT` sets one, and
///   `fallback_application_name=kfpm` (so an `application_name` from the URI or `PGAPPNAME` still wins).
///   Everything else, including `?host=/socket/dir`, `sslmode`, `service`, and the PG* variables and ~/.pgpass
///   that libpq reads itself, is left to libpq. This form holds the password, if the URI has one.
/// - `schema`: where kfpm keeps its tables (`kfpm` unless `?schema=NAME`), checked to be a plain identifier.
/// - `displayURI`, for messages: `postgresql://user@host:port/db` without the password or any other parameter
///   (a unix-socket directory shows as `?host=/dir`, a schema other than `kfpm` as `?schema=NAME`). `description`, string interpolation, `dump` and `debugPrint`
///   all show this form only.
package struct PostgresLocation: Sendable, Equatable {
    /// The schema used when the URI has no `schema` parameter.
    package static let defaultSchema = "kfpm"
    /// Seconds libpq waits to connect (per host) unless the URI or `PGCONNECT_TIMEOUT` says otherwise.
    package static let defaultConnectTimeout = 10
    /// The `fallback_application_name` added to every connection (visible in `pg_stat_activity`).
    package static let applicationName = "kfpm"

    /// The URI to hand to libpq (`PQconnectdb`). Contains the password when the URI has one: never print it.
    package let connectionURI: String
    /// The schema for kfpm's tables: lowercase letters, digits and underscores, at most 63 bytes, not `pg_…`.
    package let schema: String
    /// The store as shown in messages: `postgresql://user@host:port/db`, never with a password.
    package let displayURI: String
    /// The user from the URI (authority or `?user=`), if any; libpq otherwise uses `PGUSER` or the login name.
    package let user: String?
    /// The hosts from the URI (authority or `?host=`), decoded; empty when libpq is to use `PGHOST` or its default.
    package let hosts: [String]
    /// The ports from the URI (authority or `?port=`), one per host or one for all; empty for the default.
    package let ports: [String]
    /// The database from the URI (path or `?dbname=`), if any; libpq otherwise uses `PGDATABASE` or the user name.
    package let database: String?
    /// The connect timeout in seconds that applies: the URI's, else `PGCONNECT_TIMEOUT`'s, else the default.
    package let connectTimeout: Int?
    /// Strings that must never appear in a message: the password as written in the URI and as decoded.
    let secrets: [String]

    /// The schema as an SQL identifier, double-quoted (safe to splice into SQL: the name was checked).
    package var quotedSchema: String { "\"\(schema)\"" }

    /// True when `text` is meant as a PostgreSQL store rather than a file path. The scheme is matched without
    /// regard to case, as URI schemes are (libpq itself wants it in lowercase, which `connectionURI` ensures).
    package static func isPostgresURI(_ text: String) -> Bool {
        URIParts.scheme(of: text) != nil
    }

    /// Parses a store URI. `environment` looks up `PGCONNECT_TIMEOUT` (the process environment by default).
    package init(
        _ uri: String, environment: (String) -> String? = PostgresLocation.processEnvironment
    ) throws(PostgresError) {
        let parts = try URIParts(uri)
        var schema = PostgresLocation.defaultSchema
        var kept: [Substring] = []
        var user = parts.user
        var hostText = parts.hosts
        var portText = parts.ports
        var database = parts.database
        var secrets: [String] = []
        if let password = parts.password, !password.decoded.isEmpty {
            secrets += [password.raw, password.decoded]
        }
        var timeout: String?
        var hasFallbackName = false
        for parameter in parts.parameters {
            switch parameter.key {
            case "schema":
                try PostgresLocation.checkSchemaName(parameter.value)
                schema = parameter.value
                continue
            case "user": user = parameter.value
            case "host": hostText = parameter.value
            case "port": portText = parameter.value
            case "dbname": database = parameter.value
            case "password", "sslpassword":
                if !parameter.value.isEmpty { secrets += [String(parameter.rawValue), parameter.value] }
            case "connect_timeout": timeout = parameter.value
            case "fallback_application_name": hasFallbackName = true
            default: break
            }
            kept.append(parameter.token)
        }
        let environmentTimeout = environment("PGCONNECT_TIMEOUT").flatMap { $0.isEmpty ? nil : $0 }
        if timeout == nil && environmentTimeout == nil {
            kept.append("connect_timeout=\(PostgresLocation.defaultConnectTimeout)")
            timeout = String(PostgresLocation.defaultConnectTimeout)
        }
        if !hasFallbackName { kept.append("fallback_application_name=\(PostgresLocation.applicationName)") }

        self.schema = schema
        self.user = user.flatMap { $0.isEmpty ? nil : $0 }
        self.hosts = hostText.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) } ?? []
        self.ports = portText.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) } ?? []
        self.database = database.flatMap { $0.isEmpty ? nil : $0 }
        self.connectTimeout = (timeout ?? environmentTimeout).flatMap { Int($0.trimmingWhitespace()) }
        self.secrets = secrets
        self.connectionURI = kept.isEmpty ? String(parts.base) : String(parts.base) + "?" + kept.joined(separator: "&")
        self.displayURI = PostgresLocation.display(
            user: self.user, hosts: self.hosts, ports: self.ports, database: self.database, schema: schema)
    }

    /// `getenv`, as the default environment of `init`.
    package static func processEnvironment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    // MARK: - Schema names

    /// Checks that `name` can name kfpm's schema: a plain, lowercase SQL identifier that PostgreSQL accepts for a
    /// new schema (`pg_` names are reserved for the system).
    package static func checkSchemaName(_ name: String) throws(PostgresError) {
        let bytes = Array(name.utf8)
        let isPlain =
            !bytes.isEmpty && bytes.count <= 63
            && bytes.enumerated().allSatisfy { index, byte in
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || byte == UInt8(ascii: "_")
                    || (index > 0 && byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            }
        guard isPlain, !name.hasPrefix("pg_") else {
            throw PostgresError(
                kind: .invalidLocation,
                message: "invalid schema name '\(name)' in the store URI: use lowercase letters, digits and "
                    + "underscores (at most 63, not starting with a digit or pg_)")
        }
    }

    // MARK: - Display form

    /// `postgresql://user@host:port,host:port/db`, or `postgresql://user@:port/db?host=/dir` for a unix socket.
    private static func display(user: String?, hosts: [String], ports: [String], database: String?, schema: String) -> String {
        var text = "postgresql://"
        if let user { text += percentEncoded(user) + "@" }
        let socketHosts = hosts.filter { $0.hasPrefix("/") || $0.hasPrefix("@") }
        let portFor = { (index: Int) -> String in
            if ports.count == 1 { return ports[0] }
            return index < ports.count ? ports[index] : ""
        }
        if !socketHosts.isEmpty {
            let port = portFor(0)
            if !port.isEmpty { text += ":" + percentEncoded(port) }
        } else {
            text += hosts.indices.map { index in
                let host = hosts[index].contains(":") ? "[\(hosts[index])]" : percentEncoded(hosts[index])
                let port = portFor(index)
                return port.isEmpty ? host : host + ":" + percentEncoded(port)
            }.joined(separator: ",")
        }
        if let database { text += "/" + percentEncoded(database) }
        var parameters: [String] = []
        if !socketHosts.isEmpty {
            parameters.append("host=" + hosts.map { percentEncoded($0, keeping: "/") }.joined(separator: ","))
        }
        // Two stores in one database differ by their schema only.
        if schema != defaultSchema { parameters.append("schema=" + schema) }
        return parameters.isEmpty ? text : text + "?" + parameters.joined(separator: "&")
    }

    /// Percent-encodes ASCII other than letters, digits, `-._~` (and `keeping`); other characters stay readable.
    private static func percentEncoded(_ text: String, keeping: Unicode.Scalar? = nil) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            let isPlain =
                !scalar.isASCII
                || (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar))
                || "-._~".unicodeScalars.contains(scalar) || scalar == keeping
            if isPlain {
                result.unicodeScalars.append(scalar)
            } else {
                for byte in String(scalar).utf8 { result += "%" + hexDigits(byte) }
            }
        }
        return result
    }

    private static func hexDigits(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }

    /// Replaces every secret (the password) in `text` with `****`. Applied to libpq's connection messages, which
    /// can echo parts of the URI.
    func redacting(_ text: String) -> String {
        var result = text
        for secret in secrets.sorted(by: { $0.count > $1.count }) where !secret.isEmpty {
            result = result.replacingBytes(of: secret, with: "****")
        }
        return result
    }
}

// MARK: - Hiding the connection URI

extension PostgresLocation: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    package var description: String { displayURI }
    package var debugDescription: String { "PostgresLocation(\(displayURI), schema: \(schema))" }
    /// `dump` and the debugger see the display form and schema only, never `connectionURI`.
    package var customMirror: Mirror {
        Mirror(self, children: ["displayURI": displayURI, "schema": schema], displayStyle: .struct)
    }
}

// MARK: - URI syntax

/// A connection URI cut into its parts the way libpq cuts it (fe-connect.c, `conninfo_uri_parse_options`), with
/// every percent-encoding checked here so that libpq never gets to quote a bad one (its message would echo the
/// token, which may be the password).
private struct URIParts {
    /// A `key=value` query parameter: the token as written, the decoded key and value.
    struct Parameter {
        var token: Substring
        var key: String
        var rawValue: Substring
        var value: String
    }

    /// Everything before the query (`postgresql://user:pw@host:5432/db`), kept as written for libpq.
    var base: Substring
    var user: String?
    var password: (raw: String, decoded: String)?
    /// The host list as libpq gets it: comma-separated, IPv6 addresses without brackets, decoded.
    var hosts: String?
    var ports: String?
    var database: String?
    var parameters: [Parameter] = []

    /// The scheme `text` starts with, in lowercase as libpq wants it (`postgresql://` or `postgres://`), if any.
    static func scheme(of text: String) -> String? {
        ["postgresql://", "postgres://"].first { scheme in
            text.utf8.count >= scheme.utf8.count
                && zip(text.utf8, scheme.utf8).allSatisfy { byte, expected in
                    byte == expected || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") && byte | 0x20 == expected)
                }
        }
    }

    init(_ uri: String) throws(PostgresError) {
        guard let prefix = URIParts.scheme(of: uri) else {
            throw URIParts.invalid("a PostgreSQL store URI starts with postgresql:// or postgres://")
        }
        let text = uri.utf8
        var index = text.index(text.startIndex, offsetBy: prefix.utf8.count)

        // user[:password]@ — present when an '@' comes before the first '/'. libpq ends the user info at the first
        // '@'; a second one would make the rest of the password part of the host (and so of messages).
        let authorityEnd = text[index...].firstIndex(of: UInt8(ascii: "/")) ?? text.endIndex
        if text[index..<authorityEnd].filter({ $0 == UInt8(ascii: "@") }).count > 1 {
            throw URIParts.invalid("more than one '@' before the host; write '@' in a user name or password as %40")
        }
        if let at = text[index...].firstIndex(where: { $0 == UInt8(ascii: "@") || $0 == UInt8(ascii: "/") }),
            text[at] == UInt8(ascii: "@")
        {
            let userinfo = Substring(uri.utf8[index..<at])
            // libpq reads `postgresql://h?password=a@b` as user "h?password=a" at host "b": refuse it, as the
            // display form would show the start of the password as the user name.
            guard !userinfo.contains("?") else {
                throw URIParts.invalid("an '@' in the query of a URI without a database path; write it as %40")
            }
            if let colon = userinfo.firstIndex(of: ":") {
                user = try URIParts.decode(userinfo[..<colon], part: "user name")
                let raw = userinfo[userinfo.index(after: colon)...]
                password = (String(raw), try URIParts.decode(raw, part: "password"))
            } else {
                user = try URIParts.decode(userinfo, part: "user name")
            }
            index = text.index(after: at)
        }

        // host[:port][,host[:port]…], IPv6 addresses in brackets.
        var hostList: [Substring] = []
        var portList: [Substring] = []
        var terminator: UInt8?
        while true {
            let host: Substring
            if index < text.endIndex, text[index] == UInt8(ascii: "[") {
                let start = text.index(after: index)
                guard let close = text[start...].firstIndex(of: UInt8(ascii: "]")) else {
                    throw URIParts.invalid("an IPv6 address in the store URI lacks its closing ']'")
                }
                guard close > start else { throw URIParts.invalid("an IPv6 address in the store URI is empty") }
                host = Substring(text[start..<close])
                index = text.index(after: close)
                if index < text.endIndex, !":/?,".utf8.contains(text[index]) {
                    throw URIParts.invalid("unexpected character after an IPv6 address in the store URI")
                }
            } else {
                let end = text[index...].firstIndex(where: { ":/?,".utf8.contains($0) }) ?? text.endIndex
                host = Substring(text[index..<end])
                index = end
            }
            hostList.append(host)
            terminator = index < text.endIndex ? text[index] : nil
            if terminator == UInt8(ascii: ":") {
                let start = text.index(after: index)
                let end = text[start...].firstIndex(where: { "/?,".utf8.contains($0) }) ?? text.endIndex
                portList.append(Substring(text[start..<end]))
                index = end
                terminator = index < text.endIndex ? text[index] : nil
            } else {
                portList.append("")  // libpq too keeps one (maybe empty) port per host
            }
            guard terminator == UInt8(ascii: ",") else { break }
            index = text.index(after: index)
        }
        let joinedHosts = hostList.joined(separator: ",")
        if !joinedHosts.isEmpty { hosts = try URIParts.decode(Substring(joinedHosts), part: "host") }
        let joinedPorts = portList.joined(separator: ",")
        if portList.contains(where: { !$0.isEmpty }) { ports = try URIParts.decode(Substring(joinedPorts), part: "port") }

        // /dbname
        if terminator == UInt8(ascii: "/") {
            let start = text.index(after: index)
            let end = text[start...].firstIndex(of: UInt8(ascii: "?")) ?? text.endIndex
            let name = Substring(text[start..<end])
            if !name.isEmpty { database = try URIParts.decode(name, part: "database name") }
            index = end
        }
        base = Substring(prefix + String(Substring(text[text.index(text.startIndex, offsetBy: prefix.utf8.count)..<index])))

        // ?key=value&…
        if index < text.endIndex {
            let query = Substring(text[text.index(after: index)...])
            for token in query.split(separator: "&", omittingEmptySubsequences: true) {
                let pieces = token.split(separator: "=", maxSplits: 2, omittingEmptySubsequences: false)
                guard pieces.count == 2 else {
                    throw URIParts.invalid(
                        pieces.count < 2
                            ? "a query parameter of the store URI has no '='"
                            : "a query parameter of the store URI has more than one '='")
                }
                let key = try URIParts.decode(pieces[0], part: "parameter name")
                let value = try URIParts.decode(pieces[1], part: "value of \(key)")
                parameters.append(Parameter(token: token, key: key, rawValue: pieces[1], value: value))
            }
        }
    }

    /// An invalid-location error. Its text never quotes the URI, which may hold a password.
    static func invalid(_ message: String) -> PostgresError {
        PostgresError(kind: .invalidLocation, message: "invalid store URI: \(message)")
    }

    /// Decodes `%XX` escapes as libpq does (`%00` is refused); bytes that are not UTF-8 become U+FFFD here, but the
    /// URI reaches libpq as written.
    static func decode(_ text: Substring, part: String) throws(PostgresError) -> String {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return String(text) }
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw invalid("bad percent-encoding in the \(part)")
            }
            let decoded = high << 4 | low
            guard decoded != 0 else { throw invalid("%00 in the \(part)") }
            bytes.append(decoded)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
