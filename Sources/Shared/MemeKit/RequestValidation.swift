import Foundation

/// Why a request was refused. `description` is the text sent back to the client.
public struct MemeRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// The best request id we could read (JSON `id`, else the caller's fallback).
    public var requestID: String
    public var description: String { message }
}

/// Limits applied to every request, from NATS or HTTP alike.
public struct MemeRequestLimits: Sendable, Equatable {
    public var maxPromptCharacters: Int
    public var maxPayloadBytes: Int
    public var maxCaptionCharacters: Int

    public init(
        maxPromptCharacters: Int = MemeDefaults.maxPromptCharacters,
        maxPayloadBytes: Int = MemeDefaults.maxRequestBytes,
        maxCaptionCharacters: Int = 200
    ) {
        self.maxPromptCharacters = maxPromptCharacters
        self.maxPayloadBytes = maxPayloadBytes
        self.maxCaptionCharacters = maxCaptionCharacters
    }
}

public enum MemeRequestDecoder {
    /// Decodes and validates raw request bytes. Never throws anything but `MemeRequestError`;
    /// the error names the problem and carries the best id found (`fallbackID` when the JSON has none).
    public static func decode(
        _ bytes: some Collection<UInt8>, fallbackID: String?, limits: MemeRequestLimits = .init()
    ) -> Result<MemeRequest, MemeRequestError> {
        let fallback = fallbackID ?? unknownRequestID
        if bytes.count > limits.maxPayloadBytes {
            return .failure(.init(message: "request is \(bytes.count) bytes; the limit is \(limits.maxPayloadBytes)", requestID: fallback))
        }
        guard let text = String(validating: Array(bytes), as: UTF8.self) else {
            return .failure(.init(message: "request is not valid UTF-8", requestID: fallback))
        }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        } catch {
            return .failure(.init(message: "request is not valid JSON", requestID: fallback))
        }
        guard case .object(let dict) = value else {
            return .failure(.init(message: "request must be a JSON object", requestID: fallback))
        }
        // Read the id first so every later error can name the request.
        var requestID = fallback
        var id: String?
        if let raw = dict["id"], raw != .null {
            guard case .string(let s) = raw else {
                return .failure(.init(message: "field 'id' must be a string", requestID: fallback))
            }
            let trimmed = s.trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty {
                guard trimmed.count <= 128 else {
                    return .failure(.init(message: "field 'id' is longer than 128 characters", requestID: fallback))
                }
                id = trimmed
                requestID = trimmed
            }
        }
        func fail(_ message: String) -> Result<MemeRequest, MemeRequestError> {
            .failure(.init(message: message, requestID: requestID))
        }
        func string(_ key: String, max: Int) -> Result<String?, MemeRequestError> {
            guard let raw = dict[key], raw != .null else { return .success(nil) }
            guard case .string(let s) = raw else { return .failure(.init(message: "field '\(key)' must be a string", requestID: requestID)) }
            guard s.count <= max else {
                return .failure(.init(message: "field '\(key)' has \(s.count) characters; the limit is \(max)", requestID: requestID))
            }
            return .success(s)
        }
        func bool(_ key: String) -> Result<Bool?, MemeRequestError> {
            guard let raw = dict[key], raw != .null else { return .success(nil) }
            guard case .bool(let b) = raw else {
                return .failure(.init(message: "field '\(key)' must be true or false", requestID: requestID))
            }
            return .success(b)
        }
        guard let rawPrompt = dict["prompt"], rawPrompt != .null else { return fail("field 'prompt' is missing") }
        guard case .string(let prompt) = rawPrompt else { return fail("field 'prompt' must be a string") }
        let trimmedPrompt = prompt.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmedPrompt.isEmpty else { return fail("field 'prompt' is empty") }
        guard trimmedPrompt.count <= limits.maxPromptCharacters else {
            return fail("field 'prompt' has \(trimmedPrompt.count) characters; the limit is \(limits.maxPromptCharacters)")
        }
        do {
            let fast = try bool("fast_mode").get()
            let small = try bool("small_image").get()
            let top = try string("top_text", max: limits.maxCaptionCharacters).get()
            let bottom = try string("bottom_text", max: limits.maxCaptionCharacters).get()
            let template = try string("template", max: 64).get()
            var submittedAt: Double?
            if let raw = dict["submitted_at"], raw != .null {
                guard case .number(let n) = raw else {
                    return fail("field 'submitted_at' must be a number (unix seconds)")
                }
                submittedAt = n
            }
            return .success(MemeRequest(
                id: id, prompt: trimmedPrompt, fastMode: fast, smallImage: small,
                topText: top, bottomText: bottom, template: template, submittedAt: submittedAt))
        } catch let error as MemeRequestError {
            return .failure(error)
        } catch {
            return fail("request could not be read")
        }
    }
}
