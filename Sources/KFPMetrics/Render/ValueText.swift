import Foundation

/// How numbers become text: exactly for machines, the KFP way for people.
package enum ValueText {
    /// The shortest text that reads back as the same double (`0.1`, `1e-05`, `-0.0`); `NaN`, `Infinity`,
    /// `-Infinity` for non-finite values.
    package static func exact(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        return "\(value)"
    }

    /// The KFP UI's display: PERCENTAGE as value × 100 with `precision` decimals and `%`; others with `precision`
    /// decimals (`0.9` as PERCENTAGE is `90.000%`). Unlike KFP, a non-zero value too small to show in that many
    /// decimals is shown in scientific notation (`3.333e-05`) rather than as `0.000`.
    package static func display(_ value: Double, format: MetricFormat, precision: Int) -> String {
        guard value.isFinite else { return exact(value) }
        let shown = format == .percentage ? value * 100 : value
        let suffix = format == .percentage ? "%" : ""
        let digits = max(0, min(precision, 17))
        if shown != 0 && abs(shown) < 0.5 * pow(10, -Double(digits)) {
            return cFormat("%.*e", max(digits, 1), shown) + suffix
        }
        return fixed(shown, precision: digits) + suffix
    }

    /// A short text for messages: 6 significant digits, no trailing zeros (`0.02`, `8.05`, `1250`, `3.33333e-05`).
    package static func compact(_ value: Double) -> String {
        guard value.isFinite else { return exact(value) }
        var text = cFormat("%.*g", 6, value)
        if text.contains("."), !text.contains("e") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }

    /// `value` with exactly `precision` decimals, locale-independent; `-0.000` is shown as `0.000`.
    package static func fixed(_ value: Double, precision: Int) -> String {
        let text = cFormat("%.*f", max(0, min(precision, 17)), value)
        if text.hasPrefix("-") && text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) {
            return String(text.dropFirst())
        }
        return text
    }

    /// An ISO 8601 UTC timestamp with milliseconds: `2026-11-27T05:42:44.123Z` (rounded to the millisecond,
    /// as the store keeps times).
    package static func timestamp(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        var seconds = time_t(milliseconds.quotientAndRemainder(dividingBy: 1000).quotient)
        var fraction = Int(milliseconds % 1000)
        if fraction < 0 {
            fraction += 1000
            seconds -= 1
        }
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let millis = fraction < 10 ? "00\(fraction)" : fraction < 100 ? "0\(fraction)" : "\(fraction)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):"
            + "\(two(parts.tm_min)):\(two(parts.tm_sec)).\(millis)Z"
    }
}

extension ValueText {
    /// A signed change for people: `+2.000pp` for PERCENTAGE metrics, `-0.050` otherwise.
    package static func change(_ change: MetricChange, format: MetricFormat, precision: Int) -> String {
        if let pp = change.percentagePoints { return signed(fixed(pp, precision: precision)) + "pp" }
        guard change.absolute.isFinite else { return exact(change.absolute) }
        let shown = display(change.absolute, format: .raw, precision: precision)
        return signed(shown)
    }

    /// A relative change as a signed percentage with 2 decimals (`+2.22%`), or empty when undefined.
    package static func relative(_ change: MetricChange) -> String {
        guard let relative = change.relative else { return "" }
        return signed(fixed(relative * 100, precision: 2)) + "%"
    }

    /// Puts a `+` before a non-negative, non-zero number's text.
    private static func signed(_ text: String) -> String {
        text.hasPrefix("-") || text.trimmingCharacters(in: CharacterSet(charactersIn: "0.e+%")).isEmpty ? text : "+" + text
    }

    /// A compact UTC time for tables: `2026-11-27 05:42:44`.
    package static func shortTime(_ date: Date) -> String {
        let full = timestamp(date)
        return String(full.prefix(19)).replacingOccurrences(of: "T", with: " ")
    }
}

extension ValueText {
    /// C's `printf` formatting of one double with a precision (`%.*f`, `%.*e`, `%.*g`): locale-independent and,
    /// unlike `String(format:)`, with no Foundation formatting machinery on a path that runs for every cell.
    static func cFormat(_ format: StaticString, _ precision: Int, _ value: Double) -> String {
        var buffer = [CChar](repeating: 0, count: 512)
        let written = buffer.withUnsafeMutableBufferPointer { out in
            format.withUTF8Buffer { pattern in
                pattern.withMemoryRebound(to: CChar.self) { pattern in
                    withVaList([Int32(precision), value]) { vsnprintf(out.baseAddress, out.count, pattern.baseAddress, $0) }
                }
            }
        }
        guard written >= 0 else { return "\(value)" }
        return String(decoding: buffer.prefix(min(Int(written), buffer.count - 1)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
