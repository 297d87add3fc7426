import Foundation
import MemeKit

/// The prompts a load run cycles through: the built-in list or one read from a file.
public struct PromptList: Sendable, Equatable {
    public let prompts: [String]
    /// Where the prompts came from ("built-in" or the file path), for messages.
    public let source: String

    /// Throws when `prompts` is empty or a prompt is blank or too long for the worker.
    public init(_ prompts: [String], source: String = "list") throws(LoadError) {
        guard !prompts.isEmpty else { throw LoadError("\(source) holds no prompts") }
        for (index, prompt) in prompts.enumerated() {
            try Self.check(prompt, where: "\(source): prompt \(index + 1)")
        }
        self.prompts = prompts
        self.source = source
    }

    private init(checked prompts: [String], source: String) {
        self.prompts = prompts
        self.source = source
    }

    public var count: Int { prompts.count }

    /// Round robin: prompt `n` of an endless run.
    public func prompt(_ n: Int) -> String { prompts[((n % prompts.count) + prompts.count) % prompts.count] }

    /// Reads one prompt per line; blank lines and lines starting with `#` are skipped.
    public static func load(file path: String) throws(LoadError) -> PromptList {
        guard !path.isEmpty else { throw LoadError("prompt file path is empty") }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw LoadError("prompt file \(path) does not exist")
        }
        guard !isDirectory.boolValue else { throw LoadError("prompt file \(path) is a directory") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError("prompt file \(path) cannot be read (permissions?)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw LoadError("prompt file \(path) is not UTF-8 text")
        }
        return try parse(text, source: path)
    }

    /// Parses file content; errors name the line.
    public static func parse(_ text: String, source: String) throws(LoadError) -> PromptList {
        var prompts: [String] = []
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            try check(line, where: "\(source):\(lineNumber)")
            prompts.append(line)
        }
        guard !prompts.isEmpty else {
            throw LoadError("prompt file \(source) has no prompts (only blank lines or #comments)")
        }
        return PromptList(checked: prompts, source: source)
    }

    private static func check(_ prompt: String, where place: String) throws(LoadError) {
        if prompt.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw LoadError("\(place) is blank") }
        let characters = prompt.count
        if characters > MemeDefaults.maxPromptCharacters {
            throw LoadError("\(place) has \(characters) characters; the limit is \(MemeDefaults.maxPromptCharacters)")
        }
        if prompt.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw LoadError("\(place) contains a control character")
        }
    }

    /// Stage-safe prompts; " / " splits top and bottom text.
    public static let builtIn = PromptList(checked: [
        "one does not simply / scale to zero",
        "keep calm / and add another replica",
        "it works on my machine / then we'll ship your machine",
        "kubectl apply / kubectl pray",
        "me: just one more pod / the cluster: I'm tired, boss",
        "the queue is empty / KEDA: time for a nap",
        "ten thousand requests / one very brave worker",
        "HPA and KEDA / fighting over the same deployment",
        "I don't always test in production / but when I do, it's a live demo",
        "this is fine / says the pod at 99% CPU",
        "autoscaling / the art of panicking at scale",
        "Friday deploy / what could possibly go wrong",
        "the cache hit / I have been waiting my whole life for this",
        "YAML indentation / the final boss",
        "cold start / warming up the hamsters",
        "scale to zero / scale to hero",
        "when the demo works / first try",
        "the load balancer / having an existential crisis",
        "rubber duck / explaining distributed systems",
        "coffee / the real control plane",
        "Redis remembers / so you don't have to",
        "NATS delivered your meme / exactly once, probably",
        "lag threshold five / we have five hundred",
        "the VPA recommends / more snacks",
        "pending pods / waiting for their moment to shine",
        "the presenter pressed B / the cluster felt that",
        "replicas go up / replicas go down",
        "memory limit 1Gi / my meme: hold my beer",
        "CrashLoopBackOff / but make it fashion",
        "503 service unavailable / service is on a coffee break",
        "a cat in sunglasses / reviewing your pull request",
        "a dog eating pizza / in a server room",
        "the intern / scaled the cluster to 1000 nodes",
        "my code, my rules / my pager",
        "backpressure / the queue says no",
        "helm upgrade / hope downgrade",
    ], source: "built-in")
}
