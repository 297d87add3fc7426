import CurlHTTP
import MemeKit
import Foundation

/// What one Hugging Face inference answer means for the caller, decided from the status, headers
/// and body alone (no I/O), so every case is unit-tested apart from the network.
enum HuggingFaceReply: Equatable {
    /// 200 with PNG or JPEG bytes.
    case image([UInt8])
    /// Worth asking again, after `wait` when the server said how long (503 `estimated_time`,
    /// `Retry-After`), else after the caller's own backoff.
    case retry(String, wait: Duration?)
    /// Asking again cannot help.
    case fail(String)

    /// - Parameter secret: removed from every message (an API echoing the header must not leak it).
    static func classify(_ response: HTTPResponse, secret: String) -> HuggingFaceReply {
        let status = response.status
        let detail = apiMessage(response.body, secret: secret)
        switch status {
        case 200..<300:
            if isImage(response.body) { return .image(response.body) }
            let type = response.headers["Content-Type"].map { ", Content-Type \(redact($0, secret))" } ?? ""
            return .fail("Hugging Face answered \(status) without a PNG or JPEG image (\(response.body.count) bytes\(type)\(detail.map { ": \($0)" } ?? ""))")
        case 401, 403:
            return .fail("Hugging Face rejected the token (\(status))\(detail.map { ": \($0)" } ?? "")")
        case 503:
            let wait = estimatedTime(response.body) ?? response.retryAfter()
            let loading = detail?.localizedCaseInsensitiveContains("loading") == true || estimatedTime(response.body) != nil
            return .retry(loading ? "the Hugging Face model is loading (503)" : "Hugging Face is unavailable (503)\(detail.map { ": \($0)" } ?? "")", wait: wait)
        case 429:
            return .retry("Hugging Face rate limit (429)\(detail.map { ": \($0)" } ?? "")", wait: response.retryAfter())
        case 408, 425, 500..<600:
            return .retry("Hugging Face error (\(status))\(detail.map { ": \($0)" } ?? "")", wait: response.retryAfter())
        case 404:
            return .fail("no Hugging Face model at this URL (404)\(detail.map { ": \($0)" } ?? "")")
        default:
            return .fail("Hugging Face refused the request (\(status))\(detail.map { ": \($0)" } ?? "")")
        }
    }

    /// PNG or JPEG by magic number; the renderer decodes (and rejects) the rest.
    static func isImage(_ bytes: [UInt8]) -> Bool {
        ImageFormat.sniff(bytes)?.isPNGOrJPEG == true
    }

    /// The API's `{"error": "…"}` (a string or a list of strings), or a short printable excerpt of
    /// any other body; at most 200 characters, secret removed, one line.
    static func apiMessage(_ body: [UInt8], secret: String) -> String? {
        guard !body.isEmpty else { return nil }
        var text: String
        if let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any], let error = object["error"] {
            if let s = error as? String {
                text = s
            } else if let list = error as? [Any] {
                text = list.map { "\($0)" }.joined(separator: "; ")
            } else {
                text = "\(error)"
            }
        } else {
            guard !isImage(body) else { return nil }
            text = String(decoding: body.prefix(400), as: UTF8.self)
        }
        text = redact(text, secret)
        text = String(text.unicodeScalars.map { CharacterSet.controlCharacters.contains($0) ? " " : Character($0) })
            .trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return nil }
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }

    /// `estimated_time` (seconds) of a 503 "model is loading" body.
    static func estimatedTime(_ body: [UInt8]) -> Duration? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let seconds = (object["estimated_time"] as? Double) ?? (object["estimated_time"] as? NSNumber)?.doubleValue,
              seconds.isFinite, seconds >= 0 else { return nil }
        return .milliseconds(Int64(min(seconds, 3600) * 1000))
    }

    static func redact(_ text: String, _ secret: String) -> String {
        secret.count < 4 ? text : text.replacingOccurrences(of: secret, with: "<redacted>")
    }
}
