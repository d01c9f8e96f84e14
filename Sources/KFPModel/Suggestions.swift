/// "Did you mean …?": the known names closest to a mistyped one.
package enum Suggestions {
    /// Up to `limit` names from `candidates` within a small edit distance of `text` (case is ignored; a third of
    /// the text's length, at least 2, at most 4 edits), closest first, then by name.
    package static func closest(to text: String, in candidates: some Sequence<String>, limit: Int = 3) -> [String] {
        let typed = Array(text.lowercased())
        let allowed = min(4, max(2, typed.count / 3))
        let scored = Set(candidates).compactMap { candidate -> (Int, String)? in
            let distance = editDistance(typed, Array(candidate.lowercased()), cap: allowed)
            return distance <= allowed ? (distance, candidate) : nil
        }
        return scored.sorted { $0 < $1 }.prefix(limit).map(\.1)
    }

    /// The Levenshtein distance of two strings, or `cap + 1` as soon as it must exceed `cap`.
    static func editDistance(_ a: [Character], _ b: [Character], cap: Int) -> Int {
        if abs(a.count - b.count) > cap { return cap + 1 }
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, y) in b.enumerated() {
                current[j + 1] = Swift.min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))
            }
            if current.min() ?? 0 > cap { return cap + 1 }
            previous = current
        }
        return previous[b.count]
    }
}
