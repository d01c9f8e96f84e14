/// Small pictures made of block characters: bars in cells and sparklines.
package enum Blocks {
    /// A bar `width` cells wide, filled to `fraction` (0…1) in eighths of a cell; never empty, so that the
    /// smallest value shown still has a bar (an empty cell reads as a missing value).
    package static func bar(_ fraction: Double, width: Int = 8) -> String {
        let eighths = max(1, Int((min(1, max(0, fraction)) * Double(width * 8)).rounded()))
        let partials = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        let text = String(repeating: "█", count: eighths / 8) + partials[eighths % 8]
        return text + String(repeating: " ", count: width - text.count)
    }

    /// One block per value, its height scaled to the min…max of the finite values; a space for a non-finite one.
    package static func sparkline(_ values: [Double]) -> String {
        let levels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else { return String(repeating: " ", count: values.count) }
        return String(
            values.map { value -> Character in
                guard value.isFinite else { return " " }
                guard high > low else { return levels[3] }
                return levels[Int(((value - low) / (high - low) * 7).rounded())]
            })
    }
}
