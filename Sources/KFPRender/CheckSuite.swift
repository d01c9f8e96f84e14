/// A report as CI systems read it: test cases (JUnit XML) and annotations (GitHub workflow commands).
package struct CheckSuite: Sendable {
    /// The name of the whole run of checks (`kfpm gate`).
    package var name: String
    /// The name of this suite: what was checked against what.
    package var suiteName: String
    package var properties: [Property]
    package var cases: [TestCase]
    /// Annotations in the order they are shown: errors and warnings first, then notices.
    package var annotations: [Annotation]

    package init(name: String, suiteName: String, properties: [Property], cases: [TestCase], annotations: [Annotation]) {
        self.name = name
        self.suiteName = suiteName
        self.properties = properties
        self.cases = cases
        self.annotations = annotations
    }

    /// A name and value describing the suite.
    package struct Property: Sendable {
        package var name: String
        package var value: String
        package init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// One checked thing: passed (with its details as output), failed, or could not be checked (an error).
    package struct TestCase: Sendable {
        package var className: String
        package var name: String
        package var problem: Problem?
        /// What was found, for a case without a problem.
        package var output: String?

        package init(className: String, name: String, problem: Problem? = nil, output: String? = nil) {
            self.className = className
            self.name = name
            self.problem = problem
            self.output = output
        }
    }

    /// Why a case did not pass.
    package struct Problem: Sendable {
        package enum Kind: String, Sendable {
            /// The check ran and failed.
            case failure
            /// The check could not run.
            case error
        }
        package var kind: Kind
        /// A short type, such as the verdict (`fail`).
        package var type: String
        package var message: String
        package var detail: String?

        package init(_ kind: Kind, type: String, message: String, detail: String? = nil) {
            self.kind = kind
            self.type = type
            self.message = message
            self.detail = detail
        }
    }

    /// A finding shown on the CI run and the pull request.
    package struct Annotation: Sendable {
        package enum Level: String, Sendable { case error, warning, notice }
        package var level: Level
        package var title: String
        package var message: String

        package init(_ level: Level, title: String, message: String) {
            self.level = level
            self.title = title
            self.message = message
        }
    }
}
