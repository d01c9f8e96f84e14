import Foundation

/// A file a command writes whole or not at all (`kfpm report -o`): the text goes to a new temporary file in the
/// target's folder, which is then renamed over the target, so that no reader ever sees half a page and a failure
/// leaves nothing behind.
enum OutputFile {
    /// Writes `text` to `path` atomically; a missing or unwritable folder, or a folder at `path`, is a failure
    /// that names the path and the reason.
    static func write(_ text: String, to path: String) throws(CommandFailure) {
        let given = (path as NSString).deletingLastPathComponent
        let folder = given.isEmpty ? "." : given
        func failure(_ reason: String) -> CommandFailure { CommandFailure(message: "cannot write '\(path)': \(reason)") }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw failure("the folder '\(folder)' does not exist")
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw failure("it is a folder")
        }
        var template = Array((folder + "/." + (path as NSString).lastPathComponent + ".XXXXXX").utf8CString)
        let descriptor = mkstemp(&template)
        guard descriptor >= 0 else { throw failure(Self.reason(errno)) }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var done = false
        defer {
            if !done { unlink(temporary) }
        }
        // mkstemp creates the file 0600; the page is as readable as any new file (the umask decides).
        let mask = umask(0)
        umask(mask)
        fchmod(descriptor, 0o666 & ~mask)
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        do {
            try handle.write(contentsOf: Data(text.utf8))
            try handle.synchronize()
            try handle.close()
        } catch {
            throw failure(error.localizedDescription)
        }
        guard rename(temporary, path) == 0 else { throw failure(Self.reason(errno)) }
        done = true
    }

    /// The system's words for an error number.
    private static func reason(_ error: Int32) -> String {
        strerror(error).map { String(cString: $0) } ?? "error \(error)"
    }
}
