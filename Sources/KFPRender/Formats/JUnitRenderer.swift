/// Renders checks as JUnit XML: one testcase per check, a `<failure>` for each that failed and an `<error>` for
/// each that could not run, so that CI systems show them as a test report.
enum JUnitRenderer {
    /// Escapes text for XML attributes and content; characters XML 1.0 cannot hold become U+FFFD.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            case "\t": out += "&#9;"
            case let s where s.value < 0x20 || s.value == 0xFFFE || s.value == 0xFFFF: out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func render(_ suite: CheckSuite) -> String {
        let tests = suite.cases.count
        let failures = suite.cases.filter { $0.problem?.kind == .failure }.count
        let errors = suite.cases.filter { $0.problem?.kind == .error }.count
        let counts = "tests=\"\(tests)\" failures=\"\(failures)\" errors=\"\(errors)\""
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"\(escape(suite.name))\" \(counts)>\n"
        out += "  <testsuite name=\"\(escape(suite.suiteName))\" \(counts) skipped=\"0\">\n"
        if !suite.properties.isEmpty {
            out += "    <properties>\n"
            for property in suite.properties {
                out += "      <property name=\"\(escape(property.name))\" value=\"\(escape(property.value))\"/>\n"
            }
            out += "    </properties>\n"
        }
        for testCase in suite.cases {
            out += "    <testcase classname=\"\(escape(testCase.className))\" name=\"\(escape(testCase.name))\">\n"
            if let problem = testCase.problem {
                let element = problem.kind.rawValue
                out += "      <\(element) type=\"\(escape(problem.type))\" message=\"\(escape(problem.message))\""
                out += problem.detail.map { ">\(escape($0))</\(element)>\n" } ?? "/>\n"
            } else if let output = testCase.output {
                out += "      <system-out>\(escape(output))</system-out>\n"
            }
            out += "    </testcase>\n"
        }
        out += "  </testsuite>\n</testsuites>\n"
        return out
    }
}
