import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The sign that an import holds a store's write lock: the sidecar file `<store>-import`, locked (`flock`) by
/// the importing process for as long as its transaction lasts. An import holds the write lock for far longer
/// than the busy timeout; a writer that finds this lock held keeps waiting instead of giving up, and the kernel
/// drops the lock when the import ends, however it ends.
enum ImportLock {
    /// The sidecar's path.
    static func path(for store: String) -> String { store + "-import" }

    /// An import's hold on the lock; `release()` unlocks and removes the sidecar.
    final class Holder {
        private let descriptor: Int32
        private let path: String

        fileprivate init(descriptor: Int32, path: String) {
            self.descriptor = descriptor
            self.path = path
        }

        func release() {
            unlink(path)
            flock(descriptor, LOCK_UN)
            close(descriptor)
        }
    }

    /// Takes the lock for the store at `store` (nil for an in-memory store, or when the sidecar cannot be made:
    /// the import then runs as before, and writers wait only the busy timeout).
    static func hold(store: String) -> Holder? {
        guard store != ":memory:" else { return nil }
        let path = path(for: store)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return nil }
        guard flock(descriptor, LOCK_EX) == 0 else {
            close(descriptor)
            return nil
        }
        return Holder(descriptor: descriptor, path: path)
    }

    /// Whether another process holds the lock for the store at `store` now.
    static func isHeld(store: String) -> Bool {
        guard store != ":memory:" else { return false }
        let descriptor = open(path(for: store), O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        if flock(descriptor, LOCK_SH | LOCK_NB) == 0 {
            flock(descriptor, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK
    }
}
