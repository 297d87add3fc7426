/// The talk's acts: which autoscalers act on the demo. The same three names in local mode
/// (meme-stack's stand-ins) and in a cluster (the VPA objects meme-console writes, or
/// `kubectl apply -k k8s/components/act-<name>`); docs/demo-script.md tells what the room sees.
public enum DemoAct: String, Sendable, CaseIterable, Codable {
    /// Only KEDA acts: the HPA and the VPA hold still (locally: their stand-ins pause; in a
    /// cluster: the Redis VPA recommends only and the web VPA is gone).
    case kedaOnly = "keda-only"
    /// Harmony plus a VPA on meme-web acting on CPU, the HPA's signal: the two fight.
    case conflict
    /// Each autoscaler owns its own signal: HPA on web CPU/memory, VPA on Redis, KEDA on queue lag.
    case harmony

    /// What the act changes, in one line (the console's confirmation and its answer).
    public var summary: String {
        switch self {
        case .kedaOnly: "only KEDA acts: the HPA and the VPA hold still"
        case .conflict: "a VPA on meme-web's CPU joins the HPA on the same CPU: they fight"
        case .harmony: "HPA on web CPU/memory, VPA on Redis, KEDA on queue lag: each owns its signal"
        }
    }

    /// Parses a name; the error lists the acts.
    public static func named(_ name: String) throws(ActError) -> DemoAct {
        guard let act = DemoAct(rawValue: name) else {
            throw ActError("unknown act '\(name)'; the acts are \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return act
    }
}

/// Why an act could not be switched.
public struct ActError: Error, Sendable, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
