/// File paths as text (no file system access): the parts kfpm needs, without Foundation's NSString.
package enum PathText {
    /// The folder a path is in: `a/b.db` → `a`, `/b.db` → `/`, `b.db` → `.`. Trailing slashes are ignored.
    package static func folder(of path: String) -> String {
        var path = Substring(path)
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        var folder = path[..<slash]
        while folder.count > 1 && folder.hasSuffix("/") { folder.removeLast() }
        return String(folder)
    }

    /// The last component of a path: `a/b.db` → `b.db`. Trailing slashes are ignored.
    package static func lastComponent(of path: String) -> String {
        var path = Substring(path)
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        guard let slash = path.lastIndex(of: "/"), path.count > 1 else { return String(path) }
        return String(path[path.index(after: slash)...])
    }
}
