import FoundationEssentials
import KFPModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One run folder to read.
package struct RunFolder: Sendable {
    package var experiment: String
    package var run: String
    package var path: FilePath
    package var createdAt: Date?
}

/// Walks `root` lazily: `<experiment>/<run>/`, or `<pipeline>-<timestamp>/<task>/` for KFP v2 local runs,
/// or `<run>/` when the experiment is given. Folders are taken in natural name order (run-2 before run-10).
/// Only one folder's names are held at a time (16 bytes a run for short names), never paths or contents.
package struct ImportLayout {
    package let root: FilePath
    package let experiment: String?
    /// The experiment being walked, its folder, and its run folders' names not yet handed out.
    private var current: (experiment: String, folder: FilePath, runs: [FolderListing.Name], next: Int)?
    private var experimentsLeft: [FolderListing.Name]?
    private var nextExperiment = 0
    private var diagnostics: [Diagnostic] = []
    /// How many layout problems (a missing or unlistable folder) were found.
    package private(set) var problems = 0

    package init(root: String, experiment: String?) {
        self.root = FilePath(root)
        self.experiment = experiment
    }

    /// The diagnostics of the walk so far, handed over once.
    package mutating func takeDiagnostics() -> [Diagnostic] {
        defer { diagnostics = [] }
        return diagnostics
    }

    /// Up to `count` more run folders.
    package mutating func next(_ count: Int) -> [RunFolder] {
        if experimentsLeft == nil { start() }
        var taken: [RunFolder] = []
        while taken.count < count {
            if var walk = current, walk.next < walk.runs.count {
                let end = Swift.min(walk.runs.count, walk.next + count - taken.count)
                for name in walk.runs[walk.next..<end] {
                    taken.append(RunFolder(experiment: walk.experiment, run: name.shown, path: walk.folder.appending(name)))
                }
                walk.next = end
                current = walk
                continue
            }
            current = nil
            guard let names = experimentsLeft, nextExperiment < names.count else { break }
            let name = names[nextExperiment]
            nextExperiment += 1
            let path = root.appending(name)
            if let local = Self.localRun(name.shown) {
                taken.append(RunFolder(experiment: local.pipeline, run: name.shown, path: path, createdAt: local.time))
            } else {
                current = (name.shown, path, subfolders(of: path), 0)
            }
        }
        return taken
    }

    private mutating func start() {
        var info = stat()
        guard root.withCString({ stat($0, &info) }) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            diagnostics.append(Diagnostic(.error, file: root.description, message: "no such folder", rule: "input"))
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

    /// The visible subfolders of a folder, in natural order (links to folders count); metrics files there are
    /// noted as skipped.
    private mutating func subfolders(of path: FilePath) -> [FolderListing.Name] {
        guard case .success(let entries) = FolderListing.entries(of: path, followingLinks: true) else {
            diagnostics.append(Diagnostic(.error, file: path.description, message: "cannot list the folder", rule: "input"))
            problems += 1
            return []
        }
        var folders: [FolderListing.Name] = []
        for entry in entries {
            if entry.isFolder {
                folders.append(entry.name)
            } else if InputCollector.looksLikeMetricsFile(entry.name.shown) {
                diagnostics.append(
                    Diagnostic(
                        .warning, file: path.appending(entry.name).description,
                        message: "skipped: metrics files belong in a run folder (<experiment>/<run>/)"))
            }
        }
        return folders.sorted { Self.naturalOrder($0.shown, $1.shown) }
    }

    /// Names with their digit runs compared as numbers: run-2 before run-10.
    package static func naturalOrder(_ a: String, _ b: String) -> Bool {
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

    /// A KFP v2 local run folder, `<pipeline>-YYYY-MM-DD-HH-MM-SS-ffffff`: its pipeline and time.
    package static func localRun(_ name: String) -> (pipeline: String, time: Date)? {
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
