import KFPModel

/// A metric's series packed into one compact blob, the same for every backend (SQLite keeps it in a BLOB,
/// PostgreSQL in a `bytea`): a 100-point series logged step by step takes about 11 bytes a point.
///
/// Layout (version 1), all integers little-endian:
///
/// ```
/// version: UInt8 = 1
/// timestamps: UInt8        0 none, 1 every point has one, 2 some do (a presence bitmap follows the count)
/// count: varint            the number of points
/// [presence: ceil(count / 8) bytes, bit i of byte i/8 set when point i has a timestamp]   (timestamps = 2)
/// steps: count zigzag varints, each the difference from the previous step (the first from 0)
/// times: zigzag varints, each the difference from the previous timestamp (the first from 0), one per point
///        that has a timestamp
/// values: count × 8 bytes, each the IEEE 754 bit pattern of the value (so NaN and -0 survive exactly)
/// ```
///
/// Steps logged one by one cost one byte each, timestamps a second or less apart two, values eight.
package enum SeriesCodec {
    /// The blob layout written (and the only one read).
    static let version: UInt8 = 1

    /// A blob that is not a series this kfpm wrote.
    package struct Malformed: Error, Sendable, CustomStringConvertible {
        package var description: String
    }

    // MARK: - Encoding

    /// The points packed.
    package static func encode(_ points: [SeriesPoint]) -> [UInt8] {
        let timed = points.count(where: { $0.timestamp != nil })
        let mode: UInt8 = timed == 0 ? 0 : timed == points.count ? 1 : 2
        var out: [UInt8] = []
        out.reserveCapacity(2 + 10 + points.count * (mode == 0 ? 9 : 11))
        out.append(version)
        out.append(mode)
        appendVarint(UInt64(points.count), to: &out)
        if mode == 2 {
            var bitmap = [UInt8](repeating: 0, count: (points.count + 7) / 8)
            for (i, point) in points.enumerated() where point.timestamp != nil { bitmap[i / 8] |= 1 << (i % 8) }
            out += bitmap
        }
        var previous: Int64 = 0
        for point in points {
            appendVarint(zigzag(point.step &- previous), to: &out)
            previous = point.step
        }
        previous = 0
        for point in points {
            guard let timestamp = point.timestamp else { continue }
            appendVarint(zigzag(timestamp &- previous), to: &out)
            previous = timestamp
        }
        for point in points {
            var bits = point.value.bitPattern.littleEndian
            withUnsafeBytes(of: &bits) { out += $0 }
        }
        return out
    }

    // MARK: - Decoding

    /// The points of a blob written by `encode`.
    package static func decode(_ bytes: [UInt8]) throws(Malformed) -> [SeriesPoint] {
        var reader = Reader(bytes: bytes)
        guard try reader.byte() == version else { throw Malformed(description: "unknown series format \(bytes[0])") }
        let mode = try reader.byte()
        guard mode <= 2 else { throw Malformed(description: "unknown timestamp mode \(mode)") }
        let count = Int(clamping: try reader.varint())
        // Every point takes at least 9 bytes: a count beyond that is damage, not a reason to allocate.
        guard count <= bytes.count / 9 else { throw Malformed(description: "\(count) points in \(bytes.count) bytes") }
        var present = [Bool](repeating: mode == 1, count: count)
        if mode == 2 {
            let bitmap = try reader.bytes((count + 7) / 8)
            for i in 0..<count { present[i] = bitmap[i / 8] & (1 << (i % 8)) != 0 }
        }
        var points: [SeriesPoint] = []
        points.reserveCapacity(count)
        var previous: Int64 = 0
        for _ in 0..<count {
            previous = previous &+ unzigzag(try reader.varint())
            points.append(SeriesPoint(step: previous, value: 0))
        }
        previous = 0
        for i in 0..<count where present[i] {
            previous = previous &+ unzigzag(try reader.varint())
            points[i].timestamp = previous
        }
        let values = try reader.bytes(8 * count)
        for i in 0..<count {
            var bits: UInt64 = 0
            for shift in 0..<8 { bits |= UInt64(values[8 * i + shift]) << (8 * UInt64(shift)) }
            points[i].value = Double(bitPattern: bits)
        }
        guard reader.isAtEnd else { throw Malformed(description: "\(bytes.count - reader.offset) bytes left over") }
        return points
    }

    /// A stored series: the blob's points, a blob that cannot be read being damage to the store.
    static func series(_ metric: String, stored blob: [UInt8], store: String) throws(StoreError) -> MetricSeries {
        do {
            return MetricSeries(metric: metric, points: try decode(blob))
        } catch {
            throw .corrupt(store: store, detail: "the series of '\(metric)' cannot be read: \(error)")
        }
    }

    // MARK: - Integers

    /// LEB128: seven bits a byte, the high bit set on every byte but the last.
    static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        out.append(UInt8(rest))
    }

    /// Signed to unsigned so that small magnitudes of either sign stay small: 0, -1, 1, -2 → 0, 1, 2, 3.
    static func zigzag(_ value: Int64) -> UInt64 { UInt64(bitPattern: (value << 1) ^ (value >> 63)) }

    static func unzigzag(_ value: UInt64) -> Int64 { Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1) }

    /// Reads a blob front to back, refusing to run past its end.
    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        var isAtEnd: Bool { offset == bytes.count }

        mutating func byte() throws(Malformed) -> UInt8 {
            guard offset < bytes.count else { throw Malformed(description: "the blob ends early") }
            defer { offset += 1 }
            return bytes[offset]
        }

        /// The next `count` bytes, indexed from 0.
        mutating func bytes(_ count: Int) throws(Malformed) -> [UInt8] {
            guard count <= bytes.count - offset else { throw Malformed(description: "the blob ends early") }
            defer { offset += count }
            return Array(bytes[offset..<(offset + count)])
        }

        mutating func varint() throws(Malformed) -> UInt64 {
            var value: UInt64 = 0
            for shift in stride(from: UInt64(0), to: 70, by: 7) {
                let byte = try self.byte()
                guard shift < 64 else { throw Malformed(description: "a varint is too long") }
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
            }
            throw Malformed(description: "a varint is too long")
        }
    }
}
