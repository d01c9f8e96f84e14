import Foundation

/// Listing a folder with `readdir`: the one place that turns directory entries into names and paths, for the
/// folder walk of `ingest` and the run layout of `import`.
package enum FolderListing {
    /// One visible entry of a folder.
    package struct Entry: Sendable {
        package var name: String
        package var isFolder: Bool
    }

    /// Why a folder could not be listed, in the system's words.
    package struct Failure: Error, Sendable {
        package var reason: String
    }

    /// The entries of `folder` whose names do not start with `.`, in directory order. With `followingLinks`, a
    /// link to a folder counts as a folder; without, only real folders do.
    package static func entries(of folder: String, followingLinks: Bool) -> Result<[Entry], Failure> {
        guard let directory = opendir(folder) else { return .failure(Failure(reason: String(cString: strerror(errno)))) }
        defer { closedir(directory) }
        var entries: [Entry] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasPrefix(".") { continue }
            let type = entry.pointee.d_type
            var isFolder = type == UInt8(DT_DIR)
            if type == UInt8(DT_UNKNOWN) || (followingLinks && type == UInt8(DT_LNK)) {
                var info = stat()
                let path = join(folder, name)
                let found = followingLinks ? stat(path, &info) : lstat(path, &info)
                isFolder = found == 0 && info.st_mode & S_IFMT == S_IFDIR
            }
            entries.append(Entry(name: name, isFolder: isFolder))
        }
        return .success(entries)
    }

    /// `folder/name`, without doubling a trailing slash.
    package static func join(_ folder: String, _ name: String) -> String {
        folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }
}
