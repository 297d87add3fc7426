import ArgumentParser
import Foundation
import MemeKit

// The command-line side of MemeKit's settings: every program declares its settings flags with
// these, so a flag's name and help come from its environment variable (`MemeEnv`), and the
// values reach `SettingsReader` keyed by that variable.

extension NameSpecification {
    /// The flag of a setting, by the one rule (`MemeEnv.flagName`): NATS_REQUEST_SUBJECT → --nats-request-subject.
    public static func setting(_ variable: String) -> NameSpecification { [.customLong(MemeEnv.flagName(variable))] }

    /// The setting's former spelling (`MemeVariable.deprecatedFlags`), still accepted.
    public static func deprecated(_ variable: String) -> NameSpecification {
        [.customLong(SettingsFlagTable.deprecatedFlag(variable))]
    }
}

extension ArgumentHelp {
    /// The variable's one-line summary from `MemeEnv.all`, with "(env: NAME; default …)".
    public static func setting(_ variable: String) -> ArgumentHelp {
        guard let v = MemeEnv.variable(variable) else { return ArgumentHelp("(env: \(variable))") }
        let summary = v.summary.replacingOccurrences(of: "`", with: "")
        let value = v.defaultValue.isEmpty ? "" : "; default \(v.defaultValue.replacingOccurrences(of: "`", with: ""))"
        return ArgumentHelp("\(summary) (env: \(variable)\(value))")
    }

    /// A former spelling: accepted, hidden from `--help` (shown by `--help-hidden`).
    public static func deprecated(_ variable: String) -> ArgumentHelp {
        ArgumentHelp("Deprecated spelling of --\(MemeEnv.flagName(variable)).", visibility: .hidden)
    }
}

/// Builds `SettingsReader`'s flag table: values by variable, each deprecated spelling folded into
/// its flag (both given and different is an error; the old one alone works, with a warning).
public struct SettingsFlagTable {
    public private(set) var values: [String: String] = [:]
    /// "--stream is deprecated; use --nats-stream", one per deprecated spelling used.
    public private(set) var warnings: [String] = []

    public init() {}

    /// The value given for `variable`'s flag, if any.
    public mutating func set(_ variable: String, _ value: String?) {
        if let value { values[variable] = value }
    }

    /// `true` for a flag without a value (`--trusted-proxy`), which then wins over the environment.
    public mutating func set(_ variable: String, _ flag: Bool) {
        if flag { values[variable] = "true" }
    }

    /// The value given under the former spelling of `variable`'s flag.
    public mutating func set(deprecated variable: String, _ value: String?) throws {
        guard let value else { return }
        let old = Self.deprecatedFlag(variable)
        let current = "--" + MemeEnv.flagName(variable)
        if let given = values[variable], given != value {
            throw ValidationError("--\(old) and \(current) disagree ('\(value)' vs '\(given)'); give only \(current)")
        }
        values[variable] = value
        warnings.append("--\(old) is deprecated; use \(current)")
    }

    /// Prints the warnings on stderr, prefixed by the program's name.
    public func warn(as program: String) {
        for line in warnings { FileHandle.standardError.write(Data("\(program): \(line)\n".utf8)) }
    }

    public var reader: SettingsReader { SettingsReader(flags: values) }

    static func deprecatedFlag(_ variable: String) -> String {
        guard let old = MemeEnv.variable(variable)?.deprecatedFlags.first else {
            preconditionFailure("MemeEnv lists no deprecated flag for \(variable)")
        }
        return old
    }
}

/// The queue's flags (NATS servers, stream, consumer, subjects), shared by every command that
/// reaches the queue, with the former spellings (`--stream`, `--request-subject`, …) hidden.
public struct QueueFlags: ParsableArguments {
    @Option(name: .setting(MemeEnv.natsURL), help: .setting(MemeEnv.natsURL)) public var natsURL: String?
    @Option(name: .setting(MemeEnv.natsStream), help: .setting(MemeEnv.natsStream)) public var natsStream: String?
    @Option(name: .setting(MemeEnv.natsConsumer), help: .setting(MemeEnv.natsConsumer)) public var natsConsumer: String?
    @Option(name: .setting(MemeEnv.requestSubject), help: .setting(MemeEnv.requestSubject)) public var natsRequestSubject: String?
    @Option(name: .setting(MemeEnv.responseSubject), help: .setting(MemeEnv.responseSubject)) public var natsResponseSubject: String?

    @Option(name: .deprecated(MemeEnv.natsStream), help: .deprecated(MemeEnv.natsStream)) var stream: String?
    @Option(name: .deprecated(MemeEnv.natsConsumer), help: .deprecated(MemeEnv.natsConsumer)) var consumer: String?
    @Option(name: .deprecated(MemeEnv.requestSubject), help: .deprecated(MemeEnv.requestSubject)) var requestSubject: String?
    @Option(name: .deprecated(MemeEnv.responseSubject), help: .deprecated(MemeEnv.responseSubject)) var responseSubject: String?

    public init() {}

    /// Adds these flags to `table`.
    public func add(to table: inout SettingsFlagTable) throws {
        table.set(MemeEnv.natsURL, natsURL)
        table.set(MemeEnv.natsStream, natsStream)
        table.set(MemeEnv.natsConsumer, natsConsumer)
        table.set(MemeEnv.requestSubject, natsRequestSubject)
        table.set(MemeEnv.responseSubject, natsResponseSubject)
        try table.set(deprecated: MemeEnv.natsStream, stream)
        try table.set(deprecated: MemeEnv.natsConsumer, consumer)
        try table.set(deprecated: MemeEnv.requestSubject, requestSubject)
        try table.set(deprecated: MemeEnv.responseSubject, responseSubject)
    }
}
