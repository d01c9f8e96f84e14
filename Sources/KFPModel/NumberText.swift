import CNumberFormat

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
        var text = cFormat(.general, 6, value)
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
        return Double(cFormat(.exponent, digits - 1, value)) ?? value
    }

    /// An amount computed from values of magnitude `scale` (a difference of two values, say), rounded to the 15
    /// significant digits of `scale`: below them is the noise of the subtraction, whatever the amount's own size
    /// (0.8934 − 0.9012 is -0.0078, not -0.007800000000000029).
    package static func rounded(_ value: Double, atPrecisionOf scale: Double) -> Double {
        guard value.isFinite, value != 0, scale.isFinite, scale != 0 else { return value }
        let decimals = 14 - Int(log10(abs(scale)).rounded(.down))
        guard (0...330).contains(decimals) else { return rounded(value) }
        return Double(cFormat(.fixed, decimals, value)) ?? value
    }

    /// A `printf` conversion of one double: `%.*f`, `%.*e` or `%.*g`.
    package enum Conversion: UInt8 {
        case fixed = 0x66  // f
        case exponent = 0x65  // e
        case general = 0x67  // g
    }

    /// C's `printf` formatting of one double with a precision: locale-independent and, unlike `String(format:)`,
    /// with no Foundation formatting machinery on a path that runs for every cell.
    package static func cFormat(_ conversion: Conversion, _ precision: Int, _ value: Double) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 512) { out in
            let written = kfpm_format_double(out.baseAddress, out.count, CChar(conversion.rawValue), Int32(precision), value)
            guard written >= 0 else { return "\(value)" }
            return String(
                decoding: UnsafeRawBufferPointer(start: out.baseAddress, count: min(Int(written), out.count - 1)), as: UTF8.self)
        }
    }

    // MARK: - Reading numbers from text

    /// The number a decimal text spells, or nil: `-?digits[.digits][(e|E)[+-]digits]` (JSON's grammar, with a
    /// leading `+` and leading zeros allowed), finite. No blanks, no hex, no `.5`, no `1.`, no `nan`.
    package static func decimal(_ bytes: ArraySlice<UInt8>) -> Double? {
        guard isDecimal(bytes) else { return nil }
        let value = parseDouble(bytes)
        return value.isFinite ? value : nil
    }

    /// A float as Python's `str()` writes it (`0.5`, `10.0`, `1e-05`, `nan`, `inf`, `-inf`; also JSON's `NaN`,
    /// `Infinity`, `-Infinity`), or an int; nil for anything else, and for a decimal beyond the doubles (`1e400`).
    package static func pythonFloat(_ bytes: ArraySlice<UInt8>) -> Double? {
        if isDecimal(bytes) {
            let value = parseDouble(bytes)
            return value.isFinite ? value : nil
        }
        guard bytes.count <= 9 else { return nil }
        switch String(decoding: bytes, as: UTF8.self) {
        case "nan", "NaN", "-nan": return .nan
        case "inf", "Infinity", "+inf": return .infinity
        case "-inf", "-Infinity": return -.infinity
        default: return nil
        }
    }

    /// A whole number in decimal (`-?digits`, a leading `+` allowed) that fits 64 bits, or nil.
    package static func integer(_ bytes: ArraySlice<UInt8>) -> Int64? {
        var value: Int64 = 0
        var sawDigit = false
        var negative = false
        for (i, byte) in bytes.enumerated() {
            if i == 0 && (byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")) {
                negative = byte == UInt8(ascii: "-")
                continue
            }
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            let digit = Int64(byte - 0x30)
            // Accumulated negatively, so that Int64.min fits.
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = times.subtractingReportingOverflow(digit)
            guard !overflow1 && !overflow2 else { return nil }
            value = next
            sawDigit = true
        }
        guard sawDigit else { return nil }
        if negative { return value }
        return value == .min ? nil : -value
    }

    /// Whether bytes follow the decimal grammar of `decimal`.
    private static func isDecimal(_ bytes: ArraySlice<UInt8>) -> Bool {
        var rest = bytes
        func digits() -> Int {
            let count = rest.prefix { $0 >= 0x30 && $0 <= 0x39 }.count
            rest = rest.dropFirst(count)
            return count
        }
        if rest.first == UInt8(ascii: "-") || rest.first == UInt8(ascii: "+") { rest = rest.dropFirst() }
        guard digits() > 0 else { return false }
        if rest.first == UInt8(ascii: ".") {
            rest = rest.dropFirst()
            guard digits() > 0 else { return false }
        }
        if rest.first == UInt8(ascii: "e") || rest.first == UInt8(ascii: "E") {
            rest = rest.dropFirst()
            if rest.first == UInt8(ascii: "-") || rest.first == UInt8(ascii: "+") { rest = rest.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return rest.isEmpty
    }

    /// C's `strtod` (correctly rounded, locale "C" digits) on bytes already checked by `isDecimal`.
    private static func parseDouble(_ bytes: ArraySlice<UInt8>) -> Double {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: bytes.count + 1) { buffer in
            var i = 0
            for byte in bytes {
                buffer[i] = CChar(bitPattern: byte)
                i += 1
            }
            buffer[i] = 0
            guard let start = buffer.baseAddress else { return .nan }
            return strtod(start, nil)
        }
    }
}
