/// A shell-style pattern for names and label values, with the meaning SQLite's GLOB gives it: `*` any run of
/// characters (including `/`), `?` one character, `[abc]` one of a set, `[a-z]` a range, `[^abc]` none of a set;
/// a `[` with no closing `]` matches itself, and so does anything else. Case matters.
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
    package var isLiteral: Bool { !characters.indices.contains { isWildcard(at: $0) } }

    /// The pattern for SQL's GLOB operator, with a `[` that opens no set written `[[]` so that it matches itself
    /// there too. A set is copied whole: a `[` among its members (`a[[]b`) is one of them, not a `[` to rewrite.
    package var sqlGlob: String {
        var out = ""
        var i = 0
        while i < characters.count {
            if characters[i] == "[" {
                if let set = set(at: i) {
                    out += String(characters[i..<(i + set.width)])
                    i += set.width
                    continue
                }
                out += "[[]"
            } else {
                out.append(characters[i])
            }
            i += 1
        }
        return out
    }

    /// Whether the element at `p` is a wildcard: `*`, `?`, or a `[` that opens a set.
    private func isWildcard(at p: Int) -> Bool {
        characters[p] == "*" || characters[p] == "?" || (characters[p] == "[" && set(at: p) != nil)
    }

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
            guard let set = set(at: p) else { return c == "[" ? 1 : nil }
            return set.contains(c) ? set.width : nil
        default:
            return characters[p] == c ? 1 : nil
        }
    }

    /// The set that a `[` at `p` opens, or nil when no `]` closes it. As in SQLite, a `]` right after `[` (or
    /// `[^`) is a member, not the end.
    private func set(at p: Int) -> CharacterSet? {
        var i = p + 1
        var negated = false
        if i < characters.count && characters[i] == "^" {
            negated = true
            i += 1
        }
        let start = i
        if i < characters.count && characters[i] == "]" { i += 1 }
        while i < characters.count && characters[i] != "]" { i += 1 }
        guard i < characters.count else { return nil }
        return CharacterSet(members: Array(characters[start..<i]), negated: negated, width: i - p + 1)
    }

    /// The members of a `[…]` set: characters and `a-z` ranges.
    private struct CharacterSet {
        var members: [Character]
        var negated: Bool
        /// How many pattern characters the set spans, brackets included.
        var width: Int

        func contains(_ c: Character) -> Bool {
            var found = false
            var i = 0
            while i < members.count && !found {
                if i + 2 < members.count, members[i + 1] == "-", let low = members[i].unicodeScalars.first,
                    let high = members[i + 2].unicodeScalars.first, let scalar = c.unicodeScalars.first
                {
                    found = c.unicodeScalars.count == 1 && low <= scalar && scalar <= high
                    i += 3
                } else {
                    found = members[i] == c
                    i += 1
                }
            }
            return found != negated
        }
    }
}
