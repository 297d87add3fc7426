import Autoscaling
import CurlHTTP
import Foundation
import MemeKit

/// Local mode's replica and KEDA source: `GET <LOCAL_SCALER_URL>/status` of `meme-worker supervise`.
/// One answer holds every number of one decision (lag, replicas, desired, the events with the lag
/// each was decided on), so the KEDA line never mixes readings. Prometheus is not in this path:
/// its scrape made the gauges up to 8 s old.
public struct LocalScalerSource: Sendable {
    /// `http://127.0.0.1:9190`, without `/status`.
    public let baseURL: String
    private let client: CurlHTTPClient
    private let timeouts: HTTPTimeouts

    public init(baseURL: String, client: CurlHTTPClient, timeouts: HTTPTimeouts = HTTPTimeouts(connect: .seconds(2), total: .seconds(3))) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.client = client
        self.timeouts = timeouts
    }

    public func read() async throws -> LocalScalerStatus {
        let url = baseURL + "/status"
        let response: HTTPResponse
        do {
            response = try await client.send(HTTPRequest(url: url, timeouts: timeouts))
        } catch {
            throw ConsoleError("\(SettingsReader.redacted(url)): \(error.message)", underlying: error)
        }
        guard response.isSuccess else {
            throw ConsoleError("\(SettingsReader.redacted(url)) answered HTTP \(response.status)"
                + (response.status == 404 ? " (a meme-worker without /status?)" : ""))
        }
        return try Self.decode(response.body)
    }

    /// The body as a status; a clear error for another version or a body that is not one.
    static func decode(_ body: [UInt8]) throws -> LocalScalerStatus {
        struct Version: Decodable { var version: Int? }
        guard let version = try? JSONDecoder().decode(Version.self, from: Data(body)) else {
            throw ConsoleError("/status is not JSON: " + String(decoding: body.prefix(60), as: UTF8.self))
        }
        guard version.version == LocalScalerStatus.currentVersion else {
            throw ConsoleError("/status version \(version.version.map(String.init) ?? "missing"), this console reads version "
                + "\(LocalScalerStatus.currentVersion): update meme-console or meme-worker")
        }
        do {
            return try JSONDecoder().decode(LocalScalerStatus.self, from: Data(body))
        } catch let error as DecodingError {
            switch error {
            case .keyNotFound(let key, _):
                throw ConsoleError("/status lacks \"\(key.stringValue)\"", underlying: error)
            case .typeMismatch(_, let context), .valueNotFound(_, let context):
                throw ConsoleError("/status: bad value at \(context.codingPath.map(\.stringValue).joined(separator: "."))", underlying: error)
            default:
                throw ConsoleError("/status: \(error)", underlying: error)
            }
        }
    }
}
