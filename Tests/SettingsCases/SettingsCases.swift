import MemeKit

/// One variable of a program's settings, for the per-program settings tests: a good value and
/// what it must do, and a value that must be refused (nil when any text is accepted).
public struct SettingCase<Settings> {
    public var variable: String
    public var value: String
    public var bad: String?
    public var check: (Settings) -> Bool

    public init(_ variable: String, _ value: String, bad: String? = nil, _ check: @escaping (Settings) -> Bool) {
        self.variable = variable
        self.value = value
        self.bad = bad
        self.check = check
    }
}

/// For every case: the environment sets it; a flag wins over the environment (even over a bad
/// value there); a bad value is refused with an error naming the flag and the variable, the
/// one it came from first. Also: every name the program reads has a case (but `without`) and is
/// listed in `MemeEnv.all`. Returns what went wrong, one line each.
public func settingsProblems<Settings>(
    _ cases: [SettingCase<Settings>], reads names: [String], without: Set<String> = [],
    resolve: (SettingsReader) throws -> Settings
) -> [String] {
    var problems: [String] = []
    let covered = Set(cases.map(\.variable))
    for name in names where !covered.contains(name) && !without.contains(name) { problems.append("\(name): no case") }
    for name in names where MemeEnv.variable(name) == nil { problems.append("\(name): not in MemeEnv.all") }
    for c in cases {
        let v = c.variable
        let flag = MemeEnv.flag(for: v).map { "--\($0)" }
        do {
            if !c.check(try resolve(SettingsReader(environment: [v: c.value]))) { problems.append("\(v)=\(c.value) from the environment: not applied") }
            if flag != nil, !c.check(try resolve(SettingsReader(flags: [v: c.value], environment: [v: c.bad ?? "other"]))) {
                problems.append("\(v): the flag did not win over the environment")
            }
        } catch {
            problems.append("\(v)=\(c.value): refused: \(error)")
        }
        guard let bad = c.bad else { continue }
        var sources: [(SettingsReader, String)] = [(SettingsReader(environment: [v: bad]), flag.map { "\(v) (\($0))" } ?? v)]
        if let flag { sources.append((SettingsReader(flags: [v: bad], environment: [:]), "\(flag) (\(v))")) }
        for (reader, named) in sources {
            do {
                _ = try resolve(reader)
                problems.append("\(v)=\(bad) (\(named)): accepted")
            } catch {
                if !"\(error)".hasPrefix(named) { problems.append("\(v)=\(bad): error does not start with '\(named)': \(error)") }
            }
        }
    }
    return problems
}
