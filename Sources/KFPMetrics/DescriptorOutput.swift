#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writing to a file descriptor with the system calls themselves (Foundation's `FileHandle` would bring the
/// whole of Foundation into every process): stdout, stderr, a report page, the job summary.
package enum DescriptorOutput {
    /// Writes all of `text` to a file descriptor, through short writes, interruptions and a non-blocking
    /// descriptor; returns 0, or the `errno` that stopped it.
    package static func writeAll(_ text: String, to descriptor: Int32) -> Int32 {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBytes { raw -> Int32 in
            guard let base = raw.baseAddress else { return 0 }
            var written = 0
            while written < raw.count {
                let count = write(descriptor, base + written, raw.count - written)
                if count >= 0 {
                    written += count
                } else if errno == EINTR {
                    continue
                } else if errno == EAGAIN || errno == EWOULDBLOCK {
                    var ready = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&ready, 1, -1)
                } else {
                    return errno
                }
            }
            return 0
        }
    }

    /// Appends `text` to the file at `path`, creating it if need be; returns 0 or the `errno` that stopped it.
    package static func append(_ text: String, toFileAt path: String) -> Int32 {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { return errno }
        let written = writeAll(text, to: descriptor)
        return close(descriptor) == 0 || written != 0 ? written : errno
    }

    /// The system's words for an error number.
    package static func reason(_ code: Int32) -> String {
        strerror(code).map { String(cString: $0) } ?? "error \(code)"
    }
}
