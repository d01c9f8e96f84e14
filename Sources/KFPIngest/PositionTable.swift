/// A hash set of positions (of names in a `MetricList`, of keys in a JSON object) that keeps no key: the caller
/// gives each position's hash and says whether a stored position holds the same key.
///
/// `Set<String>` and `[String: …]` keep a `String` per entry in a table sized to a power of two, and a big
/// table's entries are far apart in memory: 800,000 keys took 33 MB and most of a second. Here a slot is
/// 8 bytes (32 bits of the hash beside the position), so keys are compared only when their hashes match.
struct PositionTable {
    /// `hash bits << 32 | (position + 1)` per slot, 0 when empty; a power of two in count, at most half full.
    private var slots: [UInt64] = []
    /// How many positions are stored.
    private(set) var count = 0

    /// Makes room for `total` positions in all.
    mutating func reserve(_ total: Int) {
        guard total * 2 > slots.count else { return }
        var size = 16
        while size < total * 2 { size *= 2 }
        let old = slots
        slots = Array(repeating: 0, count: size)
        let mask = UInt64(size - 1)
        for entry in old where entry != 0 {
            var slot = Int((entry >> 32) & mask)
            while slots[slot] != 0 { slot = (slot + 1) & (size - 1) }
            slots[slot] = entry
        }
    }

    /// The position stored with the same key as the one that has `hash`, or nil. `sameKey(other)` says whether the
    /// key at `other` equals the one looked for.
    func position(hash: Int, sameKey: (Int) -> Bool) -> Int? {
        slots.isEmpty ? nil : probe(hash, sameKey: sameKey).found
    }

    /// Adds `position`, whose key has `hash`, unless a position with the same key is there: then that position
    /// is returned and nothing is added. `sameKey(other)` says whether the key at `other` equals this one.
    mutating func insert(_ position: Int, hash: Int, sameKey: (Int) -> Bool) -> Int? {
        precondition(position < Int(UInt32.max), "more than 4 billion positions")
        reserve(count + 1)
        let (slot, found) = probe(hash, sameKey: sameKey)
        if let found { return found }
        slots[slot] = UInt64(UInt32(truncatingIfNeeded: hash)) << 32 | UInt64(position + 1)
        count += 1
        return nil
    }

    /// The position with the same key as the one that has `hash`, if stored; else the empty slot where it goes.
    private func probe(_ hash: Int, sameKey: (Int) -> Bool) -> (slot: Int, found: Int?) {
        let bits = UInt64(UInt32(truncatingIfNeeded: hash))
        let mask = slots.count - 1
        var slot = Int(bits) & mask
        while slots[slot] != 0 {
            let entry = slots[slot]
            if entry >> 32 == bits {
                let other = Int(entry & 0xFFFF_FFFF) - 1
                if sameKey(other) { return (slot, other) }
            }
            slot = (slot + 1) & mask
        }
        return (slot, nil)
    }
}
