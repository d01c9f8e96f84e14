import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A path as the file system names it (bytes: Linux file names need not be UTF-8) and as messages show it.
///
/// The shown form decodes the bytes as UTF-8 and writes each byte that is not part of valid UTF-8 as `\xHH`
/// (upper-case hex): a folder named `step` + byte 0xFF is the step `step\xFF`, and is shown so in every message.
package struct FilePath: Sendable, Hashable, CustomStringConvertible {
    /// The path's bytes, without a terminating NUL.
    package var bytes: [UInt8]
    /// The path as messages show it.
    package var description: String

    /// A path given as text (a command-line argument).
    package init(_ text: String) {
        bytes = Array(text.utf8)
        description = text
    }

    private init(bytes: [UInt8], description: String) {
        self.bytes = bytes
        self.description = description
    }

    /// `self/name`, without doubling a trailing slash.
    package func appending(_ name: FolderListing.Name) -> FilePath {
        let slash = bytes.last == UInt8(ascii: "/")
        return FilePath(
            bytes: bytes + (slash ? [] : [UInt8(ascii: "/")]) + name.bytes,
            description: description + (slash ? "" : "/") + name.shown)
    }

    /// Runs `body` with the path as a C string.
    package func withCString<T>(_ body: (UnsafePointer<CChar>) -> T) -> T {
        let characters = bytes.map { CChar(bitPattern: $0) } + [0]
        return characters.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return body("") }
            return body(base)
        }
    }
}

/// Listing a folder with `readdir`: the one place that turns directory entries into names and paths, for the
/// folder walk of `ingest` and the run layout of `import`.
package enum FolderListing {
    /// An entry's name: the text shown for it (`\xHH` for bytes that are not UTF-8), and its bytes. Held as
    /// text alone when it is valid UTF-8 (a short name then takes no memory of its own), as bytes too otherwise.
    package struct Name: Sendable, Hashable {
        package let shown: String
        private let raw: [UInt8]?

        package init(bytes: [UInt8]) {
            if let text = String(validating: bytes, as: UTF8.self) {
                shown = text
                raw = nil
            } else {
                shown = FolderListing.shown(bytes)
                raw = bytes
            }
        }

        /// The name's bytes, as the file system has them.
        package var bytes: [UInt8] { raw ?? Array(shown.utf8) }
    }

    /// One visible entry of a folder.
    package struct Entry: Sendable {
        package var name: Name
        package var isFolder: Bool
    }

    /// Why a folder could not be listed, in the system's words.
    package struct Failure: Error, Sendable {
        package var reason: String
    }

    /// The entries of `folder` whose names do not start with `.`, in directory order. With `followingLinks`, a
    /// link to a folder counts as a folder; without, only real folders do.
    package static func entries(of folder: FilePath, followingLinks: Bool) -> Result<[Entry], Failure> {
        guard let directory = folder.withCString({ opendir($0) }) else {
            return .failure(Failure(reason: String(cString: strerror(errno))))
        }
        defer { closedir(directory) }
        var entries: [Entry] = []
        while let entry = readdir(directory) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if bytes.first == UInt8(ascii: ".") { continue }
            let name = Name(bytes: bytes)
            let type = entry.pointee.d_type
            var isFolder = type == UInt8(DT_DIR)
            if type == UInt8(DT_UNKNOWN) || (followingLinks && type == UInt8(DT_LNK)) {
                var info = stat()
                let found = folder.appending(name).withCString { followingLinks ? stat($0, &info) : lstat($0, &info) }
                isFolder = found == 0 && info.st_mode & S_IFMT == S_IFDIR
            }
            entries.append(Entry(name: name, isFolder: isFolder))
        }
        return .success(entries)
    }

    /// Bytes decoded as UTF-8, each byte that is not part of valid UTF-8 written as `\xHH`.
    package static func shown(_ bytes: [UInt8]) -> String {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var shown = String.UnicodeScalarView()
        var position = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                shown.append(Unicode.UTF8.decode(encoded))
                position += encoded.count
            case .error(let length):
                for byte in bytes[position..<(position + length)] {
                    let hex = String(byte, radix: 16, uppercase: true)
                    shown.append(contentsOf: ("\\x" + (hex.count == 1 ? "0" : "") + hex).unicodeScalars)
                }
                position += length
            case .emptyInput:
                return String(shown)
            }
        }
    }
}
