import Foundation

/// Running kfpm as a user without root's powers, for the cases that root would slip past: an unreadable file,
/// a read-only folder (root reads and writes through `chmod 000` and `chmod 555`).
public enum Unprivileged {
    /// How to launch kfpm unprivileged: nothing when the tests do not run as root; `setpriv` to the user nobody
    /// when they do and nobody can run the binary; nil when neither works (those cases are then skipped).
    public static let launcher: [String]? = {
        guard geteuid() == 0 else { return [] }
        let setpriv = "/usr/bin/setpriv"
        guard FileManager.default.isExecutableFile(atPath: setpriv) else { return nil }
        let launcher = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
        let probe = try? KFPMBinary.run(["--version"], in: "/", launcher: launcher)
        return probe?.status == 0 ? launcher : nil
    }()
}
