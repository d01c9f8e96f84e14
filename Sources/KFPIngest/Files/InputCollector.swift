import Foundation
import KFPModel

/// One input to read: where it came from, its bytes, and the folder below a given folder it was found in.
package struct InputFile: Sendable {
    /// The path as given, the file's path below a given folder, or `-` for standard input.
    package var path: String
    /// The folder path (relative to a folder named on the command line) that becomes the step; empty otherwise.
    package var folder: String
    package var bytes: [UInt8]
    /// True when found by walking a folder; such a file that is no metrics file is skipped with a note.
    package var foundInFolder: Bool
}

/// Turns command-line paths into inputs: files, `-` for standard input, and folders walked for metrics files.
package enum InputCollector {
    /// How many skipped files a folder walk names; the rest are counted.
    static let maxSkippedNotes = 20

    /// The names a folder walk takes as metrics files.
    static func looksLikeMetricsFile(_ name: String) -> Bool {
        !name.hasPrefix(".") && (name.hasSuffix(".json") || name.hasSuffix(".tgz") || name.hasSuffix(".tar.gz"))
    }

    /// Reads every path; problems (missing, unreadable, too large, not a regular file) come back as diagnostics.
    package static func collect(
        _ paths: [String], limits: InputLimits, standardInput: () throws -> [UInt8]
    ) -> (inputs: [InputFile], diagnostics: [Diagnostic]) {
        var inputs: [InputFile] = []
        var diagnostics: [Diagnostic] = []
        if paths.isEmpty {
            diagnostics.append(Diagnostic(.error, file: "-", message: "no input files", rule: "input"))
        }
        var stdinUsed = false
        for path in paths {
            if path == "-" {
                guard !stdinUsed else {
                    diagnostics.append(Diagnostic(.error, file: "-", message: "standard input named twice", rule: "input"))
                    continue
                }
                stdinUsed = true
                do {
                    let bytes = try standardInput()
                    if bytes.count > limits.maxFileBytes {
                        diagnostics.append(tooLarge("-", limits))
                    } else {
                        inputs.append(InputFile(path: "-", folder: "", bytes: bytes, foundInFolder: false))
                    }
                } catch {
                    diagnostics.append(Diagnostic(.error, file: "-", message: "cannot read standard input: \(error)", rule: "input"))
                }
                continue
            }
            collect(FilePath(path), limits: limits, into: &inputs, diagnostics: &diagnostics)
        }
        return (inputs, diagnostics)
    }

    /// Reads a run folder of an import, the way a folder named on the command line is read.
    package static func collect(folder: FilePath, limits: InputLimits) -> (inputs: [InputFile], diagnostics: [Diagnostic]) {
        var inputs: [InputFile] = []
        var diagnostics: [Diagnostic] = []
        collect(folder, limits: limits, into: &inputs, diagnostics: &diagnostics)
        return (inputs, diagnostics)
    }

    /// Reads a file, or the metrics files below a folder.
    private static func collect(
        _ path: FilePath, limits: InputLimits, into inputs: inout [InputFile], diagnostics: inout [Diagnostic]
    ) {
        var info = stat()
        guard path.withCString({ stat($0, &info) }) == 0 else {
            let reason = errno == ENOENT ? "no such file or folder" : "cannot read: \(String(cString: strerror(errno)))"
            diagnostics.append(Diagnostic(.error, file: path.description, message: reason, rule: "input"))
            return
        }
        if info.st_mode & S_IFMT == S_IFDIR {
            walk(folder: path, limits: limits, into: &inputs, diagnostics: &diagnostics)
        } else {
            switch readFile(path, limits: limits) {
            case .success(let bytes):
                inputs.append(InputFile(path: path.description, folder: "", bytes: bytes, foundInFolder: false))
            case .failure(let diagnostic):
                diagnostics.append(diagnostic)
            }
        }
    }

    private static func tooLarge(_ path: String, _ limits: InputLimits) -> Diagnostic {
        Diagnostic(
            .error, file: path,
            message: "the file is larger than \(limits.maxFileBytes) bytes; raise the limit with --max-file-bytes",
            rule: "input-size")
    }

    /// Reads a regular file, refusing FIFOs, devices and files over the size cap before reading them.
    package static func readFile(_ file: FilePath, limits: InputLimits) -> Result<[UInt8], Diagnostic> {
        let path = file.description
        var info = stat()
        guard file.withCString({ stat($0, &info) }) == 0 else {
            return .failure(Diagnostic(.error, file: path, message: "cannot read: \(String(cString: strerror(errno)))", rule: "input"))
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            return .failure(
                Diagnostic(.error, file: path, message: "not a regular file (a FIFO, socket or device)", rule: "input"))
        }
        guard Int(info.st_size) <= limits.maxFileBytes else { return .failure(tooLarge(path, limits)) }
        let descriptor = file.withCString { open($0, O_RDONLY | O_CLOEXEC) }
        guard descriptor >= 0 else {
            return .failure(Diagnostic(.error, file: path, message: "cannot open: \(String(cString: strerror(errno)))", rule: "input"))
        }
        defer { close(descriptor) }
        // Read up to one byte past the cap, so that a file that grew since `stat` is still refused.
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size) + 1)
        var count = 0
        while true {
            if count == bytes.count {
                guard bytes.count <= limits.maxFileBytes else { return .failure(tooLarge(path, limits)) }
                // `max - count + 1`, not `max + 1 - count`: --max-file-bytes may be Int.max.
                let room = limits.maxFileBytes - bytes.count + 1
                bytes.append(contentsOf: repeatElement(0, count: Swift.min(bytes.count, room)))
            }
            let read = bytes.withUnsafeMutableBytes { raw in
                Foundation.read(descriptor, raw.baseAddress.map { $0 + count }, raw.count - count)
            }
            if read < 0 {
                if errno == EINTR { continue }
                return .failure(Diagnostic(.error, file: path, message: "cannot read: \(String(cString: strerror(errno)))", rule: "input"))
            }
            if read == 0 { break }
            count += read
        }
        guard count <= limits.maxFileBytes else { return .failure(tooLarge(path, limits)) }
        bytes.removeLast(bytes.count - count)
        return .success(bytes)
    }

    /// Collects the metrics files below a folder in path order; each file's folder (relative) is its step.
    private static func walk(
        folder: FilePath, limits: InputLimits, into inputs: inout [InputFile], diagnostics: inout [Diagnostic]
    ) {
        var files: [(relative: String, path: FilePath)] = []
        var skipped: [FilePath] = []
        var unlistable: [Diagnostic] = []
        listFiles(in: folder, relative: "", into: &files, skipped: &skipped, unlistable: &unlistable)
        diagnostics += unlistable
        if !unlistable.isEmpty { return }
        // Files the walk does not read are said, so that none vanishes in silence (the first few by name).
        let shown = skipped.sorted { $0.description < $1.description }
        for file in shown.prefix(maxSkippedNotes) {
            diagnostics.append(Diagnostic(.note, file: file.description, message: "skipped: not a metrics file (*.json, *.tgz, *.tar.gz)"))
        }
        if shown.count > maxSkippedNotes {
            diagnostics.append(
                Diagnostic(.note, file: folder.description, message: "skipped \(shown.count - maxSkippedNotes) more files that are not metrics files"))
        }
        if files.isEmpty {
            diagnostics.append(
                Diagnostic(
                    .error, file: folder.description,
                    message: "the folder holds no metrics files (*.json, *.tgz, *.tar.gz)", rule: "input"))
        }
        for file in files.sorted(by: { $0.relative < $1.relative }) {
            switch readFile(file.path, limits: limits) {
            case .success(let bytes):
                let step = file.relative.split(separator: "/").dropLast().joined(separator: "/")
                inputs.append(InputFile(path: file.path.description, folder: step, bytes: bytes, foundInFolder: true))
            case .failure(let diagnostic):
                diagnostics.append(diagnostic)
            }
        }
    }

    /// Adds the metrics files below `folder` (with their paths relative to the walk's start, as shown), skipping
    /// hidden entries and following no links to folders. A folder that cannot be listed is an error: a folder
    /// skipped in silence would store part of an invocation.
    private static func listFiles(
        in folder: FilePath, relative: String, into files: inout [(relative: String, path: FilePath)],
        skipped: inout [FilePath], unlistable: inout [Diagnostic]
    ) {
        switch FolderListing.entries(of: folder, followingLinks: false) {
        case .failure(let failure):
            unlistable.append(
                Diagnostic(
                    .error, file: folder.description, message: "cannot list the folder: \(failure.reason)", rule: "input"))
        case .success(let entries):
            for entry in entries {
                let child = relative.isEmpty ? entry.name.shown : relative + "/" + entry.name.shown
                if entry.isFolder {
                    listFiles(
                        in: folder.appending(entry.name), relative: child, into: &files, skipped: &skipped, unlistable: &unlistable)
                } else if looksLikeMetricsFile(entry.name.shown) {
                    files.append((child, folder.appending(entry.name)))
                } else {
                    skipped.append(folder.appending(entry.name))
                }
            }
        }
    }
}
