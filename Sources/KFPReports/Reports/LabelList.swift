import KFPStore

/// `kfpm labels`: the label keys of an experiment's runs, each with its values and how many runs have each.
package struct LabelList: Sendable {
    /// One key: how many runs have it, and its values with their run counts, by value.
    package struct Key: Sendable, Equatable {
        package var key: String
        package var runCount: Int
        package var values: [(value: String, runCount: Int)]

        package static func == (a: Key, b: Key) -> Bool {
            a.key == b.key && a.runCount == b.runCount && a.values.elementsEqual(b.values) { $0 == $1 }
        }
    }

    package var experiment: String
    /// By key.
    package var keys: [Key]

    /// Groups the store's counts (sorted by key, then value) by key.
    package init(experiment: String, counts: [LabelCount]) {
        self.experiment = experiment
        var keys: [Key] = []
        for count in counts {
            if keys.last?.key != count.key { keys.append(Key(key: count.key, runCount: 0, values: [])) }
            keys[keys.count - 1].runCount += count.runCount
            keys[keys.count - 1].values.append((count.value, count.runCount))
        }
        self.keys = keys
    }
}
