import KFPModel

/// Draws a `Chart` as inline SVG, with no chart library: round value ticks and grid lines, up to five axis labels,
/// the line through the values (broken where a value is missing, NaN or infinite: a gap, never a zero), a point
/// per value with its tooltip (`<title>`: label, value, notes), and the best point ringed and marked "best".
/// Colours come from the page's style sheet (classes only, no `style` attributes), so the chart follows the
/// light and dark schemes and prints.
struct SVGChart {
    let chart: Chart
    /// Decimals of the values in tooltips.
    let precision: Int

    // MARK: - Geometry, in the SVG's units (it scales to the page)

    private static let width = 480.0
    private static let height = 180.0
    private static let left = 50.0
    private static let right = 40.0
    private static let top = 12.0
    private static let bottom = 24.0
    private static let plotWidth = width - left - right
    private static let plotHeight = height - top - bottom
    /// How many axis labels at most.
    private static let maxLabels = 5
    /// Axis labels longer than this keep their end (`…-11-27-0542`), where run names differ.
    private static let maxLabelLength = 12
    /// The least distance between the middles of two axis labels, so that labels of `maxLabelLength` characters
    /// never overlap.
    private static let labelSpacing = 84.0

    // MARK: - Drawing

    /// The `<svg>` element.
    func svg() -> String {
        let percentage = chart.format == .percentage
        let shown = chart.points.map { point in point.value.flatMap { $0.isFinite ? $0 * (percentage ? 100 : 1) : nil } }
        let finite = shown.compactMap { $0 }
        let ticks = AxisTicks(low: finite.min() ?? 0, high: finite.max() ?? 1)
        let name = "\(chart.title) over \(chart.points.count) point\(chart.points.count == 1 ? "" : "s")"
        var out = "<svg class=\"chart\" viewBox=\"0 0 \(Self.width.svg) \(Self.height.svg)\" width=\"\(Self.width.svg)\" "
            + "height=\"\(Self.height.svg)\" role=\"img\" aria-label=\"\(XMLText.escape(name))\">\n"
        out += axes(ticks, percentage: percentage)
        if finite.isEmpty {
            out += "<text class=\"empty\" x=\"\((Self.left + Self.plotWidth / 2).svg)\" y=\"\((Self.top + Self.plotHeight / 2).svg)\">"
                + "no finite values</text>\n"
        }
        out += line(shown, ticks)
        out += points(shown, ticks)
        return out + "</svg>\n"
    }

    /// Grid lines and labels at the value ticks, the axis lines, and the labels along the axis.
    private func axes(_ ticks: AxisTicks, percentage: Bool) -> String {
        var grid = ""
        var labels = ""
        for value in ticks.values {
            let y = self.y(value, ticks).svg
            grid += "M\(Self.left.svg),\(y)h\(Self.plotWidth.svg)"
            labels += "<text class=\"yt\" x=\"\((Self.left - 6).svg)\" y=\"\(y)\">\(ticks.label(value, percentage: percentage))</text>"
        }
        var out = "<path class=\"grid\" d=\"\(grid)\"/>\n" + labels + "\n"
        let bottom = (Self.top + Self.plotHeight).svg
        out += "<path class=\"axis\" d=\"M\(Self.left.svg),\(Self.top.svg)V\(bottom)h\(Self.plotWidth.svg)\"/>\n"
        for index in labelIndices() {
            let label = chart.points[index].label
            let short = label.count > Self.maxLabelLength ? "…" + label.suffix(Self.maxLabelLength - 1) : label
            out += "<text class=\"xt\" x=\"\(x(index).svg)\" y=\"\((Self.height - 6).svg)\">\(XMLText.escape(short))</text>"
        }
        return out + "\n"
    }

    /// The line through the finite values, lifted at every gap.
    private func line(_ shown: [Double?], _ ticks: AxisTicks) -> String {
        var path = ""
        var drawing = false
        for (index, value) in shown.enumerated() {
            guard let value else {
                drawing = false
                continue
            }
            path += (drawing ? "L" : "M") + "\(x(index).svg),\(y(value, ticks).svg)"
            drawing = true
        }
        return path.isEmpty ? "" : "<path class=\"line\" d=\"\(path)\"/>\n"
    }

    /// A point per finite value with its tooltip, the best one larger and marked. A point is a zero-length line
    /// with round caps (a dot the size of the stroke), the smallest element that can hold a tooltip.
    private func points(_ shown: [Double?], _ ticks: AxisTicks) -> String {
        let best = chart.bestIndex
        var out = "<g class=\"pts\">\n"
        var mark = ""
        for (index, value) in shown.enumerated() {
            guard let value, let raw = chart.points[index].value else { continue }
            let (x, y) = (x(index), y(value, ticks))
            let point = chart.points[index]
            let isBest = index == best
            let tip = [point.label, ValueText.display(raw, format: chart.format, precision: precision)] + point.notes
                + (isBest ? ["best"] : [])
            out += "<path\(isBest ? " class=\"best\"" : "") d=\"M\(x.svg),\(y.svg)h0\">"
                + "<title>\(XMLText.escape(tip.joined(separator: "\n"), lineFeeds: true))</title></path>\n"
            if isBest {
                let anchor = x > Self.left + Self.plotWidth * 0.9 ? " e" : x < Self.left + Self.plotWidth * 0.1 ? " s" : ""
                mark = "<text class=\"bl\(anchor)\" x=\"\(x.svg)\" y=\"\(max(10, y - 9).svg)\">best</text>\n"
            }
        }
        return out + "</g>\n" + mark
    }

    /// The points that get an axis label: the first, the last and evenly spaced ones between, as many as fit
    /// `labelSpacing` apart (at most `maxLabels`).
    private func labelIndices() -> [Int] {
        let count = chart.points.count
        guard count > 1 else { return Array(0..<count) }
        let step = Self.plotWidth / Double(count - 1)
        for labels in stride(from: min(Self.maxLabels, count), through: 2, by: -1) {
            // Rounded positions leave at least this many intervals between neighbours.
            let least = (count - 1) / (labels - 1)
            if Double(least) * step >= Self.labelSpacing {
                return (0..<labels).map { Int((Double($0 * (count - 1)) / Double(labels - 1)).rounded()) }
            }
        }
        return [0, count - 1]
    }

    // MARK: - Scales

    /// The x of the point at `index`: evenly spaced, a single point in the middle.
    private func x(_ index: Int) -> Double {
        let count = chart.points.count
        return count <= 1 ? Self.left + Self.plotWidth / 2 : Self.left + Self.plotWidth * Double(index) / Double(count - 1)
    }

    /// The y of a value on the ticks' range.
    private func y(_ value: Double, _ ticks: AxisTicks) -> Double {
        let span = ticks.upper - ticks.lower
        let fraction = span > 0 && span.isFinite ? (value - ticks.lower) / span : 0.5
        return Self.top + Self.plotHeight * (1 - fraction)
    }
}

extension Double {
    /// A coordinate as SVG text, to the nearest unit: a unit is about a pixel on screen, and whole numbers keep a
    /// chart of a hundred points small.
    fileprivate var svg: String { isFinite ? String(Int(Swift.min(Swift.max(self, -1e6), 1e6).rounded())) : "0" }
}
