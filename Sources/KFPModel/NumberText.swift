#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Numbers as text in messages and stored-content comparisons: the exact value for machines, a short one for
/// people. Display with a precision and percentages belongs to the renderers.
package enum NumberText {
    /// The shortest text that reads back as the same double (`0.1`, `1e-05`, `-0.0`); `NaN`, `Infinity`,
    /// `-Infinity` for non-finite values.
    package static func exact(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        return "\(value)"
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

    /// The value rounded to `digits` significant digits (15: what a double holds of a decimal number), for
    /// amounts computed from exact values whose last bits are noise; non-finite values as they are.
    package static func rounded(_ value: Double, significantDigits digits: Int = 15) -> Double {
        guard value.isFinite, value != 0 else { return value }
        return Double(cFormat("%.*e", digits - 1, value)) ?? value
    }

    /// An amount computed from values of magnitude `scale` (a difference of two values, say), rounded to the 15
    /// significant digits of `scale`: below them is the noise of the subtraction, whatever the amount's own size
    /// (0.8934 − 0.9012 is -0.0078, not -0.007800000000000029).
    package static func rounded(_ value: Double, atPrecisionOf scale: Double) -> Double {
        guard value.isFinite, value != 0, scale.isFinite, scale != 0 else { return value }
        let decimals = 14 - Int(log10(abs(scale)).rounded(.down))
        guard (0...330).contains(decimals) else { return rounded(value) }
        return Double(cFormat("%.*f", decimals, value)) ?? value
    }

    /// C's `printf` formatting of one double with a precision (`%.*f`, `%.*e`, `%.*g`): locale-independent and,
    /// unlike `String(format:)`, with no Foundation formatting machinery on a path that runs for every cell.
    package static func cFormat(_ format: StaticString, _ precision: Int, _ value: Double) -> String {
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
