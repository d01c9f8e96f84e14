/// A shell-style pattern for metric names: `*` any run of characters (including `/`), `?` one character,
/// `[abc]` one of a set; anything else matches itself.
package struct Glob: Sendable, Hashable, CustomStringConvertible {
    package let pattern: String
    private let characters: [Character]

    /// A pattern, in NFC like the names it matches.
    package init(_ pattern: String) {
        self.pattern = pattern.nfc
        self.characters = Array(self.pattern)
    }

    package var description: String { pattern }

    /// Whether the pattern has wildcards at all (a plain name matches only itself).
    package var isLiteral: Bool { !characters.contains { $0 == "*" || $0 == "?" || $0 == "[" } }

    /// Whether `name` matches the whole pattern.
    package func matches(_ name: String) -> Bool {
        let text = Array(name)
        var p = 0
        var t = 0
        var starP = -1
        var starT = 0
        while t < text.count {
            if p < characters.count, characters[p] == "*" {
                starP = p
                starT = t
                p += 1
            } else if p < characters.count, let width = matchOne(at: p, text[t]) {
                p += width
                t += 1
            } else if starP >= 0 {
                p = starP + 1
                starT += 1
                t = starT
            } else {
                return false
            }
        }
        while p < characters.count && characters[p] == "*" { p += 1 }
        return p == characters.count
    }

    /// If the pattern element at `p` matches `c`, the element's width in the pattern.
    private func matchOne(at p: Int, _ c: Character) -> Int? {
        switch characters[p] {
        case "?": return 1
        case "[":
            guard let close = characters[(p + 1)...].firstIndex(of: "]"), close > p + 1 else {
                return c == "[" ? 1 : nil
            }
            return characters[(p + 1)..<close].contains(c) ? close - p + 1 : nil
        default:
            return characters[p] == c ? 1 : nil
        }
    }
}
