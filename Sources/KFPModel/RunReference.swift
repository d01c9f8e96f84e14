/// A run named on the command line: its experiment and name.
package struct RunReference: Sendable, Hashable {
    package var experiment: String
    package var name: String

    package init(experiment: String, name: String) {
        self.experiment = experiment.nfc
        self.name = name.nfc
    }
}
