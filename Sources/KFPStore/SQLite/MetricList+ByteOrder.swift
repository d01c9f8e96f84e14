#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import KFPModel

/// Names in SQLite's order (BINARY: their UTF-8 bytes), for writing new names so that the index on them is
/// appended to.
extension MetricList {
    /// The UTF-8 bytes of the name at `position` in the storage `withNameStorage` gives.
    static func name(
        at position: Int, _ bytes: UnsafeBufferPointer<UInt8>, _ ends: UnsafeBufferPointer<Int>
    ) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[(position == 0 ? 0 : ends[position - 1])..<ends[position]])
    }

    /// `positions` in the byte order of their names; the same array if already so.
    ///
    /// Sorted by 8 bytes of each name after the prefix all share (names of one file often start alike), and by
    /// the whole names only where those bytes are equal: comparing whole names from a sort's closure took
    /// seconds for a million names in random order.
    func sortedByNameBytes(_ positions: [Int]) -> [Int] {
        withNameStorage { bytes, ends -> [Int] in
            func name(_ position: Int) -> UnsafeBufferPointer<UInt8> { Self.name(at: position, bytes, ends) }
            func precedes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
                let common = Swift.min(a.count, b.count)
                var order: Int32 = 0
                if common > 0, let x = a.baseAddress, let y = b.baseAddress { order = memcmp(x, y, common) }
                return order != 0 ? order < 0 : a.count < b.count
            }
            guard let first = positions.first,
                !zip(positions, positions.dropFirst()).allSatisfy({ !precedes(name($1), name($0)) })
            else { return positions }
            let firstName = name(first)
            var shared = firstName.count
            for position in positions.dropFirst() where shared > 0 {
                let other = name(position)
                var i = 0
                while i < Swift.min(shared, other.count) && other[i] == firstName[i] { i += 1 }
                shared = i
            }
            var keyed = positions.map { position -> (key: UInt64, position: Int) in
                let bytes = name(position)
                var key: UInt64 = 0
                for i in shared..<(shared + 8) { key = key << 8 | UInt64(i < bytes.count ? bytes[i] : 0) }
                return (key, position)
            }
            keyed.sort { $0.key != $1.key ? $0.key < $1.key : precedes(name($0.position), name($1.position)) }
            return keyed.map(\.position)
        }
    }
}
