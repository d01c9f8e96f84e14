/// Renders checks as JUnit XML: one testcase per check, a `<failure>` for each that failed and an `<error>` for
/// each that could not run, so that CI systems show them as a test report.
enum JUnitRenderer {
    static func render(_ suite: CheckSuite) -> String {
        let tests = suite.cases.count
        let failures = suite.cases.filter { $0.problem?.kind == .failure }.count
        let errors = suite.cases.filter { $0.problem?.kind == .error }.count
        let counts = "tests=\"\(tests)\" failures=\"\(failures)\" errors=\"\(errors)\""
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"\(XMLText.escape(suite.name))\" \(counts)>\n"
        out += "  <testsuite name=\"\(XMLText.escape(suite.suiteName))\" \(counts) skipped=\"0\">\n"
        if !suite.properties.isEmpty {
            out += "    <properties>\n"
            for property in suite.properties {
                out += "      <property name=\"\(XMLText.escape(property.name))\" value=\"\(XMLText.escape(property.value))\"/>\n"
            }
            out += "    </properties>\n"
        }
        for testCase in suite.cases {
            out += "    <testcase classname=\"\(XMLText.escape(testCase.className))\" name=\"\(XMLText.escape(testCase.name))\">\n"
            if let problem = testCase.problem {
                let element = problem.kind.rawValue
                out += "      <\(element) type=\"\(XMLText.escape(problem.type))\" message=\"\(XMLText.escape(problem.message))\""
                out += problem.detail.map { ">\(XMLText.escape($0))</\(element)>\n" } ?? "/>\n"
            } else if let output = testCase.output {
                out += "      <system-out>\(XMLText.escape(output))</system-out>\n"
            }
            out += "    </testcase>\n"
        }
        out += "  </testsuite>\n</testsuites>\n"
        return out
    }
}
