import KFPModel

// MARK: - Globs as regular expressions

extension Glob {
    /// The pattern as a PostgreSQL regular expression (for `~`) that matches exactly the text SQLite's GLOB matches
    /// with `sqlGlob`, so that a label filter selects the same runs on both backends: `*` any run of characters, `?`
    /// one, `[…]` one of a set with `a-z` ranges, `^` first for none of it, and a `]` right after `[` (or `[^`) a
    /// member; anchored at both ends; case-sensitive. It follows SQLite's own reading of the pattern, code point by
    /// code point: a `-` first or last in a set is itself, the low end of a range is a member even when the range is
    /// reversed (`[z-a]` is `z`), and a set that is never closed matches nothing (which `sqlGlob` keeps from
    /// happening). Every character but an ASCII letter or
    /// digit is written as an escape (`\u005b`), so no name can act as regular-expression syntax; the result is bound
    /// as a value like any other.
    var postgresRegex: String {
        let pattern = Array(sqlGlob.unicodeScalars)
        var out = "^"
        var i = 0
        while i < pattern.count {
            let c = pattern[i]
            i += 1
            switch c {
            case "*": out += ".*"
            case "?": out += "."
            case "[":
                var negated = false
                if i < pattern.count && pattern[i] == "^" {
                    negated = true
                    i += 1
                }
                var ranges: [ClosedRange<UInt32>] = []
                if i < pattern.count && pattern[i] == "]" {
                    ranges.append(93...93)
                    i += 1
                }
                // The last member read, which a following `-` makes the low end of a range (none after a range).
                var prior: Unicode.Scalar?
                while i < pattern.count && pattern[i] != "]" {
                    let member = pattern[i]
                    i += 1
                    if member == "-", let low = prior, i < pattern.count, pattern[i] != "]" {
                        // The low end is a member already; the range adds what lies above it, if anything.
                        let high = pattern[i]
                        i += 1
                        if low.value < high.value { ranges[ranges.count - 1] = low.value...high.value }
                        prior = nil
                    } else {
                        ranges.append(member.value...member.value)
                        prior = member
                    }
                }
                guard i < pattern.count else { return Self.matchesNothing }
                i += 1
                // Never empty: the first character after `[` or `[^` is a member, `]` included.
                let members = ranges.map { Self.escape($0.lowerBound) + ($0.count > 1 ? "-" + Self.escape($0.upperBound) : "") }
                out += "[" + (negated ? "^" : "") + members.joined() + "]"
            default:
                let ascii = c.isASCII && (("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c))
                out += ascii ? String(c) : Self.escape(c.value)
            }
        }
        return out + "$"
    }

    /// A regular expression that matches no text: the start of the text after a character.
    private static let matchesNothing = ".^"

    /// A code point as a character-entry escape, which means that character alone, in a set or out of one.
    private static func escape(_ scalar: UInt32) -> String {
        let hex = String(scalar, radix: 16)
        return scalar <= 0xFFFF
            ? "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            : "\\U" + String(repeating: "0", count: 8 - hex.count) + hex
    }
}
