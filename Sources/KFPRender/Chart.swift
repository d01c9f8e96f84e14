import KFPModel

/// Values along an ordered axis: a metric over runs (oldest first), or, once series are stored, over a run's
/// steps. HTML draws it as a line chart (`SVGChart`); the text formats as a sparkline and the caption.
package struct Chart: Sendable {
    /// One point: where it is on the axis, its value, and what its tooltip adds.
    package struct Point: Sendable {
        /// The axis label: a run's name, a step.
        package var label: String
        /// nil when the run or step has no value; a NaN or infinite value is a gap in the line as well.
        package var value: Double?
        /// More about the point for its tooltip, one item a line (a run's labels, its time); may be empty.
        package var notes: [String]

        package init(_ label: String, _ value: Double?, notes: [String] = []) {
            self.label = label
            self.value = value
            self.notes = notes
        }
    }

    /// What is drawn: the metric's name.
    package var title: String
    /// How values and axis ticks are shown (PERCENTAGE as %).
    package var format: MetricFormat
    /// Marks the best point by this direction; nil marks none.
    package var direction: Direction?
    /// In axis order.
    package var points: [Point]
    /// A line under the chart: `min … · max … · last …`.
    package var caption: String

    package init(title: String, format: MetricFormat, direction: Direction?, points: [Point], caption: String) {
        self.title = title
        self.format = format
        self.direction = direction
        self.points = points
        self.caption = caption
    }

    /// `min … · max … · last … (label)`: the range of the finite values and the latest value there is, shown the
    /// KFP way (`-` when there is none).
    package static func caption(_ points: [Point], format: MetricFormat, precision: Int) -> String {
        func shown(_ value: Double?) -> String {
            value.map { ValueText.display($0, format: format, precision: precision) } ?? "-"
        }
        let finite = points.compactMap(\.value).filter(\.isFinite)
        var caption = "min \(shown(finite.min())) · max \(shown(finite.max()))"
        if let last = points.last(where: { $0.value != nil }) { caption += " · last \(shown(last.value)) (\(last.label))" }
        return caption
    }

    /// Each point's value, NaN where it has none: what a sparkline draws (a space for each gap).
    package var sparklineValues: [Double] { points.map { $0.value ?? .nan } }

    /// The index of the best finite value by `direction` (the first, on a tie); nil without a direction or values.
    package var bestIndex: Int? {
        guard let direction else { return nil }
        var best: (index: Int, value: Double)?
        for (index, point) in points.enumerated() {
            guard let value = point.value, value.isFinite else { continue }
            if best.map({ direction.isBetter(value, than: $0.value) == true }) ?? true { best = (index, value) }
        }
        return best?.index
    }
}
