/// A run's metrics, kept compactly: every name in one string, values and formats in flat arrays.
///
/// A `[Metric]` costs 32 bytes per element plus a heap allocation of 48 bytes or more for every name longer
/// than 15 bytes, so a run of 800,000 metrics needed ~80 MB before it was stored. Here a metric costs its
/// name's UTF-8 bytes and 17 bytes more, and a name is read as a `Substring` of the shared string, without a
/// copy. Reading an element gives a `Metric`, so code written for `[Metric]` reads it unchanged.
///
/// Names are kept as appended (a reader keeps them as the file spells them, to point into it); `nfc` gives the
/// list with every name in NFC, as a `RunIngest` keeps them, and `append(contentsOf:prefix:)` appends them so.
package struct MetricList: RandomAccessCollection, ExpressibleByArrayLiteral, Sendable {
    /// Every name, one after another.
    private var names = ""
    /// Where each name ends, as a UTF-8 offset into `names`.
    private var nameEnds: [Int] = []
    /// Each metric's value (`-0` kept as `0`, as `Metric` does).
    private var values: [Double] = []
    /// Each metric's display format.
    private var formats: [MetricFormat] = []
    /// Whether every name is ASCII, and so already in NFC.
    package private(set) var isASCII = true

    /// An empty list.
    package init() {}

    /// The list of `metrics`, in their order.
    package init(_ metrics: some Sequence<Metric>) {
        for metric in metrics { append(metric) }
    }

    /// The list of the metrics written out.
    package init(arrayLiteral metrics: Metric...) {
        self.init(metrics)
    }

    /// The first position, 0.
    package var startIndex: Int { 0 }
    /// One past the last position: the number of metrics.
    package var endIndex: Int { nameEnds.count }

    /// The metric at `position`, its name copied out.
    package subscript(position: Int) -> Metric {
        Metric(name: String(name(at: position)), value: values[position], format: formats[position])
    }

    // MARK: - Reading

    /// The UTF-8 offsets of a name in `names`.
    private func nameRange(at position: Int) -> Range<Int> {
        (position == 0 ? 0 : nameEnds[position - 1])..<nameEnds[position]
    }

    /// The name of the metric at `position`, without a copy; it hashes and compares as a `String` does.
    package func name(at position: Int) -> Substring {
        let range = nameRange(at: position)
        let utf8 = names.utf8
        let start = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
        let end = utf8.index(start, offsetBy: range.count)
        // Names start and end on scalar boundaries (each was appended whole).
        return Substring(utf8[start..<end])
    }

    /// The value of the metric at `position`.
    package func value(at position: Int) -> Double { values[position] }
    /// The format of the metric at `position`.
    package func format(at position: Int) -> MetricFormat { formats[position] }

    /// Calls `body` with every name's UTF-8 bytes, one after another, and where each name ends in them: the name
    /// at `position` is `bytes[(position == 0 ? 0 : ends[position - 1])..<ends[position]]`. For code that sorts
    /// or writes many names without making a `String` of each.
    package func withNameStorage<R>(
        _ body: (_ bytes: UnsafeBufferPointer<UInt8>, _ ends: UnsafeBufferPointer<Int>) throws -> R
    ) rethrows -> R {
        try nameEnds.withUnsafeBufferPointer { ends in
            // A native string (every one built here) is contiguous; the copy is for any other.
            if let result = try names.utf8.withContiguousStorageIfAvailable({ try body($0, ends) }) { return result }
            return try Array(names.utf8).withUnsafeBufferPointer { try body($0, ends) }
        }
    }

    // MARK: - Building

    /// Makes room for `count` more metrics whose names take about `nameBytes` UTF-8 bytes in all, so that a large
    /// list is not copied as it grows. Grows at least geometrically, so that many small calls stay linear.
    package mutating func reserveCapacity(_ count: Int, nameBytes: Int) {
        guard values.count + count > values.capacity else { return }
        let capacity = Swift.max(values.count + count, 2 * values.capacity)
        names.reserveCapacity(Swift.max(names.utf8.count + nameBytes, 2 * names.utf8.count))
        nameEnds.reserveCapacity(capacity)
        values.reserveCapacity(capacity)
        formats.reserveCapacity(capacity)
    }

    /// Appends a metric (its name is in NFC already, as every `Metric`'s is).
    package mutating func append(_ metric: Metric) {
        append(name: metric.name, value: metric.value, format: metric.format)
    }

    /// Appends a metric named `name`, or `prefix/name` when a prefix is given, spelled as given. As in `Metric`,
    /// -0 becomes 0.
    package mutating func append(prefix: String = "", name: String, value: Double, format: MetricFormat) {
        appendName(prefix: prefix, name: name)
        appendValue(value, format: format)
    }

    /// Appends a metric named `name` (a name of another list), or `prefix/name` when a prefix is given.
    package mutating func append(prefix: String = "", name: Substring, value: Double, format: MetricFormat) {
        appendName(prefix: prefix, name: name)
        appendValue(value, format: format)
    }

    /// Appends a name (concrete at each call, so that appending a million names runs no generic code).
    @inline(__always)
    private mutating func appendName(prefix: String, name: some StringProtocol) {
        if !prefix.isEmpty {
            names += prefix
            names += "/"
            if isASCII && !prefix.utf8.allSatisfy({ $0 < 0x80 }) { isASCII = false }
        }
        names += name
        if isASCII && !name.utf8.allSatisfy({ $0 < 0x80 }) { isASCII = false }
        nameEnds.append(names.utf8.count)
    }

    /// Appends the value and format of the metric whose name was just appended.
    @inline(__always)
    private mutating func appendValue(_ value: Double, format: MetricFormat) {
        values.append(value == 0 ? 0 : value)
        formats.append(format)
    }

    /// Appends every metric of `other`, each named `prefix/name` (`name` without a prefix) in NFC.
    package mutating func append(contentsOf other: MetricList, prefix: String) {
        if prefix.isEmpty && isEmpty {
            self = other.nfc
            return
        }
        reserveCapacity(other.count, nameBytes: other.names.utf8.count + other.count * (prefix.utf8.count + 1))
        let normalize = !other.isASCII || !prefix.utf8.allSatisfy { $0 < 0x80 }
        for position in other.indices {
            let name = other.name(at: position)
            if normalize {
                append(
                    name: (prefix.isEmpty ? String(name) : prefix + "/" + name).nfc, value: other.values[position],
                    format: other.formats[position])
            } else {
                append(prefix: prefix, name: name, value: other.values[position], format: other.formats[position])
            }
        }
    }

    /// The list with every name in NFC: itself when every name is ASCII.
    package var nfc: MetricList {
        if isASCII { return self }
        var normalized = MetricList()
        normalized.reserveCapacity(count, nameBytes: names.utf8.count)
        for position in indices {
            normalized.append(name: String(name(at: position)).nfc, value: values[position], format: formats[position])
        }
        return normalized
    }

    /// The list without the metrics at `positions` (sorted).
    package func removing(sorted positions: [Int]) -> MetricList {
        var kept = MetricList()
        kept.reserveCapacity(count - positions.count, nameBytes: names.utf8.count)
        var next = 0
        for position in indices {
            if next < positions.count && positions[next] == position {
                next += 1
                continue
            }
            kept.append(name: name(at: position), value: values[position], format: formats[position])
        }
        return kept
    }
}
