/// One metric of a run: its full name (with any step prefix), its exact value and its display format.
package struct Metric: Sendable, Hashable {
    /// The name (NFC), unique within a run: `accuracy`, `train/loss`, `eval_metrics/accuracy`.
    package private(set) var name: String
    /// The exact value as read; may be non-finite only when the user allowed it.
    package private(set) var value: Double
    /// The display format.
    package var format: MetricFormat

    /// The name is kept in NFC; `-0` becomes `0`: they are equal numbers, and SQLite keeps no sign of zero, so a
    /// stored run reads back exactly what was ingested.
    package init(name: String, value: Double, format: MetricFormat) {
        self.name = name.nfc
        self.value = value == 0 ? 0 : value
        self.format = format
    }

    /// Whether two metrics carry the same content; unlike `==` on doubles, NaN equals NaN and 0 differs from -0.
    package func sameContent(as other: Metric) -> Bool {
        name == other.name && format == other.format
            && (value.bitPattern == other.value.bitPattern || value.isNaN && other.value.isNaN)
    }
}
