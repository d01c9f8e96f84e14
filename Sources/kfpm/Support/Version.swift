/// The version `kfpm --version` prints.
enum KFPMVersion {
    static let current = "0.1.0-dev"
}
