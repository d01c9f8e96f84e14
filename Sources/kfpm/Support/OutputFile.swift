import FoundationEssentials
import KFPMetrics
import KFPModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file a command writes whole or not at all (`kfpm report -o`): the text goes to a new temporary file in the
/// target's folder, which is then renamed over the target, so that no reader ever sees half a page and a failure
/// leaves nothing behind.
enum OutputFile {
    /// Writes `text` to `path` atomically; a missing or unwritable folder, or a folder at `path`, is a failure
    /// that names the path and the reason.
    static func write(_ text: String, to path: String) throws(CommandFailure) {
        let folder = PathText.folder(of: path)
        func failure(_ reason: String) -> CommandFailure { CommandFailure(message: "cannot write '\(path)': \(reason)") }
        var isFolder = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder else {
            throw failure("the folder '\(folder)' does not exist")
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder {
            throw failure("it is a folder")
        }
        var template = Array((folder + "/." + PathText.lastComponent(of: path) + ".XXXXXX").utf8CString)
        let descriptor = mkstemp(&template)
        guard descriptor >= 0 else { throw failure(DescriptorOutput.reason(errno)) }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var done = false
        defer {
            if !done { unlink(temporary) }
        }
        // mkstemp creates the file 0600; the page is as readable as any new file (the umask decides).
        let mask = umask(0)
        umask(mask)
        fchmod(descriptor, 0o666 & ~mask)
        var code = DescriptorOutput.writeAll(text, to: descriptor)
        if code == 0 && fsync(descriptor) != 0 { code = errno }
        if close(descriptor) != 0 && code == 0 { code = errno }
        guard code == 0 else { throw failure(DescriptorOutput.reason(code)) }
        guard rename(temporary, path) == 0 else { throw failure(DescriptorOutput.reason(errno)) }
        done = true
    }

}
