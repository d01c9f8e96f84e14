import Foundation

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
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                diagnostics.append(Diagnostic(.error, file: path, message: "no such file or folder", rule: "input"))
                continue
            }
            if isFolder.boolValue {
                walk(folder: path, limits: limits, into: &inputs, diagnostics: &diagnostics)
            } else {
                switch readFile(path, limits: limits) {
                case .success(let bytes):
                    inputs.append(InputFile(path: path, folder: "", bytes: bytes, foundInFolder: false))
                case .failure(let diagnostic):
                    diagnostics.append(diagnostic)
                }
            }
        }
        return (inputs, diagnostics)
    }

    private static func tooLarge(_ path: String, _ limits: InputLimits) -> Diagnostic {
        Diagnostic(
            .error, file: path,
            message: "the file is larger than \(limits.maxFileBytes) bytes; raise the limit with --max-file-bytes",
            rule: "input-size")
    }

    /// Reads a regular file, refusing FIFOs, devices and files over the size cap before reading them.
    private static func readFile(_ path: String, limits: InputLimits) -> Result<[UInt8], Diagnostic> {
        var info = stat()
        guard stat(path, &info) == 0 else {
            return .failure(Diagnostic(.error, file: path, message: "cannot read: \(String(cString: strerror(errno)))", rule: "input"))
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            return .failure(
                Diagnostic(.error, file: path, message: "not a regular file (a FIFO, socket or device)", rule: "input"))
        }
        guard Int(info.st_size) <= limits.maxFileBytes else { return .failure(tooLarge(path, limits)) }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return .failure(Diagnostic(.error, file: path, message: "cannot open: permission denied or unreadable", rule: "input"))
        }
        defer { try? handle.close() }
        do {
            let data = try handle.read(upToCount: limits.maxFileBytes + 1) ?? Data()
            guard data.count <= limits.maxFileBytes else { return .failure(tooLarge(path, limits)) }
            return .success([UInt8](data))
        } catch {
            return .failure(Diagnostic(.error, file: path, message: "cannot read: \(error.localizedDescription)", rule: "input"))
        }
    }

    /// Collects the metrics files below a folder in path order; each file's folder (relative) is its step.
    private static func walk(
        folder: String, limits: InputLimits, into inputs: inout [InputFile], diagnostics: inout [Diagnostic]
    ) {
        let root = URL(fileURLWithPath: folder)
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else {
            diagnostics.append(Diagnostic(.error, file: folder, message: "cannot list the folder", rule: "input"))
            return
        }
        var relatives: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let components = relative.split(separator: "/")
            if components.contains(where: { $0.hasPrefix(".") }) { continue }
            guard let name = components.last, looksLikeMetricsFile(String(name)) else { continue }
            var isFolder: ObjCBool = false
            let full = root.appendingPathComponent(relative).path
            if FileManager.default.fileExists(atPath: full, isDirectory: &isFolder), !isFolder.boolValue {
                relatives.append(relative)
            }
        }
        if relatives.isEmpty {
            diagnostics.append(
                Diagnostic(
                    .error, file: folder, message: "the folder holds no metrics files (*.json, *.tgz, *.tar.gz)",
                    rule: "input"))
        }
        for relative in relatives.sorted() {
            let shown = folder.hasSuffix("/") ? folder + relative : folder + "/" + relative
            switch readFile(root.appendingPathComponent(relative).path, limits: limits) {
            case .success(let bytes):
                let step = relative.split(separator: "/").dropLast().joined(separator: "/")
                inputs.append(InputFile(path: shown, folder: step, bytes: bytes, foundInFolder: true))
            case .failure(var diagnostic):
                diagnostic.file = shown
                diagnostics.append(diagnostic)
            }
        }
    }
}
