import FoundationEssentials
import KFPModel
import KFPReports

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How numbers become text: exactly for machines, the KFP way for people.
package enum ValueText {
    /// The shortest text that reads back as the same double; see `NumberText.exact`.
    package static func exact(_ value: Double) -> String { NumberText.exact(value) }

    /// The KFP UI's display: PERCENTAGE as value × 100 with `precision` decimals and `%`; others with `precision`
    /// decimals (`0.9` as PERCENTAGE is `90.000%`). Unlike KFP, a non-zero value too small to show in that many
    /// decimals is shown in scientific notation (`3.333e-05`) rather than as `0.000`.
    package static func display(_ value: Double, format: MetricFormat, precision: Int) -> String {
        guard value.isFinite else { return exact(value) }
        let shown = format == .percentage ? value * 100 : value
        let suffix = format == .percentage ? "%" : ""
        let digits = max(0, min(precision, 17))
        if shown != 0 && abs(shown) < 0.5 * pow(10, -Double(digits)) {
            return NumberText.cFormat(.exponent, max(digits, 1), shown) + suffix
        }
        return fixed(shown, precision: digits) + suffix
    }

    /// `value` with exactly `precision` decimals, locale-independent; `-0.000` is shown as `0.000`.
    package static func fixed(_ value: Double, precision: Int) -> String {
        let text = NumberText.cFormat(.fixed, max(0, min(precision, 17)), value)
        if text.hasPrefix("-") && text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) {
            return String(text.dropFirst())
        }
        return text
    }

    /// An ISO 8601 UTC timestamp with milliseconds: `2026-11-27T05:42:44.123Z` (rounded to the millisecond,
    /// as the store keeps times).
    package static func timestamp(_ date: Date) -> String {
        let (seconds, millis) = utcParts(date)
        return seconds.joined("T") + "." + millis + "Z"
    }

    /// A date's UTC fields, the milliseconds as three digits.
    private static func utcParts(_ date: Date) -> (seconds: UTCFields, millis: String) {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        var seconds = time_t(milliseconds.quotientAndRemainder(dividingBy: 1000).quotient)
        var fraction = Int(milliseconds % 1000)
        if fraction < 0 {
            fraction += 1000
            seconds -= 1
        }
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let millis = fraction < 10 ? "00\(fraction)" : fraction < 100 ? "0\(fraction)" : "\(fraction)"
        return (UTCFields(parts), millis)
    }

    /// `YYYY-MM-DD` and `hh:mm:ss` of a broken-down UTC time.
    private struct UTCFields {
        var day: String
        var time: String

        init(_ parts: tm) {
            func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
            day = "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))"
            time = "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
        }

        func joined(_ separator: String) -> String { day + separator + time }
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

    /// A change, with the relative change after it in brackets when asked and defined: `-2.000pp (-2.19%)`.
    package static func changeText(_ change: MetricChange, format: MetricFormat, precision: Int, withRelative: Bool) -> String {
        let text = self.change(change, format: format, precision: precision)
        guard withRelative else { return text }
        let relative = relative(change)
        return relative.isEmpty ? text : text + " (\(relative))"
    }

    /// A relative change as a signed percentage with 2 decimals (`+2.22%`), or empty when undefined.
    package static func relative(_ change: MetricChange) -> String {
        guard let relative = change.relative else { return "" }
        return signed(fixed(relative * 100, precision: 2)) + "%"
    }

    /// Puts a `+` before a non-negative, non-zero number's text.
    private static func signed(_ text: String) -> String {
        text.hasPrefix("-") || text.utf8.allSatisfy({ "0.e+%".utf8.contains($0) }) ? text : "+" + text
    }

    /// A comparison's verdict in words, with a mark that does not need colour: `▲ better`, `▼ worse`, `= same`,
    /// `? n/a` (a NaN or infinite value).
    package static func verdict(_ verdict: MetricChange.Verdict) -> String {
        switch verdict {
        case .better: "▲ better"
        case .worse: "▼ worse"
        case .unchanged: "= same"
        case .incomparable: "? n/a"
        }
    }

    /// Labels as people write them: `branch=main commit=abc123`.
    package static func labels(_ labels: [Label]) -> String {
        labels.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    /// A compact UTC time for tables: `2026-11-27 05:42:44`.
    package static func shortTime(_ date: Date) -> String {
        utcParts(date).seconds.joined(" ")
    }
}
