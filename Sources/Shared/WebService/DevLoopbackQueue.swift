import Foundation
import MemeKit
import Synchronization

/// DEVELOPMENT AID ONLY (`meme-web --dev-loopback-queue`): a queue with no broker and no worker
/// that answers every request itself, after `delay`, with a generated SVG placeholder showing
/// the prompt and captions. It lets the page be worked on without nats-server and meme-worker.
/// Nothing is stored: requests are lost on restart. Tests of the live path never use it.
public final class DevLoopbackQueue: MemeQueue {
    private let delay: Duration
    private let subscribers = Mutex([UUID: AsyncStream<MemeOutcome>.Continuation]())

    public init(delay: Duration = .milliseconds(900)) {
        self.delay = delay
    }

    public func submit(_ request: MemeRequest) async throws {
        let delay = self.delay
        Task {
            try? await Task.sleep(for: delay)
            let outcome: MemeOutcome
            if request.prompt.lowercased().contains("fail") {
                outcome = .failed(MemeErrorResponse(
                    requestId: request.id ?? unknownRequestID, error: "dev loopback: prompts containing 'fail' fail",
                    timestamp: UInt64(Date().timeIntervalSince1970)))
            } else {
                let svg = Self.placeholder(for: request)
                outcome = .done(MemeResponse(
                    requestId: request.id ?? unknownRequestID, imageData: Data(svg.utf8).base64EncodedString(),
                    prompt: request.prompt, timestamp: UInt64(Date().timeIntervalSince1970),
                    contentType: "image/svg+xml", worker: "dev-loopback"))
            }
            for continuation in self.subscribers.withLock({ Array($0.values) }) { continuation.yield(outcome) }
        }
    }

    public func outcomes() -> AsyncStream<MemeOutcome> {
        let (stream, continuation) = AsyncStream<MemeOutcome>.makeStream(bufferingPolicy: .bufferingNewest(256))
        let key = UUID()
        subscribers.withLock { $0[key] = continuation }
        continuation.onTermination = { [weak self] _ in _ = self?.subscribers.withLock { $0.removeValue(forKey: key) } }
        return stream
    }

    public func readiness() async -> MemeQueueReadiness { .ready }

    /// An SVG "meme": a gradient picked from the prompt's hash, the prompt in the middle and the
    /// captions top and bottom. All user text is XML-escaped.
    static func placeholder(for request: MemeRequest) -> String {
        let size = request.imageSize >= 1024 ? 1024 : 512
        var hash: UInt32 = 2_166_136_261
        for byte in request.prompt.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        let hue1 = Int(hash % 360), hue2 = (Int(hash % 360) + 60 + Int(hash >> 9) % 120) % 360
        let top = escape((request.topText ?? "").uppercased())
        let bottom = escape((request.bottomText ?? "").uppercased())
        let words = request.prompt.split(separator: " ").map(String.init)
        var lines: [String] = []
        var line = ""
        for word in words {
            if line.count + word.count + 1 > 22, !line.isEmpty { lines.append(line); line = word } else { line += line.isEmpty ? word : " " + word }
        }
        if !line.isEmpty { lines.append(line) }
        let s = Double(size) / 512
        let promptLines = lines.prefix(5).enumerated().map { index, text in
            let y = Int((256 + (Double(index) - Double(min(lines.count, 5) - 1) / 2) * 34) * s)
            return "<text x=\"50%\" y=\"\(y)\" font-size=\"\(Int(26 * s))\" opacity=\".85\">\(escape(text))</text>"
        }.joined()
        return """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(size)" height="\(size)" viewBox="0 0 \(size) \(size)">\
        <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">\
        <stop offset="0" stop-color="hsl(\(hue1),70%,45%)"/><stop offset="1" stop-color="hsl(\(hue2),75%,30%)"/>\
        </linearGradient></defs>\
        <rect width="100%" height="100%" fill="url(#g)"/>\
        <circle cx="50%" cy="50%" r="\(Int(150 * s))" fill="#fff" opacity=".08"/>\
        <g font-family="Impact, 'DejaVu Sans', sans-serif" text-anchor="middle" fill="#fff">\(promptLines)\
        <g font-size="\(Int(44 * s))" font-weight="900" stroke="#000" stroke-width="\(Int(3 * s))" paint-order="stroke">\
        <text x="50%" y="\(Int(70 * s))">\(top)</text><text x="50%" y="\(Int(480 * s))">\(bottom)</text></g></g>\
        </svg>
        """
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(ch)
            }
        }
        return out
    }
}
