import Foundation

/// What `kfpm import` was asked to do.
package struct ImportRequest: Sendable {
    /// The folder to import.
    package var root: String
    /// When set, the folders in `root` are runs of this experiment; otherwise they are experiments (or KFP v2
    /// local runs) holding runs.
    package var experiment: String?
    package var labels: [Label]
    package var replace: Bool
    package var options: ReadOptions
    package var time: Date

    package init(
        root: String, experiment: String? = nil, labels: [Label] = [], replace: Bool = false,
        options: ReadOptions = ReadOptions(), time: Date = Date()
    ) {
        self.root = root
        self.experiment = experiment
        self.labels = labels
        self.replace = replace
        self.options = options
        self.time = time
    }
}

/// What an import found and did.
package struct ImportResult: Sendable {
    /// Problems, warnings and notes (at most `Importer.maxDiagnostics`; `omittedDiagnostics` counts the rest).
    package var diagnostics: [Diagnostic]
    package var omittedDiagnostics: Int
    /// Nil when nothing was stored because of errors.
    package var summary: ImportSummary?
    package var runsRead: Int
    package var experiments: Set<String>

    package var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

/// `kfpm import`: a whole tree of runs in one transaction, streaming. Run folders are read and checked in
/// batches spread over the cores while the store writes the previous batch; memory holds one or two batches.
package enum Importer {
    /// Runs read and checked per batch.
    static let batchSize = 256
    /// Diagnostics kept for printing; the rest are counted.
    package static let maxDiagnostics = 1000

    /// One run folder to read.
    struct RunFolder: Sendable {
        var experiment: String
        var run: String
        var path: String
        var createdAt: Date?
    }

    /// Imports the tree. Nothing is stored unless every run folder is free of errors.
    package static func run(
        _ request: ImportRequest, openStore: () throws(StoreError) -> any MetricsStore
    ) throws(StoreError) -> ImportResult {
        var result = ImportResult(diagnostics: [], omittedDiagnostics: 0, summary: nil, runsRead: 0, experiments: [])
        func record(_ diagnostics: [Diagnostic]) {
            for diagnostic in diagnostics {
                if result.diagnostics.count < maxDiagnostics { result.diagnostics.append(diagnostic) } else { result.omittedDiagnostics += 1 }
            }
        }
        var sawErrors = false
        // A producer thread walks the tree and reads batches (on every core) while this thread stores the
        // previous batch; the queue holds at most two batches, so memory stays flat however large the tree.
        let queue = BoundedQueue<Produced>(capacity: 2)
        let producer = Producer(request: request, queue: queue)
        producer.start()
        defer { producer.stop() }
        /// The next batch to store; once anything had an error, it reads on to the end to report every
        /// problem, then says `.abort`.
        func produce() -> ImportBatch {
            while true {
                switch queue.take() {
                case .finished(let diagnostics, let layoutProblems)?:
                    record(diagnostics)
                    if layoutProblems { sawErrors = true }
                    if result.runsRead == 0 && !sawErrors {
                        record([Diagnostic(.error, file: request.root, message: "no run folders found to import", rule: "input")])
                        sawErrors = true
                    }
                    return sawErrors ? .abort : .end
                case .batch(let count, let runs, let diagnostics)?:
                    result.runsRead += count
                    record(diagnostics)
                    if diagnostics.contains(where: { $0.severity == .error }) { sawErrors = true }
                    if sawErrors { continue }
                    for run in runs { result.experiments.insert(run.experiment) }
                    return .runs(runs)
                case nil:
                    return .abort
                }
            }
        }
        // The first batch is read before the store is opened, so that an import that fails from the start
        // does not even create a store.
        var first: ImportBatch? = produce()
        if case .abort = first { return result }
        let store = try openStore()
        do {
            result.summary = try store.importRuns(replace: request.replace) {
                if let batch = first {
                    first = nil
                    return batch
                }
                return produce()
            }
        } catch .importAborted {
            result.summary = nil
        }
        return result
    }

    /// What the producer hands over.
    enum Produced: Sendable {
        /// `count` run folders read: the runs without errors, and every diagnostic.
        case batch(count: Int, runs: [RunIngest], diagnostics: [Diagnostic])
        /// The tree is done; the walk's own diagnostics, and whether it hit a problem.
        case finished(diagnostics: [Diagnostic], layoutProblems: Bool)
    }

    /// The thread that walks the tree and reads batches ahead of the writer.
    final class Producer: @unchecked Sendable {
        private let request: ImportRequest
        private let queue: BoundedQueue<Produced>
        private let done = DispatchSemaphore(value: 0)

        init(request: ImportRequest, queue: BoundedQueue<Produced>) {
            self.request = request
            self.queue = queue
        }

        func start() {
            let thread = Thread { [self] in
                defer { done.signal() }
                var layout = Layout(root: request.root, experiment: request.experiment)
                let reader = BatchReader(request: request)
                while true {
                    let folders = layout.next(batchSize)
                    let walked = layout.takeDiagnostics()
                    if folders.isEmpty {
                        _ = queue.put(.finished(diagnostics: walked, layoutProblems: layout.problems > 0))
                        return
                    }
                    let batch = reader.read(folders)
                    guard queue.put(.batch(count: folders.count, runs: batch.runs, diagnostics: walked + batch.diagnostics))
                    else { return }
                }
            }
            thread.stackSize = 8 << 20
            thread.start()
        }

        /// Stops the producer (if still running) and waits for it to end.
        func stop() {
            queue.cancel()
            done.wait()
        }
    }

    // MARK: - Layout

    /// Walks `root` lazily: `<experiment>/<run>/`, or `<pipeline>-<timestamp>/<task>/` for KFP v2 local runs,
    /// or `<run>/` when the experiment is given. Folders are taken in natural name order (run-2 before run-10).
    /// Only one folder's names are held at a time (16 bytes a run for short names), never paths or contents.
    struct Layout {
        let root: String
        let experiment: String?
        /// The experiment being walked, its folder, and its run folders' names not yet handed out.
        private var current: (experiment: String, folder: String, runs: [String], next: Int)?
        private var experimentsLeft: [String]?
        private var nextExperiment = 0
        private var diagnostics: [Diagnostic] = []
        private(set) var problems = 0

        init(root: String, experiment: String?) {
            self.root = root
            self.experiment = experiment
        }

        mutating func takeDiagnostics() -> [Diagnostic] {
            defer { diagnostics = [] }
            return diagnostics
        }

        /// Up to `count` more run folders.
        mutating func next(_ count: Int) -> [RunFolder] {
            if experimentsLeft == nil { start() }
            var taken: [RunFolder] = []
            while taken.count < count {
                if var walk = current, walk.next < walk.runs.count {
                    let end = Swift.min(walk.runs.count, walk.next + count - taken.count)
                    for name in walk.runs[walk.next..<end] {
                        taken.append(RunFolder(experiment: walk.experiment, run: name, path: Self.join(walk.folder, name)))
                    }
                    walk.next = end
                    current = walk
                    continue
                }
                current = nil
                guard let names = experimentsLeft, nextExperiment < names.count else { break }
                let name = names[nextExperiment]
                nextExperiment += 1
                let path = Self.join(root, name)
                if let local = Self.localRun(name) {
                    taken.append(RunFolder(experiment: local.pipeline, run: name, path: path, createdAt: local.time))
                } else {
                    current = (name, path, subfolders(of: path), 0)
                }
            }
            return taken
        }

        private mutating func start() {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root, isDirectory: &isFolder), isFolder.boolValue else {
                diagnostics.append(Diagnostic(.error, file: root, message: "no such folder", rule: "input"))
                problems += 1
                experimentsLeft = []
                return
            }
            if let experiment {
                current = (experiment, root, subfolders(of: root), 0)
                experimentsLeft = []
            } else {
                experimentsLeft = subfolders(of: root)
            }
        }

        /// The visible subfolders of a folder, in natural order, listed with `readdir`; metrics files there
        /// are noted as skipped.
        private mutating func subfolders(of path: String) -> [String] {
            guard let directory = opendir(path) else {
                diagnostics.append(Diagnostic(.error, file: path, message: "cannot list the folder", rule: "input"))
                problems += 1
                return []
            }
            defer { closedir(directory) }
            var folders: [String] = []
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name.hasPrefix(".") { continue }
                var isFolder = entry.pointee.d_type == UInt8(DT_DIR)
                if entry.pointee.d_type == UInt8(DT_UNKNOWN) || entry.pointee.d_type == UInt8(DT_LNK) {
                    var info = stat()
                    isFolder = stat(Self.join(path, name), &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
                }
                if isFolder {
                    folders.append(name)
                } else if InputCollector.looksLikeMetricsFile(name) {
                    diagnostics.append(
                        Diagnostic(
                            .warning, file: Self.join(path, name),
                            message: "skipped: metrics files belong in a run folder (<experiment>/<run>/)"))
                }
            }
            return folders.sorted(by: Self.naturalOrder)
        }

        /// Names with their digit runs compared as numbers: run-2 before run-10.
        static func naturalOrder(_ a: String, _ b: String) -> Bool {
            let x = Array(a.utf8)
            let y = Array(b.utf8)
            var i = 0
            var j = 0
            func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
            while i < x.count && j < y.count {
                if isDigit(x[i]) && isDigit(y[j]) {
                    var i2 = i
                    var j2 = j
                    while i2 < x.count && isDigit(x[i2]) { i2 += 1 }
                    while j2 < y.count && isDigit(y[j2]) { j2 += 1 }
                    // Compare the digit runs as numbers: without leading zeros, longer is larger.
                    let xs = x[i..<i2].drop { $0 == 0x30 }
                    let ys = y[j..<j2].drop { $0 == 0x30 }
                    if xs.count != ys.count { return xs.count < ys.count }
                    if !xs.elementsEqual(ys) { return xs.lexicographicallyPrecedes(ys) }
                    i = i2
                    j = j2
                } else {
                    if x[i] != y[j] { return x[i] < y[j] }
                    i += 1
                    j += 1
                }
            }
            return x.count - i < y.count - j || (x.count - i == y.count - j && a < b)
        }

        static func join(_ folder: String, _ name: String) -> String {
            folder.hasSuffix("/") ? folder + name : folder + "/" + name
        }

        /// A KFP v2 local run folder, `<pipeline>-YYYY-MM-DD-HH-MM-SS-ffffff`: its pipeline and time.
        static func localRun(_ name: String) -> (pipeline: String, time: Date)? {
            let parts = name.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count >= 8 else { return nil }
            let stamp = parts.suffix(7)
            let widths = [4, 2, 2, 2, 2, 2, 6]
            guard zip(stamp, widths).allSatisfy({ $0.count == $1 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else {
                return nil
            }
            let numbers = stamp.compactMap { Int($0) }
            var components = DateComponents()
            components.calendar = Calendar(identifier: .gregorian)
            components.timeZone = TimeZone(secondsFromGMT: 0)
            (components.year, components.month, components.day) = (numbers[0], numbers[1], numbers[2])
            (components.hour, components.minute, components.second) = (numbers[3], numbers[4], numbers[5])
            components.nanosecond = numbers[6] * 1000
            guard let date = components.date else { return nil }
            let pipeline = parts.dropLast(7).joined(separator: "-")
            return pipeline.isEmpty ? nil : (pipeline, date)
        }
    }

    // MARK: - Reading batches

    /// Reads and checks a batch of run folders on every core.
    struct BatchReader: Sendable {
        let request: ImportRequest

        func read(_ folders: [RunFolder]) -> (runs: [RunIngest], diagnostics: [Diagnostic]) {
            let slots = Slots<(RunIngest?, [Diagnostic])>(count: folders.count)
            DispatchQueue.concurrentPerform(iterations: folders.count) { i in
                slots[i] = readOne(folders[i])
            }
            var runs: [RunIngest] = []
            var diagnostics: [Diagnostic] = []
            for case let (run, found)? in slots.values {
                if let run { runs.append(run) }
                diagnostics += found
            }
            return (runs, diagnostics)
        }

        private func readOne(_ folder: RunFolder) -> (RunIngest?, [Diagnostic]) {
            let collected = InputCollector.collect([folder.path], limits: request.options.limits, standardInput: { [] })
            let plan = IngestPlanner.plan(collected.inputs, step: nil, options: request.options)
            let diagnostics = collected.diagnostics + plan.diagnostics
            if diagnostics.contains(where: { $0.severity == .error }) { return (nil, diagnostics) }
            let run = RunIngest(
                experiment: folder.experiment, run: folder.run, labels: request.labels, metrics: plan.metrics,
                sources: plan.sources, time: request.time, createdAt: folder.createdAt)
            return (run, diagnostics.filter { $0.severity != .note })
        }
    }
}

/// A queue of at most `capacity` items between one producer and one consumer; `cancel` wakes both for good.
final class BoundedQueue<Item>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Item] = []
    private var cancelled = false
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// Adds an item, waiting while the queue is full; false once cancelled.
    func put(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !cancelled { condition.wait() }
        guard !cancelled else { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// The next item, waiting while the queue is empty; nil once cancelled.
    func take() -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !cancelled { condition.wait() }
        guard !items.isEmpty else { return nil }
        condition.broadcast()
        return items.removeFirst()
    }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}

/// Fixed slots that concurrent iterations fill, each its own index: no two threads touch one slot, and the
/// buffer is allocated once, so no access to it is ever exclusive to one thread.
final class Slots<Value>: @unchecked Sendable {
    private let buffer: UnsafeMutableBufferPointer<Value?>

    init(count: Int) {
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: nil)
    }

    deinit {
        buffer.deinitialize()
        buffer.deallocate()
    }

    subscript(index: Int) -> Value? {
        get { buffer[index] }
        set { buffer[index] = newValue }
    }

    var values: [Value?] { Array(buffer) }
}
