#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One environment variable, read with getenv: `ProcessInfo.processInfo.environment` copies the whole
/// environment into a dictionary each time it is read, which costs more than parsing most command lines.
enum Environment {
    /// The variable's value; nil when unset or empty.
    static func value(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        let value = String(cString: raw)
        return value.isEmpty ? nil : value
    }
}
